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

// deploy.yml deploys every component's stack: one left out (as gitops once was) would never
// reach the account from CI.
func TestDeployWorkflowDeploysEveryStack(t *testing.T) {
	data, err := os.ReadFile("../.github/workflows/deploy.yml")
	if err != nil {
		t.Fatal(err)
	}
	var deployed []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "cdktf deploy") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			deployed = append(deployed, line)
		}
	}
	all := strings.Join(deployed, "\n")
	for _, component := range []string{"network", "cluster", "database", "gateway", "gitops"} {
		if !strings.Contains(all, `"$e-`+component+`"`) {
			t.Errorf("deploy.yml never runs cdktf deploy for the %s stack", component)
		}
	}
}
