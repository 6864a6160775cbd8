// Package scripts holds the Go tests of the shell scripts in this folder (rung 1 runs them with
// every other package's tests). Each test runs the real script with bash, with fake tools on
// PATH where a real one would need a network, a Docker engine or AWS.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeTool writes an executable shell script named name into dir.
func fakeTool(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/usr/bin/env bash\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// testEnv is the environment without the variables the scripts read, plus extra (KEY=VALUE).
func testEnv(extra ...string) []string {
	drop := regexp.MustCompile(`^(PHL_[A-Z_]*|TF_CLI_CONFIG_FILE|XDG_CACHE_HOME|HOME|PATH|CDKTF_OUTDIR)=`)
	var env []string
	for _, kv := range os.Environ() {
		if !drop.MatchString(kv) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// runBash runs a bash program with args and env; it returns stdout, stderr and the exit code.
func runBash(t *testing.T, env []string, program string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"-c", program, "bash"}, args...)...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// pinned returns a variable of scripts/versions.env.
func pinned(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("versions.env")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + name + `=(\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("versions.env has no %s", name)
	}
	return string(m[1])
}

// Go caches a package's test results until a file the test process itself opened changes; the
// scripts are read by bash, not by it. Reading them here makes a change to any script, the
// Makefile or cdktf.json rerun these tests whenever a cached result would otherwise be used.
func TestScriptInputsAreTracked(t *testing.T) {
	files, err := filepath.Glob("*.sh")
	if err != nil || len(files) < 10 {
		t.Fatalf("scripts: %v %v", files, err)
	}
	for _, f := range append(files, "versions.env", "../Makefile", "../cdktf.json", "../.terraform.lock.hcl") {
		if b, err := os.ReadFile(f); err != nil || len(b) == 0 {
			t.Errorf("%s: %v (empty: %v)", f, err, len(b) == 0)
		}
	}
}
