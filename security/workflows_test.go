package security

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// usesLine is a workflow step's `uses:`; pinned means a full commit SHA with the release it is
// in a comment, e.g. `uses: actions/checkout@<40 hex> # v4.2.2`. A tag can be moved to other
// code; a commit cannot.
var (
	usesLine = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned   = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	version  = regexp.MustCompile(`^\s*#\s*v\d+\.\d+\.\d+\s*$`)
)

func TestWorkflowActionsArePinnedByCommit(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows found: %v", err)
	}
	uses := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesLine.FindAllStringSubmatch(string(data), -1) {
			uses++
			if !pinned.MatchString(m[1]) || !version.MatchString(m[2]) {
				t.Errorf("%s: %q is not pinned as owner/action@<commit SHA> # vX.Y.Z", filepath.Base(f), m[1]+m[2])
			}
		}
	}
	if uses == 0 {
		t.Error("no `uses:` found; the pattern is broken")
	}
}

func TestPinCheckBites(t *testing.T) {
	for _, line := range []string{"      - uses: actions/checkout@v4", "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "        uses: a/b@main # v1.0.0"} {
		m := usesLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%q not recognised as a uses line", line)
		}
		if pinned.MatchString(m[1]) && version.MatchString(m[2]) {
			t.Errorf("%q passed the pin check", line)
		}
	}
}

// deploy.yml deploys through `make deploy` (cmd/deploy: every stack in graph order, the image,
// the tunnel, gitops, the Argo CD wait and the smoke check, tested in internal/deploy), the path
// laptops take: a workflow that applied stacks itself would drift from it (as when gitops was
// once left out of the workflow).
func TestDeployWorkflowRunsMakeDeploy(t *testing.T) {
	data, err := os.ReadFile("../.github/workflows/deploy.yml")
	if err != nil {
		t.Fatal(err)
	}
	if msg := thinDeployWorkflow(string(data)); msg != "" {
		t.Error(msg)
	}
	for _, planted := range []string{
		strings.Replace(string(data), "make deploy ENV=", "make synth ENV=", 1),
		string(data) + "      - run: npx cdktf deploy dev-network --auto-approve\n",
		string(data) + "      - run: terraform -chdir=cdktf.out/stacks/dev-network apply -auto-approve\n",
	} {
		if thinDeployWorkflow(planted) == "" {
			t.Errorf("the check passed a workflow that does not deploy through make deploy:\n%s", planted)
		}
	}
}

// thinDeployWorkflow says what is wrong with a deploy workflow, or "".
func thinDeployWorkflow(workflow string) string {
	deploys := false
	for _, line := range strings.Split(workflow, "\n") {
		code := strings.TrimSpace(line)
		if strings.HasPrefix(code, "#") {
			continue
		}
		if strings.Contains(code, "make deploy ENV=") {
			deploys = true
		}
		if strings.Contains(code, "cdktf deploy") || strings.Contains(code, "terraform") && strings.Contains(code, " apply") {
			return "deploy.yml applies stacks itself (" + code + "): deploy through make deploy, the tested path"
		}
	}
	if !deploys {
		return "deploy.yml never runs make deploy ENV=<env>"
	}
	return ""
}
