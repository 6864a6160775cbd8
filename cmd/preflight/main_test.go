package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/preflight"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
	"github.com/phl-platform/phl-platform/internal/preflight/chartfake"
)

// chartsDir is this repository's gitops/charts (the tests run in cmd/preflight).
var chartsDir = filepath.Join("..", "..", "gitops", "charts")

// fakeAWS starts a fake of an account in which the shipped dev environment passes, and points
// the SDK's default configuration at it through the environment, as a user's shell would; and
// fake Helm repositories publishing every chart version dev pins. It returns the arguments that
// point preflight at the synth output, the charts and those repositories.
func fakeAWS(t *testing.T, edit func(a *awsfake.Account)) []string {
	args, _, _ := fakes(t, edit)
	return args
}

// fakes is fakeAWS, with the fake repositories and the pins they publish.
func fakes(t *testing.T, edit func(a *awsfake.Account)) ([]string, *chartfake.Server, []preflight.ChartPin) {
	t.Helper()
	env, err := config.LoadFile(filepath.Join("..", "..", config.DefaultDir, "dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := awsfake.Healthy(env)
	for _, p := range bottlerocketParameters(t, env) {
		a.Parameters[p] = "ami-0123456789abcdef0"
	}
	if edit != nil {
		edit(a)
	}
	fake := awsfake.New(a)
	t.Cleanup(fake.Close)
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": fake.URL, "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true",
		config.SelectionVar: "dev", config.DirVar: filepath.Join("..", "..", config.DefaultDir),
	} {
		t.Setenv(k, v)
	}
	dir := synthOutput(t)
	out, err := preflight.LoadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	pins, err := preflight.PinnedCharts(env, out, chartsDir)
	if err != nil {
		t.Fatal(err)
	}
	charts := chartfake.New()
	t.Cleanup(charts.Close)
	for _, p := range pins {
		charts.Publish(p.Repository, p.Chart, p.Version)
	}
	return []string{"-out", dir, "-charts", chartsDir, "-chart-repos", charts.URL}, charts, pins
}

// bottlerocketParameters are the SSM parameters Karpenter reads for the karpenter-nodes chart's
// AMI alias in env (values-<env>.yaml over values.yaml), per architecture.
func bottlerocketParameters(t *testing.T, env *config.Environment) []string {
	t.Helper()
	read := func(name string) map[string]any {
		data, err := os.ReadFile(filepath.Join(chartsDir, "karpenter-nodes", name))
		var v map[string]any
		if err == nil {
			err = yaml.Unmarshal(data, &v)
		}
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	base, overlay := read("values.yaml"), read("values-"+env.Name+".yaml")
	alias, _ := base["nodeClass"].(map[string]any)["amiAlias"].(string)
	if nc, ok := overlay["nodeClass"].(map[string]any); ok && nc["amiAlias"] != nil {
		alias, _ = nc["amiAlias"].(string)
	}
	_, release, _ := strings.Cut(alias, "@")
	var out []string
	for _, arch := range base["nodePools"].(map[string]any)["architectures"].([]any) {
		ec2 := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[arch.(string)]
		out = append(out, "/aws/service/bottlerocket/aws-k8s-"+env.Cluster.KubernetesVersion+"/"+ec2+"/"+strings.TrimPrefix(release, "v")+"/image_id")
	}
	return out
}

// synthOutput copies the preflight package's fixture (the real dev and prod synth, trimmed) to
// a fresh folder, newer than the environment files.
func synthOutput(t *testing.T) string {
	t.Helper()
	src, dst := filepath.Join("..", "..", "internal", "preflight", "testdata", "out"), t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestAllPass(t *testing.T) {
	args := fakeAWS(t, nil)
	code, out, errs := runCmd(args...)
	if code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, want := range []string{
		"PASS dev identity.account: the caller arn:aws:sts::111111111111:assumed-role/platform-deployer/preflight is in account 111111111111",
		"PASS dev network.azs: ap-southeast-1a (apse1-az1), ap-southeast-1b (apse1-az2) available",
		"PASS dev gitops.chart.argo-cd: argo-cd ",
		"PASS dev gitops.karpenter-ami: bottlerocket@",
		"PASS dev backend.versioning", // absent: dev keeps local state
	} {
		found := strings.Contains(out, want)
		if found != !strings.HasPrefix(want, "PASS dev backend") {
			t.Errorf("output has %q: %v\n%s", want, found, out)
		}
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "preflight [dev]: ") || !strings.Contains(last, " pass, 0 fail, ") {
		t.Errorf("summary line %q", last)
	}
}

func TestFailureExitsOne(t *testing.T) {
	args := fakeAWS(t, func(a *awsfake.Account) {
		a.Addresses = []awsfake.Tagged{{ID: "1"}, {ID: "2"}, {ID: "3"}, {ID: "4"}, {ID: "5"}}
	})
	code, out, _ := runCmd(args...)
	if code != 1 {
		t.Errorf("exit %d; want 1", code)
	}
	if !strings.Contains(out, "FAIL dev network.quota-eips: 1 to create + 5 others in ap-southeast-1 = 6 of 5") || !strings.Contains(out, "(fix: request EC2-VPC Elastic IPs >= 6") {
		t.Errorf("no EIP failure line:\n%s", out)
	}
	if !strings.Contains(out, ", 1 fail, ") {
		t.Errorf("summary does not count the failure:\n%s", out)
	}
}

func TestJSON(t *testing.T) {
	args := fakeAWS(t, func(a *awsfake.Account) { a.ID = "999999999999" })
	code, out, errs := runCmd(append([]string{"-json"}, args...)...)
	if code != 1 {
		t.Errorf("exit %d; want 1", code)
	}
	var checks []preflight.Check
	if err := json.Unmarshal([]byte(out), &checks); err != nil {
		t.Fatalf("stdout is not a JSON array of checks: %v\n%s", err, out)
	}
	if len(checks) < 2 || checks[1].Name != "identity.account" || checks[1].Status != preflight.Fail || checks[1].Fix == "" || checks[1].Environment != "dev" {
		t.Errorf("checks = %+v", checks)
	}
	if !strings.Contains(out, `"check": "identity.account"`) || !strings.Contains(errs, "preflight [dev]: ") {
		t.Errorf("JSON keys or stderr summary missing:\n%s\n%s", out, errs)
	}
}

func TestUsageAndConfigErrorsExitTwo(t *testing.T) {
	args := fakeAWS(t, nil)
	dir := args[1]
	cases := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"unknown flag", []string{"-bogus"}, "dev", "flag provided but not defined"},
		{"argument", []string{"-out", dir, "dev"}, "dev", "unexpected arguments"},
		{"no synth", []string{"-out", filepath.Join(t.TempDir(), "missing")}, "dev", "make synth"},
		{"unknown environment", []string{"-out", dir}, "staging", `unknown environment "staging"`},
		{"no charts", []string{"-out", dir, "-charts", t.TempDir()}, "dev", "no platform/values.yaml (run from the repository root, or pass -charts"},
		{"chart repos not a URL", []string{"-out", dir, "-charts", chartsDir, "-chart-repos", "mirror.example.com"}, "dev", `-chart-repos "mirror.example.com": not an http(s) URL`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(config.SelectionVar, c.env)
			code, _, errs := runCmd(c.args...)
			if code != 2 || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errs, c.want)
			}
		})
	}
}

// -charts defaults to gitops/charts of the working directory: the repository root, where make
// preflight runs it.
func TestChartsDefaultIsTheRepositoryRoot(t *testing.T) {
	args := fakeAWS(t, nil)
	dir, repos := args[1], args[5]
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.DirVar, filepath.Join("environments"))
	t.Chdir(filepath.Join("..", ".."))
	code, out, errs := runCmd("-out", abs, "-chart-repos", repos)
	if code != 0 || !strings.Contains(out, "PASS dev gitops.chart.metrics-server") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

// A pinned version the repository does not publish fails the run; so does a repository that
// is not one.
func TestChartPinMissingExitsOne(t *testing.T) {
	args, charts, pins := fakes(t, nil)
	for _, p := range pins {
		if p.Chart == "reloader" {
			charts.Withdraw(p.Repository, p.Chart, p.Version)
		}
	}
	code, out, _ := runCmd(args...)
	if code != 1 || !regexp.MustCompile(`FAIL dev gitops.chart.reloader: reloader \S+ is not in https://stakater.github.io/stakater-charts \(it publishes no version of reloader\) \(fix: pin a published version: components.reloader.version in `).MatchString(out) {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(append(args[:len(args)-1], args[len(args)-1]+"/elsewhere")...)
	if code != 1 || !strings.Contains(out, "FAIL dev gitops.chart.argo-cd: cannot read https://argoproj.github.io/argo-helm: GET https://argoproj.github.io/argo-helm/index.yaml: HTTP 404") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
