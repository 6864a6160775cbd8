package ci

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// Manifest is a cdktf synth output's manifest.json: each stack's dependencies and file.
type Manifest struct {
	Dir    string
	Stacks map[string]ManifestStack `json:"stacks"`
}

// ManifestStack is one stack of the manifest.
type ManifestStack struct {
	Dependencies         []string `json:"dependencies"`
	SynthesizedStackPath string   `json:"synthesizedStackPath"`
}

// LoadManifest reads dir/manifest.json.
func LoadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("%w (synthesize first: make synth)", err)
	}
	m := &Manifest{Dir: dir}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: not a cdktf manifest: %w", filepath.Join(dir, "manifest.json"), err)
	}
	for name, s := range m.Stacks {
		for _, d := range s.Dependencies {
			if _, ok := m.Stacks[d]; !ok {
				return nil, fmt.Errorf("manifest: %s depends on %s, which it does not list", name, d)
			}
		}
	}
	return m, nil
}

// Levels groups the stacks by their depth in the deploy graph: level 0 depends on nothing,
// level n on stacks of lower levels only (so each level applies in parallel once the ones
// before it have). Stacks are sorted within a level; a cycle is an error.
func (m *Manifest) Levels() ([][]string, error) {
	level := map[string]int{}
	var visit func(name string, path []string) (int, error)
	visit = func(name string, path []string) (int, error) {
		if l, ok := level[name]; ok {
			return l, nil
		}
		if slices.Contains(path, name) {
			return 0, fmt.Errorf("manifest: dependency cycle %v", append(path, name))
		}
		l := 0
		for _, d := range m.Stacks[name].Dependencies {
			dl, err := visit(d, append(path, name))
			if err != nil {
				return 0, err
			}
			l = max(l, dl+1)
		}
		level[name] = l
		return l, nil
	}
	var out [][]string
	for _, name := range m.Names() {
		l, err := visit(name, nil)
		if err != nil {
			return nil, err
		}
		for len(out) <= l {
			out = append(out, nil)
		}
		out[l] = append(out[l], name)
	}
	for _, l := range out {
		sort.Strings(l)
	}
	return out, nil
}

// Names lists the stacks, sorted.
func (m *Manifest) Names() []string {
	names := make([]string, 0, len(m.Stacks))
	for n := range m.Stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// stackJSON is a stack's Terraform JSON, decoded (so formatting does not count as a change).
func (m *Manifest) stackJSON(name string) (any, error) {
	var doc any
	return doc, m.DecodeStack(name, &doc)
}

// DecodeStack decodes the Terraform JSON of the stack name into v.
func (m *Manifest) DecodeStack(name string, v any) error {
	st, ok := m.Stacks[name]
	if !ok {
		return fmt.Errorf("manifest: no stack %s", name)
	}
	path := filepath.Join(m.Dir, st.SynthesizedStackPath)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: not Terraform JSON: %w", path, err)
	}
	return nil
}
