package cluster

import (
	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/kmskeys"
)

// addKmsKey creates the cluster's key: Kubernetes secrets envelope encryption, node and
// persistent volumes, the control-plane and Container Insights log groups.
func (c *Cluster) addKmsKey() {
	ebsUse := []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}
	policy := iampolicy.New(
		// Access is granted by IAM policies (the cluster role, the EBS CSI role).
		iampolicy.KeyAdministeredByAccount(c.props.Partition, c.props.AccountID),
		iampolicy.LogsMayUseKey("CloudWatchLogsEncryptsTheControlPlaneLogs", c.props.Region, c.arn("logs", c.props.Region, "log-group:/aws/eks/"+c.props.Name+"/*")),
		iampolicy.LogsMayUseKey("CloudWatchLogsEncryptsContainerInsights", c.props.Region, c.arn("logs", c.props.Region, "log-group:"+ContainerInsightsLogGroupPrefix(c.props.Name)+"*")),
		// EBS volumes of nodes are created by the Auto Scaling service-linked role (managed node
		// group) or by Karpenter through EC2. That role may not exist yet in an empty account, so
		// the grant is by call path (EC2 in this account and region), as in AWS's aws/ebs key.
		iampolicy.Statement{Sid: "EC2UsesTheKeyForThisAccountsVolumes", Effect: "Allow",
			Principal: map[string][]string{"AWS": {"*"}}, Action: ebsUse, Resource: []string{"*"},
			Condition: map[string]map[string]any{"StringEquals": {
				"kms:CallerAccount": c.props.AccountID, "kms:ViaService": "ec2." + c.props.Region + ".amazonaws.com"}}},
		iampolicy.Statement{Sid: "EC2GrantsForAttachedVolumes", Effect: "Allow",
			Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"kms:CreateGrant"}, Resource: []string{"*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"kms:CallerAccount": c.props.AccountID, "kms:ViaService": "ec2." + c.props.Region + ".amazonaws.com"},
				"Bool":         {"kms:GrantIsForAWSResource": true}}},
	)
	c.KmsKey = kmskeys.New(c.Construct, c.name("eks"), "EKS "+c.props.Name+": secrets, volumes and control-plane logs", policy)
}
