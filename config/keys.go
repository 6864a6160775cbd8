package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkKeys walks the YAML tree against the Go type it will be decoded into and reports the
// first mapping key that has no field, so a typo never silently falls back to a default.
func checkKeys(file string, node *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.DocumentNode {
		for _, c := range node.Content {
			if err := checkKeys(file, c, t, path); err != nil {
				return err
			}
		}
		return nil
	}
	isNull := node.Kind == yaml.ScalarNode && node.Tag == "!!null"
	if isNull {
		return nil // an empty value means "all defaults"
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return &Error{File: file, Key: orRoot(path), Value: node.Value, Problem: fmt.Sprintf("line %d: expected a mapping", node.Line)}
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
		sort.Strings(names)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				return &Error{File: file, Key: join(path, k.Value), Value: v.Value,
					Problem: fmt.Sprintf("line %d: unknown key", k.Line), Allowed: strings.Join(names, ", ")}
			}
			if err := checkKeys(file, v, ft, join(path, k.Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return &Error{File: file, Key: path, Value: node.Value, Problem: fmt.Sprintf("line %d: expected a list", node.Line)}
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return &Error{File: file, Key: path, Value: node.Value, Problem: fmt.Sprintf("line %d: expected a mapping", node.Line)}
		}
	default:
		if node.Kind != yaml.ScalarNode {
			return &Error{File: file, Key: path, Value: "", Problem: fmt.Sprintf("line %d: expected a single value", node.Line)}
		}
		return checkScalar(file, node, t, path)
	}
	return nil
}

// checkScalar rejects what the YAML decoder would otherwise convert silently: yaml.v3 truncates
// 50.5 into an int field (50), so every integer key must hold a whole number.
func checkScalar(file string, node *yaml.Node, t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if node.ShortTag() != "!!int" {
			return &Error{File: file, Key: path, Value: node.Value, Problem: fmt.Sprintf("line %d: not a whole number", node.Line), Allowed: "an integer such as 50, without a fraction or quotes"}
		}
	case reflect.Bool:
		if node.ShortTag() != "!!bool" {
			return &Error{File: file, Key: path, Value: node.Value, Problem: fmt.Sprintf("line %d: not a boolean", node.Line), Allowed: "true or false"}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}
