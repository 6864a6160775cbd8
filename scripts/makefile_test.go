package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each make target the documents give runs what it says: the Makefile, copied beside fake
// scripts and a fake go that log their arguments, is run for every target, and `make help`
// lists each. The docs test (internal/docscheck) points the documents' shell blocks here.
func TestMakeTargets(t *testing.T) {
	root := t.TempDir()
	makefile, err := os.ReadFile(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "Makefile"), string(makefile))
	log := filepath.Join(root, "calls.log")
	for _, s := range []string{"tools.sh", "synth.sh", "plan.sh", "ladder.sh", "bench.sh", "bootstrap-state.sh", "app-image-check.sh"} {
		fakeTool(t, filepath.Join(root, "scripts"), s, `echo "`+s+` $*" >> "`+log+`"`+"\n")
	}
	fakes := filepath.Join(root, "bin")
	fakeTool(t, fakes, "go", `echo "go $*" >> "`+log+`"`+"\n")
	env := testEnv("PATH="+fakes+":"+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan"}, "tools.sh \nsynth.sh \nplan.sh plan\n"},
		{[]string{"test"}, "ladder.sh \n"},
		{[]string{"synth"}, "tools.sh \nsynth.sh \n"},
		{[]string{"cost"}, "tools.sh \nsynth.sh \ngo run ./tools/cost -docs write\n"},
		{[]string{"tools"}, "tools.sh --scanner --k8s --mariadb --graphviz\n"},
		{[]string{"diagram"}, "tools.sh --graphviz\nsynth.sh \ngo run ./tools/diagram -env dev\n"},
		{[]string{"bench"}, "bench.sh \n"},
		{[]string{"preflight"}, "go run ./cmd/preflight\n"},
		{[]string{"deploy", "ENV=dev"}, "go run ./cmd/deploy deploy -env=dev\n"},
		{[]string{"destroy", "ENV=dev"}, "go run ./cmd/deploy destroy -env=dev -confirm=\n"},
		{[]string{"destroy", "ENV=prod", "CONFIRM=prod"}, "go run ./cmd/deploy destroy -env=prod -confirm=prod\n"},
		{[]string{"bootstrap", "ACCOUNT=nonprod"}, "tools.sh \nbootstrap-state.sh apply nonprod\n"},
		{[]string{"bootstrap-migrate", "ACCOUNT=nonprod"}, "bootstrap-state.sh migrate nonprod\n"},
		{[]string{"app-image-check"}, "app-image-check.sh \n"},
	} {
		os.Remove(log)
		if _, stderr, code := runBash(t, env, `make -s -C "$@"`, append([]string{root}, c.args...)...); code != 0 {
			t.Fatalf("make %v: exit %d: %s", c.args, code, stderr)
		}
		if got, _ := os.ReadFile(log); string(got) != c.want {
			t.Errorf("make %s ran:\n%s\nwant:\n%s", strings.Join(c.args, " "), got, c.want)
		}
	}
	help, _, _ := runBash(t, env, `make -C "$1" help`, root)
	for _, target := range []string{"plan", "test", "synth", "cost", "diagram", "tools", "bench", "preflight", "deploy", "destroy", "bootstrap", "bootstrap-migrate", "app-image-check"} {
		if !strings.Contains(help, "make "+target+" ") {
			t.Errorf("make help does not list %q:\n%s", target, help)
		}
	}
}
