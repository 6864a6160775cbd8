package stacks

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/config"
)

func synthGitops(t *testing.T, envName string) *synthesized {
	t.Helper()
	env := shipped(t, envName)
	return synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
		return Build(app, env, testArtifacts()).Gitops.TerraformStack
	})
}

// A test synth of one stack keeps cross-stack references as plain resource references (the
// app's synth turns them into terraform_remote_state); either way they name the producer's
// resource, never a literal.

// The Helm provider reaches the cluster with the endpoint and CA of the cluster stack and a
// token from `aws eks get-token`; a tunnel replaces only the host, never the TLS name.
func TestGitopsHelmProviderUsesExecAuth(t *testing.T) {
	s := synthGitops(t, "dev")
	providers, _ := s.path("provider", "helm").([]any)
	if len(providers) != 1 {
		t.Fatalf("helm providers: %v", providers)
	}
	k, _ := providers[0].(map[string]any)["kubernetes"].(map[string]any)
	cluster := "aws_eks_cluster."
	exec, _ := k["exec"].(map[string]any)
	if exec["command"] != "aws" || exec["api_version"] != "client.authentication.k8s.io/v1beta1" ||
		strings.Join(asStrings(exec["args"]), " ") != "eks get-token --output json --cluster-name phl-dev --region ap-southeast-1" {
		t.Errorf("exec = %v", exec)
	}
	host, _ := k["host"].(string)
	if !regexp.MustCompile(`^\$\{coalesce\(var\.` + KubeAPIHostVariable + `, aws_eks_cluster\.\S+\.endpoint\)\}$`).MatchString(host) {
		t.Errorf("host = %s", host)
	}
	if tls, _ := k["tls_server_name"].(string); !strings.HasPrefix(tls, "${replace("+cluster) || !strings.HasSuffix(tls, `endpoint, "https://", "")}`) {
		t.Errorf("tls_server_name = %s", tls)
	}
	if ca, _ := k["cluster_ca_certificate"].(string); !strings.HasPrefix(ca, "${base64decode("+cluster) || !strings.Contains(ca, "certificate_authority") {
		t.Errorf("cluster_ca_certificate = %s", ca)
	}
	for _, key := range []string{"config_path", "config_paths", "token", "client_key", "password"} {
		if _, ok := k[key]; ok {
			t.Errorf("the provider sets %s: no kubeconfig files or static credentials", key)
		}
	}
	if v := s.path("variable", KubeAPIHostVariable, "default"); v != "" {
		t.Errorf("variable %s default = %v, want empty (the endpoint)", KubeAPIHostVariable, v)
	}
}

func releaseNamed(t *testing.T, s *synthesized, name string) map[string]any {
	t.Helper()
	for _, r := range s.resources("helm_release") {
		if r["name"] == name {
			return r
		}
	}
	t.Fatalf("no helm_release named %q", name)
	return nil
}

// Argo CD: pinned chart, HA only in prod, no public exposure, on the critical node group, the
// Application health check that makes sync waves wait, sized components.
func TestArgoCDReleasePinnedWithItsValues(t *testing.T) {
	for _, envName := range []string{"dev", "prod"} {
		t.Run(envName, func(t *testing.T) {
			r := releaseNamed(t, synthGitops(t, envName), "argocd")
			if r["repository"] != config.ArgoCDChartRepository || r["chart"] != "argo-cd" || r["version"] != config.ArgoCDChartVersion ||
				r["namespace"] != "argocd" || r["create_namespace"] != true || r["atomic"] != true {
				t.Fatalf("release = %v", r)
			}
			var v map[string]any
			if err := yaml.Unmarshal([]byte(asStrings(r["values"])[0]), &v); err != nil {
				t.Fatal(err)
			}
			get := func(path string) any {
				var cur any = v
				for _, k := range strings.Split(path, "/") {
					cur = cur.(map[string]any)[k]
				}
				return cur
			}
			ha := envName == "prod"
			wantReplicas := map[bool]int{true: 2, false: 1}[ha]
			for _, c := range []string{"server", "repoServer", "applicationSet"} {
				if get(c+"/replicas") != wantReplicas {
					t.Errorf("%s replicas = %v, want %d", c, get(c+"/replicas"), wantReplicas)
				}
			}
			checks := map[string]any{
				"redis-ha/enabled": ha, "server/service/type": "ClusterIP", "server/ingress/enabled": false, "dex/enabled": false,
				"global/nodeSelector/eks.amazonaws.com~1nodegroup": "critical", "configs/cm/users.anonymous.enabled": false,
				"configs/cm/exec.enabled": false, "controller/replicas": 1, "configs/params/applicationsetcontroller.enable.leader.election": ha,
			}
			for path, want := range checks {
				path = strings.ReplaceAll(path, "~1", "\x00")
				var cur any = v
				for _, k := range strings.Split(path, "/") {
					cur = cur.(map[string]any)[strings.ReplaceAll(k, "\x00", "/")]
				}
				if cur != want {
					t.Errorf("%s = %v, want %v", strings.ReplaceAll(path, "\x00", "/"), cur, want)
				}
			}
			if tol := fmt.Sprint(get("global/tolerations")); !strings.Contains(tol, "CriticalAddonsOnly") {
				t.Errorf("global tolerations %s: Argo CD must run on the tainted critical nodes", tol)
			}
			if h, _ := get("configs/cm").(map[string]any)["resource.customizations.health.argoproj.io_Application"].(string); !strings.Contains(h, "obj.status.health.status") {
				t.Errorf("no Application health check, so sync waves would not wait for children: %q", h)
			}
			for _, c := range []string{"server", "controller", "repoServer", "applicationSet", "redis"} {
				res := fmt.Sprint(get(c + "/resources"))
				if !strings.Contains(res, "requests:map[cpu:") || !strings.Contains(res, "limits:map[memory:") {
					t.Errorf("%s resources = %s", c, res)
				}
			}
		})
	}
}

// The root Application's values: what only Terraform knows comes from the other stacks'
// outputs (never a literal), the rest from config and the build.
func TestRootApplicationValuesAreWiredFromTheStacks(t *testing.T) {
	s := synthGitops(t, "dev")
	root := releaseNamed(t, s, "platform")
	argocd := ""
	for n, r := range s.resources("helm_release") {
		if r["name"] == "argocd" {
			argocd = "helm_release." + n
		}
	}
	if chart, _ := root["chart"].(string); !strings.HasPrefix(chart, "assets/") || root["namespace"] != "argocd" ||
		!strings.Contains(fmt.Sprint(root["depends_on"]), argocd) {
		t.Fatalf("root release = chart %v namespace %v depends_on %v", root["chart"], root["namespace"], root["depends_on"])
	}
	values := asStrings(root["values"])[0]
	if !strings.HasPrefix(values, "${jsonencode({") {
		t.Fatalf("values are not one jsonencode expression: %.80s", values)
	}
	wired := map[string]string{ // key -> the producer's resource and attribute
		"name": `aws_eks_cluster\.\S+\.name`, "kmsKeyArn": `aws_kms_key\.eks_kms\S*\.arn`, "vpcId": `aws_vpc\.\S+\.id`,
		"queueName": `aws_sqs_queue\.\S*karpenter\S*\.name`, "nodeRoleName": `aws_iam_role\.\S*karpenter-nodes\S*\.name`,
		"targetGroupArn": `aws_lb_target_group\.\S+\.arn`, "repository": `aws_ecr_repository\.\S+\.repository_url`,
		"masterSecretArn": `aws_rds_cluster\.\S+\.master_user_secret\[0\]\.secret_arn`, "host": `aws_rds_cluster\.\S+\.endpoint`,
	}
	for key, producer := range wired {
		if !regexp.MustCompile(`"` + key + `" = ` + producer + `[,}]`).MatchString(values) {
			t.Errorf("%s is not %s", key, producer)
		}
	}
	art := testArtifacts()
	for _, literal := range []string{`"environment" = "dev"`, `"repoURL" = "https://github.com/phl-platform/phl-platform.git"`, `"targetRevision" = "main"`,
		`"digest" = "` + art.BootstrapImageDigest + `"`, `"appSecretName" = "phl-dev/database/app"`, `"databaseSubnetCidrs" = ["10.0.192.0/21", "10.0.200.0/21"]`,
		`"vpcCidr" = "10.0.0.0/16"`, `"version" = "` + config.KarpenterVersion + `"`, `"caBundle" = "-----BEGIN CERTIFICATE-----`} {
		if !strings.Contains(values, literal) {
			t.Errorf("values lack %s", literal)
		}
	}
}

// database.database_name reaches the chart: the bootstrap creates and the app's DSN names the
// database Aurora was created with, not the chart's default (a non-default name proves it).
func TestGitopsPassesTheDatabaseName(t *testing.T) {
	env := shipped(t, "dev")
	env.Database.DatabaseName = "catalog_v2"
	s := synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
		return Build(app, env, testArtifacts()).Gitops.TerraformStack
	})
	values := asStrings(releaseNamed(t, s, "platform")["values"])[0]
	if !strings.Contains(values, `"databaseName" = "catalog_v2"`) {
		t.Errorf("the root values do not carry database.database_name catalog_v2: %.2000s", values)
	}
}
