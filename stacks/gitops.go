package stacks

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	helmprovider "github.com/cdktf/cdktf-provider-helm-go/helm/v10/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/database"
	"github.com/phl-platform/phl-platform/constructs/gateway"
	"github.com/phl-platform/phl-platform/constructs/gitops"
	"github.com/phl-platform/phl-platform/constructs/network"
)

// KubeAPIHostVariable names the Terraform variable that points the Helm provider at a tunnel
// to the private API endpoint (e.g. https://127.0.0.1:8443 from scripts/eks-tunnel.sh); empty:
// the endpoint itself.
const KubeAPIHostVariable = "kube_api_host"

// GitopsStack is "<env>-gitops", the last stack: Argo CD, the root Application with every
// value the Applications need from the other stacks, and the database bootstrap's Pod
// Identity association.
type GitopsStack struct {
	cdktf.TerraformStack
	GitOps *gitops.GitOps
}

// NewGitopsStack creates the environment's GitOps stack after its other stacks.
func NewGitopsStack(scope constructs.Construct, env *config.Environment, art Artifacts, net *network.Network, c *cluster.Cluster, db *database.Database, gw *gateway.Gateway) *GitopsStack {
	stack := newStack(scope, env, "gitops")
	database.NewBootstrapAccess(stack, "db-bootstrap-pod-identity", database.BootstrapAccessProps{ClusterName: c.Name, RoleArn: db.BootstrapRoleArn})
	addHelmProvider(stack, env, c)

	var dbSubnets []string
	for _, az := range net.Layout {
		dbSubnets = append(dbSubnets, az.Database.String())
	}
	g := gitops.New(stack, "gitops", gitops.Props{
		ArgoCDChartRepository: config.ArgoCDChartRepository,
		ArgoCDChartVersion:    config.ArgoCDChartVersion,
		HA:                    env.Gitops.ArgoCDHA,
		RootChartDir:          filepath.Join(art.RepoRoot, filepath.FromSlash(config.RootChartDir)),
		RootValues: map[string]interface{}{
			"environment":    env.Name,
			"repoURL":        env.Gitops.RepoURL,
			"targetRevision": env.Gitops.Revision,
			"aws":            map[string]interface{}{"accountId": env.AccountID, "region": env.Region},
			"cluster":        map[string]interface{}{"name": c.Name, "vpcId": net.VpcID, "kmsKeyArn": c.KmsKey.Arn()},
			"karpenter": map[string]interface{}{
				"version": config.KarpenterVersion, "queueName": c.KarpenterQueueName, "nodeRoleName": c.KarpenterNodeRoleName,
			},
			"phlStore": map[string]interface{}{
				"targetGroupArn":      gw.TargetGroupArn,
				"appSecretName":       db.AppSecretName,
				"databaseSubnetCidrs": dbSubnets,
				"vpcCidr":             net.VpcCidr,
				"caBundle":            art.RDSCABundles[env.Region],
				"rotationId":          env.Gitops.RotationID,
				"databaseName":        env.Database.DatabaseName, // the database stack creates the same name
				"bootstrap": map[string]interface{}{
					"repository": db.BootstrapRepositoryURL, "digest": art.BootstrapImageDigest,
					"masterSecretArn": db.MasterSecretArn, "host": db.Cluster.Endpoint(),
				},
			},
		},
	})
	output(stack, "argocd_namespace", "Namespace of Argo CD (docs/gitops.md: reaching its UI with kubectl port-forward)", jsii.String("argocd"))
	return &GitopsStack{TerraformStack: stack, GitOps: g}
}

// addHelmProvider points the Helm provider at the cluster: the endpoint and CA from the cluster
// stack, a token from `aws eks get-token` (no kubeconfig file). The endpoint is private, so a
// deploy reaches it from inside the VPC or through a tunnel given as kube_api_host; the TLS
// server name stays the endpoint's, so the certificate still verifies through 127.0.0.1.
func addHelmProvider(stack cdktf.TerraformStack, env *config.Environment, c *cluster.Cluster) {
	tunnel := cdktf.NewTerraformVariable(stack, jsii.String(KubeAPIHostVariable), &cdktf.TerraformVariableConfig{
		Type:        jsii.String("string"),
		Default:     jsii.String(""),
		Description: jsii.String("https://127.0.0.1:<port> of a tunnel to the private API endpoint (scripts/eks-tunnel.sh); empty: the endpoint"),
	})
	// coalesce skips the empty default: the tunnel when one is given, else the endpoint.
	host := cdktf.Fn_Coalesce(&[]interface{}{tunnel.StringValue(), c.Endpoint})
	helmprovider.NewHelmProvider(stack, jsii.String("helm"), &helmprovider.HelmProviderConfig{
		Kubernetes: &helmprovider.HelmProviderKubernetes{
			Host:                 cdktf.Token_AsString(host, nil),
			ClusterCaCertificate: cdktf.Fn_Base64decode(c.CertificateAuthorityData),
			TlsServerName:        cdktf.Fn_Replace(c.Endpoint, jsii.String("https://"), jsii.String("")),
			Exec: &helmprovider.HelmProviderKubernetesExec{
				ApiVersion: jsii.String("client.authentication.k8s.io/v1beta1"),
				Command:    jsii.String("aws"),
				Args:       jsii.Strings(append(strings.Fields("eks get-token --output json --cluster-name"), env.ClusterName(), "--region", env.Region)...),
			},
		},
	})
}

// Artifacts are inputs of the stacks that come from the build rather than from config; main
// computes them once, before any stack exists, so a failure writes nothing.
type Artifacts struct {
	RepoRoot             string            // the repository (gitops/charts/platform is under it)
	BootstrapImageDigest string            // sha256:… of the bootstrap image tools/image builds and deploy.yml pushes
	RDSCABundles         map[string]string // PEM of the RDS CA certificates, by region
}

// Validate reports a missing artifact for an environment.
func (a Artifacts) Validate(env *config.Environment) error {
	switch {
	case !strings.HasPrefix(a.BootstrapImageDigest, "sha256:"):
		return fmt.Errorf("bootstrap image digest %q: want sha256:<hex>", a.BootstrapImageDigest)
	case a.RDSCABundles[env.Region] == "":
		return fmt.Errorf("no RDS CA bundle for region %s", env.Region)
	}
	return nil
}
