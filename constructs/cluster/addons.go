package cluster

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eksaddon"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// ServiceAccount is a Kubernetes service account that a Pod Identity role is associated with.
type ServiceAccount struct{ Namespace, Name string }

// AddonServiceAccounts are the add-ons that call AWS and the service account their Pod Identity
// role is associated with (the namespace is the one each add-on installs into).
var AddonServiceAccounts = map[string]ServiceAccount{
	"vpc-cni":                         {"kube-system", "aws-node"},
	"aws-ebs-csi-driver":              {"kube-system", "ebs-csi-controller-sa"},
	"amazon-cloudwatch-observability": {"amazon-cloudwatch", "cloudwatch-agent"},
}

// criticalAddonsToleration lets a pod onto nodes tainted CriticalAddonsOnly=true:NoSchedule.
var criticalAddonsToleration = map[string]string{"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}

// AddonScheduling says, for every add-on, what lets its pods run on the critical node group
// when it is tainted CriticalAddonsOnly (prod): until Karpenter runs, those nodes are the only
// capacity, and an add-on whose pods stay Pending never becomes ACTIVE, so the apply waits
// until it times out. A test checks that every add-on is listed.
var AddonScheduling = map[string]string{
	"eks-pod-identity-agent": "DaemonSet tolerating every taint (chart default tolerations: [{operator: Exists}])",
	"vpc-cni":                "DaemonSet aws-node tolerating every taint (chart default tolerations: [{operator: Exists}])",
	"kube-proxy":             "DaemonSet tolerating every taint (EKS default)",
	"coredns":                "Deployment tolerating CriticalAddonsOnly by default (EKS's CoreDNS manifest, as kubeadm's)",
	"aws-ebs-csi-driver":     "controller tolerates CriticalAddonsOnly by default, node DaemonSet tolerates all taints (driver docs, install.md: driver toleration settings)",
	"amazon-cloudwatch-observability": "agent and Fluent Bit DaemonSets tolerate all taints (root tolerations default); " +
		"the operator (manager.tolerations, default []) does not, so its configuration adds CriticalAddonsOnly when the group is tainted",
}

// addAddonsBeforeNodes: the Pod Identity agent and the VPC CNI must be in place before the
// first node joins; the CNI's configuration creates one ENIConfig per AZ (pod subnet and pod
// security group), turns on custom networking and prefix delegation, and enforces
// NetworkPolicies (EKS user guide, "Configure your cluster for Kubernetes network policies":
// the values are strings).
func (c *Cluster) addAddonsBeforeNodes() []cdktf.ITerraformDependable {
	agent := c.addon("eks-pod-identity-agent", nil, nil)

	groups := []string{*c.PodSecurityGroupID}
	for _, g := range c.props.ExtraPodSecurityGroupIDs {
		groups = append(groups, *g)
	}
	subnets := map[string]any{}
	for i, az := range c.props.AvailabilityZones {
		subnets[az] = map[string]any{"id": *c.props.PodSubnetIDs[i], "securityGroups": groups}
	}
	cni := c.addon("vpc-cni", []cdktf.ITerraformDependable{agent}, map[string]any{
		"env": map[string]string{
			"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
			"ENI_CONFIG_LABEL_DEF":               "topology.kubernetes.io/zone",
			"ENABLE_PREFIX_DELEGATION":           "true",
			"WARM_PREFIX_TARGET":                 "1",
		},
		"eniConfig":           map[string]any{"create": true, "region": c.props.Region, "subnets": subnets},
		"enableNetworkPolicy": "true",
	})
	return []cdktf.ITerraformDependable{agent, cni}
}

// addAddonsAfterNodes: add-ons whose pods need nodes to become ACTIVE. The encrypted default
// StorageClass is not made here: the EBS CSI add-on's schema has no storageClasses key (only
// defaultStorageClass, without parameters), so gitops/charts/cluster-manifests creates it.
func (c *Cluster) addAddonsAfterNodes(nodes cdktf.ITerraformDependable) {
	after := []cdktf.ITerraformDependable{nodes}
	c.addon("coredns", after, nil)
	c.addon("kube-proxy", after, nil)
	c.addon("aws-ebs-csi-driver", after, nil)

	var cloudwatch map[string]any
	if c.props.NodeGroup.CriticalAddonsTaint {
		cloudwatch = map[string]any{"manager": map[string]any{"tolerations": []map[string]string{criticalAddonsToleration}}}
	}
	c.addon("amazon-cloudwatch-observability", append(after, c.containerInsightsLogGroups()...), cloudwatch)
}

// ContainerInsightsLogGroups are the log groups the CloudWatch Observability add-on writes to,
// under /aws/containerinsights/<cluster>/: Fluent Bit's application, host and dataplane logs and
// the agent's performance log events. The add-on creates any that is missing, unencrypted,
// kept forever and outside Terraform, so a teardown would leave them behind (CloudWatch user
// guide, "Set up Fluent Bit as a DaemonSet to send logs to CloudWatch Logs" and "Container
// Insights performance log reference"). Created first, they take the cluster key, the
// configured retention, and go with the stack.
var ContainerInsightsLogGroups = []string{"application", "dataplane", "host", "performance"}

// ContainerInsightsLogGroupPrefix is where the add-on's log groups of a cluster live.
func ContainerInsightsLogGroupPrefix(cluster string) string {
	return "/aws/containerinsights/" + cluster + "/"
}

func (c *Cluster) containerInsightsLogGroups() []cdktf.ITerraformDependable {
	var groups []cdktf.ITerraformDependable
	for _, kind := range ContainerInsightsLogGroups {
		groups = append(groups, cloudwatchloggroup.NewCloudwatchLogGroup(c.Construct, jsii.String("container-insights-"+kind), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Name:            jsii.String(ContainerInsightsLogGroupPrefix(c.props.Name) + kind),
			RetentionInDays: jsii.Number(c.props.LogRetentionDays),
			KmsKeyId:        c.KmsKey.Arn(),
		}))
	}
	return groups
}

// addonPolicies are the permissions of the add-ons that call AWS: AWS managed policies and an
// optional inline document.
func (c *Cluster) addonPolicies(addon string) ([]string, iampolicy.Document) {
	switch addon {
	case "vpc-cni":
		return []string{"AmazonEKS_CNI_Policy"}, iampolicy.Document{}
	case "aws-ebs-csi-driver":
		return []string{"service-role/AmazonEBSCSIDriverPolicy"}, iampolicy.New(
			iampolicy.Allow("UseTheClusterKeyForVolumes",
				[]string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}, []string{*c.KmsKey.Arn()}),
			iampolicy.Statement{Sid: "GrantTheKeyToAttachedVolumes", Effect: "Allow",
				Action: []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}, Resource: []string{*c.KmsKey.Arn()},
				Condition: map[string]map[string]any{"Bool": {"kms:GrantIsForAWSResource": true}}},
		)
	case "amazon-cloudwatch-observability":
		return []string{"CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"}, iampolicy.Document{}
	}
	return nil, iampolicy.Document{}
}

// addon creates an EKS managed add-on; one listed in AddonServiceAccounts gets its own Pod
// Identity role, trusted only for that service account.
func (c *Cluster) addon(name string, dependsOn []cdktf.ITerraformDependable, configuration map[string]any) eksaddon.EksAddon {
	cfg := &eksaddon.EksAddonConfig{
		ClusterName:              c.Name,
		AddonName:                jsii.String(name),
		ResolveConflictsOnCreate: jsii.String("OVERWRITE"),
		ResolveConflictsOnUpdate: jsii.String("OVERWRITE"),
	}
	if v, ok := c.props.AddonVersions[name]; ok {
		cfg.AddonVersion = jsii.String(v)
	}
	if configuration != nil {
		b, err := json.Marshal(configuration)
		if err != nil {
			panic(err)
		}
		cfg.ConfigurationValues = jsii.String(string(b))
	}
	if sa, ok := AddonServiceAccounts[name]; ok {
		managed, inline := c.addonPolicies(name)
		var role iamrole.IamRole
		role, _ = c.role(roleSpec{id: name, name: c.name(name), trust: c.podIdentityTrust(sa), managed: managed, inline: inline})
		cfg.PodIdentityAssociation = &[]*eksaddon.EksAddonPodIdentityAssociation{{
			ServiceAccount: jsii.String(sa.Name),
			RoleArn:        role.Arn(),
		}}
	}
	if len(dependsOn) > 0 {
		cfg.DependsOn = &dependsOn
	}
	return eksaddon.NewEksAddon(c.Construct, jsii.String(name), cfg)
}
