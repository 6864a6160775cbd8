package cluster

import (
	"encoding/base64"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eksnodegroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/launchtemplate"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// AmiType of the critical node group.
const AmiType = "BOTTLEROCKET_x86_64"

// bottlerocketSettings are merged by EKS into the node's settings: no admin container (no
// shell on the host), the control container for SSM, and kernel lockdown.
const bottlerocketSettings = `[settings.host-containers.admin]
enabled = false

[settings.host-containers.control]
enabled = true

[settings.kernel]
lockdown = "integrity"
`

// addNodeGroup creates the fixed-size on-demand node group for critical add-ons. It waits for
// the add-ons that must run before any node joins (Pod Identity agent, VPC CNI with its
// ENIConfigs), so the first nodes already use the pod subnets.
func (c *Cluster) addNodeGroup(before []cdktf.ITerraformDependable) eksnodegroup.EksNodeGroup {
	role, roleDeps := c.role(roleSpec{id: "nodes", name: c.name("nodes"), trust: ec2Trust, managed: nodePolicies})

	ng := c.props.NodeGroup
	lt := launchtemplate.NewLaunchTemplate(c.Construct, jsii.String("nodes-lt"), &launchtemplate.LaunchTemplateConfig{
		Name:                 jsii.String(c.name("critical")),
		Description:          jsii.String("Bottlerocket nodes of " + c.props.Name + " (critical add-ons)"),
		UpdateDefaultVersion: jsii.Bool(true),
		VpcSecurityGroupIds:  &[]*string{c.NodeSecurityGroupID},
		BlockDeviceMappings: &[]*launchtemplate.LaunchTemplateBlockDeviceMappings{
			c.volume("/dev/xvda", 4),              // Bottlerocket OS
			c.volume("/dev/xvdb", ng.DiskSizeGiB), // container images and ephemeral storage
		},
		MetadataOptions: &launchtemplate.LaunchTemplateMetadataOptions{
			HttpEndpoint:            jsii.String("enabled"),
			HttpTokens:              jsii.String("required"),
			HttpPutResponseHopLimit: jsii.Number(1), // pods use Pod Identity, never the node's role
			InstanceMetadataTags:    jsii.String("disabled"),
		},
		Monitoring: &launchtemplate.LaunchTemplateMonitoring{Enabled: jsii.Bool(true)},
		UserData:   jsii.String(base64.StdEncoding.EncodeToString([]byte(bottlerocketSettings))),
		TagSpecifications: &[]*launchtemplate.LaunchTemplateTagSpecifications{
			{ResourceType: jsii.String("instance"), Tags: tags("Name", c.name("critical"))},
			{ResourceType: jsii.String("volume"), Tags: tags("Name", c.name("critical"))},
			{ResourceType: jsii.String("network-interface"), Tags: tags("Name", c.name("critical"))},
		},
	})

	cfg := &eksnodegroup.EksNodeGroupConfig{
		ClusterName:   c.Name,
		NodeGroupName: jsii.String("critical"),
		// Follows the control plane: a version upgrade rolls the nodes to the new minor's
		// Bottlerocket AMI (no custom AMI in the launch template, so EKS picks it).
		Version:       c.Cluster.Version(),
		NodeRoleArn:   role.Arn(),
		SubnetIds:     &c.props.PrivateSubnetIDs,
		AmiType:       jsii.String(AmiType),
		CapacityType:  jsii.String("ON_DEMAND"),
		InstanceTypes: strs(ng.InstanceTypes...),
		ScalingConfig: &eksnodegroup.EksNodeGroupScalingConfig{
			MinSize: jsii.Number(ng.Size), MaxSize: jsii.Number(ng.Size), DesiredSize: jsii.Number(ng.Size),
		},
		UpdateConfig: &eksnodegroup.EksNodeGroupUpdateConfig{MaxUnavailable: jsii.Number(1)},
		LaunchTemplate: &eksnodegroup.EksNodeGroupLaunchTemplate{
			Id:      lt.Id(),
			Version: cdktf.Token_AsString(lt.LatestVersion(), nil),
		},
		Labels:    &map[string]*string{"phl.platform/node-class": jsii.String("critical")},
		DependsOn: ptr(append(before, roleDeps...)),
		Tags:      tags("Name", c.name("critical")),
	}
	if ng.CriticalAddonsTaint {
		cfg.Taint = &[]*eksnodegroup.EksNodeGroupTaint{{
			Key: jsii.String("CriticalAddonsOnly"), Value: jsii.String("true"), Effect: jsii.String("NO_SCHEDULE"),
		}}
	}
	return eksnodegroup.NewEksNodeGroup(c.Construct, jsii.String("critical"), cfg)
}

func (c *Cluster) volume(device string, sizeGiB int) *launchtemplate.LaunchTemplateBlockDeviceMappings {
	return &launchtemplate.LaunchTemplateBlockDeviceMappings{
		DeviceName: jsii.String(device),
		Ebs: &launchtemplate.LaunchTemplateBlockDeviceMappingsEbs{
			VolumeSize:          jsii.Number(sizeGiB),
			VolumeType:          jsii.String("gp3"),
			Encrypted:           jsii.String("true"),
			KmsKeyId:            c.KmsKey.Arn(),
			DeleteOnTermination: jsii.String("true"),
		},
	}
}
