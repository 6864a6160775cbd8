package main

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/phl-platform/phl-platform/internal/ci"
)

// Stack is one synthesized stack: where it runs, which environment it belongs to and its
// resources (type -> name -> configuration, as in cdk.tf.json).
type Stack struct {
	Name      string
	Region    string // the aws provider's region
	Env       string // the provider's default_tags environment; the stack name if it has none (bootstrap stacks)
	Resources map[string]map[string]map[string]any
}

type stackJSON struct {
	Provider struct {
		AWS []struct {
			Region      string `json:"region"`
			DefaultTags []struct {
				Tags map[string]string `json:"tags"`
			} `json:"default_tags"`
		} `json:"aws"`
	} `json:"provider"`
	Resource map[string]map[string]map[string]any `json:"resource"`
}

// loadStacks reads the manifest and every stack it lists, sorted by name.
func loadStacks(outDir string) ([]Stack, error) {
	m, err := ci.LoadManifest(outDir)
	if err != nil {
		return nil, err
	}
	if len(m.Stacks) == 0 {
		return nil, fmt.Errorf("%s: no stacks", filepath.Join(outDir, "manifest.json"))
	}
	var stacks []Stack
	for _, name := range m.Names() {
		var sj stackJSON
		if err := m.DecodeStack(name, &sj); err != nil {
			return nil, err
		}
		p := filepath.Join(outDir, m.Stacks[name].SynthesizedStackPath)
		if len(sj.Provider.AWS) == 0 || sj.Provider.AWS[0].Region == "" {
			return nil, fmt.Errorf("%s: stack %s has no aws provider region, so no price table applies", p, name)
		}
		st := Stack{Name: name, Region: sj.Provider.AWS[0].Region, Env: name, Resources: sj.Resource}
		for _, dt := range sj.Provider.AWS[0].DefaultTags {
			if e := dt.Tags["environment"]; e != "" {
				st.Env = e
			}
		}
		stacks = append(stacks, st)
	}
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	return stacks, nil
}
