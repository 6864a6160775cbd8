// Package preflight checks, against the real AWS account and before any apply, what the offline
// ladder cannot see: that the caller is in the configured account, that the AZs, quotas,
// versions, instance types and names the synthesized stacks ask for exist and are free. It only
// reads (Policy is the IAM policy it needs) and it reads the synthesized stacks in cdktf.out, so
// it checks exactly what `cdktf deploy` will apply.
package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/phl-platform/phl-platform/config"
)

// Status is the outcome of one check.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // not checked, Detail says why
)

// Check is the outcome of one check of one environment.
type Check struct {
	Environment string `json:"environment"`
	Name        string `json:"check"`
	Status      Status `json:"status"`
	Detail      string `json:"detail"`
	Fix         string `json:"fix,omitempty"`
}

// String is the check as one line: `FAIL dev network.azs: ... (fix: ...)`.
func (c Check) String() string {
	s := fmt.Sprintf("%s %s %s: %s", strings.ToUpper(string(c.Status)), c.Environment, c.Name, c.Detail)
	if c.Fix != "" {
		s += " (fix: " + c.Fix + ")"
	}
	return s
}

// Components are the stacks preflight reads (the gitops stack for the charts it pins).
var Components = []string{"network", "cluster", "database", "gateway", "gitops"}

// Options are what Run reads besides the synthesized stacks and the account.
type Options struct {
	// Charts is this repository's gitops/charts folder: the platform chart's Applications pin
	// charts of other repositories, and the karpenter-nodes chart the AMI alias (Argo CD reads
	// the same files from Git).
	Charts string
	// Repos asks the Helm chart repositories; nil: NewChartRepos(nil, "").
	Repos *ChartRepos
}

// Run checks one environment: its synthesized stacks in out, against the account that cfg's
// credentials reach. Every check is reported, as pass, fail or skip; a wrong account or a
// disabled region skips the rest, since their answers would describe another account.
func Run(ctx context.Context, cfg aws.Config, env *config.Environment, out *Output, opts Options) []Check {
	if opts.Repos == nil {
		opts.Repos = NewChartRepos(nil, "")
	}
	r := &runner{ctx: ctx, env: env, out: out, cfg: cfg, aws: NewClients(cfg, env.Region), opts: opts}
	stacksOK := r.checkStacks()
	if !r.checkIdentity() {
		r.skipRest("the caller is not in account " + env.AccountID + " with " + env.Region + " enabled")
		return r.checks
	}
	if !stacksOK {
		r.skipRest("the stacks are not synthesized for this environment")
		return r.checks
	}
	r.checkNetwork()
	r.checkCluster()
	r.checkDatabase()
	r.checkGateway()
	r.checkGitops()
	r.checkBackend()
	return r.checks
}

// runner holds one environment's run.
type runner struct {
	ctx    context.Context
	env    *config.Environment
	out    *Output
	cfg    aws.Config
	aws    *Clients
	opts   Options
	checks []Check
}

func (r *runner) add(name string, st Status, detail, fix string) {
	r.checks = append(r.checks, Check{Environment: r.env.Name, Name: name, Status: st, Detail: detail, Fix: fix})
}

func (r *runner) pass(name, detail string)      { r.add(name, Pass, detail, "") }
func (r *runner) fail(name, detail, fix string) { r.add(name, Fail, detail, fix) }
func (r *runner) skip(name, why string)         { r.add(name, Skip, why, "") }

// apiFail reports a call that failed: what was called, AWS's answer, and the usual fix.
func (r *runner) apiFail(name, call string, err error) {
	r.fail(name, call+": "+describe(err), fixFor(err))
}

// skipRest reports the area checks that were not run.
func (r *runner) skipRest(why string) {
	for _, area := range []string{"network", "cluster", "database", "gateway", "gitops", "backend"} {
		r.skip(area, "not checked: "+why)
	}
}

// stack is the environment's synthesized stack of a component, nil when absent.
func (r *runner) stack(component string) *Stack {
	return r.out.Stack(r.env.StackName(component))
}

// Summary counts the checks by status.
func Summary(checks []Check) (pass, fail, skip int) {
	for _, c := range checks {
		switch c.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		default:
			skip++
		}
	}
	return
}
