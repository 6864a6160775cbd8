package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/ci"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCI(t *testing.T, env map[string]string, passed bool, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, getenv, &stdout, &stderr, func(string) ci.CIPassed {
		return func(string) (bool, error) { return passed, nil }
	})
	return result{code, stdout.String(), stderr.String()}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGateWritesOutputs(t *testing.T) {
	t.Setenv(config.DirVar, filepath.Join("..", "..", config.DefaultDir))
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	write(t, event, `{"workflow_run":{"conclusion":"success","event":"push","head_branch":"main","head_sha":"abc123","head_repository":{"full_name":"acme/phl"}}}`)
	out := filepath.Join(dir, "output")
	env := map[string]string{"GITHUB_EVENT_NAME": "workflow_run", "GITHUB_EVENT_PATH": event, "GITHUB_REPOSITORY": "acme/phl",
		"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "zzz", "GITHUB_OUTPUT": out}
	r := runCI(t, env, true, "gate")
	if r.code != 0 || !strings.Contains(r.stdout, "gate: deploy dev at abc123") {
		t.Fatalf("%+v", r)
	}
	if b, _ := os.ReadFile(out); string(b) != "deploy=true\nenvironment=dev\nsha=abc123\n" {
		t.Errorf("GITHUB_OUTPUT %q", b)
	}
	os.Remove(out)
	env["GITHUB_REPOSITORY"] = "other/phl"
	if r := runCI(t, env, true, "gate"); r.code != 0 || !strings.Contains(r.stdout, "gate: no deploy: ci ran for acme/phl, not this repository other/phl") {
		t.Errorf("%+v", r)
	}
	if b, _ := os.ReadFile(out); string(b) != "deploy=false\nenvironment=\nsha=\n" {
		t.Errorf("GITHUB_OUTPUT %q", b)
	}
	write(t, event, `{"inputs":{"environment":"staging"}}`)
	env["GITHUB_EVENT_NAME"] = "workflow_dispatch"
	if r := runCI(t, env, true, "gate"); r.code != 1 || !strings.Contains(r.stderr, `environment input "staging": want one of [dev prod]`) {
		t.Errorf("%+v", r)
	}
}

func TestChangedAndComment(t *testing.T) {
	dir := t.TempDir()
	out := func(name, network string) string {
		d := filepath.Join(dir, name)
		write(t, filepath.Join(d, "manifest.json"), `{"stacks":{
		  "dev-network":{"dependencies":[],"synthesizedStackPath":"stacks/dev-network/cdk.tf.json"},
		  "dev-gateway":{"dependencies":["dev-network"],"synthesizedStackPath":"stacks/dev-gateway/cdk.tf.json"},
		  "dev-gitops":{"dependencies":["dev-gateway"],"synthesizedStackPath":"stacks/dev-gitops/cdk.tf.json"},
		  "bootstrap-nonprod":{"dependencies":[],"synthesizedStackPath":"stacks/bootstrap-nonprod/cdk.tf.json"}}}`)
		write(t, filepath.Join(d, "stacks/dev-network/cdk.tf.json"), network)
		write(t, filepath.Join(d, "stacks/bootstrap-nonprod/cdk.tf.json"), network) // changes with the network
		write(t, filepath.Join(d, "stacks/dev-gateway/cdk.tf.json"), `{}`)
		write(t, filepath.Join(d, "stacks/dev-gitops/cdk.tf.json"), `{}`)
		return d
	}
	base, head := out("base", `{"a":1}`), out("head", `{"a":2}`)
	r := runCI(t, nil, true, "changed", "-base", base, "-head", head)
	if r.code != 0 || r.stdout != "bootstrap-nonprod\tchanged\ndev-network\tchanged\ndev-gateway\tdepends on dev-network\ndev-gitops\tdepends on dev-gateway\n" {
		t.Fatalf("%+v", r)
	}
	r = runCI(t, nil, true, "changed", "-base", base, "-head", head, "-json")
	changedFile := filepath.Join(dir, "changed.json")
	write(t, changedFile, r.stdout)

	plans := filepath.Join(dir, "plans")
	write(t, filepath.Join(plans, "dev-network.counts.json"), `{"Add":0,"Change":2,"Destroy":0}`)
	write(t, filepath.Join(plans, "dev-network.txt"), "  ~ aws_vpc.this\n")
	write(t, filepath.Join(plans, "dev-gateway.error"), "dev-network has no state yet\n")
	r = runCI(t, nil, true, "comment", "-plans", plans, "-sha", "abc123", "-changed", changedFile, "-artifact", "plans-abc123")
	for _, want := range []string{ci.CommentMarker, "| dev-network | changed | 0 | 2 | 0 |", "| dev-gateway | depends on dev-network | **plan failed** |",
		"dev-gitops is not planned here: its Helm provider talks to the cluster's private API endpoint", "~ aws_vpc.this", "Full plans: plans-abc123",
		"bootstrap-nonprod is not planned here: an account's bootstrap stack is applied by an administrator"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("comment lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "| bootstrap-nonprod | changed | **plan failed** |") {
		t.Errorf("the bootstrap stack, which no CI role plans, is a failed row:\n%s", r.stdout)
	}
	// A stack the selection names but nobody planned (its plan job stopped early) is a failed
	// row, not a silent gap, and the other stacks' plans are still shown.
	os.Remove(filepath.Join(plans, "dev-gateway.error"))
	if r := runCI(t, nil, true, "comment", "-plans", plans, "-sha", "abc123", "-changed", changedFile); r.code != 0 ||
		!strings.Contains(r.stdout, "| dev-gateway | depends on dev-network | **plan failed** |") || !strings.Contains(r.stdout, "the plan job stopped before this stack") || !strings.Contains(r.stdout, "~ aws_vpc.this") {
		t.Errorf("%+v", r)
	}
}

func TestDrift(t *testing.T) {
	out := t.TempDir()
	write(t, filepath.Join(out, "manifest.json"), `{"stacks":{
	  "dev-network":{"dependencies":[],"synthesizedStackPath":"stacks/dev-network/cdk.tf.json"},
	  "dev-database":{"dependencies":["dev-network"],"synthesizedStackPath":"stacks/dev-database/cdk.tf.json"},
	  "dev-gitops":{"dependencies":["dev-database"],"synthesizedStackPath":"stacks/dev-gitops/cdk.tf.json"},
	  "prod-network":{"dependencies":[],"synthesizedStackPath":"stacks/prod-network/cdk.tf.json"}}}`)
	// A plan job that stopped before any stack: drift (failed plans), never "clean".
	outputFile := filepath.Join(t.TempDir(), "output")
	if r := runCI(t, map[string]string{"GITHUB_OUTPUT": outputFile}, true, "drift", "-env", "dev", "-plans", t.TempDir(), "-out", out); r.code != 0 || !strings.Contains(r.stdout, "| dev-network | **plan failed** |") {
		t.Errorf("nothing planned: %+v", r)
	}
	if b, _ := os.ReadFile(outputFile); string(b) != "drifted=true\n" {
		t.Errorf("nothing planned: %q", b)
	}
	plans := t.TempDir()
	write(t, filepath.Join(plans, "dev-database.counts.json"), `{"Add":0,"Change":0,"Destroy":0}`)
	write(t, filepath.Join(plans, "dev-database.txt"), "No changes.\n")
	write(t, filepath.Join(plans, "dev-network.counts.json"), `{"Add":0,"Change":0,"Destroy":0}`)
	write(t, filepath.Join(plans, "dev-network.txt"), "No changes.\n")
	outputPath := filepath.Join(t.TempDir(), "output")
	env := map[string]string{"GITHUB_OUTPUT": outputPath}
	if r := runCI(t, env, true, "drift", "-env", "dev", "-plans", plans, "-run-url", "https://run", "-out", out); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if b, _ := os.ReadFile(outputPath); string(b) != "drifted=false\n" {
		t.Errorf("clean: %q", b)
	}
	write(t, filepath.Join(plans, "dev-database.counts.json"), `{"Add":0,"Change":1,"Destroy":0}`)
	write(t, filepath.Join(plans, "dev-database.txt"), "  ~ aws_rds_cluster.this\n")
	os.Remove(outputPath)
	r := runCI(t, env, true, "drift", "-env", "dev", "-plans", plans, "-run-url", "https://run", "-out", out)
	if b, _ := os.ReadFile(outputPath); r.code != 0 || string(b) != "drifted=true\n" || !strings.Contains(r.stdout, "| dev-database | 0 | 1 | 0 |") {
		t.Errorf("drift: %+v %q", r, b)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"changed", "-base", "x"}, {"comment", "-plans", "x"}, {"drift", "-env", "dev"}, {"gate", "extra"}} {
		if r := runCI(t, nil, true, args...); r.code != 2 {
			t.Errorf("%v: exit %d; want 2", args, r.code)
		}
	}
}

func TestEnvs(t *testing.T) {
	t.Setenv(config.DirVar, filepath.Join("..", "..", config.DefaultDir))
	r := runCI(t, nil, true, "envs")
	if r.code != 0 || !strings.Contains(r.stdout, `{"env":"dev","region":"`) || !strings.Contains(r.stdout, `"plan_role_var":"AWS_PLAN_ROLE_ARN_PROD"`) {
		t.Fatalf("%+v", r)
	}
	// An environment without state_backend is left out (and named) with -with-state-backend.
	envDir := t.TempDir()
	write(t, filepath.Join(envDir, "dev.yaml"), "name: dev\naccount_id: \"111111111111\"\nregion: ap-southeast-1\navailability_zones: [ap-southeast-1a, ap-southeast-1b]\n"+
		"cluster:\n  admin_principal_arns: [arn:aws:iam::111111111111:role/platform-admin]\ndatabase:\n  deletion_protection: false\n  final_snapshot: false\ngitops:\n  repo_url: https://github.com/acme/phl.git\n")
	write(t, filepath.Join(envDir, "prod.yaml"), "name: prod\naccount_id: \"111111111111\"\nregion: ap-southeast-1\navailability_zones: [ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]\n"+
		"state_backend:\n  bucket: my-prod-state\ncluster:\n  admin_principal_arns: [arn:aws:iam::111111111111:role/platform-admin]\ngitops:\n  repo_url: https://github.com/acme/phl.git\n")
	t.Setenv(config.DirVar, envDir)
	if r := runCI(t, nil, true, "envs", "-with-state-backend"); r.code != 0 || strings.Contains(r.stdout, `"dev"`) || !strings.Contains(r.stdout, `"env":"prod"`) || !strings.Contains(r.stderr, "dev is not planned: it has no state_backend") {
		t.Errorf("-with-state-backend: %+v", r)
	}
	changed := filepath.Join(t.TempDir(), "changed.json")
	write(t, changed, `{"Plan":["prod-network","prod-cluster"]}`)
	if r := runCI(t, nil, true, "envs", "-changed", changed); r.code != 0 || strings.Contains(r.stdout, `"dev"`) || !strings.Contains(r.stdout, `"env":"prod"`) {
		t.Errorf("only prod changed: %+v", r)
	}
	// A bootstrap stack alone selects no environment (its plan is no plan role's).
	write(t, changed, `{"Plan":["bootstrap-nonprod"]}`)
	if r := runCI(t, nil, true, "envs", "-changed", changed); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("only a bootstrap stack changed: %+v", r)
	}
}

func TestRelease(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, _ := random.Image(64, 1)
	ref, _ := name.NewTag(host + "/zylwin/phl-store:v2")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	repo := t.TempDir()
	envDir := filepath.Join("..", "..", config.DefaultDir)
	abs, _ := filepath.Abs(envDir)
	t.Setenv(config.DirVar, abs)
	write(t, filepath.Join(repo, "gitops/charts/phl-store/values-dev.yaml"), "# dev\nimage:\n  digest: \"\"\n")
	t.Chdir(repo)
	r := runCI(t, nil, true, "release", "-env", "dev", "-tag", "v2", "-image", host+"/zylwin/phl-store")
	b, _ := os.ReadFile("gitops/charts/phl-store/values-dev.yaml")
	if r.code != 0 || !strings.Contains(string(b), `digest: "`+digest.String()+`"`) || !strings.Contains(string(b), `tag: "v2"`) {
		t.Errorf("%+v\n%s", r, b)
	}
	if r := runCI(t, nil, true, "release", "-env", "dev", "-tag", "nope", "-image", host+"/zylwin/phl-store"); r.code != 1 || !strings.Contains(r.stderr, "resolving") {
		t.Errorf("missing tag: %+v", r)
	}
	if r := runCI(t, nil, true, "release", "-env", "staging", "-tag", "v2"); r.code != 1 || !strings.Contains(r.stderr, `unknown environment "staging"`) {
		t.Errorf("unknown env: %+v", r)
	}
}
