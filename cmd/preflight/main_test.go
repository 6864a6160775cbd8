package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/preflight"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

// fakeAWS starts a fake of an account in which the shipped dev environment passes, and points
// the SDK's default configuration at it through the environment, as a user's shell would.
func fakeAWS(t *testing.T, edit func(a *awsfake.Account)) string {
	t.Helper()
	env, err := config.LoadFile(filepath.Join("..", "..", config.DefaultDir, "dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := awsfake.Healthy(env)
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
	return synthOutput(t)
}

// synthOutput copies the preflight package's fixture (the real dev and prod synth, trimmed) to
// a fresh folder, newer than the environment files.
func synthOutput(t *testing.T) string {
	t.Helper()
	src, dst := filepath.Join("..", "..", "internal", "preflight", "testdata", "out"), t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		}
		return err
	})
	if err != nil {
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
	dir := fakeAWS(t, nil)
	code, out, errs := runCmd("-out", dir)
	if code != 0 {
		t.Fatalf("exit %d; want 0\n%s%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, want := range []string{
		"PASS dev identity.account: the caller arn:aws:sts::111111111111:assumed-role/platform-deployer/preflight is in account 111111111111",
		"PASS dev network.azs: ap-southeast-1a (apse1-az1), ap-southeast-1b (apse1-az2) available",
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
	dir := fakeAWS(t, func(a *awsfake.Account) {
		a.Addresses = []awsfake.Tagged{{ID: "1"}, {ID: "2"}, {ID: "3"}, {ID: "4"}, {ID: "5"}}
	})
	code, out, _ := runCmd("-out", dir)
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
	dir := fakeAWS(t, func(a *awsfake.Account) { a.ID = "999999999999" })
	code, out, errs := runCmd("-json", "-out", dir)
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
	dir := fakeAWS(t, nil)
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

func TestPolicyFlag(t *testing.T) {
	fakeAWS(t, nil)
	t.Setenv(config.SelectionVar, "dev,prod")
	code, out, _ := runCmd("-policy")
	var doc struct {
		Version   string
		Statement []struct {
			Sid      string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || doc.Version != "2012-10-17" {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if !strings.Contains(out, `"arn:aws:s3:::phl-tfstate-222222222222"`) || !strings.Contains(out, `"arn:aws:iam::111111111111:role/platform-admin"`) {
		t.Errorf("policy lacks prod's bucket or dev's admin role:\n%s", out)
	}
}
