package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/gateway"
	"github.com/phl-platform/phl-platform/constructs/network"
)

// GatewayStack is "<env>-gateway": the public front door. It reads the network's private
// subnets and the cluster's pod security group (the ALB reaches pods there).
type GatewayStack struct {
	cdktf.TerraformStack
	Gateway *gateway.Gateway
}

// NewGatewayStack creates the environment's gateway stack.
func NewGatewayStack(scope constructs.Construct, env *config.Environment, net *network.Network, c *cluster.Cluster) *GatewayStack {
	stack := newStack(scope, env, "gateway")
	gw := env.Gateway
	props := gateway.Props{
		Name:                       env.ClusterName(),
		AccountID:                  env.AccountID,
		Region:                     env.Region,
		Partition:                  env.Partition,
		VpcID:                      net.VpcID,
		PrivateSubnetIDs:           net.PrivateSubnetIDs,
		PodSecurityGroupID:         c.PodSecurityGroupID,
		CognitoDomainPrefix:        gw.CognitoDomainPrefix,
		AccessTokenValidityMinutes: gw.AccessTokenValidityMinutes,
		ThrottlingRateLimit:        gw.ThrottlingRateLimit,
		ThrottlingBurstLimit:       gw.ThrottlingBurstLimit,
		WafRateLimit:               gw.WafRateLimit,
		CorsAllowedOrigins:         gw.CorsAllowedOrigins,
		CorsAllowCredentials:       gw.CorsAllowCredentials,
		AlbCertificateArn:          gw.AlbCertificateArn,
		AlbTLSServerName:           gw.AlbTLSServerName,
		LogRetentionDays:           gw.LogRetentionDays,
		AlbLogExpirationDays:       gw.AlbLogExpirationDays,
		DeletionProtection:         env.Database.DeletionProtection,
	}
	if d := gw.CustomDomain; d != nil {
		props.CustomDomainName, props.HostedZoneID = d.Name, d.HostedZoneID
	}
	g := gateway.New(stack, "gateway", props)

	output(stack, "api_url", "Base URL of the products API (its custom domain when one is set)", g.ApiEndpoint)
	output(stack, "token_url", "Cognito token endpoint (client credentials grant)", g.TokenURL)
	output(stack, "client_id", "App client ID (its secret stays in Cognito: see docs/gateway.md)", g.ClientID)
	output(stack, "user_pool_id", "Cognito user pool ID", g.UserPoolID)
	output(stack, "target_group_arn", "Target group the TargetGroupBinding registers phl-store pods in", g.TargetGroupArn)
	output(stack, "alb_arn", "Internal ALB", g.AlbArn)
	output(stack, "listener_arn", "ALB listener the API's integrations target", g.ListenerArn)
	output(stack, "web_acl_arn", "WAF web ACL on the ALB", g.WebAclArn)
	output(stack, "alb_security_group_id", "The ALB's security group", g.AlbSecurityGroupID)
	return &GatewayStack{TerraformStack: stack, Gateway: g}
}
