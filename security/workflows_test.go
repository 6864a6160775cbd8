package security

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// usesLine is a workflow step's `uses:`; pinned means a full commit SHA with the release it is
// in a comment, e.g. `uses: actions/checkout@<40 hex> # v4.2.2`. A tag can be moved to other
// code; a commit cannot.
var (
	usesLine = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned   = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	version  = regexp.MustCompile(`^\s*#\s*v\d+\.\d+\.\d+\s*$`)
)

// workflowFiles are every workflow and local composite action, .yml and .yaml alike.
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"workflows/*.yml", "workflows/*.yaml", "actions/*/action.yml", "actions/*/action.yaml"} {
		f, err := filepath.Glob(filepath.Join("..", ".github", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f...)
	}
	if len(files) == 0 {
		t.Fatal("no workflows found")
	}
	return files
}

func TestWorkflowActionsArePinnedByCommit(t *testing.T) {
	uses := 0
	for _, f := range workflowFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesLine.FindAllStringSubmatch(string(data), -1) {
			uses++
			if local, ok := strings.CutPrefix(m[1], "./"); ok {
				// A local action or reusable workflow is this repository's code at this commit
				// (its own uses are checked here).
				target := filepath.Join("..", local)
				if !strings.HasSuffix(local, ".yml") && !strings.HasSuffix(local, ".yaml") {
					target = filepath.Join(target, "action.yml")
				}
				if _, err := os.Stat(target); err != nil {
					t.Errorf("%s: local %s does not exist", filepath.Base(f), m[1])
				}
				continue
			}
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

// workflow is the part of a workflow file these tests read.
type workflow struct {
	Concurrency any               `yaml:"concurrency"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	Needs       any               `yaml:"needs"`
	If          string            `yaml:"if"`
	Uses        string            `yaml:"uses"`
	Environment any               `yaml:"environment"`
	Concurrency map[string]any    `yaml:"concurrency"`
	Permissions map[string]string `yaml:"permissions"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

func parseWorkflow(t *testing.T, data []byte) workflow {
	t.Helper()
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

func readWorkflow(t *testing.T, name string) (string, workflow) {
	t.Helper()
	data, err := os.ReadFile("../.github/workflows/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), parseWorkflow(t, data)
}

// Code that must never run in a job that can mint an AWS token: npm (install scripts of any
// package), jsii (the synth's Node kernel), and anything that synthesizes through them. With
// `id-token: write`, every step of the job can ask GitHub for an OIDC token
// (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN are in its environment) and assume the environment's
// role, whatever step order the job has. Such jobs use a synthesis made by a job without it.
var unsafeWithToken = regexp.MustCompile(`\bnpm\b|\bnpx\b|jsii|scripts/tools\.sh|scripts/synth\.sh|make (synth|plan|test|deploy|destroy)\b|cdktf `)

// tokenJobsRunNoNode says which jobs of a workflow can mint an OIDC token and run npm or jsii.
func tokenJobsRunNoNode(w workflow) []string {
	var problems []string
	for name, j := range w.Jobs {
		perms := j.Permissions
		if perms == nil {
			perms = w.Permissions
		}
		if perms["id-token"] != "write" {
			continue
		}
		for _, s := range j.Steps {
			if m := unsafeWithToken.FindString(s.Run); m != "" {
				problems = append(problems, fmt.Sprintf("job %s: step %q runs %q in a job with id-token: write", name, s.Name, m))
			}
			if strings.Contains(s.Run, "./cmd/deploy") && !strings.Contains(s.Run, "-synthesized") {
				problems = append(problems, fmt.Sprintf("job %s: step %q runs cmd/deploy without -synthesized (it would synthesize, running npm and jsii) in a job with id-token: write", name, s.Name))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func TestNoNodeWhereATokenCanBeMinted(t *testing.T) {
	tokenJobs := 0
	for _, f := range workflowFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tokenJobsRunNoNode(parseWorkflow(t, data)) {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
		tokenJobs += strings.Count(string(data), "id-token: write")
	}
	if tokenJobs < 4 {
		t.Errorf("only %d jobs with id-token: write found: the workflows changed, or the check reads nothing", tokenJobs)
	}
	data, _ := readWorkflow(t, "deploy-environment.yml")
	for _, planted := range []string{
		strings.Replace(data, "-synthesized -reviewed plans", "-reviewed plans", 1),
		strings.Replace(data, "      - name: plan (read-only role)\n        run:", "      - name: plan (read-only role)\n        run: scripts/tools.sh &&", 1),
		// synthesis before the credentials step, in the same job: still refused.
		strings.Replace(data, "      - name: build\n        run: go build", "      - name: build\n        run: make synth && go build", 1),
		// the synth job given id-token.
		strings.Replace(data, "    permissions:\n      contents: read\n    outputs:", "    permissions:\n      contents: read\n      id-token: write\n    outputs:", 1),
	} {
		if planted == data {
			t.Fatal("self-test setup: deploy-environment.yml changed, nothing planted")
		}
		if len(tokenJobsRunNoNode(parseWorkflow(t, []byte(planted)))) == 0 {
			t.Errorf("the check passed a job that can mint a token and runs npm or jsii:\n%s", planted)
		}
	}
}

// deploy.yml: a gate decides; only its yes enters the environment's concurrency group, held by
// the job that calls deploy-environment.yml for the whole plan → review → apply (so two runs'
// plans and applies never interleave, and a run the gate turns away never cancels a pending
// deploy). The apply job is in the GitHub environment and applies the reviewed plans through
// cmd/deploy, the code laptops run (a workflow that applied stacks itself would drift from it).
func TestDeployWorkflowShape(t *testing.T) {
	caller, cw := readWorkflow(t, "deploy.yml")
	called, dw := readWorkflow(t, "deploy-environment.yml")
	if msg := deployShape(cw, dw); msg != "" {
		t.Error(msg)
	}
	for _, planted := range []struct{ caller, called string }{
		{caller + "concurrency:\n  group: deploy\n", called},
		{strings.Replace(caller, "    if: needs.gate.outputs.deploy == 'true'\n", "", 1), called},
		{strings.Replace(caller, "    concurrency:\n      group: deploy-${{ needs.gate.outputs.environment }}\n", "    concurrency:\n      group: deploy\n", 1), called},
		{caller, strings.Replace(called, "    environment: ${{ inputs.environment }}\n", "", 1)},
		{caller, strings.Replace(called, "-synthesized -reviewed plans", "-synthesized", 1)},
		{caller, strings.Replace(called, "go run ./cmd/deploy deploy", "terraform -chdir=cdktf.out/stacks/dev-network apply -auto-approve; go run ./cmd/deploy deploy", 1)},
	} {
		if planted.caller == caller && planted.called == called {
			t.Fatal("self-test setup: the workflows changed, nothing planted")
		}
		if deployShape(parseWorkflow(t, []byte(planted.caller)), parseWorkflow(t, []byte(planted.called))) == "" {
			t.Errorf("the check passed:\n%s\n%s", planted.caller, planted.called)
		}
	}
}

func deployShape(caller, called workflow) string {
	if caller.Concurrency != nil {
		return "deploy.yml has a workflow-level concurrency group: a run the gate turns away could cancel a pending deploy"
	}
	gate, deploy := caller.Jobs["gate"], caller.Jobs["deploy"]
	if !runs(gate, "go run ./cmd/ci gate") {
		return "the gate job does not run go run ./cmd/ci gate"
	}
	if deploy.If != "needs.gate.outputs.deploy == 'true'" || deploy.Uses != "./.github/workflows/deploy-environment.yml" {
		return "the deploy job does not call deploy-environment.yml on the gate's yes"
	}
	if deploy.Concurrency["group"] != "deploy-${{ needs.gate.outputs.environment }}" {
		return "the deploy job does not hold the environment's concurrency group"
	}
	if called.Concurrency != nil {
		return "deploy-environment.yml has its own concurrency group: it would deadlock against its caller's"
	}
	plan, apply := called.Jobs["plan"], called.Jobs["apply"]
	if !runs(plan, "go run ./cmd/deploy plan") {
		return "the plan job does not run cmd/deploy plan"
	}
	if apply.Environment != "${{ inputs.environment }}" {
		return "the apply job is not in the environment's GitHub environment (its reviewers and its apply role)"
	}
	if !runs(apply, "go run ./cmd/deploy deploy -env \"$ENVIRONMENT\" -synthesized -reviewed plans") {
		return "the apply job does not apply the reviewed plans through cmd/deploy"
	}
	for _, w := range []workflow{caller, called} {
		for _, j := range w.Jobs {
			for _, s := range j.Steps {
				if strings.Contains(s.Run, "cdktf deploy") || strings.Contains(s.Run, "terraform") && strings.Contains(s.Run, " apply") {
					return "a deploy workflow applies stacks itself (" + s.Run + "): deploy through cmd/deploy, the tested path"
				}
			}
		}
	}
	return ""
}

func runs(j job, command string) bool {
	for _, s := range j.Steps {
		if strings.Contains(s.Run, command) {
			return true
		}
	}
	return false
}
