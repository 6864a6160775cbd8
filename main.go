// Command phl-platform synthesizes the platform's Terraform stacks for the selected
// environments (all files in environments/ by default; PHL_ENVIRONMENTS=dev,prod to choose).
// Run it through `cdktf synth|diff|deploy` or `make synth`.
package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/stacks"
)

func main() {
	// Validate every environment before the app exists, so bad input writes nothing.
	envs, err := config.Load(config.Dir(), os.Getenv(config.SelectionVar))
	if err == nil && os.Getenv(config.RequireStateBackendVar) == "true" {
		err = config.RequireStateBackend(envs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	app := cdktf.NewApp(nil)
	for _, env := range envs {
		stacks.Build(app, env)
	}
	app.Synth()
	// Stop the jsii kernel, which removes its scratch folder.
	jsii.Close()
}
