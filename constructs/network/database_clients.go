package network

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
)

// addDatabaseClients creates the group that marks who may reach the database: it has no rules
// of its own; the database's group admits MySQL from its members. The network owns it so the
// cluster (which attaches it to pod ENIs through the ENIConfig) and the database (which admits
// it) both depend on the network only, and deploy in parallel.
func (n *Network) addDatabaseClients() {
	name := n.name("database-clients")
	n.DatabaseClientsSecurityGroupID = securitygroup.NewSecurityGroup(n.Construct, jsii.String("database-clients-sg"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(name),
		Description: jsii.String("Members may connect to the database (pod ENIs through the ENIConfig); no rules of its own"),
		VpcId:       n.VpcID,
		Tags:        tags("Name", name),
	}).Id()
}
