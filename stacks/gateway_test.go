package stacks

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/gateway"
)

func synthGateway(t *testing.T, env *config.Environment) *synthesized {
	return synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
		return Build(app, env, testArtifacts()).Gateway.TerraformStack
	})
}

// The ALB is internal, reachable only from the VPC link's group; it forwards only the app's
// paths to the target group the Load Balancer Controller may bind, and the pods admit it.
func TestGatewayLoadBalancer(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		env := shipped(t, name)
		s := synthGateway(t, env)
		_, alb := s.only("aws_lb")
		if alb["internal"] != true || alb["drop_invalid_header_fields"] != true || alb["enable_deletion_protection"] != env.Database.DeletionProtection ||
			!strings.Contains(fmt.Sprint(alb["subnets"]), "network_private-") {
			t.Errorf("%s: ALB = %v", name, alb)
		}
		albSG, _ := s.named("aws_security_group", "name", env.ClusterName()+"-alb")
		linkSG, _ := s.named("aws_security_group", "name", env.ClusterName()+"-vpc-link")
		var admits []string
		for _, r := range s.resources("aws_vpc_security_group_ingress_rule") {
			if r["cidr_ipv4"] != nil || r["cidr_ipv6"] != nil {
				t.Errorf("%s: a CIDR rule %v", name, r)
			}
			if r["security_group_id"] == ref("aws_security_group", albSG, "id") {
				admits = append(admits, fmt.Sprint(r["referenced_security_group_id"], ":", r["from_port"]))
			}
			if strings.Contains(fmt.Sprint(r["security_group_id"]), "eks_pods-sg") &&
				(r["referenced_security_group_id"] != ref("aws_security_group", albSG, "id") || r["from_port"] != float64(gateway.AppPort)) {
				t.Errorf("%s: pod rule %v", name, r)
			}
		}
		if fmt.Sprint(admits) != "["+ref("aws_security_group", linkSG, "id")+":80]" {
			t.Errorf("%s: the ALB admits %v; want only the VPC link on 80", name, admits)
		}
		_, tg := s.only("aws_lb_target_group")
		hc := firstBlock(tg, "health_check")
		if tg["name"] != env.ClusterName()+"-store" || tg["port"] != float64(8080) || tg["target_type"] != "ip" || hc["path"] != "/api/products" || hc["matcher"] != "200" {
			t.Errorf("%s: target group %v", name, tg)
		}
		_, rule := s.only("aws_lb_listener_rule")
		if !strings.Contains(fmt.Sprint(rule["condition"]), "/api/products/*") {
			t.Errorf("%s: listener rule %v", name, rule)
		}
		_, listener := s.only("aws_lb_listener")
		if !strings.Contains(fmt.Sprint(listener["default_action"]), "fixed-response") {
			t.Errorf("%s: the listener forwards by default: %v", name, listener["default_action"])
		}
		_, sse := s.only("aws_s3_bucket_server_side_encryption_configuration")
		_, block := s.only("aws_s3_bucket_public_access_block")
		_, policy := s.only("aws_s3_bucket_policy")
		if !strings.Contains(fmt.Sprint(sse["rule"]), "AES256") || block["block_public_policy"] != true || block["restrict_public_buckets"] != true ||
			!containsAll(fmt.Sprint(policyStatements(t, policy["policy"])), "arn:aws:iam::114774131450:root", "aws:SecureTransport:false", "/alb/AWSLogs/"+env.AccountID+"/*") {
			t.Errorf("%s: access log bucket sse=%v block=%v policy=%v", name, sse, block, policy["policy"])
		}
	}
}

// WAF on the ALB: the managed groups, a rate rule per client address carried by the header the
// integrations set, and logs with the bearer token redacted.
func TestGatewayWaf(t *testing.T) {
	s := synthGateway(t, shipped(t, "prod"))
	aclName, acl := s.only("aws_wafv2_web_acl")
	rules := fmt.Sprint(acl["rule"])
	for _, g := range gateway.ManagedRuleGroups {
		if !strings.Contains(rules, g) {
			t.Errorf("managed group %s missing", g)
		}
	}
	if !containsAll(rules, "rate_based_statement", "aggregate_key_type:FORWARDED_IP", "header_name:"+gateway.ClientIPHeader, "limit:1000") {
		t.Errorf("rate rule missing: %s", rules)
	}
	assertNoUserAgentCounted(t, s, aclName, acl)
	_, assoc := s.only("aws_wafv2_web_acl_association")
	albName, _ := s.only("aws_lb")
	if assoc["resource_arn"] != ref("aws_lb", albName, "arn") || assoc["web_acl_arn"] != ref("aws_wafv2_web_acl", aclName, "arn") {
		t.Errorf("association = %v", assoc)
	}
	_, logging := s.only("aws_wafv2_web_acl_logging_configuration")
	groupName, group := s.named("aws_cloudwatch_log_group", "name", "aws-waf-logs-phl-prod")
	if fmt.Sprint(logging["log_destination_configs"]) != "["+ref("aws_cloudwatch_log_group", groupName, "arn")+"]" ||
		!strings.Contains(fmt.Sprint(logging["redacted_fields"]), "authorization") || group["kms_key_id"] == nil {
		t.Errorf("WAF logging = %v, group %v", logging, group)
	}
}

// NoUserAgent_HEADER counts instead of blocking; a rule after the common rule set counts its
// label under its own metric, and an alarm watches that metric.
func assertNoUserAgentCounted(t *testing.T, s *synthesized, aclName string, acl map[string]any) {
	t.Helper()
	priorities := map[string]float64{}
	for _, r := range acl["rule"].([]any) {
		rule := r.(map[string]any)
		priorities[fmt.Sprint(rule["name"])] = rule["priority"].(float64)
		statement := fmt.Sprint(rule["statement"])
		switch rule["name"] {
		case "AWSManagedRulesCommonRuleSet":
			if !containsAll(statement, "rule_action_override", "name:"+gateway.NoUserAgent.Rule, "action_to_use:map[count:map[]]") {
				t.Errorf("%s still blocks requests without a User-Agent: %s", rule["name"], statement)
			}
		case gateway.NoUserAgent.Metric:
			if !containsAll(statement, "label_match_statement", "key:"+gateway.NoUserAgent.Label, "scope:LABEL") ||
				fmt.Sprint(rule["action"]) != "map[count:map[]]" || !strings.Contains(fmt.Sprint(rule["visibility_config"]), "metric_name:"+gateway.NoUserAgent.Metric) {
				t.Errorf("label count rule = %v", rule)
			}
		default:
			if strings.Contains(statement, gateway.NoUserAgent.Rule) {
				t.Errorf("rule %v overrides %s", rule["name"], gateway.NoUserAgent.Rule)
			}
		}
	}
	if priorities[gateway.NoUserAgent.Metric] <= priorities["AWSManagedRulesCommonRuleSet"] {
		t.Errorf("priorities %v: the label rule must follow the common rule set, which adds the label", priorities)
	}
	_, alarm := s.only("aws_cloudwatch_metric_alarm")
	dims, _ := alarm["dimensions"].(map[string]any)
	if alarm["namespace"] != "AWS/WAFV2" || alarm["metric_name"] != "CountedRequests" || dims["WebACL"] != ref("aws_wafv2_web_acl", aclName, "name") ||
		dims["Rule"] != gateway.NoUserAgent.Metric || dims["Region"] == nil || alarm["comparison_operator"] != "GreaterThanThreshold" || alarm["threshold"] != float64(0) {
		t.Errorf("alarm = %v", alarm)
	}
}

// Exactly the five routes, each behind the JWT authorizer with its full scope; each integration
// rewrites the path, passes the client address and remaps the status; nothing else routes.
func TestGatewayRoutesAndIntegrations(t *testing.T) {
	env := shipped(t, "dev")
	s := synthGateway(t, env)
	authName, auth := s.only("aws_apigatewayv2_authorizer")
	poolName, _ := s.only("aws_cognito_user_pool")
	clientName, _ := s.only("aws_cognito_user_pool_client")
	jwt := firstBlock(auth, "jwt_configuration")
	if auth["authorizer_type"] != "JWT" || fmt.Sprint(jwt["audience"]) != "["+ref("aws_cognito_user_pool_client", clientName, "id")+"]" ||
		jwt["issuer"] != "https://cognito-idp."+env.Region+".amazonaws.com/"+ref("aws_cognito_user_pool", poolName, "id") {
		t.Errorf("authorizer = %v", auth)
	}
	integrations := s.resources("aws_apigatewayv2_integration")
	var keys []string
	for _, r := range s.resources("aws_apigatewayv2_route") {
		keys = append(keys, fmt.Sprint(r["route_key"]))
		var want gateway.Route
		for _, w := range gateway.Routes {
			if w.Method+" "+w.Path == r["route_key"] {
				want = w
			}
		}
		if r["authorization_type"] != "JWT" || r["authorizer_id"] != ref("aws_apigatewayv2_authorizer", authName, "id") ||
			fmt.Sprint(r["authorization_scopes"]) != "["+gateway.ResourceServer+"/"+want.Scope+"]" {
			t.Errorf("route %v: auth %v %v scopes %v", r["route_key"], r["authorization_type"], r["authorizer_id"], r["authorization_scopes"])
		}
		inName := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(r["target"]), "integrations/${aws_apigatewayv2_integration."), ".id}")
		in := integrations[inName]
		params, _ := in["request_parameters"].(map[string]any)
		if in["integration_method"] != want.Method || in["connection_type"] != "VPC_LINK" || params["overwrite:path"] != want.AppPath ||
			params["overwrite:header."+gateway.ClientIPHeader] != "$context.identity.sourceIp" {
			t.Errorf("route %v: integration %v", r["route_key"], in)
		}
		remap := fmt.Sprint(in["response_parameters"])
		if (want.Status != 0) != strings.Contains(remap, fmt.Sprintf("overwrite:statuscode:%d", want.Status)) || (want.Status == 0 && in["response_parameters"] != nil) {
			t.Errorf("route %v: response mapping %s; want status %d", r["route_key"], remap, want.Status)
		}
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[DELETE /products/{id} GET /products GET /products/{id} POST /products PUT /products/{id}]" {
		t.Errorf("routes = %v", keys)
	}
	_, stage := s.only("aws_apigatewayv2_stage")
	settings := firstBlock(stage, "default_route_settings")
	logs := firstBlock(stage, "access_log_settings")
	if stage["name"] != "$default" || stage["auto_deploy"] != true || settings["throttling_rate_limit"] != float64(env.Gateway.ThrottlingRateLimit) ||
		settings["throttling_burst_limit"] != float64(env.Gateway.ThrottlingBurstLimit) || !strings.Contains(fmt.Sprint(logs["destination_arn"]), "aws_cloudwatch_log_group.") ||
		!strings.Contains(fmt.Sprint(logs["format"]), "$context.identity.sourceIp") {
		t.Errorf("stage = %v", stage)
	}
}

func TestGatewayCognito(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		env := shipped(t, name)
		s := synthGateway(t, env)
		_, pool := s.only("aws_cognito_user_pool")
		want := map[bool]string{true: "ACTIVE", false: "INACTIVE"}[env.Database.DeletionProtection]
		if pool["deletion_protection"] != want || !strings.Contains(fmt.Sprint(pool["admin_create_user_config"]), "allow_admin_create_user_only:true") {
			t.Errorf("%s: pool = %v", name, pool)
		}
		serverName, server := s.only("aws_cognito_resource_server")
		if server["identifier"] != gateway.ResourceServer || !containsAll(fmt.Sprint(server["scope"]), "products.read", "products.write") {
			t.Errorf("%s: resource server = %v", name, server)
		}
		_, client := s.only("aws_cognito_user_pool_client")
		if client["generate_secret"] != true || fmt.Sprint(client["allowed_oauth_flows"]) != "[client_credentials]" ||
			client["allowed_oauth_scopes"] != ref("aws_cognito_resource_server", serverName, "scope_identifiers") ||
			client["access_token_validity"] != float64(env.Gateway.AccessTokenValidityMinutes) {
			t.Errorf("%s: client = %v", name, client)
		}
		_, domain := s.only("aws_cognito_user_pool_domain")
		if domain["domain"] != env.Gateway.CognitoDomainPrefix {
			t.Errorf("%s: domain = %v", name, domain)
		}
		outputs, _ := s.doc["output"].(map[string]any)
		for k := range outputs {
			if strings.Contains(k, "secret") {
				t.Errorf("%s: output %s looks like a secret", name, k)
			}
		}
	}
}

// A custom domain brings a DNS-validated certificate, the API domain and an alias record; an
// ALB certificate makes the listener HTTPS and the integrations verify its name.
func TestGatewayCustomDomainAndHTTPS(t *testing.T) {
	env := shipped(t, "dev")
	env.Gateway.CustomDomain = &config.CustomDomain{Name: "api.example.com", HostedZoneID: "Z0123456789ABCDEFGHIJ"}
	env.Gateway.AlbCertificateArn = "arn:aws:acm:" + env.Region + ":" + env.AccountID + ":certificate/12345678-1234-1234-1234-123456789012"
	env.Gateway.AlbTLSServerName = "api.internal.example.com"
	s := synthGateway(t, env)
	_, cert := s.only("aws_acm_certificate")
	_, domain := s.only("aws_apigatewayv2_domain_name")
	if cert["validation_method"] != "DNS" || domain["domain_name"] != "api.example.com" || !strings.Contains(fmt.Sprint(domain["domain_name_configuration"]), "TLS_1_2") {
		t.Errorf("certificate %v, domain %v", cert, domain)
	}
	if n := len(s.resources("aws_route53_record")); n != 2 {
		t.Errorf("%d Route 53 records; want the validation record and the alias", n)
	}
	_, listener := s.only("aws_lb_listener")
	if listener["protocol"] != "HTTPS" || listener["port"] != float64(443) || listener["certificate_arn"] != env.Gateway.AlbCertificateArn {
		t.Errorf("listener = %v", listener)
	}
	for _, in := range s.resources("aws_apigatewayv2_integration") {
		if !strings.Contains(fmt.Sprint(in["tls_config"]), "api.internal.example.com") {
			t.Errorf("integration does not verify the ALB's name: %v", in["tls_config"])
		}
	}
	_, api := s.only("aws_apigatewayv2_api")
	if api["disable_execute_api_endpoint"] != true {
		t.Error("with a custom domain the default endpoint stays open")
	}
}

func TestGatewayOutputs(t *testing.T) {
	assertOutputs(t, synthGateway(t, shipped(t, "dev")), "api_url", "token_url", "client_id", "user_pool_id", "target_group_arn",
		"alb_arn", "listener_arn", "web_acl_arn", "alb_security_group_id")
}
