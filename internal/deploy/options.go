// Package deploy is what `make deploy` and `make destroy` run (cmd/deploy): one environment's
// stacks applied with plain Terraform in the deploy graph's order (network → cluster ∥ database
// → gateway → gitops), the bootstrap image pushed, Argo CD reached through an SSM tunnel and
// waited for, the smoke check run; and the reverse, leaving nothing billable. Laptops, GitHub
// Actions and Atlantis all call the same command, so workflows stay thin.
//
// Every external effect goes through programs (aws, terraform, kubectl, git, go and the
// repository's scripts), found on PATH, so the tests run the whole flow against fakes.
package deploy

import (
	"io"
	"os"
	"time"

	"github.com/phl-platform/phl-platform/config"
)

// Options configure one deploy or destroy.
type Options struct {
	Env *config.Environment
	// Root is the repository: every command runs there, and cdktf.out is under it.
	Root   string
	Stdout io.Writer
	// Environ is the environment of every command, PATH included: programs are looked up on
	// its PATH (nil: this process's environment).
	Environ  []string
	Timeouts Timeouts
	// TunnelPort is the local port of the SSM tunnel; 0 picks a free one.
	TunnelPort int
	// AllowRepoMismatch deploys even when gitops.repo_url is not this checkout's origin.
	AllowRepoMismatch bool
	// Confirm must equal the environment's name to destroy an environment that keeps data.
	Confirm string
	// Synthesized: cdktf.out was written by `make synth` before this run (in CI, before the
	// job had credentials, so no npm or jsii code runs with them); it must be this commit's.
	Synthesized bool
	// Reviewed is the folder of the plans a reviewer saw (Plan): the AWS stacks are applied
	// only where a new plan makes exactly the reviewed changes. Empty: plan and apply.
	Reviewed string
	// NoLock: plans take no state lock (read-only plans of pull requests and drift).
	NoLock bool
}

// Timeouts bound every wait; the tests shrink them to milliseconds.
type Timeouts struct {
	Poll      time.Duration // between two looks at something being waited for
	Tunnel    time.Duration // until a node is online in SSM and the tunnel's port accepts
	ArgoCD    time.Duration // until every Argo CD Application is Synced and Healthy
	AppDelete time.Duration // per Application deleted on destroy (its finalizer's cleanup)
	Karpenter time.Duration // until no Karpenter-launched instance of the cluster is left
	Readers   time.Duration // until the autoscaled Aurora readers are deleted
	// Grace is how long a child has between SIGINT (SIGTERM for the tunnel) and SIGKILL.
	Grace time.Duration
}

// DefaultTimeouts fit a real account: EKS nodes register with SSM within minutes, a first
// Argo CD sync (Karpenter nodes, the database bootstrap, the app) takes up to half an hour,
// deleting an Aurora instance 5-10 minutes.
var DefaultTimeouts = Timeouts{
	Poll:      10 * time.Second,
	Tunnel:    10 * time.Minute,
	ArgoCD:    30 * time.Minute,
	AppDelete: 20 * time.Minute,
	Karpenter: 15 * time.Minute,
	Readers:   30 * time.Minute,
	Grace:     2 * time.Minute,
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	for _, f := range []struct{ v, def *time.Duration }{
		{&t.Poll, &d.Poll}, {&t.Tunnel, &d.Tunnel}, {&t.ArgoCD, &d.ArgoCD}, {&t.AppDelete, &d.AppDelete},
		{&t.Karpenter, &d.Karpenter}, {&t.Readers, &d.Readers}, {&t.Grace, &d.Grace},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return t
}

func (o Options) environ() []string {
	if o.Environ != nil {
		return o.Environ
	}
	return os.Environ()
}
