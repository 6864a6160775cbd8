package network

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/flowlog"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/kmskeys"
)

// addFlowLogs records all VPC traffic to a CloudWatch log group encrypted with the network's
// own KMS key.
func (n *Network) addFlowLogs() {
	n.KmsKey = kmskeys.New(n.Construct, n.name("network"), "Encrypts the "+n.props.Name+" network's logs", n.keyPolicy())

	logGroupName := "/aws/vpc-flow-logs/" + n.props.Name
	logGroup := cloudwatchloggroup.NewCloudwatchLogGroup(n.Construct, jsii.String("flow-logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(logGroupName),
		RetentionInDays: jsii.Number(n.props.FlowLogRetentionDays),
		KmsKeyId:        n.KmsKey.Arn(),
	})

	trust := iampolicy.ServiceTrust("vpc-flow-logs.amazonaws.com", iampolicy.AssumeRole,
		iampolicy.SourceConditions(n.props.AccountID, n.arn("ec2", "vpc-flow-log/*")))
	role := iamrole.NewIamRole(n.Construct, jsii.String("flow-logs-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(n.name("vpc-flow-logs")),
		AssumeRolePolicy: jsii.String(trust.JSON()),
	})
	groupArn := n.arn("logs", "log-group:"+logGroupName)
	iamrolepolicy.NewIamRolePolicy(n.Construct, jsii.String("flow-logs-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("deliver-flow-logs"),
		Role: role.Id(),
		Policy: jsii.String(iampolicy.New(
			iampolicy.Allow("WriteToTheFlowLogGroup",
				[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
				[]string{groupArn, groupArn + ":log-stream:*"}),
			// DescribeLogGroups cannot be scoped below the account's log groups.
			iampolicy.Allow("FindTheFlowLogGroup",
				[]string{"logs:DescribeLogGroups"},
				[]string{n.arn("logs", "log-group:*")}),
		).JSON()),
	})

	flowlog.NewFlowLog(n.Construct, jsii.String("flow-log"), &flowlog.FlowLogConfig{
		VpcId:                  n.VpcID,
		TrafficType:            jsii.String("ALL"),
		LogDestinationType:     jsii.String("cloud-watch-logs"),
		LogDestination:         logGroup.Arn(),
		IamRoleArn:             role.Arn(),
		MaxAggregationInterval: jsii.Number(60),
		Tags:                   tags("Name", n.name("vpc")),
	})
}

// keyPolicy lets the account administer the key through IAM and lets CloudWatch Logs use it
// only for this account's log groups in this region.
func (n *Network) keyPolicy() iampolicy.Document {
	return iampolicy.New(
		iampolicy.KeyAdministeredByAccount(n.props.Partition, n.props.AccountID),
		iampolicy.LogsMayUseKey("CloudWatchLogsEncryptsThisAccountsLogGroups", n.props.Region, n.arn("logs", "log-group:*")),
	)
}
