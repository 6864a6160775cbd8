package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/internal/load"
	"github.com/phl-platform/phl-platform/internal/smoke"
	"github.com/phl-platform/phl-platform/internal/smoke/fakeapi"
)

func noCognito(context.Context, string) (smoke.UserPoolClientDescriber, error) {
	panic("Cognito asked without --user-pool-id")
}

func runCheck(t *testing.T, fake *fakeapi.Server, extra ...string) (int, string, string) {
	t.Helper()
	args := append([]string{"--api-url", fake.APIURL, "--token-url", fake.TokenURL, "--client-id", fakeapi.ClientID, "--rate", "20", "--duration", "1s"}, extra...)
	env := map[string]string{smoke.SecretEnv: fakeapi.ClientSecret}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr, noCognito)
	if strings.Contains(stdout.String()+stderr.String(), fakeapi.ClientSecret) {
		t.Fatal("the secret was printed")
	}
	return code, stdout.String(), stderr.String()
}

func TestPassingRunWritesSummaryAndChart(t *testing.T) {
	t.Parallel()
	fake := fakeapi.Start(t, fakeapi.Faults{})
	dir := t.TempDir()
	summary, svg := filepath.Join(dir, "summary.json"), filepath.Join(dir, "latency.svg")
	code, _, errOut := runCheck(t, fake, "--summary", summary, "--svg", svg)
	if code != 0 || !strings.Contains(errOut, "PASS p95_ms") || !strings.Contains(errOut, "PASS error_rate") || !strings.Contains(errOut, "loadcheck PASS") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var s load.Summary
	b, err := os.ReadFile(summary)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil || !s.Pass || s.Requests < 19 || s.Requests > 21 || s.TargetRate != 20 || s.Route != "GET /products/{id}" {
		t.Fatalf("summary %v: %s", err, b)
	}
	if b, err := os.ReadFile(svg); err != nil || !bytes.HasPrefix(b, []byte("<svg ")) {
		t.Fatalf("chart %v: %.80s", err, b)
	}
}

func TestFailingThresholdExitsOne(t *testing.T) {
	t.Parallel()
	fake := fakeapi.Start(t, fakeapi.Faults{ItemLatency: func(int64) time.Duration { return 60 * time.Millisecond }})
	code, out, errOut := runCheck(t, fake, "--max-p95", "50ms")
	if code != 1 || !strings.Contains(errOut, "FAIL p95_ms") || !strings.Contains(errOut, "loadcheck FAIL") || !strings.Contains(out, `"pass": false`) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	fake := fakeapi.Start(t, fakeapi.Faults{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0"}, "--rate 0: want 1 to 10000"},
		{[]string{"--max-error-rate", "5"}, "--max-error-rate 5"},
		{[]string{"--client-secret", "x"}, "flag provided but not defined: -client-secret"},
	} {
		if code, _, errOut := runCheck(t, fake, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", tc.args, code, tc.want, errOut)
		}
	}
	if fake.Count("POST /products") != 0 {
		t.Error("a usage error still called the API")
	}
}
