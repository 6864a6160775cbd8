package cluster

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eksaddon"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// DefaultStorageClass is the gp3 class the EBS CSI driver creates, encrypted with the cluster key.
const DefaultStorageClass = "gp3-encrypted"

// podIdentity names the service account an add-on's role is associated with.
type podIdentity struct {
	serviceAccount string
	role           iamrole.IamRole
}

// addAddonsBeforeNodes: the Pod Identity agent and the VPC CNI must be in place before the
// first node joins; the CNI's configuration creates one ENIConfig per AZ (pod subnet and pod
// security group) and turns on custom networking and prefix delegation.
func (c *Cluster) addAddonsBeforeNodes() []cdktf.ITerraformDependable {
	agent := c.addon("eks-pod-identity-agent", nil, nil, nil)

	subnets := map[string]any{}
	for i, az := range c.props.AvailabilityZones {
		subnets[az] = map[string]any{"id": *c.props.PodSubnetIDs[i], "securityGroups": []string{*c.PodSecurityGroupID}}
	}
	cniRole := c.addonRole("vpc-cni", []string{"AmazonEKS_CNI_Policy"}, iampolicy.Document{})
	cni := c.addon("vpc-cni", []cdktf.ITerraformDependable{agent}, map[string]any{
		"env": map[string]string{
			"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
			"ENI_CONFIG_LABEL_DEF":               "topology.kubernetes.io/zone",
			"ENABLE_PREFIX_DELEGATION":           "true",
			"WARM_PREFIX_TARGET":                 "1",
		},
		"eniConfig": map[string]any{"create": true, "region": c.props.Region, "subnets": subnets},
	}, &podIdentity{"aws-node", cniRole})
	return []cdktf.ITerraformDependable{agent, cni}
}

// addAddonsAfterNodes: add-ons whose pods need nodes to become ACTIVE.
func (c *Cluster) addAddonsAfterNodes(nodes cdktf.ITerraformDependable) {
	after := []cdktf.ITerraformDependable{nodes}
	c.addon("coredns", after, nil, nil)
	c.addon("kube-proxy", after, nil, nil)

	ebsRole := c.addonRole("aws-ebs-csi-driver", []string{"service-role/AmazonEBSCSIDriverPolicy"}, iampolicy.New(
		iampolicy.Allow("UseTheClusterKeyForVolumes",
			[]string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}, []string{*c.KmsKey.Arn()}),
		iampolicy.Statement{Sid: "GrantTheKeyToAttachedVolumes", Effect: "Allow",
			Action: []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}, Resource: []string{*c.KmsKey.Arn()},
			Condition: map[string]map[string]any{"Bool": {"kms:GrantIsForAWSResource": true}}},
	))
	c.addon("aws-ebs-csi-driver", after, map[string]any{
		"storageClasses": []map[string]any{{
			"name":                 DefaultStorageClass,
			"annotations":          map[string]string{"storageclass.kubernetes.io/is-default-class": "true"},
			"volumeBindingMode":    "WaitForFirstConsumer",
			"reclaimPolicy":        "Delete",
			"allowVolumeExpansion": true,
			"parameters":           map[string]string{"type": "gp3", "encrypted": "true", "kmsKeyId": *c.KmsKey.Arn()},
		}},
	}, &podIdentity{"ebs-csi-controller-sa", ebsRole})

	cwRole := c.addonRole("amazon-cloudwatch-observability", []string{"CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"}, iampolicy.Document{})
	c.addon("amazon-cloudwatch-observability", after, nil, &podIdentity{"cloudwatch-agent", cwRole})
}

func (c *Cluster) addonRole(addon string, managed []string, inline iampolicy.Document) iamrole.IamRole {
	r, _ := c.role(roleSpec{id: addon, name: c.name(addon), trust: c.podIdentityTrust(), managed: managed, inline: inline})
	return r
}

func (c *Cluster) addon(name string, dependsOn []cdktf.ITerraformDependable, configuration map[string]any, pi *podIdentity) eksaddon.EksAddon {
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
	if pi != nil {
		cfg.PodIdentityAssociation = &[]*eksaddon.EksAddonPodIdentityAssociation{{
			ServiceAccount: jsii.String(pi.serviceAccount),
			RoleArn:        pi.role.Arn(),
		}}
	}
	if len(dependsOn) > 0 {
		cfg.DependsOn = &dependsOn
	}
	return eksaddon.NewEksAddon(c.Construct, jsii.String(name), cfg)
}
