package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/wafv2webacl"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/wafv2webaclassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/wafv2webaclloggingconfiguration"
)

// ManagedRuleGroups are the AWS managed rule groups the web ACL evaluates, in order. The IP
// reputation group judges the request's source address, which behind the VPC link is always
// API Gateway's (WAF developer guide, IP reputation rule groups): it is kept for requests that
// would reach the ALB another way, and does not judge clients. The others read the request.
var ManagedRuleGroups = []string{"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"}

// ClientIPHeader carries the client's address from API Gateway to the ALB. Behind a VPC link
// every request reaches the ALB from API Gateway's own addresses, and HTTP APIs may not map
// X-Forwarded-For or Forwarded (reserved), so each integration overwrites this header with
// $context.identity.sourceIp (the TCP source address; a value a client sends is replaced), and
// the rate-based rule counts per that address (WAF forwarded_ip_config reads the header's
// first IP). One client cannot exhaust everyone's quota, and everyone is not one client.
const ClientIPHeader = "X-Client-IP"

// addWaf creates the web ACL on the ALB: the managed groups, a per-client rate limit over 5
// minutes, and logs to a KMS-encrypted aws-waf-logs-* group with the bearer token redacted.
func (g *Gateway) addWaf() {
	visibility := func(metric string) *wafv2webacl.Wafv2WebAclRuleVisibilityConfig {
		return &wafv2webacl.Wafv2WebAclRuleVisibilityConfig{CloudwatchMetricsEnabled: jsii.Bool(true), MetricName: jsii.String(metric), SampledRequestsEnabled: jsii.Bool(true)}
	}
	var rules []*wafv2webacl.Wafv2WebAclRule
	for i, group := range ManagedRuleGroups {
		rules = append(rules, &wafv2webacl.Wafv2WebAclRule{
			Name: jsii.String(group), Priority: jsii.Number(i + 1),
			OverrideAction: &wafv2webacl.Wafv2WebAclRuleOverrideAction{None: &wafv2webacl.Wafv2WebAclRuleOverrideActionNone{}},
			// The statement is an untyped block in the bindings: Terraform's own keys.
			Statement:        map[string]any{"managed_rule_group_statement": map[string]any{"name": group, "vendor_name": "AWS"}},
			VisibilityConfig: visibility(group),
		})
	}
	rules = append(rules, &wafv2webacl.Wafv2WebAclRule{
		Name: jsii.String("per-client-rate"), Priority: jsii.Number(len(ManagedRuleGroups) + 1),
		Action: &wafv2webacl.Wafv2WebAclRuleAction{Block: &wafv2webacl.Wafv2WebAclRuleActionBlock{}},
		Statement: map[string]any{"rate_based_statement": map[string]any{
			"limit": g.props.WafRateLimit, "evaluation_window_sec": 300, "aggregate_key_type": "FORWARDED_IP",
			// Every request comes through API Gateway with the header; a request without it is
			// not rate-limited by this rule (WAF API reference, ForwardedIPConfig), and MATCH
			// counts a header that holds no valid address.
			"forwarded_ip_config": map[string]any{"header_name": ClientIPHeader, "fallback_behavior": "MATCH"},
		}},
		VisibilityConfig: visibility("per-client-rate"),
	})
	acl := wafv2webacl.NewWafv2WebAcl(g.Construct, jsii.String("waf"), &wafv2webacl.Wafv2WebAclConfig{
		Name:             jsii.String(g.name("api")),
		Description:      jsii.String("phl-store API behind the internal ALB"),
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &wafv2webacl.Wafv2WebAclDefaultAction{Allow: &wafv2webacl.Wafv2WebAclDefaultActionAllow{}},
		Rule:             &rules,
		VisibilityConfig: &wafv2webacl.Wafv2WebAclVisibilityConfig{CloudwatchMetricsEnabled: jsii.Bool(true), MetricName: jsii.String(g.name("api")), SampledRequestsEnabled: jsii.Bool(true)},
		Tags:             tags("Name", g.name("api")),
	})
	g.WebAclArn = acl.Arn()
	wafv2webaclassociation.NewWafv2WebAclAssociation(g.Construct, jsii.String("waf-alb"), &wafv2webaclassociation.Wafv2WebAclAssociationConfigA{
		ResourceArn: g.AlbArn,
		WebAclArn:   acl.Arn(),
		// A new ALB is often not yet visible to WAF (WAFUnavailableEntityException; provider
		// issues 17527, 29080): give the provider's retries longer than its 5-minute default.
		Timeouts: &wafv2webaclassociation.Wafv2WebAclAssociationTimeouts{Create: jsii.String("15m")},
	})
	// WAF requires the aws-waf-logs- prefix for CloudWatch Logs destinations.
	logs := g.logGroup("waf-logs", "aws-waf-logs-"+g.props.Name)
	wafv2webaclloggingconfiguration.NewWafv2WebAclLoggingConfiguration(g.Construct, jsii.String("waf-logging"), &wafv2webaclloggingconfiguration.Wafv2WebAclLoggingConfigurationConfig{
		ResourceArn:           acl.Arn(),
		LogDestinationConfigs: &[]*string{logs.Arn()},
		RedactedFields: &[]*wafv2webaclloggingconfiguration.Wafv2WebAclLoggingConfigurationRedactedFields{{
			SingleHeader: &wafv2webaclloggingconfiguration.Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader{Name: jsii.String("authorization")},
		}},
	})
}
