package network

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/networkacl"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/networkaclrule"
)

// MySQLPort is the only port the database tier accepts.
const MySQLPort = 3306

// addDatabaseAcl puts a stateless guard on the database subnets: MySQL in from the node and
// pod subnets only, replies out to them on ephemeral ports, everything else denied.
// Security groups remain the primary control; this limits the blast radius of a bad one.
func (n *Network) addDatabaseAcl() {
	acl := networkacl.NewNetworkAcl(n.Construct, jsii.String("database-acl"), &networkacl.NetworkAclConfig{
		VpcId:     n.VpcID,
		SubnetIds: &n.DatabaseSubnetIDs,
		Tags:      tags("Name", n.name(TierDatabase), "tier", TierDatabase),
	})
	var clients []string
	for _, l := range n.Layout {
		clients = append(clients, l.Private.String(), l.Pod.String())
	}
	for i, cidr := range clients {
		n.aclRule(acl, "in", 100+i, cidr, MySQLPort, MySQLPort)
		n.aclRule(acl, "out", 100+i, cidr, 1024, 65535)
	}
}

func (n *Network) aclRule(acl networkacl.NetworkAcl, direction string, number int, cidr string, from, to int) {
	networkaclrule.NewNetworkAclRule(n.Construct, jsii.String(fmt.Sprintf("database-acl-%s-%d", direction, number)), &networkaclrule.NetworkAclRuleConfig{
		NetworkAclId: acl.Id(),
		RuleNumber:   jsii.Number(number),
		Egress:       jsii.Bool(direction == "out"),
		Protocol:     jsii.String("tcp"),
		RuleAction:   jsii.String("allow"),
		CidrBlock:    jsii.String(cidr),
		FromPort:     jsii.Number(from),
		ToPort:       jsii.Number(to),
	})
}
