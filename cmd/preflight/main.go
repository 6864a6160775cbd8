// Command preflight checks the selected environments (PHL_ENVIRONMENTS; all by default)
// against the real AWS account before `cdktf deploy`: it reads the synthesized stacks
// (cdktf.out, `make synth` first) and asks AWS, read-only, whether what they will create fits:
// account and region, AZs and quotas, Kubernetes and add-on versions and add-on configuration
// schemas, instance types, admin principals, Aurora version, log exports, CA and class, Cognito
// prefix, certificate, hosted zone and state bucket, Bottlerocket AMIs; and asks the Helm
// repositories whether the chart versions gitops/charts and the gitops stack pin exist.
//
//	go run ./cmd/preflight [-json] [-out cdktf.out] [-charts gitops/charts]   one line per check, a summary; exit 1 on a failure
//	go run ./cmd/preflight -policy                                           the IAM policy it needs, for the selected environments
//
// Exit status: 0 all passed (or skipped), 1 a check failed, 2 a usage or configuration error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/cmdflags"
	"github.com/phl-platform/phl-platform/internal/preflight"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preflight", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the checks as a JSON array (the summary goes to stderr)")
	outDir := fs.String("out", "cdktf.out", "the synthesized output to check (`make synth` writes it)")
	charts := fs.String("charts", filepath.Join("gitops", "charts"), "this repository's gitops/charts: the chart pins and the Karpenter AMI alias")
	chartRepos := fs.String("chart-repos", "", "ask every Helm repository below this base URL (`URL`/<host>/<path>: a mirror, or a test's fake) instead of itself")
	policy := fs.Bool("policy", false, "print the IAM policy preflight needs for the selected environments, and exit")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/preflight [-json] [-out DIR] [-charts DIR] [-chart-repos URL] [-policy]   (PHL_ENVIRONMENTS selects environments)")
		fs.PrintDefaults()
	}
	if code, ok := cmdflags.Parse(fs, args); !ok {
		return code
	}
	app, err := config.LoadApp(config.Dir(), os.Getenv(config.SelectionVar), config.BootstrapFile())
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	envs := app.Environments
	if *policy {
		b, _ := json.MarshalIndent(preflight.Policy(envs), "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	out, err := preflight.LoadOutput(*outDir)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	for _, f := range []string{filepath.Join("platform", "values.yaml"), filepath.Join("karpenter-nodes", "values.yaml")} {
		if _, err := os.Stat(filepath.Join(*charts, f)); err != nil {
			fmt.Fprintf(stderr, "error: -charts %s: no %s (run from the repository root, or pass -charts <repository>/gitops/charts)\n", *charts, f)
			return 2
		}
	}
	if *chartRepos != "" {
		if u, err := url.Parse(*chartRepos); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(stderr, "error: -chart-repos %q: not an http(s) URL (want e.g. https://mirror.example.com/helm)\n", *chartRepos)
			return 2
		}
	}
	opts := preflight.Options{Charts: *charts, Repos: preflight.NewChartRepos(nil, *chartRepos)}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "error: AWS configuration:", err)
		return 2
	}
	var checks []preflight.Check
	for _, env := range envs {
		checks = append(checks, preflight.Run(ctx, cfg, env, out, opts)...)
	}
	return report(checks, envs, *asJSON, stdout, stderr)
}

func report(checks []preflight.Check, envs []*config.Environment, asJSON bool, stdout, stderr io.Writer) int {
	pass, fail, skip := preflight.Summary(checks)
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	summary := fmt.Sprintf("preflight %v: %d pass, %d fail, %d skip", names, pass, fail, skip)
	if asJSON {
		if checks == nil {
			checks = []preflight.Check{}
		}
		b, _ := json.MarshalIndent(checks, "", "  ")
		fmt.Fprintln(stdout, string(b))
		fmt.Fprintln(stderr, summary)
	} else {
		for _, c := range checks {
			fmt.Fprintln(stdout, c.String())
		}
		fmt.Fprintln(stdout, summary)
	}
	if fail > 0 {
		return 1
	}
	return 0
}
