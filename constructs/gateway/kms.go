package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/kmskeys"
)

// addKmsKey creates the gateway's key for its log groups (API access logs, WAF logs).
func (g *Gateway) addKmsKey() {
	g.KmsKey = kmskeys.New(g.Construct, g.name("gateway"), "Gateway "+g.props.Name+": API access and WAF logs", iampolicy.New(
		iampolicy.KeyAdministeredByAccount(g.props.Partition, g.props.AccountID),
		iampolicy.LogsMayUseKey("CloudWatchLogsEncryptsTheGatewayLogs", g.props.Region, g.arn("logs", "log-group:*"+g.props.Name+"*")),
	))
}

// logGroup creates a KMS-encrypted log group with the gateway's retention.
func (g *Gateway) logGroup(id, name string) cloudwatchloggroup.CloudwatchLogGroup {
	return cloudwatchloggroup.NewCloudwatchLogGroup(g.Construct, jsii.String(id), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(name),
		RetentionInDays: jsii.Number(g.props.LogRetentionDays),
		KmsKeyId:        g.KmsKey.Arn(),
		Tags:            tags("Name", name),
	})
}
