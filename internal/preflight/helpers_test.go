package preflight

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
	"github.com/phl-platform/phl-platform/internal/preflight/chartfake"
)

// harness is one environment's preflight against a fake account and fake chart repositories
// built for it.
type harness struct {
	t      *testing.T
	env    *config.Environment
	out    *Output
	fake   *awsfake.Server
	charts *chartfake.Server
}

// chartsDir is this repository's gitops/charts: the tests read the real pins, whatever they are.
var chartsDir = filepath.Join("..", "..", "gitops", "charts")

// healthyAMI is the AMI ID the fake account's Bottlerocket parameters hold.
const healthyAMI = "ami-0123456789abcdef0"

// newHarness loads a shipped environment (as cmd/preflight does, with the shipped bootstrap
// file: its CI apply role is a cluster admin) and the fixture, and starts a fake of an account
// in which everything passes; edit h.env and the stacks before h.start, the account with
// h.account.
func newHarness(t *testing.T, envName string) *harness {
	t.Helper()
	app, err := config.LoadApp(filepath.Join("..", "..", config.DefaultDir), envName, filepath.Join("..", "..", config.DefaultBootstrapFile))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, env: app.Environments[0], out: fixture(t)}
}

// fixture copies testdata/out to a fresh folder (so its manifest is newer than the environment
// files) and loads it.
func fixture(t *testing.T) *Output {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "out")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	out, err := LoadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// start builds the healthy account from h.env and the stacks as they are now: awsfake.Healthy,
// the Bottlerocket AMI parameters of the karpenter-nodes chart's alias, and repositories that
// publish every pinned chart version (and an older one).
func (h *harness) start() *harness {
	h.t.Helper()
	if h.fake != nil {
		return h
	}
	a := awsfake.Healthy(h.env)
	if cluster := h.out.Stack(h.env.StackName("cluster")).Resources("aws_eks_cluster"); len(cluster) == 1 {
		k8s, _ := cluster[0].Literal("version")
		alias, archs, _, err := karpenterNodes(chartsDir, h.env.Name)
		if err != nil {
			h.t.Fatal(err)
		}
		_, release, _ := strings.Cut(alias, "@")
		for _, arch := range archs {
			ec2 := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[arch]
			a.Parameters["/aws/service/bottlerocket/aws-k8s-"+k8s+"/"+ec2+"/"+strings.TrimPrefix(release, "v")+"/image_id"] = healthyAMI
		}
	}
	h.fake = awsfake.New(a)
	h.t.Cleanup(h.fake.Close)
	h.charts = chartfake.New()
	h.t.Cleanup(h.charts.Close)
	pins, _ := PinnedCharts(h.env, h.out, chartsDir) // none without a gitops stack
	for _, p := range pins {
		h.charts.Publish(p.Repository, p.Chart, "0.0.1", p.Version)
	}
	return h
}

// options point preflight at the real charts folder and the fake repositories.
func (h *harness) options() Options {
	return Options{Charts: chartsDir, Repos: NewChartRepos(h.charts.Client(), h.charts.URL)}
}

func (h *harness) account(f func(a *awsfake.Account)) *harness {
	h.start().fake.Account(f)
	return h
}

func (h *harness) run() []Check {
	h.t.Helper()
	h.start()
	return h.runWith(h.options())
}

// runWith runs with other options (another charts folder, unreachable repositories).
func (h *harness) runWith(opts Options) []Check {
	h.t.Helper()
	h.start()
	return Run(context.Background(), h.fake.Config(), h.env, h.out, opts)
}

// stack returns one of the environment's stacks.
func (h *harness) stack(component string) *Stack {
	s := h.out.Stack(h.env.StackName(component))
	if s == nil {
		h.t.Fatalf("no stack %s in the fixture", h.env.StackName(component))
	}
	return s
}

// resource returns the only resource of a type in a component's stack, to edit.
func (h *harness) resource(component, typ string) map[string]any {
	h.t.Helper()
	rs := h.stack(component).Resources(typ)
	if len(rs) != 1 {
		h.t.Fatalf("%d %s in %s; want 1", len(rs), typ, component)
	}
	return rs[0].Attrs
}

// addResource adds a resource to a component's stack.
func (h *harness) addResource(component, typ, name string, attrs map[string]any) {
	doc := h.stack(component).Doc
	all, _ := doc["resource"].(map[string]any)
	byName, _ := all[typ].(map[string]any)
	if byName == nil {
		byName = map[string]any{}
		all[typ] = byName
	}
	byName[name] = attrs
}

// expect finds the one check with that name and asserts its status and that its detail (and
// fix) contain each fragment.
func expect(t *testing.T, checks []Check, name string, status Status, fragments ...string) Check {
	t.Helper()
	var found []Check
	for _, c := range checks {
		if c.Name == name {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d checks named %s; want 1. All:\n%s", len(found), name, lines(checks))
	}
	c := found[0]
	if c.Status != status {
		t.Errorf("%s: status %s; want %s: %s", name, c.Status, status, c)
	}
	for _, f := range fragments {
		if !strings.Contains(c.Detail+" (fix: "+c.Fix+")", f) {
			t.Errorf("%s: %q lacks %q", name, c.String(), f)
		}
	}
	if status == Fail && c.Fix == "" {
		t.Errorf("%s fails without a fix", name)
	}
	return c
}

// noFailures asserts that every check passed or was skipped.
func noFailures(t *testing.T, checks []Check) {
	t.Helper()
	for _, c := range checks {
		if c.Status == Fail {
			t.Errorf("unexpected failure: %s", c)
		}
	}
	if len(checks) == 0 {
		t.Error("no checks ran")
	}
}

func lines(checks []Check) string {
	var b strings.Builder
	for _, c := range checks {
		b.WriteString("  " + c.String() + "\n")
	}
	return b.String()
}

// cognitoPrefix is the Cognito domain prefix the gateway stack asks for.
func cognitoPrefix(t *testing.T, h *harness) string {
	t.Helper()
	prefix, ok := Resource{Attrs: h.resource("gateway", "aws_cognito_user_pool_domain")}.Literal("domain")
	if !ok {
		t.Fatal("the gateway stack's Cognito prefix is not literal")
	}
	return prefix
}
