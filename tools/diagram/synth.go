package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/phl-platform/phl-platform/internal/ci"
)

// Stack is one synthesized stack: its manifest dependencies and its resources by type and id.
type Stack struct {
	Name string
	Deps []string
	// Resources: type -> logical id -> attributes (the cdk.tf.json "resource" block).
	Resources map[string]map[string]map[string]any
	// Accounts is the AWS provider's allowed_account_ids (how a bootstrap stack is matched
	// to an environment's stacks).
	Accounts []string
}

// Synth is the part of a cdktf.out directory the diagram reads.
type Synth struct {
	Stacks map[string]*Stack
}

type stackFile struct {
	Provider map[string][]struct {
		AllowedAccountIDs []string `json:"allowed_account_ids"`
	} `json:"provider"`
	Resource map[string]map[string]map[string]any `json:"resource"`
}

// ReadSynth reads dir/manifest.json and every stack's cdk.tf.json it names.
func ReadSynth(dir string) (*Synth, error) {
	m, err := ci.LoadManifest(dir)
	if err != nil {
		return nil, err
	}
	if len(m.Stacks) == 0 {
		return nil, fmt.Errorf("%s lists no stacks", filepath.Join(dir, "manifest.json"))
	}
	s := &Synth{Stacks: map[string]*Stack{}}
	for name, st := range m.Stacks {
		var sf stackFile
		if err := m.DecodeStack(name, &sf); err != nil {
			return nil, err
		}
		deps := append([]string(nil), st.Dependencies...)
		sort.Strings(deps)
		stack := &Stack{Name: name, Deps: deps, Resources: sf.Resource}
		for _, p := range sf.Provider["aws"] {
			stack.Accounts = append(stack.Accounts, p.AllowedAccountIDs...)
		}
		s.Stacks[name] = stack
	}
	return s, nil
}

// EnvStacks returns the stacks of env (named env-*) and the bootstrap stack (bootstrap-*) of
// the same AWS account, sorted by name; an error when env has none.
func (s *Synth) EnvStacks(env string) ([]*Stack, error) {
	var out []*Stack
	accounts := map[string]bool{}
	for _, name := range sortedKeys(s.Stacks) {
		if strings.HasPrefix(name, env+"-") {
			out = append(out, s.Stacks[name])
			for _, a := range s.Stacks[name].Accounts {
				accounts[a] = true
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no stack of environment %q in the manifest (stacks: %s)", env, strings.Join(sortedKeys(s.Stacks), ", "))
	}
	for _, name := range sortedKeys(s.Stacks) {
		st := s.Stacks[name]
		if !strings.HasPrefix(name, "bootstrap-") {
			continue
		}
		for _, a := range st.Accounts {
			if accounts[a] {
				out = append(out, st)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// All returns the resources of type t in id order.
func (st *Stack) All(t string) []map[string]any {
	var out []map[string]any
	for _, id := range sortedKeys(st.Resources[t]) {
		out = append(out, st.Resources[t][id])
	}
	return out
}

// Count is the number of resources of type t.
func (st *Stack) Count(t string) int { return len(st.Resources[t]) }

// Has reports whether the stack has a resource of type t.
func (st *Stack) Has(t string) bool { return len(st.Resources[t]) > 0 }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// str is attribute k of r as a string ("" when absent or not a string).
func str(r map[string]any, k string) string {
	v, _ := r[k].(string)
	return v
}

// num is attribute k of r as a number (0 when absent).
func num(r map[string]any, k string) int {
	v, _ := r[k].(float64)
	return int(v)
}

// obj is attribute k of r as an object (nil when absent).
func obj(r map[string]any, k string) map[string]any {
	v, _ := r[k].(map[string]any)
	return v
}

// strs is attribute k of r as a list of strings.
func strs(r map[string]any, k string) []string {
	l, _ := r[k].([]any)
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
