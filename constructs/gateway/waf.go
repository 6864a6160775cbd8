package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
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

// NoUserAgent names what the common rule set's NoUserAgent_HEADER rule does (AWS WAF
// developer guide, "Core rule set (CRS) managed rule group"): it blocks requests without a
// User-Agent header and labels them. Here it only counts: every request that reaches the ALB
// passed API Gateway's JWT authorizer, so the rule would only turn away authenticated API
// clients whose HTTP library sends no User-Agent. A rule of ours counts the label under its own
// metric, and an alarm shows when such clients appear.
var NoUserAgent = struct{ Rule, Label, Metric string }{
	Rule:   "NoUserAgent_HEADER",
	Label:  "awswaf:managed:aws:core-rule-set:NoUserAgent_Header",
	Metric: "no-user-agent",
}

// addWaf creates the web ACL on the ALB: the managed groups, a count of requests without a
// User-Agent with its alarm, a per-client rate limit over 5 minutes, and logs to a
// KMS-encrypted aws-waf-logs-* group with the bearer token redacted.
func (g *Gateway) addWaf() {
	visibility := func(metric string) *wafv2webacl.Wafv2WebAclRuleVisibilityConfig {
		return &wafv2webacl.Wafv2WebAclRuleVisibilityConfig{CloudwatchMetricsEnabled: jsii.Bool(true), MetricName: jsii.String(metric), SampledRequestsEnabled: jsii.Bool(true)}
	}
	var rules []*wafv2webacl.Wafv2WebAclRule
	for i, group := range ManagedRuleGroups {
		// The statement is an untyped block in the bindings: Terraform's own keys.
		statement := map[string]any{"name": group, "vendor_name": "AWS"}
		if group == "AWSManagedRulesCommonRuleSet" {
			statement["rule_action_override"] = []any{map[string]any{"name": NoUserAgent.Rule, "action_to_use": map[string]any{"count": map[string]any{}}}}
		}
		rules = append(rules, &wafv2webacl.Wafv2WebAclRule{
			Name: jsii.String(group), Priority: jsii.Number(i + 1),
			OverrideAction:   &wafv2webacl.Wafv2WebAclRuleOverrideAction{None: &wafv2webacl.Wafv2WebAclRuleOverrideActionNone{}},
			Statement:        map[string]any{"managed_rule_group_statement": statement},
			VisibilityConfig: visibility(group),
		})
	}
	// After the groups: a rule sees only the labels of rules evaluated before it.
	rules = append(rules, &wafv2webacl.Wafv2WebAclRule{
		Name: jsii.String(NoUserAgent.Metric), Priority: jsii.Number(len(ManagedRuleGroups) + 1),
		Action:           &wafv2webacl.Wafv2WebAclRuleAction{Count: &wafv2webacl.Wafv2WebAclRuleActionCount{}},
		Statement:        map[string]any{"label_match_statement": map[string]any{"scope": "LABEL", "key": NoUserAgent.Label}},
		VisibilityConfig: visibility(NoUserAgent.Metric),
	})
	rules = append(rules, &wafv2webacl.Wafv2WebAclRule{
		Name: jsii.String("per-client-rate"), Priority: jsii.Number(len(ManagedRuleGroups) + 2),
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
	// The count rule's metric: AWS/WAFV2 CountedRequests by web ACL, rule and Region (AWS WAF
	// developer guide, "AWS WAF metrics and dimensions"). No notification target exists in the
	// platform: the alarm's state is what an operator (or an action added later) reads.
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(g.Construct, jsii.String("waf-no-user-agent"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          jsii.String(g.name("waf-no-user-agent")),
		AlarmDescription:   jsii.String("API requests without a User-Agent header (WAF counts them, label " + NoUserAgent.Label + "): ask the client to send one"),
		Namespace:          jsii.String("AWS/WAFV2"),
		MetricName:         jsii.String("CountedRequests"),
		Dimensions:         &map[string]*string{"WebACL": acl.Name(), "Rule": jsii.String(NoUserAgent.Metric), "Region": jsii.String(g.props.Region)},
		Statistic:          jsii.String("Sum"),
		Period:             jsii.Number(300),
		EvaluationPeriods:  jsii.Number(1),
		Threshold:          jsii.Number(0),
		ComparisonOperator: jsii.String("GreaterThanThreshold"),
		TreatMissingData:   jsii.String("notBreaching"),
		Tags:               tags("Name", g.name("waf-no-user-agent")),
	})
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
