// Package gitops installs Argo CD into the cluster and hands it the environment: a Helm release
// of Argo CD (pinned, HA where configured, on the critical node group, no public endpoint) and a
// Helm release of the root chart (gitops/charts/platform) whose Applications deploy everything
// else from Git. Values only Terraform knows reach the Applications as Helm values of the root
// chart, so nothing account-specific is committed to gitops/.
package gitops

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v10/release"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Props configure the construct. Defaults are applied in New.
type Props struct {
	// ArgoCDChartRepository and ArgoCDChartVersion pin the argo-cd chart (required).
	ArgoCDChartRepository string
	ArgoCDChartVersion    string
	// HA runs Argo CD highly available: Redis HA and two replicas of the API server, repo
	// server and ApplicationSet controller.
	HA bool
	// NodeGroupName is the managed node group Argo CD runs on (default "critical"); Argo CD
	// tolerates its CriticalAddonsOnly taint.
	NodeGroupName string
	// Namespace of Argo CD and of the root Applications (default "argocd").
	Namespace string
	// RootChartDir is the local path of the root chart (gitops/charts/platform); it is copied
	// into the synthesized stack as an asset (required).
	RootChartDir string
	// RootValues are the root chart's values; they may hold tokens of other stacks' outputs.
	RootValues map[string]interface{}
	// TimeoutSeconds bounds each Helm release's install or upgrade (default 900).
	TimeoutSeconds float64
}

// GitOps exposes the releases.
type GitOps struct {
	constructs.Construct
	ArgoCD release.Release
	Root   release.Release
	props  Props
}

// New installs Argo CD and the root chart. It panics on invalid props: callers validate user input first.
func New(scope constructs.Construct, id string, props Props) *GitOps {
	props = props.withDefaults()
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("gitops.New(%q): %v", id, err))
	}
	g := &GitOps{Construct: constructs.NewConstruct(scope, jsii.String(id)), props: props}
	g.addArgoCD()
	g.addRoot()
	return g
}

func (p Props) withDefaults() Props {
	if p.NodeGroupName == "" {
		p.NodeGroupName = "critical"
	}
	if p.Namespace == "" {
		p.Namespace = "argocd"
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 900
	}
	// The jsii kernel resolves asset paths from its own working directory.
	if abs, err := filepath.Abs(p.RootChartDir); err == nil {
		p.RootChartDir = abs
	}
	return p
}

func (p Props) validate() error {
	switch {
	case p.ArgoCDChartRepository == "" || p.ArgoCDChartVersion == "":
		return fmt.Errorf("ArgoCDChartRepository and ArgoCDChartVersion are required")
	case p.RootValues == nil:
		return fmt.Errorf("RootValues are required")
	}
	if _, err := os.Stat(filepath.Join(p.RootChartDir, "Chart.yaml")); err != nil {
		return fmt.Errorf("RootChartDir %q is not a chart: %v", p.RootChartDir, err)
	}
	return nil
}

// addRoot installs the root chart: the environment's Applications (app of apps).
func (g *GitOps) addRoot() {
	chart := cdktf.NewTerraformAsset(g.Construct, jsii.String("root-chart"), &cdktf.TerraformAssetConfig{
		Path: jsii.String(g.props.RootChartDir),
		Type: cdktf.AssetType_DIRECTORY,
	})
	g.Root = release.NewRelease(g.Construct, jsii.String("root"), &release.ReleaseConfig{
		Name:      jsii.String("platform"),
		Chart:     chart.Path(),
		Namespace: jsii.String(g.props.Namespace),
		// JSON is YAML: Terraform renders the values with the other stacks' outputs in place.
		Values:    &[]*string{cdktf.Fn_Jsonencode(g.props.RootValues)},
		Atomic:    jsii.Bool(true),
		Timeout:   jsii.Number(g.props.TimeoutSeconds),
		DependsOn: &[]cdktf.ITerraformDependable{g.ArgoCD},
	})
}
