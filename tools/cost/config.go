package main

import (
	"fmt"
	"regexp"
)

// Helpers reading a resource's synthesized configuration. CDKTF writes a nested block as an
// object or as a list of objects, depending on the provider schema; block accepts both.

func str(cfg map[string]any, key string) string {
	s, _ := cfg[key].(string)
	return s
}

func num(cfg map[string]any, key string) (float64, bool) {
	f, ok := cfg[key].(float64)
	return f, ok
}

func list(cfg map[string]any, key string) []any {
	l, _ := cfg[key].([]any)
	return l
}

func strs(cfg map[string]any, key string) []string {
	var out []string
	for _, v := range list(cfg, key) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func block(cfg map[string]any, key string) map[string]any {
	switch v := cfg[key].(type) {
	case map[string]any:
		return v
	case []any:
		if len(v) > 0 {
			m, _ := v[0].(map[string]any)
			return m
		}
	}
	return nil
}

func blocks(cfg map[string]any, key string) []map[string]any {
	switch v := cfg[key].(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		var out []map[string]any
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

var refRE = regexp.MustCompile(`^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$`)

// ref resolves "${<type>.<name>.<attribute>}" to that resource of the same stack.
func (s *Stack) ref(expr, wantType string) (map[string]any, error) {
	m := refRE.FindStringSubmatch(expr)
	if m == nil || m[1] != wantType {
		return nil, fmt.Errorf("%q is not a reference to a %s of this stack", expr, wantType)
	}
	cfg, ok := s.Resources[m[1]][m[2]]
	if !ok {
		return nil, fmt.Errorf("%q: no %s.%s in stack %s", expr, m[1], m[2], s.Name)
	}
	return cfg, nil
}
