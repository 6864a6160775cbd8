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
				// A local action is this repository's code at this commit (its own uses are checked here).
				if _, err := os.Stat(filepath.Join("..", local, "action.yml")); err != nil {
					t.Errorf("%s: local action %s has no action.yml", filepath.Base(f), m[1])
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
	Concurrency any            `yaml:"concurrency"`
	Jobs        map[string]job `yaml:"jobs"`
}

type job struct {
	Needs       any               `yaml:"needs"`
	If          string            `yaml:"if"`
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

// credentialsStep: the step that puts AWS credentials into the job's environment.
const credentialsStep = "aws-actions/configure-aws-credentials@"

// Code that must never run once a job holds AWS credentials: npm (install scripts of any
// package), jsii (runs the synth's Node kernel), and anything that synthesizes through them. A
// job synthesizes and builds first; cmd/deploy then uses that synthesis (-synthesized).
var afterCredentials = regexp.MustCompile(`\bnpm\b|\bnpx\b|jsii|scripts/tools\.sh|scripts/synth\.sh|make (synth|plan|test|deploy|destroy)\b|cdktf `)

// credentialsAfterSynthesis says what, in a workflow, runs synthesis or npm with credentials.
func credentialsAfterSynthesis(w workflow) []string {
	var problems []string
	for name, j := range w.Jobs {
		creds := false
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, credentialsStep) {
				creds = true
				continue
			}
			if !creds {
				continue
			}
			if m := afterCredentials.FindString(s.Run); m != "" {
				problems = append(problems, fmt.Sprintf("job %s: step %q runs %q after the job assumed AWS credentials", name, s.Name, m))
			}
			if strings.Contains(s.Run, "./cmd/deploy") && !strings.Contains(s.Run, "-synthesized") {
				problems = append(problems, fmt.Sprintf("job %s: step %q runs cmd/deploy with credentials without -synthesized (it would synthesize, running npm and jsii)", name, s.Name))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func TestNoSynthesisWithCredentials(t *testing.T) {
	checked := 0
	for _, f := range workflowFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range credentialsAfterSynthesis(parseWorkflow(t, data)) {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
		checked += strings.Count(string(data), credentialsStep)
	}
	if checked < 4 {
		t.Errorf("only %d credential steps found: the workflows changed, or the check reads nothing", checked)
	}
	data, err := os.ReadFile("../.github/workflows/deploy.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, planted := range []string{
		strings.Replace(string(data), "-synthesized -reviewed plans", "-reviewed plans", 1),
		strings.Replace(string(data), "      - name: plan (read-only role)\n        run:", "      - name: plan (read-only role)\n        run: scripts/tools.sh &&", 1),
		strings.Replace(string(data), "      - name: plan (read-only role)\n        run:", "      - name: plan (read-only role)\n        run: make synth &&", 1),
	} {
		if planted == string(data) {
			t.Fatal("self-test setup: deploy.yml changed, nothing planted")
		}
		if len(credentialsAfterSynthesis(parseWorkflow(t, []byte(planted)))) == 0 {
			t.Errorf("the check passed a job that synthesizes with credentials:\n%s", planted)
		}
	}
}

// deploy.yml: a gate decides; plan and apply run only on its yes, in the environment's
// concurrency group (job-level: a run that does not deploy never enters it); the apply job is
// in the GitHub environment and applies the reviewed plans through cmd/deploy, the code laptops
// run (a workflow that applied stacks itself would drift from it).
func TestDeployWorkflowShape(t *testing.T) {
	data, err := os.ReadFile("../.github/workflows/deploy.yml")
	if err != nil {
		t.Fatal(err)
	}
	if msg := deployShape(parseWorkflow(t, data)); msg != "" {
		t.Error(msg)
	}
	for _, planted := range []string{
		string(data) + "concurrency:\n  group: deploy\n",
		strings.Replace(string(data), "    if: needs.gate.outputs.deploy == 'true'\n", "", 1),
		strings.Replace(string(data), "    environment: ${{ needs.gate.outputs.environment }}\n", "", 1),
		strings.Replace(string(data), "-synthesized -reviewed plans", "-synthesized", 1),
		strings.Replace(string(data), "go run ./cmd/deploy deploy", "terraform -chdir=cdktf.out/stacks/dev-network apply -auto-approve; go run ./cmd/deploy deploy", 1),
	} {
		if planted == string(data) {
			t.Fatal("self-test setup: deploy.yml changed, nothing planted")
		}
		if deployShape(parseWorkflow(t, []byte(planted))) == "" {
			t.Errorf("the check passed:\n%s", planted)
		}
	}
}

func deployShape(w workflow) string {
	if w.Concurrency != nil {
		return "deploy.yml has a workflow-level concurrency group: a run the gate turns away could cancel a pending deploy"
	}
	gate, plan, apply := w.Jobs["gate"], w.Jobs["plan"], w.Jobs["apply"]
	if !runs(gate, "go run ./cmd/ci gate") {
		return "the gate job does not run go run ./cmd/ci gate"
	}
	if plan.If != "needs.gate.outputs.deploy == 'true'" {
		return "the plan job does not wait for the gate's yes"
	}
	for name, j := range map[string]job{"plan": plan, "apply": apply} {
		if j.Concurrency["group"] != "deploy-${{ needs.gate.outputs.environment }}" {
			return name + " is not in the environment's concurrency group"
		}
	}
	if !runs(plan, "go run ./cmd/deploy plan") {
		return "the plan job does not run cmd/deploy plan"
	}
	if apply.Environment != "${{ needs.gate.outputs.environment }}" {
		return "the apply job is not in the environment's GitHub environment (its reviewers and its apply role)"
	}
	if !runs(apply, "go run ./cmd/deploy deploy -env \"$ENVIRONMENT\" -synthesized -reviewed plans") {
		return "the apply job does not apply the reviewed plans through cmd/deploy"
	}
	for _, j := range w.Jobs {
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "cdktf deploy") || strings.Contains(s.Run, "terraform") && strings.Contains(s.Run, " apply") {
				return "deploy.yml applies stacks itself (" + s.Run + "): deploy through cmd/deploy, the tested path"
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
