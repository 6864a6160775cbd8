package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stepWorld is a synthesized dev-network stack from this commit, the shipped environment files
// (dev's delivery.applies_by as given) and fake terraform and make that log their arguments.
type stepWorld struct {
	out, envs, log string
	env            []string
}

func newStepWorld(t *testing.T, devAppliesBy string) stepWorld {
	t.Helper()
	tmp := t.TempDir()
	w := stepWorld{out: filepath.Join(tmp, "cdktf.out"), envs: filepath.Join(tmp, "environments"), log: filepath.Join(tmp, "calls.log")}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	stack := filepath.Join(w.out, "stacks", "dev-network")
	if err := os.MkdirAll(stack, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(stack, "cdk.tf.json"), `{"terraform":{"backend":{"s3":{"bucket":"my-state","key":"phl-platform/dev/dev-network.tfstate"}}}}`)
	write(t, filepath.Join(w.out, "manifest.json"), `{"stacks":{"dev-network":{}}}`)
	write(t, filepath.Join(w.out, ".commit"), string(head))
	if err := os.MkdirAll(w.envs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dev", "prod"} {
		b, err := os.ReadFile(filepath.Join("..", "environments", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		if name == "dev" {
			planted := strings.Replace(doc, "  applies_by: actions ", "  applies_by: "+devAppliesBy+" ", 1)
			if devAppliesBy != "actions" && planted == doc {
				t.Fatal("environments/dev.yaml has no `  applies_by: actions` line to change")
			}
			doc = planted
		}
		write(t, filepath.Join(w.envs, name+".yaml"), doc)
	}
	fakes := filepath.Join(tmp, "bin")
	fakeTool(t, fakes, "terraform", `echo "terraform $*" >> "`+w.log+`"`+"\n")
	fakeTool(t, fakes, "make", `echo "make $*" >> "`+w.log+`"`+"\n")
	w.env = testEnv("PATH="+fakes+":"+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"), "CDKTF_OUTDIR="+w.out,
		"PHL_ENVIRONMENTS_DIR="+w.envs, "PROJECT_NAME=dev-network", "PLANFILE="+filepath.Join(stack, "dev-network-default.tfplan"))
	return w
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (w stepWorld) calls(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(w.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func (w stepWorld) run(t *testing.T, step string) (string, string, int) {
	t.Helper()
	return runBash(t, w.env, `exec ./atlantis-step.sh "$1"`, step)
}

// Plans run for any owner: an actions-owned environment is planned with its saved plan file.
func TestAtlantisStepPlansAnyEnvironment(t *testing.T) {
	w := newStepWorld(t, "actions")
	_, stderr, code := w.run(t, "plan")
	if code != 0 {
		t.Fatalf("plan failed (%d): %s", code, stderr)
	}
	calls := w.calls(t)
	if !strings.Contains(calls, "terraform -chdir="+w.out+"/stacks/dev-network init -input=false") ||
		!strings.Contains(calls, "terraform -chdir="+w.out+"/stacks/dev-network plan -input=false -no-color -out="+w.out+"/stacks/dev-network/dev-network-default.tfplan") {
		t.Errorf("terraform was not run to plan into PLANFILE:\n%s", calls)
	}
}

// delivery.applies_by: actions means the deploy workflow applies dev: `atlantis apply` stops with
// one line before terraform runs at all.
func TestAtlantisStepRefusesApplyOfAnActionsOwnedEnvironment(t *testing.T) {
	w := newStepWorld(t, "actions")
	_, stderr, code := w.run(t, "apply")
	if code == 0 {
		t.Fatal("apply ran for an environment the deploy workflow owns")
	}
	line := strings.TrimSpace(stderr)
	for _, want := range []string{"error: dev-network: environments/dev.yaml delivery.applies_by is actions", "set applies_by: atlantis"} {
		if !strings.Contains(line, want) {
			t.Errorf("error %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "\n") {
		t.Errorf("error is not one line: %q", line)
	}
	if calls := w.calls(t); calls != "" {
		t.Errorf("terraform ran for a refused apply:\n%s", calls)
	}
}

func TestAtlantisStepAppliesAnAtlantisOwnedEnvironment(t *testing.T) {
	w := newStepWorld(t, "atlantis")
	_, stderr, code := w.run(t, "apply")
	if code != 0 {
		t.Fatalf("apply failed (%d): %s", code, stderr)
	}
	if calls := w.calls(t); !strings.Contains(calls, "terraform -chdir="+w.out+"/stacks/dev-network apply -input=false -no-color "+w.out+"/stacks/dev-network/dev-network-default.tfplan") {
		t.Errorf("the saved plan was not applied:\n%s", calls)
	}
}

// The hook synthesizes once per commit: again for the same commit it would empty cdktf.out/ and
// with it the other projects' saved plans.
func TestAtlantisStepSynthesizesOncePerCommit(t *testing.T) {
	w := newStepWorld(t, "actions")
	stdout, stderr, code := w.run(t, "synth")
	if code != 0 || !strings.Contains(stdout, "not synthesizing again") {
		t.Fatalf("synth of an up-to-date cdktf.out: %d %s %s", code, stdout, stderr)
	}
	if calls := w.calls(t); calls != "" {
		t.Errorf("make ran although cdktf.out/ is from HEAD:\n%s", calls)
	}
	write(t, filepath.Join(w.out, ".commit"), "0123456789abcdef0123456789abcdef01234567\n")
	if _, stderr, code := w.run(t, "synth"); code != 0 {
		t.Fatalf("synth failed (%d): %s", code, stderr)
	}
	if calls := w.calls(t); calls != "make synth\n" {
		t.Errorf("cdktf.out/ of another commit was not synthesized again: %q", calls)
	}
	// ... and plan refuses that other commit's output.
	if _, stderr, code := w.run(t, "plan"); code == 0 || !strings.Contains(stderr, "is not from commit") {
		t.Errorf("plan ran on another commit's output (%d): %s", code, stderr)
	}
}
