// Package atlantisgen writes atlantis.yaml from what the synthesis says: one Atlantis project per
// synthesized stack (cdktf.out/manifest.json), in its own directory, ordered by the deploy graph
// (the manifest's dependencies), with the files that change its synthesis as autoplan patterns.
// tools/atlantisgen runs it; rung 2 of the ladder checks the committed file against it.
//
// Atlantis facts it relies on (runatlantis.io/docs/repo-level-atlantis-yaml.md and
// command-requirements.md; the server code cited where the docs are silent):
//   - when_modified uses .dockerignore syntax and its paths are relative to the project's dir
//     (Atlantis joins each pattern to `dir`, keeping a leading "!" as an exclusion), so every
//     pattern here starts with ../../../ (dir is cdktf.out/stacks/<stack>).
//   - execution_order_group: projects run group by group, lowest first; abort_on_execution_order_fail
//     stops the later groups when one fails, but only on the parallel path
//     (server/events/project_command_pool_executor.go runProjectCmdsParallelGroups; the
//     sequential runProjectCmds never aborts), hence parallel_apply: true
//     (runatlantis/atlantis#3323 added the abort).
//   - apply_requirements undiverged needs the merge checkout strategy and compares only the files
//     matching when_modified, so accurate patterns also keep unrelated merges from blocking applies.
//   - depends_on with order groups: one global `atlantis apply` may refuse a dependent whose
//     dependency it applied a group earlier (runatlantis/atlantis#5791), one more reason for the
//     README's flow: apply a level, then re-plan its dependents.
package atlantisgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// The bootstrap stacks (config.IsBootstrapStack: bootstrap-<account>) are not Atlantis
// projects: they create the state bucket and the roles every other stack (and Atlantis itself)
// uses, so they are applied by hand, once per account, before anything else, and never from a
// pull request.

// StackRoot is where each project's directory is, relative to the repository root; Up leads
// from a project's directory back to the root (when_modified is relative to the directory).
const (
	StackRoot = "cdktf.out/stacks/"
	Up        = "../../../"
)

// Workflow is the custom workflow every project uses.
const Workflow = "cdktf"

// ApplyRequirements hold for every project, whoever owns the environment's applies.
var ApplyRequirements = []string{"approved", "mergeable", "undiverged"}

// SharedFiles change every stack's synthesis besides the Go sources: the synth script and what it
// sources, the CDKTF app definition, the Go and npm dependency locks (the jsii runtime and the RDS
// CA bundle come from npm), and the provider lock copied beside every stack.
var SharedFiles = []string{
	"scripts/synth.sh", "scripts/tools.sh", "scripts/lib.sh", "scripts/versions.env",
	"cdktf.json", "go.mod", "go.sum", "package.json", "package-lock.json", ".terraform.lock.hcl",
}

// Sources are the repository files whose changes reach the synthesis, relative to the root.
type Sources struct {
	// Go lists patterns (a package directory's *.go, embedded files) of the packages the
	// synthesizing program imports: they change every stack.
	Go []string
	// GitopsGo lists those only the gitops stack reads (the bootstrap image it pins by digest).
	GitopsGo []string
	// GitopsFiles are the other files only the gitops stack reads (the root chart it installs).
	GitopsFiles []string
}

// Manifest is what cdktf writes to cdktf.out/manifest.json, as far as the projects need it.
type Manifest struct {
	Stacks map[string]struct {
		Dependencies []string `json:"dependencies"`
	} `json:"stacks"`
}

// ReadManifest reads a manifest.json and returns each stack's dependencies.
func ReadManifest(path string) (map[string][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%v (synthesize first: make synth)", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(m.Stacks) == 0 {
		return nil, fmt.Errorf("%s lists no stacks", path)
	}
	deps := map[string][]string{}
	for name, s := range m.Stacks {
		deps[name] = slices.Clone(s.Dependencies)
	}
	return deps, nil
}

// Levels gives each stack its level in the deploy graph: 0 for a stack that reads no other, else
// one more than the highest level among the stacks it reads. Stacks of one level do not read each
// other, so Atlantis may apply them together; each level waits for the one below.
func Levels(deps map[string][]string) (map[string]int, error) {
	level := map[string]int{}
	visiting := map[string]bool{}
	var visit func(s string, path []string) (int, error)
	visit = func(s string, path []string) (int, error) {
		if l, ok := level[s]; ok {
			return l, nil
		}
		if visiting[s] {
			return 0, fmt.Errorf("the stacks read each other in a cycle: %s", strings.Join(append(path, s), " -> "))
		}
		visiting[s] = true
		l := 0
		for _, d := range deps[s] {
			if _, ok := deps[d]; !ok {
				return 0, fmt.Errorf("stack %s reads %s, which the manifest does not list", s, d)
			}
			dl, err := visit(d, append(path, s))
			if err != nil {
				return 0, err
			}
			l = max(l, dl+1)
		}
		visiting[s] = false
		level[s] = l
		return l, nil
	}
	names := make([]string, 0, len(deps))
	for s := range deps {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		if _, err := visit(s, nil); err != nil {
			return nil, err
		}
	}
	return level, nil
}

// Project is one Atlantis project, as this repository writes it.
type Project struct {
	Name         string
	Env          string
	Group        int
	DependsOn    []string
	Autoplan     bool
	WhenModified []string
}

// Projects turns the manifest's stacks into projects: every stack but the bootstrap stacks, sorted by
// level, then name. delivery holds each environment's settings by name.
func Projects(deps map[string][]string, delivery map[string]config.Delivery, src Sources) ([]Project, error) {
	graph := map[string][]string{}
	for s, ds := range deps {
		if config.IsBootstrapStack(s) {
			continue // not an Atlantis project (see above)
		}
		var kept []string
		for _, d := range ds {
			if !config.IsBootstrapStack(d) { // applied by hand before any pull request: nothing to order
				kept = append(kept, d)
			}
		}
		graph[s] = kept
	}
	levels, err := Levels(graph)
	if err != nil {
		return nil, err
	}
	var out []Project
	for s, ds := range graph {
		env, component, ok := strings.Cut(s, "-")
		if !ok {
			return nil, fmt.Errorf("stack %s is not named <environment>-<component>", s)
		}
		d, ok := delivery[env]
		if !ok {
			return nil, fmt.Errorf("stack %s: no environment %q among the loaded environments/*.yaml", s, env)
		}
		p := Project{Name: s, Env: env, Group: levels[s], DependsOn: slices.Sorted(slices.Values(ds)), Autoplan: true}
		files := slices.Clone(src.Go)
		files = append(files, config.DefaultDir+"/"+env+".yaml")
		if component == "gitops" {
			// The gitops plan reads the cluster's private API endpoint: autoplan it only where the
			// Atlantis server runs inside the VPC (delivery.atlantis_autoplan_gitops).
			p.Autoplan = d.AtlantisAutoplanGitops
			files = append(files, src.GitopsGo...)
			files = append(files, src.GitopsFiles...)
		}
		files = append(files, SharedFiles...)
		for _, f := range files {
			p.WhenModified = append(p.WhenModified, Up+f)
		}
		// Tests never change a synthesis (a leading "!" excludes, and the last match wins).
		p.WhenModified = append(p.WhenModified, "!"+Up+"**/*_test.go")
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Header is the comment atlantis.yaml starts with.
const Header = `# GENERATED by ` + "`go run ./tools/atlantisgen`" + ` from cdktf.out/manifest.json, environments/*.yaml and
# the Go packages the synthesis imports: edit the generator (internal/atlantisgen), not this file.
# Rung 2 of ` + "`make test`" + ` fails when this file differs from what the generator writes.
#
# One project per synthesized stack (the bootstrap stack excepted), each in its own directory so
# each has its own lock. The server synthesizes once per pull request commit in a pre-workflow
# hook and runs this repository's custom workflow: its repos.yaml is in docs/deploying.md "Atlantis".
# - execution_order_group is the stack's level in the deploy graph; ` + "`atlantis apply`" + ` applies the
#   lowest group first and, with abort_on_execution_order_fail (which Atlantis honours only with
#   parallel_apply), stops at a failed group. Dependents planned before their producer was
#   applied must be re-planned: ` + "`atlantis plan -p <stack>`" + `.
# - when_modified is relative to the project's dir (Atlantis docs, repo-level atlantis.yaml):
#   the Go sources the synthesis imports, the stack's environment file, the gitops stack's root
#   chart and bootstrap image, the synth scripts and the dependency locks; tests excluded.
# - gitops projects are not autoplanned unless delivery.atlantis_autoplan_gitops is true: their
#   plan needs the cluster's private API endpoint.
# - apply_requirements: undiverged needs the server's --checkout-strategy=merge.
# - Apply only environments whose delivery.applies_by is atlantis: atlantis-step.sh refuses others.
`

// Render writes atlantis.yaml for the projects.
func Render(projects []Project) []byte {
	var b bytes.Buffer
	b.WriteString(Header)
	b.WriteString("version: 3\nautomerge: false\nparallel_plan: false\nparallel_apply: true\nabort_on_execution_order_fail: true\nprojects:\n")
	for _, p := range projects {
		fmt.Fprintf(&b, "  - name: %s\n    dir: %s%s\n    workspace: default\n    execution_order_group: %d\n", p.Name, StackRoot, p.Name, p.Group)
		if len(p.DependsOn) > 0 {
			fmt.Fprintf(&b, "    depends_on: [%s]\n", strings.Join(p.DependsOn, ", "))
		}
		fmt.Fprintf(&b, "    workflow: %s\n    apply_requirements: [%s]\n", Workflow, strings.Join(ApplyRequirements, ", "))
		fmt.Fprintf(&b, "    autoplan:\n      enabled: %t\n      when_modified:\n", p.Autoplan)
		for _, w := range p.WhenModified {
			fmt.Fprintf(&b, "        - %q\n", w)
		}
	}
	b.WriteString("workflows:\n  " + Workflow + ":\n" +
		"    plan:\n      steps:\n        - run: " + Up + "scripts/atlantis-step.sh plan\n" +
		"    apply:\n      steps:\n        - run: " + Up + "scripts/atlantis-step.sh apply\n")
	return b.Bytes()
}
