package helmbinding

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v10/provider"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v10/release"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// TestMain stops the jsii kernel after the tests, so it removes its scratch folder.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// The generated binding loads in the kernel and synthesizes the provider and a release.
func TestReleaseSynthesizes(t *testing.T) {
	app := cdktf.Testing_App(&cdktf.TestingAppConfig{Outdir: jsii.String(t.TempDir())})
	stack := cdktf.NewTerraformStack(app, jsii.String("helm"))
	provider.NewHelmProvider(stack, jsii.String("helm"), &provider.HelmProviderConfig{
		Kubernetes: &provider.HelmProviderKubernetes{ConfigPath: jsii.String("kubeconfig")},
	})
	release.NewRelease(stack, jsii.String("app"), &release.ReleaseConfig{
		Name:      jsii.String("app"),
		Chart:     jsii.String("./chart"),
		Namespace: jsii.String("apps"),
	})
	var doc struct {
		Terraform struct {
			RequiredProviders map[string]struct{ Source, Version string } `json:"required_providers"`
		}
		Provider map[string][]struct {
			Kubernetes struct {
				ConfigPath string `json:"config_path"`
			}
		}
		Resource map[string]map[string]struct{ Name, Chart, Namespace string }
	}
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(stack, nil)), &doc); err != nil {
		t.Fatalf("synthesized JSON does not parse: %v", err)
	}
	if got := doc.Terraform.RequiredProviders["helm"]; (got.Source != "helm" && got.Source != "hashicorp/helm") || got.Version == "" {
		t.Errorf("required_providers.helm = %+v, want source helm (hashicorp/helm) with a version", got)
	}
	if p := doc.Provider["helm"]; len(p) != 1 || p[0].Kubernetes.ConfigPath != "kubeconfig" {
		t.Errorf("provider.helm = %+v, want one block with kubernetes.config_path", p)
	}
	if r := doc.Resource["helm_release"]["app"]; r.Name != "app" || r.Chart != "./chart" || r.Namespace != "apps" {
		t.Errorf("helm_release.app = %+v", r)
	}
}
