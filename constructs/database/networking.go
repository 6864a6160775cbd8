package database

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbsubnetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
)

// Port is Aurora MySQL's port.
const Port = 3306

// addNetworking: a subnet group in the database subnets, and a security group that admits
// MySQL only from the database-clients group (pods carry it through their ENIConfig), with no
// CIDR rule and no egress rule (Terraform removes the default allow-all egress).
func (d *Database) addNetworking() {
	d.subnetGroupName = dbsubnetgroup.NewDbSubnetGroup(d.Construct, jsii.String("subnets"), &dbsubnetgroup.DbSubnetGroupConfig{
		Name:        jsii.String(d.props.Name),
		Description: jsii.String("Database subnets of " + d.props.Name + " (no route out of the VPC)"),
		SubnetIds:   &d.props.SubnetIDs,
		Tags:        tags("Name", d.props.Name),
	}).Name()
	sg := securitygroup.NewSecurityGroup(d.Construct, jsii.String("sg"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(d.name("database")),
		Description: jsii.String("Aurora MySQL: 3306 from the database-clients group only"),
		VpcId:       d.props.VpcID,
		Tags:        tags("Name", d.name("database")),
	})
	d.SecurityGroupID = sg.Id()
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(d.Construct, jsii.String("mysql-from-clients"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId:           sg.Id(),
		ReferencedSecurityGroupId: d.props.ClientSecurityGroupID,
		IpProtocol:                jsii.String("tcp"),
		FromPort:                  jsii.Number(Port),
		ToPort:                    jsii.Number(Port),
		Description:               jsii.String("MySQL from members of the database-clients group (pod ENIs)"),
	})
}
