package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/phl-platform/phl-platform/internal/ci"
)

// Files of a reviewed plan, per stack, in the folder the plan job uploads: the digest of the
// changes (ci.PlanDigest), the counts and the text a reviewer reads (`terraform show`, which
// prints sensitive values as "(sensitive value)"). The plan file itself, which holds state
// values and secrets, never leaves the job that made it.
const (
	digestExt  = ".digest"
	countsExt  = ".counts.json"
	textExt    = ".txt"
	errorExt   = ".error"
	pendingExt = ".pending"
)

// errPending: a stack cannot be planned yet because a producer has no state (a first deploy).
var errPending = errors.New("not planned yet")

// Plan plans every AWS stack of the environment into dir for a reviewer (the deploy
// workflow's plan job, with the read-only plan role), in graph order. A stack whose producer
// has no state yet cannot be planned (its remote-state reads would fail): it is recorded as
// not planned, and a later run plans it once the producer is applied.
func Plan(ctx context.Context, o Options, dir string) error {
	return execute(o, "plan", func(d *run) error { return d.planAll(ctx, dir) })
}

func (d *run) planAll(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := d.phase("checks", func() error {
		return d.runChecks(ctx, []check{{"tools", d.checkTools}, {"credentials", d.checkCredentials}})
	}); err != nil {
		return err
	}
	if err := d.phase("synth", func() error { return d.synth(ctx) }); err != nil {
		return err
	}
	if err := d.phase("preflight", func() error { return d.preflight(ctx) }); err != nil {
		return err
	}
	var failed []string
	for _, stage := range awsStages {
		for _, c := range stage {
			stack := d.env.StackName(c)
			err := d.phase("plan "+stack, func() error { return d.planForReview(ctx, c, dir) })
			switch {
			case errors.Is(err, errPending):
				// Expected on a first deploy: the apply job applies the stages before it and
				// says to run again.
				_ = os.WriteFile(filepath.Join(dir, stack+pendingExt), []byte(err.Error()+"\n"), 0o644)
			case err != nil:
				failed = append(failed, stack)
				_ = os.WriteFile(filepath.Join(dir, stack+errorExt), []byte(err.Error()+"\n"), 0o644)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("not planned: %s (the lines above say why)", strings.Join(failed, ", "))
	}
	return nil
}

// producers are the components a stack reads outputs of (stacks/app.go's dependencies).
var producers = map[string][]string{"cluster": {"network"}, "database": {"network"}, "gateway": {"network", "cluster"}}

func (d *run) planForReview(ctx context.Context, component, dir string) error {
	if err := d.init(ctx, component); err != nil {
		return err
	}
	for _, p := range producers[component] {
		o, err := d.readOutputs(ctx, p)
		if err != nil {
			return err
		}
		if !o.applied() {
			return fmt.Errorf("%w: %s has no state yet, so %s cannot be planned against it: the deploy applies %s first, and the next run plans %s",
				errPending, d.env.StackName(p), d.env.StackName(component), d.env.StackName(p), d.env.StackName(component))
		}
	}
	if err := d.checkProducerOutputs(ctx, component); err != nil {
		return err
	}
	digest, counts, err := d.planDigest(ctx, component)
	if err != nil {
		return err
	}
	defer os.Remove(d.planFile(component))
	text, err := d.r.run(ctx, command{name: "terraform", args: []string{"-chdir=" + d.stackDir(component), "show", "-no-color", "tfplan"},
		label: d.env.StackName(component), capture: true})
	if err != nil {
		return err
	}
	stack := d.env.StackName(component)
	countsJSON, _ := json.Marshal(counts)
	for ext, data := range map[string][]byte{digestExt: []byte(digest + "\n"), countsExt: countsJSON, textExt: text} {
		if err := os.WriteFile(filepath.Join(dir, stack+ext), data, 0o644); err != nil {
			return err
		}
	}
	d.printf("[%s] reviewed plan: %d to add, %d to change, %d to destroy, %d outputs (%s)\n", stack, counts.Add, counts.Change, counts.Destroy, counts.Outputs, digest)
	return nil
}

func (d *run) planFile(component string) string {
	return filepath.Join(d.o.Root, d.stackDir(component), "tfplan")
}

// planDigest plans the stack into its tfplan (the caller removes it) and returns the digest
// and counts of its changes.
func (d *run) planDigest(ctx context.Context, component string, env ...string) (string, ci.Counts, error) {
	if err := d.terraform(ctx, component, env, "plan", "-input=false", "-out=tfplan", d.lockFlag()); err != nil {
		return "", ci.Counts{}, err
	}
	show, err := d.r.run(ctx, command{name: "terraform", args: []string{"-chdir=" + d.stackDir(component), "show", "-json", "tfplan"},
		label: d.env.StackName(component), capture: true})
	if err != nil {
		return "", ci.Counts{}, err
	}
	digest, err := ci.PlanDigest(show)
	if err != nil {
		return "", ci.Counts{}, fmt.Errorf("%s: %w", d.env.StackName(component), err)
	}
	counts, err := ci.CountPlan(show)
	return digest, counts, err
}

// errPlanChanged: the plan made now is not the one reviewed.
var errPlanChanged = errors.New("the plan changed since it was reviewed")

// applyReviewed plans the stack again and applies that plan only when it makes exactly the
// reviewed changes (ci.PlanDigest). It refuses a stack without a reviewed plan, and a plan that
// differs: the state changed since the review (someone applied in between), or a producer
// applied earlier in this run changed what the stack reads. Either way a reviewer must see the
// new plan: run the workflow again.
func (d *run) applyReviewed(ctx context.Context, component string) error {
	stack := d.env.StackName(component)
	want, err := os.ReadFile(filepath.Join(d.o.Reviewed, stack+digestExt))
	if err != nil {
		why := "no reviewed plan"
		for _, ext := range []string{pendingExt, errorExt} {
			if e, rerr := os.ReadFile(filepath.Join(d.o.Reviewed, stack+ext)); rerr == nil {
				why = "it was not planned for review: " + strings.TrimSpace(string(e))
			}
		}
		return fmt.Errorf("%s: %s; run the deploy workflow again to plan it for review", stack, why)
	}
	if err := d.init(ctx, component); err != nil {
		return err
	}
	defer os.Remove(d.planFile(component))
	got, counts, err := d.planDigest(ctx, component)
	if err != nil {
		return err
	}
	if got != strings.TrimSpace(string(want)) {
		return fmt.Errorf("%s: %w (reviewed %s, now %s: the state changed since, or a stack it reads was applied in this run); run the deploy workflow again to review the new plan",
			stack, errPlanChanged, strings.TrimSpace(string(want)), got)
	}
	if counts == (ci.Counts{}) { // no resource and no output changes
		d.printf("[%s] the reviewed plan has no changes\n", stack)
		return nil
	}
	return d.terraform(ctx, component, nil, "apply", "-input=false", lockTimeout, "tfplan")
}

// checkSynthesized: with Options.Synthesized the run uses cdktf.out as the job synthesized it
// before it had credentials; it must be this commit's (scripts/synth.sh writes .commit).
func (d *run) checkSynthesized(ctx context.Context) error {
	head, err := d.r.run(ctx, command{name: "git", args: []string{"rev-parse", "HEAD"}, capture: true})
	if err != nil {
		return err
	}
	got, err := os.ReadFile(filepath.Join(d.o.Root, "cdktf.out", ".commit"))
	if err != nil || strings.TrimSpace(string(got)) != strings.TrimSpace(string(head)) {
		return fmt.Errorf("cdktf.out is not this commit's synthesis (cdktf.out/.commit %q, HEAD %s): run make synth first",
			strings.TrimSpace(string(got)), strings.TrimSpace(string(head)))
	}
	for _, c := range []string{"network", "cluster", "database", "gateway", "gitops"} {
		if _, err := os.Stat(filepath.Join(d.o.Root, d.stackDir(c), "cdk.tf.json")); err != nil {
			return fmt.Errorf("synth: %s was not synthesized (%s/cdk.tf.json missing)", d.env.StackName(c), d.stackDir(c))
		}
	}
	d.printf("cdktf.out is this commit's synthesis (%s)\n", strings.TrimSpace(string(head)))
	return nil
}

// lockTimeout: plans of pull requests, drift and deploys share the environment's state lock
// files; a command waits this long for a lock before failing (Terraform's default is to fail at
// once: developer.hashicorp.com/terraform/cli/commands/plan, -lock-timeout).
const lockTimeout = "-lock-timeout=10m"

// lockFlag: read-only plans (pull requests, drift) take no lock, so they never hold up a deploy;
// plans that will be applied wait for theirs.
func (d *run) lockFlag() string {
	if d.o.NoLock {
		return "-lock=false"
	}
	return lockTimeout
}

// remoteOutputRef is a consumer's read of a producer output (cdktf's cross-stack references:
// data.terraform_remote_state.<name>.outputs.<output>).
var remoteOutputRef = regexp.MustCompile(`terraform_remote_state\.[A-Za-z0-9_-]+\.outputs\.([A-Za-z0-9_-]+)`)

// checkProducerOutputs: a consumer that reads an output its producer has not applied yet (a new
// cross-stack reference) cannot be planned ("Unsupported attribute"); like a producer without
// state, that is a stack to plan in the next run, once the producer's new output is applied.
func (d *run) checkProducerOutputs(ctx context.Context, component string) error {
	doc, err := os.ReadFile(filepath.Join(d.o.Root, d.stackDir(component), "cdk.tf.json"))
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range producers[component] {
		o, err := d.readOutputs(ctx, p)
		if err != nil {
			return err
		}
		for name := range o.values {
			have[name] = true
		}
	}
	var missing []string
	for _, m := range remoteOutputRef.FindAllStringSubmatch(string(doc), -1) {
		if !have[m[1]] && !slices.Contains(missing, m[1]) {
			missing = append(missing, m[1])
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("%w: %s reads outputs its producers have not applied yet (%s): the deploy applies them first, and the next run plans %s",
			errPending, d.env.StackName(component), strings.Join(missing, ", "), d.env.StackName(component))
	}
	return nil
}
