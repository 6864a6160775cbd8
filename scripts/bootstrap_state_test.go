package scripts

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bootWorld runs bootstrap-state.sh with a fake synth (it writes the bootstrap-nonprod stack
// with the backend BACKEND names) and a fake terraform that logs its calls and working
// directory, and lists STATE_LIST_LINES resources.
type bootWorld struct {
	root, out, log string
	env            []string
}

func newBootWorld(t *testing.T, backend string, stateLines int) bootWorld {
	t.Helper()
	root := t.TempDir()
	w := bootWorld{root: root, out: filepath.Join(root, "cdktf.out"), log: filepath.Join(root, "calls.log")}
	fakes := filepath.Join(root, "bin")
	fakeTool(t, fakes, "synth", `[ "$PHL_ENVIRONMENTS" = bootstrap ] || { echo "synth without PHL_ENVIRONMENTS=bootstrap" >&2; exit 3; }
mkdir -p "$CDKTF_OUTDIR/stacks/bootstrap-nonprod"
echo '{"terraform":{"backend":{"`+backend+`":{}}}}' > "$CDKTF_OUTDIR/stacks/bootstrap-nonprod/cdk.tf.json"
`)
	fakeTool(t, fakes, "terraform", `echo "terraform $* (in ${PWD##*/}$( [ -f terraform.tfstate ] && echo ', local state present'))" >> "`+w.log+`"
case "$1" in
  state) for i in $(seq 1 `+strconv.Itoa(stateLines)+`); do echo "aws_s3_bucket.r$i"; done ;;
  output) echo '{"dev":{}}' ;;
esac
`)
	w.env = testEnv("PATH="+fakes+":"+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"), "CDKTF_OUTDIR="+w.out, "SYNTH="+filepath.Join(fakes, "synth"))
	return w
}

func (w bootWorld) run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runBash(t, w.env, `exec ./bootstrap-state.sh "$@"`, args...)
}

func (w bootWorld) calls(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(w.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func (w bootWorld) localState() string {
	return filepath.Join(w.root, "state", "bootstrap-nonprod.tfstate")
}

func TestBootstrapApply(t *testing.T) {
	w := newBootWorld(t, "local", 1)
	stdout, stderr, code := w.run(t, "apply", "nonprod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "terraform init -input=false (in bootstrap-nonprod)\nterraform apply (in bootstrap-nonprod)\nterraform output -json github_variables (in bootstrap-nonprod)\n"
	if got := w.calls(t); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(stdout, `{"dev":{}}`) || !strings.Contains(stdout, "make bootstrap-migrate ACCOUNT=nonprod") {
		t.Errorf("stdout: %s", stdout)
	}
}

// Every refusal is one line that names the fix, and runs no terraform command that changes anything.
func TestBootstrapRefusals(t *testing.T) {
	cases := []struct {
		name, backend string
		args          []string
		localState    bool
		want          string
	}{
		{"no verb", "local", nil, false, "usage: scripts/bootstrap-state.sh apply|migrate ACCOUNT"},
		{"no account", "local", []string{"apply"}, false, "ACCOUNT is required"},
		{"unknown account", "local", []string{"apply", "prod"}, false, "ACCOUNT=prod: no such account in environments/bootstrap/accounts.yaml (accounts: nonprod )"},
		{"migrate before state_in_bucket", "local", []string{"migrate", "nonprod"}, true, "state_in_bucket is not true"},
		{"migrate without local state", "s3", []string{"migrate", "nonprod"}, false, "no local state at state/bootstrap-nonprod.tfstate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newBootWorld(t, c.backend, 1)
			if c.localState {
				writeState(t, w.localState())
			}
			_, stderr, code := w.run(t, c.args...)
			if code == 0 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want one line with %q", code, stderr, c.want)
			}
			if calls := w.calls(t); calls != "" {
				t.Errorf("terraform ran: %s", calls)
			}
		})
	}
}

func writeState(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, path, `{"version":4,"serial":3}`)
}

func TestBootstrapMigrate(t *testing.T) {
	w := newBootWorld(t, "s3", 3)
	writeState(t, w.localState())
	stdout, stderr, code := w.run(t, "migrate", "nonprod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "terraform init -input=false -migrate-state -force-copy (in bootstrap-nonprod, local state present)\nterraform state list (in bootstrap-nonprod, local state present)\n"
	if got := w.calls(t); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
	if _, err := os.Stat(w.localState()); !os.IsNotExist(err) {
		t.Error("the local state is still where the local backend would use it")
	}
	if _, err := os.Stat(w.localState() + ".migrated"); err != nil {
		t.Errorf("no backup of the local state: %v", err)
	}
	if _, err := os.Stat(filepath.Join(w.out, "stacks", "bootstrap-nonprod", "terraform.tfstate")); !os.IsNotExist(err) {
		t.Error("the copy in the stack folder was left behind")
	}
	if !strings.Contains(stdout, "(3 resources) is now in the bucket") {
		t.Errorf("stdout: %s", stdout)
	}
}

// A migration that leaves the bucket's state empty fails and keeps the local state.
func TestBootstrapMigrateEmptyResult(t *testing.T) {
	w := newBootWorld(t, "s3", 0)
	writeState(t, w.localState())
	_, stderr, code := w.run(t, "migrate", "nonprod")
	if code == 0 || !strings.Contains(stderr, "lists no resources after the migration") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(w.localState()); err != nil {
		t.Errorf("the local state was moved: %v", err)
	}
}
