// Command phl-platform synthesizes the platform's Terraform stacks for the selected
// environments (all files in environments/ by default; PHL_ENVIRONMENTS=dev,prod to choose).
// Run it through `cdktf synth|diff|deploy` or `make synth`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/image"
	"github.com/phl-platform/phl-platform/internal/rdsca"
	"github.com/phl-platform/phl-platform/stacks"
)

func main() {
	// Validate every environment and the bootstrap file before the app exists, so bad input
	// writes nothing.
	cfg, err := config.LoadApp(config.Dir(), os.Getenv(config.SelectionVar), config.BootstrapFile())
	if err == nil && os.Getenv(config.RequireStateBackendVar) == "true" {
		err = config.RequireStateBackend(cfg.Environments)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	// The artifacts (a Go build of the bootstrap image, for its digest) are made while the jsii
	// kernel starts and loads the providers' assemblies: both take seconds, on different cores.
	type built struct {
		art stacks.Artifacts
		err error
	}
	artifactsDone := make(chan built, 1)
	go func() {
		var b built
		if len(cfg.Environments) > 0 {
			b.art, b.err = artifacts(cfg.Environments)
		}
		artifactsDone <- b
	}()
	app := cdktf.NewApp(nil)
	stacks.LoadProviders(app)
	b := <-artifactsDone
	if b.err != nil {
		fmt.Fprintln(os.Stderr, "error:", b.err)
		jsii.Close()
		os.Exit(2)
	}
	build(app, cfg, b.art)
	app.Synth()
	// Stop the jsii kernel, which removes its scratch folder.
	jsii.Close()
}

// build adds every selected stack to app.
func build(app cdktf.App, cfg *config.App, art stacks.Artifacts) {
	for _, env := range cfg.Environments {
		stacks.Build(app, env, art)
	}
	if cfg.WithBootstrap && cfg.Bootstrap != nil {
		for _, a := range cfg.Bootstrap.Accounts {
			stacks.NewBootstrapStack(app, cfg.Bootstrap, a, cfg.All)
		}
	}
}

// artifacts builds what the stacks take from the repository rather than from config: the
// bootstrap image's digest (a reproducible build; deploy.yml pushes the same one) and the RDS
// CA certificates of each environment's region.
func artifacts(envs []*config.Environment) (stacks.Artifacts, error) {
	root, err := os.Getwd()
	if err != nil {
		return stacks.Artifacts{}, err
	}
	idx, err := image.Build(context.Background(), image.Options{Package: image.BootstrapPackage, Dir: root})
	if err != nil {
		return stacks.Artifacts{}, fmt.Errorf("bootstrap image: %w", err)
	}
	digest, err := idx.Digest()
	if err != nil {
		return stacks.Artifacts{}, err
	}
	art := stacks.Artifacts{RepoRoot: root, BootstrapImageDigest: digest.String(), RDSCABundles: map[string]string{}}
	for _, env := range envs {
		if art.RDSCABundles[env.Region], err = rdsca.Bundle(root, env.Region); err != nil {
			return art, err
		}
		if err := art.Validate(env); err != nil {
			return art, err
		}
	}
	return art, nil
}
