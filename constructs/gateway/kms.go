package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// addKmsKey creates the gateway's key for its log groups (API access logs, WAF logs).
func (g *Gateway) addKmsKey() {
	g.KmsKey = kmskey.NewKmsKey(g.Construct, jsii.String("kms"), &kmskey.KmsKeyConfig{
		Description:          jsii.String("Gateway " + g.props.Name + ": API access and WAF logs"),
		EnableKeyRotation:    jsii.Bool(true),
		DeletionWindowInDays: jsii.Number(30),
		Policy: jsii.String(iampolicy.New(
			iampolicy.KeyAdministeredByAccount(g.props.Partition, g.props.AccountID),
			iampolicy.LogsMayUseKey("CloudWatchLogsEncryptsTheGatewayLogs", g.props.Region, g.arn("logs", "log-group:*"+g.props.Name+"*")),
		).JSON()),
		Tags: tags("Name", g.name("gateway")),
	})
	kmsalias.NewKmsAlias(g.Construct, jsii.String("kms-alias"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String("alias/" + g.name("gateway")),
		TargetKeyId: g.KmsKey.KeyId(),
	})
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
