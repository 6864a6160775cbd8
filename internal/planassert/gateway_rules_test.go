package planassert

import (
	"strings"
	"testing"
)

var testRoutes = []GatewayRoute{
	{"GET /products", "/api/products", "phl-store/products.read", ""},
	{"POST /products", "/api/products", "phl-store/products.write", "201"},
	{"DELETE /products/{id}", "/api/products/$request.path.id", "phl-store/products.write", "204"},
}

func goodGateway() *fakePlan {
	f := &fakePlan{}
	f.add("aws_security_group", "alb", map[string]any{"name": "phl-dev-alb"}, nil)
	f.add("aws_security_group", "link", map[string]any{"name": "phl-dev-vpc-link"}, nil)
	f.add("aws_vpc_security_group_ingress_rule", "alb-from-link", map[string]any{"from_port": 80.0}, map[string][]string{
		"security_group_id": {"aws_security_group.alb.id", "aws_security_group.alb"}, "referenced_security_group_id": {"aws_security_group.link.id", "aws_security_group.link"}})
	f.add("aws_vpc_security_group_ingress_rule", "pods-from-alb", map[string]any{"from_port": 8080.0}, map[string][]string{
		"security_group_id":            {"data.terraform_remote_state.cluster.outputs.pod_security_group_id", "data.terraform_remote_state.cluster"},
		"referenced_security_group_id": {"aws_security_group.alb.id", "aws_security_group.alb"}})
	f.add("aws_lb", "alb", map[string]any{"internal": true, "drop_invalid_header_fields": true}, map[string][]string{"security_groups": {"aws_security_group.alb.id", "aws_security_group.alb"}})
	f.add("aws_lb_target_group", "store", map[string]any{"name": "phl-dev-store", "port": 8080.0, "target_type": "ip",
		"health_check": []any{map[string]any{"path": "/api/products", "matcher": "200"}}}, nil)
	f.add("aws_wafv2_web_acl", "waf", map[string]any{"name": "phl-dev-api", "rule": []any{crsRule(true), noUserAgentCount(5),
		map[string]any{"priority": 6.0, "action": []any{map[string]any{"block": []any{map[string]any{}}}},
			"statement": []any{map[string]any{"rate_based_statement": []any{map[string]any{"aggregate_key_type": "FORWARDED_IP",
				"forwarded_ip_config": []any{map[string]any{"header_name": "X-Client-IP"}}}}}}},
	}}, nil)
	f.add("aws_cloudwatch_metric_alarm", "no-user-agent", map[string]any{"namespace": "AWS/WAFV2", "metric_name": "CountedRequests",
		"dimensions": map[string]any{"WebACL": "phl-dev-api", "Rule": "no-user-agent", "Region": "ap-southeast-1"}}, nil)
	f.add("aws_wafv2_web_acl_association", "waf-alb", map[string]any{}, map[string][]string{
		"resource_arn": {"aws_lb.alb.arn", "aws_lb.alb"}, "web_acl_arn": {"aws_wafv2_web_acl.waf.arn", "aws_wafv2_web_acl.waf"}})
	f.add("aws_apigatewayv2_authorizer", "jwt", map[string]any{}, nil)
	for i, r := range testRoutes {
		name := strings.Fields(r.Key)[0] + string(rune('a'+i))
		in := map[string]any{"connection_type": "VPC_LINK", "integration_method": strings.Fields(r.Key)[0],
			"request_parameters": map[string]any{"overwrite:path": r.AppPath, "overwrite:header.X-Client-IP": "$context.identity.sourceIp"}}
		if r.Status != "" {
			in["response_parameters"] = []any{map[string]any{"status_code": "200", "mappings": map[string]any{"overwrite:statuscode": r.Status}}}
		}
		f.add("aws_apigatewayv2_integration", name, in, nil)
		f.add("aws_apigatewayv2_route", name, map[string]any{"route_key": r.Key, "authorization_type": "JWT", "authorization_scopes": []any{r.Scope}},
			map[string][]string{"authorizer_id": {"aws_apigatewayv2_authorizer.jwt.id"}, "target": {"aws_apigatewayv2_integration." + name + ".id", "aws_apigatewayv2_integration." + name}})
	}
	f.add("aws_cloudwatch_log_group", "api", map[string]any{}, map[string][]string{"kms_key_id": {"aws_kms_key.k.arn"}})
	f.add("aws_kms_key", "k", map[string]any{"enable_key_rotation": true}, nil)
	f.add("aws_apigatewayv2_stage", "default", map[string]any{"name": "$default", "auto_deploy": true,
		"default_route_settings": []any{map[string]any{"throttling_rate_limit": 100.0, "throttling_burst_limit": 100.0}}}, nil)
	f.setNested("aws_apigatewayv2_stage.default", "access_log_settings", "aws_cloudwatch_log_group.api.arn")
	return f
}

// crsRule is the common rule set as plan JSON nests it, with NoUserAgent_HEADER counted or not.
func crsRule(countNoUserAgent bool) map[string]any {
	statement := map[string]any{"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}
	if countNoUserAgent {
		statement["rule_action_override"] = []any{map[string]any{"name": "NoUserAgent_HEADER",
			"action_to_use": []any{map[string]any{"count": []any{map[string]any{"custom_request_handling": []any{}}}, "block": []any{}}}}}
	}
	return map[string]any{"priority": 2.0, "override_action": []any{map[string]any{"none": []any{map[string]any{}}, "count": []any{}}},
		"statement": []any{map[string]any{"managed_rule_group_statement": []any{statement}}}}
}

// noUserAgentCount is the rule counting the NoUserAgent label under its own metric.
func noUserAgentCount(priority float64) map[string]any {
	return map[string]any{"priority": priority, "action": []any{map[string]any{"count": []any{map[string]any{}}, "block": []any{}}},
		"statement":         []any{map[string]any{"label_match_statement": []any{map[string]any{"scope": "LABEL", "key": "awswaf:managed:aws:core-rule-set:NoUserAgent_Header"}}}},
		"visibility_config": []any{map[string]any{"metric_name": "no-user-agent"}}}
}

func gatewayRules() []Rule {
	return append(Common("dev"), Gateway(GatewayExpectations{Routes: testRoutes, TargetGroupName: "phl-dev-store", AppPort: 8080,
		HealthCheckPath: "/api/products", ManagedGroups: []string{"AWSManagedRulesCommonRuleSet"}, ClientIPHeader: "X-Client-IP"})...)
}

func TestGoodGatewayPassesEveryRule(t *testing.T) {
	if findings := Run(New("dev-gateway", &goodGateway().p), gatewayRules()); len(findings) > 0 {
		t.Fatalf("findings on a good plan:\n%s", strings.Join(findings, "\n"))
	}
}

func TestGatewayRulesCatchBrokenPlans(t *testing.T) {
	set := func(f *fakePlan, addr, attr string, v any) { f.set(t, addr, attr, v) }
	cases := []struct {
		name   string
		mutate func(f *fakePlan)
		want   string
	}{
		{"internet-facing ALB", func(f *fakePlan) { set(f, "aws_lb.alb", "internal", false) }, "internal=false"},
		{"ALB open to a CIDR", func(f *fakePlan) {
			f.add("aws_vpc_security_group_ingress_rule", "alb-vpc", map[string]any{"cidr_ipv4": "10.0.0.0/16"}, map[string][]string{"security_group_id": {"aws_security_group.alb.id"}})
		}, "aws_vpc_security_group_ingress_rule.alb-vpc admits 10.0.0.0/16"},
		{"WAF not on the ALB", func(f *fakePlan) {
			for _, cr := range f.p.Config.RootModule.Resources {
				if cr.Address == "aws_wafv2_web_acl_association.waf-alb" {
					cr.Expressions["resource_arn"].References = []string{"aws_apigatewayv2_stage.default.arn"}
				}
			}
		}, "the web ACL is not associated with the ALB"},
		{"rate limit on the API Gateway address", func(f *fakePlan) {
			set(f, "aws_wafv2_web_acl.waf", "rule", []any{map[string]any{"statement": []any{map[string]any{"managed_rule_group_statement": []any{map[string]any{"name": "AWSManagedRulesCommonRuleSet"}}}}},
				map[string]any{"statement": []any{map[string]any{"rate_based_statement": []any{map[string]any{"aggregate_key_type": "IP"}}}}}})
		}, "no rate-based rule per client address"},
		{"managed group only counting", func(f *fakePlan) {
			set(f, "aws_wafv2_web_acl.waf", "rule", []any{map[string]any{"override_action": []any{map[string]any{"count": []any{map[string]any{}}}},
				"statement": []any{map[string]any{"managed_rule_group_statement": []any{map[string]any{"name": "AWSManagedRulesCommonRuleSet"}}}}}})
		}, "managed rule group AWSManagedRulesCommonRuleSet missing or only counting"},
		{"clients without a User-Agent blocked", func(f *fakePlan) {
			set(f, "aws_wafv2_web_acl.waf", "rule", []any{crsRule(false), noUserAgentCount(5)})
		}, "NoUserAgent_HEADER of AWSManagedRulesCommonRuleSet blocks API clients that send no User-Agent"},
		{"the label counted by nobody", func(f *fakePlan) {
			set(f, "aws_wafv2_web_acl.waf", "rule", []any{crsRule(true)})
		}, "no rule counts requests labeled awswaf:managed:aws:core-rule-set:NoUserAgent_Header"},
		{"the label rule before the group that adds the label", func(f *fakePlan) {
			set(f, "aws_wafv2_web_acl.waf", "rule", []any{crsRule(true), noUserAgentCount(1)})
		}, "count rule (priority 1) runs before AWSManagedRulesCommonRuleSet (priority 2)"},
		{"no alarm on the count", func(f *fakePlan) {
			set(f, "aws_cloudwatch_metric_alarm.no-user-agent", "dimensions", map[string]any{"WebACL": "phl-dev-api", "Rule": "per-client-rate"})
		}, `no alarm on AWS/WAFV2 CountedRequests of rule "no-user-agent"`},
		{"route without authorization", func(f *fakePlan) { set(f, "aws_apigatewayv2_route.GETa", "authorization_type", "NONE") }, "aws_apigatewayv2_route.GETa (GET /products) has no JWT authorizer"},
		{"scope without the resource server", func(f *fakePlan) {
			set(f, "aws_apigatewayv2_route.POSTb", "authorization_scopes", []any{"products.write"})
		}, "requires scopes [products.write]; want [phl-store/products.write]"},
		{"write route with the read scope", func(f *fakePlan) {
			set(f, "aws_apigatewayv2_route.DELETEc", "authorization_scopes", []any{"phl-store/products.read"})
		}, "(DELETE /products/{id}) requires scopes [phl-store/products.read]"},
		{"a catch-all route", func(f *fakePlan) {
			f.add("aws_apigatewayv2_route", "default", map[string]any{"route_key": "$default", "authorization_type": "NONE"}, nil)
		}, `routes "$default", which the API does not serve`},
		{"path not rewritten", func(f *fakePlan) {
			set(f, "aws_apigatewayv2_integration.GETa", "request_parameters", map[string]any{"overwrite:header.X-Client-IP": "$context.identity.sourceIp"})
		}, "aws_apigatewayv2_integration.GETa (GET /products)"},
		{"DELETE answers 200", func(f *fakePlan) { set(f, "aws_apigatewayv2_integration.DELETEc", "response_parameters", nil) }, `maps 200 to ""; want "204"`},
		{"stage without throttling", func(f *fakePlan) {
			set(f, "aws_apigatewayv2_stage.default", "default_route_settings", []any{map[string]any{"throttling_rate_limit": 0.0, "throttling_burst_limit": 0.0}})
		}, "stage $default auto_deploy=true throttling"},
		{"stage without access logs", func(f *fakePlan) { f.setNested("aws_apigatewayv2_stage.default", "access_log_settings") }, "writes no access logs"},
		{"target group outside the controller's names", func(f *fakePlan) { set(f, "aws_lb_target_group.store", "name", "store") }, "target group store"},
		{"pods not opened to the ALB", func(f *fakePlan) {
			for _, rc := range f.p.ResourceChanges {
				if rc.Address == "aws_vpc_security_group_ingress_rule.pods-from-alb" {
					rc.Change.After.(map[string]any)["from_port"] = 80.0
				}
			}
		}, "no rule lets the ALB reach the cluster's pods on 8080"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodGateway()
			c.mutate(f)
			findings := strings.Join(Run(New("dev-gateway", &f.p), gatewayRules()), "\n")
			if !strings.Contains(findings, c.want) {
				t.Errorf("findings do not mention %q:\n%s", c.want, findings)
			}
		})
	}
}
