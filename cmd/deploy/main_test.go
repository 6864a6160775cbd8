package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
)

// atRoot makes the repository root the test's working directory, with nothing on PATH (no
// real tool can act).
func atRoot(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	t.Setenv("PATH", t.TempDir())
}

// runIn runs the command with the environment files of envDir.
func runIn(t *testing.T, envDir string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv(config.DirVar, envDir)
	t.Setenv(config.TeardownConfirmVar, "")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsageErrors(t *testing.T) {
	atRoot(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage: go run ./cmd/deploy deploy"},
		{[]string{"apply", "-env", "dev"}, "usage:"},
		{[]string{"deploy"}, `error: -env = "": one environment is required (make deploy ENV=dev)`},
		{[]string{"destroy", "-env", "dev,prod"}, `error: -env = "dev,prod": one environment is required (make destroy ENV=dev)`},
		{[]string{"deploy", "-env", "staging"}, `unknown environment "staging"`},
		{[]string{"deploy", "-env", "dev", "-confirm", "dev"}, "flag provided but not defined: -confirm"},
		{[]string{"plan", "-env", "dev"}, "error: -out is required"},
		{[]string{"destroy", "-env", "dev", "-synthesized"}, "flag provided but not defined: -synthesized"},
		{[]string{"plan", "-env", "dev", "-out", "x", "-reviewed", "y"}, "flag provided but not defined: -reviewed"},
		{[]string{"deploy", "-env", "dev", "-no-lock"}, "flag provided but not defined: -no-lock"},
	} {
		code, _, stderr := runIn(t, config.DefaultDir, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// make destroy ENV=prod without CONFIRM=prod stops at the checks, before anything runs.
func TestDestroyProdNeedsConfirm(t *testing.T) {
	atRoot(t)
	code, stdout, _ := runIn(t, config.DefaultDir, "destroy", "-env", "prod")
	if code != 1 || !strings.Contains(stdout, "FAIL check confirm: destroying prod deletes its database") ||
		!strings.Contains(stdout, "(fix: make destroy ENV=prod CONFIRM=prod)") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
	if strings.Contains(stdout, "== synth") {
		t.Errorf("the destroy went on past its checks:\n%s", stdout)
	}
}

// -confirm=<env> is what lets config accept the environment's `teardown: true`.
func TestConfirmAcceptsTeardown(t *testing.T) {
	atRoot(t)
	b, err := os.ReadFile(filepath.Join(config.DefaultDir, "prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prod.yaml"), append(b, []byte("\nteardown: true\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	// The bootstrap file is validated against the environments there are (prod only here).
	boot := filepath.Join(t.TempDir(), "bootstrap.yaml") // not in dir: *.yaml there are environments
	if err := os.WriteFile(boot, []byte(prodOnlyBootstrap), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.BootstrapFileVar, boot)
	code, _, stderr := runIn(t, dir, "destroy", "-env", "prod")
	if code != 2 || !strings.Contains(stderr, `teardown = "true"`) || !strings.Contains(stderr, config.TeardownConfirmVar+"=prod") {
		t.Errorf("without -confirm: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr := runIn(t, dir, "destroy", "-env", "prod", "-confirm", "prod")
	if code != 1 || stderr != "" || !strings.Contains(stdout, "ok   confirm: --confirm=prod") ||
		!strings.Contains(stdout, "ok   teardown: on: the database stack is applied without deletion protection first") {
		t.Errorf("with -confirm prod: exit %d, stderr %q:\n%s", code, stderr, stdout)
	}
}

const prodOnlyBootstrap = `github_repository: phl-platform/phl-platform
accounts:
  - name: prod
    account_id: "222222222222"
    region: ap-southeast-1
    environments: [prod]
`

// The deploy reads the bootstrap file: the environment it serves gets its CI apply role
// (which the cluster-access check accepts); a broken bootstrap file stops the deploy before
// anything runs, as it would stop the synthesis.
func TestDeployReadsTheBootstrapFile(t *testing.T) {
	atRoot(t)
	boot := filepath.Join(t.TempDir(), "bootstrap.yaml")
	if err := os.WriteFile(boot, []byte(strings.Replace(prodOnlyBootstrap, "[prod]", "[qa]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.BootstrapFileVar, boot)
	code, _, stderr := runIn(t, config.DefaultDir, "deploy", "-env", "dev")
	if code != 2 || !strings.Contains(stderr, `accounts[0].environments[0] = "qa": no such environment file`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
