// Command deploy deploys or destroys one environment, the same way from a laptop, GitHub
// Actions or Atlantis (internal/deploy):
//
//	go run ./cmd/deploy deploy  -env dev        # make deploy ENV=dev
//	go run ./cmd/deploy destroy -env prod -confirm prod   # make destroy ENV=prod CONFIRM=prod
//	go run ./cmd/deploy plan -env dev -out plans           # CI: the plans a reviewer sees
//	go run ./cmd/deploy deploy -env dev -synthesized -reviewed plans   # CI: apply exactly those
//
// Ctrl-C (SIGINT or SIGTERM) interrupts each running Terraform once, so it stops gracefully,
// and closes the tunnel. Exit status: 0 done, 1 failed, 2 a usage or configuration error.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/cmdflags"
	"github.com/phl-platform/phl-platform/internal/deploy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = "usage: go run ./cmd/deploy deploy -env <env> [flags]  |  destroy -env <env> [-confirm <env>] [flags]  |  plan -env <env> -out <dir> [flags]"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "deploy" && args[0] != "destroy" && args[0] != "plan") {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	envName := fs.String("env", "", "the environment: the name of a file in environments/ (required)")
	var confirm, reviewed, planOut *string
	var allowRepo, synthesized, noLock *bool
	switch verb {
	case "destroy":
		confirm = fs.String("confirm", "", "the environment's name again; required for an environment that keeps data (prod). It also sets "+config.TeardownConfirmVar+", so a `teardown: true` in its file is accepted")
	case "deploy":
		allowRepo = fs.Bool("allow-repo-mismatch", false, "deploy even though gitops.repo_url is not this checkout's origin remote")
		reviewed = fs.String("reviewed", "", "apply the AWS stacks only where a new plan makes exactly the changes of the reviewed plans in this folder (written by the plan verb)")
	case "plan":
		planOut = fs.String("out", "", "folder for each AWS stack's reviewed plan: digest, counts and text, never the plan file (required)")
		noLock = fs.Bool("no-lock", false, "take no state lock: read-only plans (pull requests, drift) that will not be applied never hold up a deploy")
	}
	if verb != "destroy" {
		synthesized = fs.Bool("synthesized", false, "use cdktf.out as `make synth` wrote it for this commit (CI synthesizes before it has credentials)")
	}
	t := deploy.DefaultTimeouts
	port := fs.Int("tunnel-port", 0, "local port of the SSM tunnel to the private API endpoint (0: a free one)")
	fs.DurationVar(&t.Poll, "poll", t.Poll, "interval between two looks at something being waited for")
	fs.DurationVar(&t.Tunnel, "tunnel-timeout", t.Tunnel, "how long to wait for a node online in SSM and the tunnel's port")
	fs.DurationVar(&t.ArgoCD, "argocd-timeout", t.ArgoCD, "how long to wait for every Argo CD Application to be Synced and Healthy")
	fs.DurationVar(&t.AppDelete, "app-delete-timeout", t.AppDelete, "destroy: how long each Argo CD Application may take to delete what it deployed")
	fs.DurationVar(&t.Karpenter, "karpenter-timeout", t.Karpenter, "destroy: how long Karpenter may take to terminate its instances")
	fs.DurationVar(&t.Readers, "readers-timeout", t.Readers, "destroy: how long deleting the autoscaled Aurora readers may take")
	fs.DurationVar(&t.Grace, "grace", t.Grace, "after an interrupt, how long a command may take to stop before it is killed")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
		return code
	}
	if *envName == "" || strings.Contains(*envName, ",") {
		fmt.Fprintf(stderr, "error: -env = %q: one environment is required (make %s ENV=dev)\n", *envName, verb)
		return 2
	}
	if planOut != nil && *planOut == "" {
		fmt.Fprintln(stderr, "error: -out is required: the folder for the reviewed plans")
		return 2
	}
	if confirm != nil && *confirm == *envName {
		// The confirmation lets config accept the environment's `teardown: true`.
		os.Setenv(config.TeardownConfirmVar, *envName)
	}
	// LoadApp, not Load: the bootstrap file says whether the environment's CI apply role
	// exists (and the cluster grants it access), which the cluster-access check accepts.
	var envs []*config.Environment
	app, err := config.LoadApp(config.Dir(), *envName, config.BootstrapFile())
	if err == nil {
		envs = app.Environments
		if os.Getenv(config.RequireStateBackendVar) == "true" {
			err = config.RequireStateBackend(envs)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	if _, err := os.Stat("cdktf.json"); err != nil {
		fmt.Fprintln(stderr, "error: run it from the repository's root (no cdktf.json here)")
		return 2
	}
	o := deploy.Options{Env: envs[0], Root: root, Stdout: stdout, Timeouts: t, TunnelPort: *port}
	if synthesized != nil {
		o.Synthesized = *synthesized
	}
	switch verb {
	case "deploy":
		o.AllowRepoMismatch, o.Reviewed = *allowRepo, *reviewed
		err = deploy.Deploy(ctx, o)
	case "plan":
		o.NoLock = *noLock
		err = deploy.Plan(ctx, o, *planOut)
	default:
		o.Confirm = *confirm
		err = deploy.Destroy(ctx, o)
	}
	if err != nil {
		return 1 // the run printed the error after its phase times
	}
	return 0
}
