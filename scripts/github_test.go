package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGH puts a gh on PATH that logs its arguments (one call a line) and answers a list query
// with listAnswer.
func fakeGH(t *testing.T, listAnswer string) (env []string, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "gh.log")
	fakeTool(t, filepath.Join(dir, "bin"), "gh", `echo "$*" >> "`+log+`"
case "$*" in
  *"issues/"*"/comments --paginate"*|"issue list"*) printf '%s' "$GH_LIST" ;;
esac
`)
	return testEnv("PATH="+filepath.Join(dir, "bin")+":/usr/bin:/bin", "GITHUB_REPOSITORY=acme/phl", "GH_LIST="+listAnswer), log
}

func calls(t *testing.T, log string) string {
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestPRComment(t *testing.T) {
	body := filepath.Join(t.TempDir(), "comment.md")
	os.WriteFile(body, []byte("<!-- phl-platform:plan -->\n### Terraform plans\n"), 0o644)

	env, log := fakeGH(t, "")
	out, stderr, code := runBash(t, env, "./pr-comment.sh 12 "+body)
	if code != 0 || !strings.Contains(out, "plan comment created") || !strings.Contains(calls(t, log), "api -X POST repos/acme/phl/issues/12/comments -F body=@"+body) {
		t.Errorf("create: exit %d, %q %q\n%s", code, out, stderr, calls(t, log))
	}
	if !strings.Contains(calls(t, log), `select(.user.login == "github-actions[bot]"`) {
		t.Error("the lookup takes any author's comment")
	}

	env, log = fakeGH(t, "4242\n")
	out, _, code = runBash(t, env, "./pr-comment.sh 12 "+body)
	if code != 0 || !strings.Contains(out, "plan comment 4242 updated") || !strings.Contains(calls(t, log), "api -X PATCH repos/acme/phl/issues/comments/4242") || strings.Contains(calls(t, log), "POST") {
		t.Errorf("update: exit %d, %q\n%s", code, out, calls(t, log))
	}

	for _, c := range []struct{ args, want string }{
		{"'12; rm -rf /' " + body, "is not a number"},
		{"12 /etc/hostname", "does not start with <!-- phl-platform:plan -->"},
	} {
		env, log = fakeGH(t, "")
		if _, stderr, code := runBash(t, env, "./pr-comment.sh "+c.args); code != 2 || !strings.Contains(stderr, c.want) || calls(t, log) != "" {
			t.Errorf("%s: exit %d, %q, gh called: %q", c.args, code, stderr, calls(t, log))
		}
	}
}

func TestDriftIssue(t *testing.T) {
	body := filepath.Join(t.TempDir(), "body.md")
	os.WriteFile(body, []byte("<!-- phl-platform:drift -->\n"), 0o644)
	for _, c := range []struct {
		name, open, drifted, want, call string
	}{
		{"new drift", "", "true", "drift issue created: Drift in dev", "issue create --repo acme/phl --title Drift in dev --body-file " + body},
		{"drift again", "7\n", "true", "drift issue #7 updated", "issue edit 7 --repo acme/phl --body-file " + body},
		{"clean again", "7\n", "false", "drift issue #7 closed", "issue close 7 --repo acme/phl"},
		{"clean", "", "false", "no drift in dev", ""},
	} {
		env, log := fakeGH(t, c.open)
		out, stderr, code := runBash(t, env, "./drift-issue.sh dev "+body+" "+c.drifted)
		if code != 0 || !strings.Contains(out, c.want) || (c.call != "" && !strings.Contains(calls(t, log), c.call)) {
			t.Errorf("%s: exit %d, %q %q\n%s", c.name, code, out, stderr, calls(t, log))
		}
	}
	env, _ := fakeGH(t, "")
	if _, stderr, code := runBash(t, env, "./drift-issue.sh dev "+body+" maybe"); code != 2 || !strings.Contains(stderr, `DRIFTED is "maybe"`) {
		t.Errorf("bad DRIFTED: exit %d %q", code, stderr)
	}
}

// gitRepo is a clone of a bare origin holding a dev and a prod values file.
func gitRepo(t *testing.T) (work, origin string) {
	t.Helper()
	dir := t.TempDir()
	origin, work = filepath.Join(dir, "origin.git"), filepath.Join(dir, "work")
	env := testEnv("PATH=/usr/bin:/bin", "HOME="+dir, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if _, stderr, code := runBash(t, env, `set -e
git init -q --bare -b main "$1"; git init -q -b main "$2"; cd "$2"
mkdir -p gitops/charts/phl-store
printf 'image:\n  digest: ""\n' > gitops/charts/phl-store/values-dev.yaml
cp gitops/charts/phl-store/values-dev.yaml gitops/charts/phl-store/values-prod.yaml
git add -A; git commit -q -m init; git remote add origin "$1"; git push -q origin main`, origin, work); code != 0 {
		t.Fatal(stderr)
	}
	return work, origin
}

func TestAppReleaseCommit(t *testing.T) {
	script, _ := filepath.Abs("app-release-commit.sh")
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	pin := `printf 'image:\n  tag: "v2"\n  digest: "` + digest + `"\n' > gitops/charts/phl-store/values-$1.yaml`
	for _, c := range []struct {
		env, want, ghCall string
		onMain            bool
	}{
		{"dev", "pushed to main: phl-store dev: v2 at " + digest, "", true},
		{"prod", "pull request opened", "pr create --base main --head app-release/prod-0123456789abcdef012345", false},
	} {
		work, origin := gitRepo(t)
		env, log := fakeGH(t, "")
		env = append(env, "HOME="+t.TempDir())
		out, stderr, code := runBash(t, env, "cd "+work+" && "+pin+" && "+script+" $1 v2", c.env)
		if code != 0 || !strings.Contains(out, c.want) || !strings.Contains(calls(t, log), c.ghCall) {
			t.Errorf("%s: exit %d %q %q\n%s", c.env, code, out, stderr, calls(t, log))
		}
		mainLog, _, _ := runBash(t, env, "git --git-dir="+origin+" log --format=%s main")
		if got := strings.Contains(mainLog, "phl-store "+c.env); got != c.onMain {
			t.Errorf("%s: on main = %v, want %v:\n%s", c.env, got, c.onMain, mainLog)
		}
	}
	// Nothing pinned: nothing committed. Another file changed: refused.
	work, _ := gitRepo(t)
	env, _ := fakeGH(t, "")
	if out, _, code := runBash(t, env, "cd "+work+" && "+script+" dev v2"); code != 0 || !strings.Contains(out, "nothing to release") {
		t.Errorf("unchanged: exit %d %q", code, out)
	}
	if _, stderr, code := runBash(t, env, "cd "+work+" && "+strings.ReplaceAll(pin, "$1", "dev")+" && echo x > other && "+script+" dev v2"); code != 1 || !strings.Contains(stderr, "files other than") {
		t.Errorf("other file: exit %d %q", code, stderr)
	}
}
