package fakecli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Fake is the set of fake programs of one test.
type Fake struct {
	Dir   string
	Rules []Rule
	t     testing.TB
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// build compiles the fake program once per test process (./fake: the standard library only, so
// each call starts in milliseconds).
func build() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fakecli-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "fake")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/phl-platform/phl-platform/internal/deploy/fakecli/fake").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building the fake program: %v\n%s", err, out)
		}
	})
	return binary, buildErr
}

// Cleanup removes the fake program; call it at the end of TestMain.
func Cleanup() {
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
}

// New links every fake program into a fresh folder and fakes the repository scripts under
// root. Run the code under test with Env(): the fakes alone on PATH (a real tool can never
// answer). Tests with fakes of their own can run in parallel.
func New(t testing.TB, root string) *Fake {
	t.Helper()
	exe, err := build()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{"bin", "count"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range Tools {
		if err := os.Symlink(exe, filepath.Join(dir, "bin", tool)); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range Scripts {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(s)), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, link := range []string{filepath.Join(root, s), filepath.Join(dir, "bin", filepath.Base(s))} {
			if err := os.Symlink(exe, link); err != nil {
				t.Fatal(err)
			}
		}
	}
	f := &Fake{Dir: dir, t: t}
	f.save()
	return f
}

// Env is this process's environment with PATH holding only the fakes.
func (f *Fake) Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, dirVar+"=") {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+filepath.Join(f.Dir, "bin"), dirVar+"="+f.Dir)
}

// Remove takes a program off PATH.
func (f *Fake) Remove(tool string) {
	if err := os.Remove(filepath.Join(f.Dir, "bin", tool)); err != nil {
		f.t.Fatal(err)
	}
}

// Add appends rules (tried after the existing ones).
func (f *Fake) Add(rules ...Rule) { f.Rules = append(f.Rules, rules...); f.save() }

// Override puts rules before the existing ones.
func (f *Fake) Override(rules ...Rule) {
	f.Rules = append(append([]Rule{}, rules...), f.Rules...)
	f.save()
}

func (f *Fake) save() {
	b, err := json.Marshal(f.Rules)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.Dir, "rules.json"), b, 0o600); err != nil {
		f.t.Fatal(err)
	}
}

// Calls returns the calls logged so far, in the order they were logged. A line still being
// written (no newline yet) is left for the next look.
func (f *Fake) Calls() []Call {
	b, err := os.ReadFile(filepath.Join(f.Dir, "calls.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		panic(err) // also called from helper goroutines, where t.Fatal cannot stop the test
	}
	lines := strings.Split(string(b), "\n")
	var calls []Call
	for _, line := range lines[:len(lines)-1] {
		var c Call
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			panic(fmt.Sprintf("calls.jsonl: %v: %q", err, line))
		}
		calls = append(calls, c)
	}
	return calls
}

// Find returns the calls of a tool whose arguments contain every given string.
func (f *Fake) Find(tool string, args ...string) []Call {
	var out []Call
	for _, c := range f.Calls() {
		if c.Tool == tool && containsAll(strings.Join(c.Args, " "), args) {
			out = append(out, c)
		}
	}
	return out
}
