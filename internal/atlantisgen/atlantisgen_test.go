package atlantisgen

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
)

// graph is the deploy graph stacks/app.go builds, for two environments, as the manifest lists it.
func graph() map[string][]string {
	g := map[string][]string{}
	for _, e := range []string{"dev", "prod"} {
		g[e+"-network"] = nil
		g[e+"-cluster"] = []string{e + "-network"}
		g[e+"-database"] = []string{e + "-network"}
		g[e+"-gateway"] = []string{e + "-network", e + "-cluster"}
		g[e+"-gitops"] = []string{e + "-cluster", e + "-database", e + "-network", e + "-gateway"}
	}
	return g
}

var bothActions = map[string]config.Delivery{"dev": {AppliesBy: config.AppliesByActions}, "prod": {AppliesBy: config.AppliesByActions}}

func TestLevelsFollowTheDeployGraph(t *testing.T) {
	levels, err := Levels(graph())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"network": 0, "cluster": 1, "database": 1, "gateway": 2, "gitops": 3}
	for s, l := range levels {
		_, c, _ := strings.Cut(s, "-")
		if want[c] != l {
			t.Errorf("%s: level %d; want %d", s, l, want[c])
		}
	}
	g := graph()
	g["dev-network"] = []string{"dev-gitops"}
	if _, err := Levels(g); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a cycle was not refused: %v", err)
	}
	g = graph()
	g["dev-gateway"] = append(g["dev-gateway"], "dev-dns")
	if _, err := Levels(g); err == nil || !strings.Contains(err.Error(), "dev-gateway reads dev-dns, which the manifest does not list") {
		t.Errorf("an unknown dependency was not refused: %v", err)
	}
}

// The bootstrap stack (state bucket, roles) is applied by hand: never a project, never a
// dependency to wait for, whatever it is named after.
func TestBootstrapIsNoProject(t *testing.T) {
	const boot = "bootstrap-nonprod"
	g := graph()
	g[boot] = nil
	g["dev-network"] = []string{boot}
	ps, err := Projects(g, bothActions, Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 10 {
		t.Errorf("%d projects; want the 10 environment stacks", len(ps))
	}
	for _, p := range ps {
		if p.Name == boot || slices.Contains(p.DependsOn, boot) {
			t.Errorf("project %+v mentions the bootstrap stack", p)
		}
		if p.Name == "dev-network" && p.Group != 0 {
			t.Errorf("dev-network is in group %d; want 0 (bootstrap is not a level)", p.Group)
		}
	}
	yaml := Render(ps)
	planted := strings.Replace(string(yaml), "projects:\n", "projects:\n  - name: bootstrap-nonprod\n    dir: cdktf.out/stacks/bootstrap-nonprod\n", 1)
	if problems := Check("atlantis.yaml", []byte(planted), ps, yaml); len(problems) == 0 ||
		!strings.Contains(problems[0], "project bootstrap-nonprod: the bootstrap stack is applied by hand") {
		t.Errorf("a bootstrap project was not refused: %q", problems)
	}
}

func TestGitopsAutoplanFollowsConfig(t *testing.T) {
	d := map[string]config.Delivery{"dev": {AtlantisAutoplanGitops: true}, "prod": {}}
	ps, err := Projects(graph(), d, Sources{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		want := !strings.HasSuffix(p.Name, "-gitops") || p.Env == "dev"
		if p.Autoplan != want {
			t.Errorf("%s: autoplan %t; want %t", p.Name, p.Autoplan, want)
		}
	}
	if _, err := Projects(map[string][]string{"qa-network": nil}, d, Sources{}); err == nil || !strings.Contains(err.Error(), `no environment "qa"`) {
		t.Errorf("a stack of an unknown environment was not refused: %v", err)
	}
}

// A planted defect in a committed atlantis.yaml is named by the check, deploy-graph problems
// before the byte comparison.
func TestCheckNamesEachDefect(t *testing.T) {
	ps, err := Projects(graph(), bothActions, Sources{Go: []string{"stacks/*.go"}})
	if err != nil {
		t.Fatal(err)
	}
	good := string(Render(ps))
	if p := Check("atlantis.yaml", []byte(good), ps, []byte(good)); len(p) != 0 {
		t.Fatalf("the generated file fails its own check: %q", p)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"wrong order group": {"name: dev-gateway\n    dir: cdktf.out/stacks/dev-gateway\n    workspace: default\n    execution_order_group: 2",
			"name: dev-gateway\n    dir: cdktf.out/stacks/dev-gateway\n    workspace: default\n    execution_order_group: 1",
			"dev-gateway: execution_order_group 1, want 2 (its level in the deploy graph"},
		"shared directory": {"dir: cdktf.out/stacks/prod-cluster", "dir: .", `prod-cluster: dir ".", want "cdktf.out/stacks/prod-cluster"`},
		"lost dependency":  {"depends_on: [dev-cluster, dev-network]", "depends_on: [dev-network]", "depends_on [dev-network], want the manifest's dependencies [dev-cluster, dev-network]"},
		"no abort":         {"abort_on_execution_order_fail: true", "abort_on_execution_order_fail: false", "abort_on_execution_order_fail and parallel_apply must both be true"},
		"sequential apply": {"parallel_apply: true", "parallel_apply: false", "abort_on_execution_order_fail and parallel_apply must both be true"},
		"no undiverged":    {"apply_requirements: [approved, mergeable, undiverged]\n    autoplan:\n      enabled: true\n      when_modified:\n        - \"../../../stacks/*.go\"\n        - \"../../../environments/dev.yaml\"", "apply_requirements: [approved, mergeable]\n    autoplan:\n      enabled: true\n      when_modified:\n        - \"../../../stacks/*.go\"\n        - \"../../../environments/dev.yaml\"", "apply_requirements [approved, mergeable], want [approved, mergeable, undiverged]"},
		"pattern edited":   {`"../../../go.sum"`, `"go.sum"`, "differs from what the generator writes"},
		"stale project":    {"projects:\n", "projects:\n  - name: qa-network\n    dir: cdktf.out/stacks/qa-network\n", "project qa-network: not a stack of cdktf.out/manifest.json"},
	} {
		t.Run(name, func(t *testing.T) {
			planted := strings.Replace(good, c.old, c.new, 1)
			if planted == good {
				t.Fatalf("nothing planted: %q is not in the generated file", c.old)
			}
			problems := Check("atlantis.yaml", []byte(planted), ps, []byte(good))
			if len(problems) == 0 || !strings.Contains(problems[0], c.want) {
				t.Errorf("problems %q; want first %q", problems, c.want)
			}
		})
	}
}

// matcher is Atlantis's when_modified evaluation: each pattern joined to the project's dir (a
// leading "!" kept as an exclusion), then .dockerignore matching of the changed file, the last
// matching pattern deciding (Atlantis's project finder with docker's fileutils.PatternMatcher).
func matcher(t *testing.T, dir string, patterns []string) func(file string) bool {
	type pat struct {
		re      *regexp.Regexp
		exclude bool
	}
	var ps []pat
	for _, p := range patterns {
		ex := strings.HasPrefix(p, "!")
		p = filepath.Join(dir, strings.TrimPrefix(p, "!"))
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch c := p[i]; {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		ps = append(ps, pat{regexp.MustCompile(re.String()), ex})
	}
	return func(file string) bool {
		matched := false
		for _, p := range ps {
			hit := p.re.MatchString(file)
			for parent := filepath.Dir(file); !hit && parent != "."; parent = filepath.Dir(parent) {
				hit = p.re.MatchString(parent)
			}
			if hit {
				matched = !p.exclude
			}
		}
		return matched
	}
}

// The patterns of the real repository (its Go packages through go list) plan a project for each
// file that changes its synthesis, and for no other file.
func TestWhenModifiedFiresForExactlyTheSynthesisInputs(t *testing.T) {
	src, err := GoSources("../..")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := Projects(graph(), bothActions, src)
	if err != nil {
		t.Fatal(err)
	}
	all, gitops, dev := []string{}, []string{}, []string{}
	for _, p := range ps {
		all = append(all, p.Name)
		if strings.HasSuffix(p.Name, "-gitops") {
			gitops = append(gitops, p.Name)
		}
		if p.Env == "dev" {
			dev = append(dev, p.Name)
		}
	}
	for file, want := range map[string][]string{
		"main.go":                                   all,
		"stacks/network.go":                         all,
		"constructs/gateway/waf.go":                 all,
		"config/delivery.go":                        all,
		"internal/netcalc/netcalc.go":               all,
		"internal/rdsca/rdsca.go":                   all,
		"go.sum":                                    all,
		"package-lock.json":                         all,
		"cdktf.json":                                all,
		"scripts/synth.sh":                          all,
		"scripts/lib.sh":                            all,
		"scripts/versions.env":                      all,
		".terraform.lock.hcl":                       all,
		"environments/dev.yaml":                     dev,
		"gitops/charts/platform/values.yaml":        gitops,
		"gitops/charts/platform/templates/app.yaml": gitops,
		"cmd/phl-db-bootstrap/main.go":              gitops,
		"internal/dbbootstrap/bootstrap.go":         gitops,
		"stacks/network_test.go":                    nil,
		"main_test.go":                              nil,
		"internal/deploy/deploy.go":                 nil,
		"internal/preflight/preflight.go":           nil,
		"cmd/deploy/main.go":                        nil,
		"internal/atlantisgen/atlantisgen.go":       nil,
		"gitops/charts/phl-store/values-dev.yaml":   nil,
		"scripts/ladder.sh":                         nil,
		"scripts/atlantis-step.sh":                  nil,
		"README.md":                                 nil,
		"atlantis.yaml":                             nil,
		".github/workflows/ci.yml":                  nil,
		"environments/qa.yaml":                      nil,
		"stacks/testdata/x.json":                    nil,
	} {
		var got []string
		for _, p := range ps {
			if matcher(t, StackRoot+p.Name, p.WhenModified)(file) {
				got = append(got, p.Name)
			}
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("a change to %s plans %v; want %v", file, got, want)
		}
	}
}

// Only this module's packages the synthesis imports are patterns; the bootstrap image's own
// packages are the gitops stack's.
func TestGoSourcesAreTheSynthesisImports(t *testing.T) {
	src, err := GoSources("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"*.go", "stacks/*.go", "config/*.go", "constructs/network/*.go", "internal/image/*.go"} {
		if !slices.Contains(src.Go, want) {
			t.Errorf("%s is not among the shared Go sources %v", want, src.Go)
		}
	}
	for _, not := range []string{"internal/deploy/*.go", "internal/preflight/*.go", "cmd/deploy/*.go", "internal/atlantisgen/*.go", "internal/dbbootstrap/*.go"} {
		if slices.Contains(src.Go, not) {
			t.Errorf("%s is a shared Go source; the synthesis does not import it", not)
		}
	}
	if !slices.Contains(src.GitopsGo, "internal/dbbootstrap/*.go") || !slices.Contains(src.GitopsGo, "cmd/phl-db-bootstrap/*.go") {
		t.Errorf("the bootstrap image's packages are not the gitops stack's: %v", src.GitopsGo)
	}
}
