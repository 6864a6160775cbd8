package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tfSetupRun is what one tf_setup run left: the CLI config it wrote (or ""), its output, its
// exit code and the calls of find.
type tfSetupRun struct {
	rc, stdout, stderr, findCalls string
	code                          int
}

// tfSetup runs lib.sh's tf_setup with a fake terraform (only `version -json`) and a fake find
// that records any call, HOME in a scratch folder and TF_DEFAULT_MIRROR set to defaultMirror.
func tfSetup(t *testing.T, tmp, defaultMirror string, extraEnv ...string) tfSetupRun {
	t.Helper()
	bin, work, findLog := filepath.Join(tmp, "bin"), filepath.Join(tmp, "work"), filepath.Join(tmp, "find.log")
	fakeTool(t, bin, "terraform", `[ "$1 $2" = "version -json" ] && { printf '{"terraform_version":"`+pinned(t, "TERRAFORM_VERSION")+`"}\n'; exit 0; }
echo "fake terraform: unexpected call: $*" >&2; exit 1
`)
	fakeTool(t, bin, "find", `printf '%s\n' "$*" >> `+findLog+"\nexit 1\n")
	lib, err := filepath.Abs("lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv(append([]string{"HOME=" + filepath.Join(tmp, "home"), "PATH=" + bin + ":" + os.Getenv("PATH")}, extraEnv...)...)
	stdout, stderr, code := runBash(t, env, `source "$1"; TF_DEFAULT_MIRROR=$2 WORK=$3; tf_setup; echo "source=$TF_PROVIDER_SOURCE"`, lib, defaultMirror, work)
	r := tfSetupRun{stdout: stdout, stderr: stderr, code: code}
	if b, err := os.ReadFile(filepath.Join(work, "terraformrc")); err == nil {
		r.rc = string(b)
	}
	if b, err := os.ReadFile(findLog); err == nil {
		r.findCalls = string(b)
	}
	return r
}

// provider puts an executable terraform-provider-aws of the pinned version into a mirror layout
// under root; running it would create root/RAN. It returns root.
func provider(t *testing.T, root string) string {
	t.Helper()
	v := pinned(t, "AWS_PROVIDER_VERSION")
	fakeTool(t, filepath.Join(root, "registry.terraform.io/hashicorp/aws", v, "linux_amd64"), "terraform-provider-aws_v"+v+"_x5", "touch "+filepath.Join(root, "RAN")+"\n")
	return root
}

// A provider binary anywhere but the configured mirror is never used, and nothing searches the
// disk for one: without a mirror, terraform installs from the registry (or, offline, stops).
func TestProviderMirrorIsNeverSearchedFor(t *testing.T) {
	tmp := t.TempDir()
	planted := []string{
		provider(t, filepath.Join(tmp, "home/.terraform.d/plugins")),
		provider(t, filepath.Join(tmp, "elsewhere")),
	}
	noMirror := filepath.Join(tmp, "opt-tf-plugins") // TF_DEFAULT_MIRROR, absent

	r := tfSetup(t, tmp, noMirror)
	if r.code != 0 {
		t.Fatalf("tf_setup without a mirror failed (exit %d): %s", r.code, r.stderr)
	}
	if !strings.Contains(r.rc, "direct {}") || strings.Contains(r.rc, "filesystem_mirror") {
		t.Errorf("without a mirror the CLI config must install from the registry only:\n%s", r.rc)
	}
	if !strings.Contains(r.stdout, "source=the Terraform registry") {
		t.Errorf("provider source: %s", r.stdout)
	}

	off := tfSetup(t, t.TempDir(), noMirror, "PHL_OFFLINE=true")
	msg := strings.TrimSpace(off.stderr)
	if off.code == 0 || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "error: PHL_OFFLINE=true and no provider mirror") ||
		!strings.Contains(msg, "PHL_PROVIDER_MIRROR") || !strings.Contains(msg, noMirror) {
		t.Errorf("PHL_OFFLINE=true without a mirror: exit %d; want one error line naming PHL_PROVIDER_MIRROR and %s, got:\n%s", off.code, noMirror, off.stderr)
	}
	if off.rc != "" {
		t.Errorf("PHL_OFFLINE=true without a mirror still wrote a CLI config:\n%s", off.rc)
	}

	for _, run := range []tfSetupRun{r, off} {
		if run.findCalls != "" {
			t.Errorf("tf_setup searched the disk: find %s", run.findCalls)
		}
		for _, p := range planted {
			if strings.Contains(run.rc+run.stdout, p) {
				t.Errorf("tf_setup uses the provider planted in %s:\n%s%s", p, run.rc, run.stdout)
			}
		}
	}
	for _, p := range planted {
		if _, err := os.Stat(filepath.Join(p, "RAN")); err == nil {
			t.Errorf("the provider planted in %s ran", p)
		}
	}
}

// The mirror comes from PHL_PROVIDER_MIRROR, else the default path when it holds the provider.
func TestProviderMirrorConfigured(t *testing.T) {
	tmp := t.TempDir()
	set := provider(t, filepath.Join(tmp, "set"))
	def := provider(t, filepath.Join(tmp, "default"))
	for name, c := range map[string]struct {
		defaultMirror string
		env           []string
		want          string
	}{
		"PHL_PROVIDER_MIRROR wins":  {def, []string{"PHL_PROVIDER_MIRROR=" + set, "PHL_OFFLINE=true"}, set},
		"the default mirror":        {def, []string{"PHL_OFFLINE=true"}, def},
		"the default, not offline":  {def, nil, def},
		"PHL_PROVIDER_MIRROR alone": {filepath.Join(tmp, "absent"), []string{"PHL_PROVIDER_MIRROR=" + set}, set},
	} {
		r := tfSetup(t, t.TempDir(), c.defaultMirror, c.env...)
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s", name, r.code, r.stderr)
			continue
		}
		if !strings.Contains(r.rc, `path    = "`+c.want+`"`) || !strings.Contains(r.rc, `exclude = ["registry.terraform.io/*/*"]`) {
			t.Errorf("%s: CLI config does not take registry.terraform.io providers from %s only:\n%s", name, c.want, r.rc)
		}
		if !strings.Contains(r.stdout, "source="+c.want) {
			t.Errorf("%s: provider source: %s", name, r.stdout)
		}
	}

	// A PHL_PROVIDER_MIRROR without the pinned provider is an error, not a fallback.
	empty := filepath.Join(tmp, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	r := tfSetup(t, t.TempDir(), def, "PHL_PROVIDER_MIRROR="+empty)
	msg := strings.TrimSpace(r.stderr)
	if r.code == 0 || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "error: PHL_PROVIDER_MIRROR="+empty+" holds no registry.terraform.io/hashicorp/aws/"+pinned(t, "AWS_PROVIDER_VERSION")+"/") {
		t.Errorf("PHL_PROVIDER_MIRROR without the provider: exit %d; want one error line naming it, got:\n%s", r.code, r.stderr)
	}
}

// docs/toolchain.md names the default mirror lib.sh uses.
func TestDefaultMirrorIsDocumented(t *testing.T) {
	out, stderr, code := runBash(t, testEnv("HOME="+t.TempDir(), "PATH="+os.Getenv("PATH")), `source "$1"; echo "$TF_DEFAULT_MIRROR"`, "lib.sh")
	if code != 0 {
		t.Fatal(stderr)
	}
	readme, err := os.ReadFile("../docs/toolchain.md")
	if err != nil {
		t.Fatal(err)
	}
	if def := strings.TrimSpace(out); def == "" || !strings.Contains(string(readme), "`"+def+"`") {
		t.Errorf("lib.sh's default mirror %q is not named in docs/toolchain.md", def)
	}
}
