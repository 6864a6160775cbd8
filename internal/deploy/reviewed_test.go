package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

// planJSON is `terraform show -json tfplan` of a plan that creates one resource with value v.
func planJSON(v string) string {
	return `{"format_version":"1.2","resource_changes":[{"address":"aws_thing.x","change":{"actions":["create"],"after":{"v":"` + v +
		`","secret":"s3cr3t"},"after_sensitive":{"secret":true},"after_unknown":{"id":true}}}]}`
}

// reviewRules answer the plan job's and the apply job's show commands for every AWS stack.
func reviewRules(env string, value map[string]string) []fakecli.Rule {
	var rules []fakecli.Rule
	for _, c := range []string{"network", "cluster", "database", "gateway"} {
		v := value[c]
		if v == "" {
			v = c
		}
		rules = append(rules,
			fakecli.Rule{Tool: "terraform", Args: []string{chdir(env, c), "show -json tfplan"}, Stdout: []string{planJSON(v)}},
			fakecli.Rule{Tool: "terraform", Args: []string{chdir(env, c), "show -no-color tfplan"}, Stdout: []string{"  # aws_thing.x will be created (" + c + ")\n      + secret = (sensitive value)\n"}})
	}
	return rules
}

func TestPlanForReview(t *testing.T) {
	w := newWorld(t, devYAML)
	w.fake.Override(reviewRules("dev", nil)...)
	dir := t.TempDir()
	if err := Plan(context.Background(), w.options(), dir); err != nil {
		t.Fatalf("%v\n%s", err, w.out)
	}
	for _, c := range []string{"network", "cluster", "database", "gateway"} {
		stack := "dev-" + c
		for _, ext := range []string{digestExt, countsExt, textExt} {
			b, err := os.ReadFile(filepath.Join(dir, stack+ext))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "s3cr3t") {
				t.Errorf("%s%s holds a sensitive value", stack, ext)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(dir, stack+countsExt)); string(b) != `{"Add":1,"Change":0,"Destroy":0,"Outputs":0}` {
			t.Errorf("%s counts %s", stack, b)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "dev-gitops"+digestExt)); err == nil {
		t.Error("gitops planned for review: it needs the cluster's private endpoint")
	}
	calls := w.fake.Calls()
	if index(t, calls, "terraform", chdir("dev", "network"), "plan") > index(t, calls, "terraform", chdir("dev", "cluster"), "plan") {
		t.Error("cluster planned before network")
	}
	if n := len(w.fake.Find("terraform", "apply")); n != 0 {
		t.Errorf("the plan job applied %d times", n)
	}
}

func TestPlanForReviewBeforeProducersExist(t *testing.T) {
	w := newWorld(t, devYAML)
	w.fake.Override(reviewRules("dev", nil)...)
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "network"), "output -json"}, Stdout: []string{"{}"}})
	dir := t.TempDir()
	// A first deploy: not a failure, so the apply job can apply the network.
	if err := Plan(context.Background(), w.options(), dir); err != nil {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dev-network"+digestExt)); err != nil {
		t.Error("the network, which has no producer, was not planned")
	}
	for _, c := range []string{"cluster", "database", "gateway"} {
		b, _ := os.ReadFile(filepath.Join(dir, "dev-"+c+pendingExt))
		if !strings.Contains(string(b), "not planned yet: dev-network has no state yet") {
			t.Errorf("dev-%s's reason: %q", c, b)
		}
	}
	// The apply job applies the network, then stops, saying to run again.
	o := w.options()
	o.Reviewed = dir
	err := Deploy(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "it was not planned for review: not planned yet: dev-network has no state yet") {
		t.Fatalf("err = %v", err)
	}
	if len(w.fake.Find("terraform", chdir("dev", "network"), "apply -input=false -lock-timeout=10m tfplan")) != 1 || len(w.fake.Find("terraform", chdir("dev", "cluster"), "apply")) != 0 {
		t.Error("want the network applied and nothing else")
	}
}

func TestPlanFailureFailsThePlanJob(t *testing.T) {
	w := newWorld(t, devYAML)
	w.fake.Override(reviewRules("dev", nil)...)
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "database"), "plan -input=false"}, Exit: []int{1}, Stderr: "Error: AccessDenied\n"})
	dir := t.TempDir()
	err := Plan(context.Background(), w.options(), dir)
	if err == nil || !strings.Contains(err.Error(), "not planned: dev-database") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dev-database"+errorExt)); err != nil {
		t.Error("no error file for the comment")
	}
	if _, err := os.Stat(filepath.Join(dir, "dev-gateway"+digestExt)); err != nil {
		t.Error("one failure stopped the other plans")
	}
}

// deployReviewed plans for review, then changes the fakes (what happened in between) and
// deploys the reviewed plans.
func deployReviewed(t *testing.T, between func(w *world, dir string)) (*world, error) {
	w := newWorld(t, devYAML)
	w.fake.Override(reviewRules("dev", nil)...)
	dir := t.TempDir()
	if err := Plan(context.Background(), w.options(), dir); err != nil {
		t.Fatalf("%v\n%s", err, w.out)
	}
	between(w, dir)
	o := w.options()
	o.Reviewed = dir
	return w, Deploy(context.Background(), o)
}

func TestApplyReviewedPlans(t *testing.T) {
	w, err := deployReviewed(t, func(*world, string) {})
	if err != nil {
		t.Fatalf("%v\n%s", err, w.out)
	}
	for _, c := range []string{"network", "cluster", "database", "gateway"} {
		if len(w.fake.Find("terraform", chdir("dev", c), "apply -input=false -lock-timeout=10m tfplan")) != 1 {
			t.Errorf("dev-%s: reviewed plan not applied once", c)
		}
	}
	w.assertTunnelClosed()
}

func TestApplyRefusesAChangedPlan(t *testing.T) {
	w, err := deployReviewed(t, func(w *world, _ string) {
		w.fake.Override(reviewRules("dev", map[string]string{"database": "changed by someone else"})...)
	})
	if err == nil || !strings.Contains(err.Error(), "dev-database: the plan changed since it was reviewed") || !strings.Contains(err.Error(), "run the deploy workflow again") {
		t.Fatalf("err = %v", err)
	}
	if len(w.fake.Find("terraform", chdir("dev", "database"), "apply")) != 0 {
		t.Error("the changed plan was applied")
	}
	if len(w.fake.Find("terraform", chdir("dev", "gateway"), "apply")) != 0 {
		t.Error("the stage after the refused one ran")
	}
	if len(w.fake.Find("terraform", chdir("dev", "network"), "apply")) != 1 {
		t.Error("the unchanged network was not applied")
	}
}

func TestApplyRefusesAStackWithoutReview(t *testing.T) {
	_, err := deployReviewed(t, func(_ *world, dir string) {
		os.Remove(filepath.Join(dir, "dev-gateway"+digestExt))
		os.WriteFile(filepath.Join(dir, "dev-gateway"+errorExt), []byte("dev-cluster has no state yet\n"), 0o644)
	})
	if err == nil || !strings.Contains(err.Error(), "dev-gateway: it was not planned for review: dev-cluster has no state yet") {
		t.Fatalf("err = %v", err)
	}
}

func TestSynthesizedMustBeThisCommits(t *testing.T) {
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "git", Args: []string{"rev-parse HEAD"}, Stdout: []string{"abc123\n"}})
	for _, c := range []string{"network", "cluster", "database", "gateway", "gitops"} {
		os.MkdirAll(filepath.Join(w.root, "cdktf.out/stacks/dev-"+c), 0o755)
		os.WriteFile(filepath.Join(w.root, "cdktf.out/stacks/dev-"+c, "cdk.tf.json"), []byte("{}"), 0o644)
	}
	o := w.options()
	o.Synthesized = true
	os.WriteFile(filepath.Join(w.root, "cdktf.out/.commit"), []byte("0ld\n"), 0o644)
	d := w.run(o)
	if err := d.synth(context.Background()); err == nil || !strings.Contains(err.Error(), `cdktf.out/.commit "0ld", HEAD abc123`) {
		t.Errorf("stale synthesis: %v", err)
	}
	os.WriteFile(filepath.Join(w.root, "cdktf.out/.commit"), []byte("abc123\n"), 0o644)
	if err := d.synth(context.Background()); err != nil {
		t.Errorf("this commit's synthesis: %v", err)
	}
	if len(w.fake.Find("synth.sh")) != 0 || len(w.fake.Find("tools.sh")) != 0 {
		t.Error("synthesized again (npm/jsii would run with the job's credentials)")
	}
}

// synthesizedWorld is a world whose cdktf.out is this commit's, with the given Terraform JSON per
// component ("{}" for the others), for runs with Options.Synthesized.
func synthesizedWorld(t *testing.T, docs map[string]string) (*world, Options) {
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "git", Args: []string{"rev-parse HEAD"}, Stdout: []string{"abc123\n"}})
	w.fake.Override(reviewRules("dev", nil)...)
	for _, c := range []string{"network", "cluster", "database", "gateway", "gitops"} {
		doc := docs[c]
		if doc == "" {
			doc = "{}"
		}
		os.MkdirAll(filepath.Join(w.root, "cdktf.out/stacks/dev-"+c), 0o755)
		os.WriteFile(filepath.Join(w.root, "cdktf.out/stacks/dev-"+c, "cdk.tf.json"), []byte(doc), 0o644)
	}
	os.WriteFile(filepath.Join(w.root, "cdktf.out/.commit"), []byte("abc123\n"), 0o644)
	o := w.options()
	o.Synthesized = true
	return w, o
}

// A consumer reading an output its producer has not applied yet (a new cross-stack reference)
// is pending, not failed: the producer's output-only plan is applied first.
func TestNewCrossStackReference(t *testing.T) {
	gateway := `{"resource":{"x":{"y":{"vpc":"${data.terraform_remote_state.cross-stack-reference-input-dev-network.outputs.cross-stack-output-new}","id":"${data.terraform_remote_state.cross-stack-reference-input-dev-network.outputs.vpc_id}"}}}}`
	w, o := synthesizedWorld(t, map[string]string{"gateway": gateway})
	dir := t.TempDir()
	if err := Plan(context.Background(), o, dir); err != nil {
		t.Fatalf("%v\n%s", err, w.out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "dev-gateway"+pendingExt))
	if !strings.Contains(string(b), "dev-gateway reads outputs its producers have not applied yet (cross-stack-output-new)") {
		t.Errorf("dev-gateway: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "dev-cluster"+digestExt)); err != nil {
		t.Error("dev-cluster, whose outputs are all there, was not planned")
	}
}

// A plan that only changes outputs is applied (its counts of resources are all 0).
func TestOutputOnlyPlanIsApplied(t *testing.T) {
	w, o := synthesizedWorld(t, nil)
	outputOnly := `{"format_version":"1.2","resource_changes":[],"output_changes":{"cross-stack-output-new":{"actions":["create"],"after":"vpc-1"}}}`
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "network"), "show -json tfplan"}, Stdout: []string{outputOnly}})
	dir := t.TempDir()
	if err := Plan(context.Background(), o, dir); err != nil {
		t.Fatalf("%v\n%s", err, w.out)
	}
	o.Reviewed = dir
	if err := Deploy(context.Background(), o); err != nil {
		t.Fatalf("%v\n%s", err, w.out)
	}
	if len(w.fake.Find("terraform", chdir("dev", "network"), "apply -input=false -lock-timeout=10m tfplan")) != 1 {
		t.Error("the output-only plan of dev-network was not applied")
	}
}

// Read-only plans take no lock; plans for a deploy wait for theirs.
func TestPlanLocks(t *testing.T) {
	for _, noLock := range []bool{false, true} {
		w, o := synthesizedWorld(t, nil)
		o.NoLock = noLock
		if err := Plan(context.Background(), o, t.TempDir()); err != nil {
			t.Fatalf("%v\n%s", err, w.out)
		}
		want := map[bool]string{false: "-lock-timeout=10m", true: "-lock=false"}[noLock]
		if n := len(w.fake.Find("terraform", "plan -input=false -out=tfplan "+want)); n != 4 {
			t.Errorf("NoLock=%v: %d plans with %s, want 4", noLock, n, want)
		}
	}
}
