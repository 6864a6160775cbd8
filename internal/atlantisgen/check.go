package atlantisgen

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/config"
)

// fileProject is the part of a committed atlantis.yaml project the check reads.
type fileProject struct {
	Name                string   `yaml:"name"`
	Dir                 string   `yaml:"dir"`
	Workspace           string   `yaml:"workspace"`
	ExecutionOrderGroup *int     `yaml:"execution_order_group"`
	DependsOn           []string `yaml:"depends_on"`
	ApplyRequirements   []string `yaml:"apply_requirements"`
}

type fileDoc struct {
	ParallelApply             bool          `yaml:"parallel_apply"`
	AbortOnExecutionOrderFail bool          `yaml:"abort_on_execution_order_fail"`
	Projects                  []fileProject `yaml:"projects"`
}

// Check compares a committed atlantis.yaml (name for messages, data) with the projects the
// manifest implies, and then with the generator's output (want). It returns one line per
// problem, the deploy-graph ones first, so a wrong order group is named as such.
func Check(name string, data []byte, projects []Project, want []byte) []string {
	var doc fileDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []string{fmt.Sprintf("%s: not valid YAML: %v", name, err)}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, name+": "+fmt.Sprintf(format, args...)) }
	if !doc.AbortOnExecutionOrderFail || !doc.ParallelApply {
		bad("abort_on_execution_order_fail and parallel_apply must both be true (Atlantis stops at a failed group only on the parallel path)")
	}
	byName := map[string]fileProject{}
	for _, p := range doc.Projects {
		if _, dup := byName[p.Name]; dup {
			bad("project %s is listed twice", p.Name)
		}
		byName[p.Name] = p
	}
	wantNames := map[string]bool{}
	for _, w := range projects {
		wantNames[w.Name] = true
		got, ok := byName[w.Name]
		if !ok {
			bad("no project %s, a stack of cdktf.out/manifest.json", w.Name)
			continue
		}
		if got.Dir != StackRoot+w.Name {
			bad("%s: dir %q, want %q (its own directory, so its own lock)", w.Name, got.Dir, StackRoot+w.Name)
		}
		if got.Workspace != "default" {
			bad("%s: workspace %q, want default", w.Name, got.Workspace)
		}
		if got.ExecutionOrderGroup == nil || *got.ExecutionOrderGroup != w.Group {
			g := "none"
			if got.ExecutionOrderGroup != nil {
				g = fmt.Sprint(*got.ExecutionOrderGroup)
			}
			bad("%s: execution_order_group %s, want %d (its level in the deploy graph of cdktf.out/manifest.json)", w.Name, g, w.Group)
		}
		if d := slices.Sorted(slices.Values(got.DependsOn)); !slices.Equal(d, w.DependsOn) {
			bad("%s: depends_on [%s], want the manifest's dependencies [%s]", w.Name, strings.Join(d, ", "), strings.Join(w.DependsOn, ", "))
		}
		if !slices.Equal(got.ApplyRequirements, ApplyRequirements) {
			bad("%s: apply_requirements [%s], want [%s]", w.Name, strings.Join(got.ApplyRequirements, ", "), strings.Join(ApplyRequirements, ", "))
		}
	}
	for _, p := range doc.Projects {
		if !wantNames[p.Name] {
			why := "not a stack of cdktf.out/manifest.json"
			if config.IsBootstrapStack(p.Name) {
				why = "the bootstrap stack is applied by hand, never from a pull request"
			}
			bad("project %s: %s", p.Name, why)
		}
	}
	if len(problems) == 0 && !bytes.Equal(data, want) {
		bad("differs from what the generator writes (when_modified, autoplan or layout): run go run ./tools/atlantisgen and commit atlantis.yaml; first difference at line %d", firstDiff(data, want))
	}
	return problems
}

func firstDiff(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}
