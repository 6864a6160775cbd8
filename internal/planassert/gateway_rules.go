package planassert

import (
	"fmt"
	"sort"
	"strings"
)

// GatewayRoute is what one public route must be: its key, the integration's rewritten path,
// the scope it requires, and the status the app's 200 becomes ("" unchanged).
type GatewayRoute struct {
	Key, AppPath, Scope, Status string
}

// GatewayExpectations are what the config and the construct promise about the front door.
type GatewayExpectations struct {
	Routes          []GatewayRoute
	TargetGroupName string
	AppPort         int
	HealthCheckPath string
	ManagedGroups   []string
	ClientIPHeader  string
}

// Gateway rules hold for "<env>-gateway".
func Gateway(want GatewayExpectations) []Rule {
	return []Rule{
		{"the ALB is internal, drops invalid headers, and only the VPC link's group reaches it", gwAlb},
		{fmt.Sprintf("WAF on the ALB with %v and a per-client rate rule on %s", want.ManagedGroups, want.ClientIPHeader), gwWaf(want.ManagedGroups, want.ClientIPHeader)},
		{"requests without a User-Agent are counted (not blocked) under their own metric, which an alarm watches", gwNoUserAgent},
		{"exactly the API's routes, each with the JWT authorizer and its scope", gwRoutes(want.Routes)},
		{"each route's integration rewrites the path, passes the client address, and remaps the status", gwIntegrations(want.Routes, want.ClientIPHeader)},
		{"the default stage throttles and writes access logs to a log group", gwStage},
		{fmt.Sprintf("target group %s: ip targets on %d, health check %s -> 200; pods admit it from the ALB", want.TargetGroupName, want.AppPort, want.HealthCheckPath), gwTargets(want)},
	}
}

func gwAlb(p *Plan) []string {
	alb, out := p.only("aws_lb")
	if alb == nil {
		return out
	}
	if After(alb, "internal") != true || After(alb, "drop_invalid_header_fields") != true {
		out = append(out, fmt.Sprintf("internal=%v drop_invalid_header_fields=%v", After(alb, "internal"), After(alb, "drop_invalid_header_fields")))
	}
	var sgs []string
	for _, r := range p.References(alb, "security_groups") {
		if strings.HasPrefix(r, "aws_security_group.") && strings.Count(r, ".") == 1 {
			sgs = append(sgs, r)
		}
	}
	if len(sgs) != 1 {
		return append(out, fmt.Sprintf("the ALB has %d security groups of the stack; want 1", len(sgs)))
	}
	admitted := 0
	for _, r := range p.Of("aws_vpc_security_group_ingress_rule") {
		if !refersTo(p.References(r, "security_group_id"), sgs[0]) {
			continue
		}
		admitted++
		src := p.References(r, "referenced_security_group_id")
		if After(r, "cidr_ipv4") != nil || After(r, "cidr_ipv6") != nil || len(src) == 0 || !strings.HasPrefix(src[0], "aws_security_group.") {
			out = append(out, fmt.Sprintf("%s admits %v %v", r.Address, After(r, "cidr_ipv4"), src))
			continue
		}
		if sg := p.changes[strings.TrimSuffix(src[0], ".id")]; sg == nil || !strings.Contains(fmt.Sprint(After(sg, "name")), "vpc-link") {
			out = append(out, r.Address+" admits a group other than the VPC link's")
		}
	}
	if admitted == 0 {
		out = append(out, "nothing may reach the ALB")
	}
	return out
}

func gwWaf(groups []string, header string) func(p *Plan) []string {
	return func(p *Plan) []string {
		acl, out := p.only("aws_wafv2_web_acl")
		if acl == nil {
			return out
		}
		assoc, o := p.only("aws_wafv2_web_acl_association")
		if assoc == nil {
			return append(out, o...)
		}
		if !refersTo(p.References(assoc, "resource_arn"), "aws_lb") || !refersTo(p.References(assoc, "web_acl_arn"), "aws_wafv2_web_acl") {
			out = append(out, "the web ACL is not associated with the ALB")
		}
		got, rate := map[string]bool{}, false
		for _, r := range asList(After(acl, "rule")) {
			rule := r.(map[string]any)
			st := rule["statement"]
			// A group in count mode blocks nothing: only "none" keeps its own actions.
			enforced := len(valuesOf(rule["override_action"], "none")) > 0
			for _, m := range valuesOf(st, "managed_rule_group_statement") {
				for _, n := range valuesOf(m, "name") {
					got[fmt.Sprint(n)] = enforced
				}
			}
			for _, rb := range valuesOf(st, "rate_based_statement") {
				if fmt.Sprint(valuesOf(rb, "aggregate_key_type")) == "[FORWARDED_IP]" && fmt.Sprint(valuesOf(rb, "header_name")) == "["+header+"]" &&
					len(valuesOf(rule["action"], "block")) > 0 {
					rate = true
				}
			}
		}
		for _, g := range groups {
			if !got[g] {
				out = append(out, "managed rule group "+g+" missing or only counting")
			}
		}
		if !rate {
			out = append(out, "no rate-based rule per client address ("+header+")")
		}
		return out
	}
}

func gwRoutes(want []GatewayRoute) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		byKey := map[string]GatewayRoute{}
		for _, w := range want {
			byKey[w.Key] = w
		}
		var keys []string
		for _, r := range p.Of("aws_apigatewayv2_route") {
			key := fmt.Sprint(After(r, "route_key"))
			keys = append(keys, key)
			w, ok := byKey[key]
			if !ok {
				out = append(out, fmt.Sprintf("%s routes %q, which the API does not serve", r.Address, key))
				continue
			}
			if After(r, "authorization_type") != "JWT" || !refersTo(p.References(r, "authorizer_id"), "aws_apigatewayv2_authorizer") {
				out = append(out, fmt.Sprintf("%s (%s) has no JWT authorizer", r.Address, key))
			}
			if fmt.Sprint(After(r, "authorization_scopes")) != "["+w.Scope+"]" {
				out = append(out, fmt.Sprintf("%s (%s) requires scopes %v; want [%s]", r.Address, key, After(r, "authorization_scopes"), w.Scope))
			}
		}
		sort.Strings(keys)
		var wantKeys []string
		for k := range byKey {
			wantKeys = append(wantKeys, k)
		}
		sort.Strings(wantKeys)
		if fmt.Sprint(keys) != fmt.Sprint(wantKeys) {
			out = append(out, fmt.Sprintf("routes %v; want %v", keys, wantKeys))
		}
		return out
	}
}

func gwIntegrations(want []GatewayRoute, header string) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		byKey := map[string]GatewayRoute{}
		for _, w := range want {
			byKey[w.Key] = w
		}
		for _, r := range p.Of("aws_apigatewayv2_route") {
			w, ok := byKey[fmt.Sprint(After(r, "route_key"))]
			if !ok {
				continue
			}
			in := p.referencedResource(r, "target")
			if in == nil {
				out = append(out, r.Address+" targets no integration of the stack")
				continue
			}
			params, _ := After(in, "request_parameters").(map[string]any)
			if params["overwrite:path"] != w.AppPath || params["overwrite:header."+header] != "$context.identity.sourceIp" ||
				After(in, "connection_type") != "VPC_LINK" || After(in, "integration_method") != strings.Fields(w.Key)[0] {
				out = append(out, fmt.Sprintf("%s (%s): %v %v %v", in.Address, w.Key, After(in, "integration_method"), After(in, "connection_type"), params))
			}
			status := ""
			for _, rp := range asList(After(in, "response_parameters")) {
				m := rp.(map[string]any)
				mappings, _ := m["mappings"].(map[string]any)
				if m["status_code"] == "200" {
					status = fmt.Sprint(mappings["overwrite:statuscode"])
				}
			}
			if status != w.Status {
				out = append(out, fmt.Sprintf("%s (%s) maps 200 to %q; want %q", in.Address, w.Key, status, w.Status))
			}
		}
		return out
	}
}

func gwStage(p *Plan) []string {
	st, out := p.only("aws_apigatewayv2_stage")
	if st == nil {
		return out
	}
	settings := first(st, "default_route_settings")
	if After(st, "name") != "$default" || After(st, "auto_deploy") != true || settings["throttling_rate_limit"] == nil ||
		settings["throttling_rate_limit"] == float64(0) || settings["throttling_burst_limit"] == float64(0) {
		out = append(out, fmt.Sprintf("stage %v auto_deploy=%v throttling %v", After(st, "name"), After(st, "auto_deploy"), settings))
	}
	if !refersTo(p.DeepReferences(st, "access_log_settings"), "aws_cloudwatch_log_group") {
		out = append(out, "the stage writes no access logs to a log group of the stack")
	}
	return out
}

func gwTargets(want GatewayExpectations) func(p *Plan) []string {
	return func(p *Plan) []string {
		tg, out := p.only("aws_lb_target_group")
		if tg == nil {
			return out
		}
		hc := first(tg, "health_check")
		if After(tg, "name") != want.TargetGroupName || After(tg, "port") != float64(want.AppPort) || After(tg, "target_type") != "ip" ||
			hc["path"] != want.HealthCheckPath || hc["matcher"] != "200" {
			out = append(out, fmt.Sprintf("target group %v port %v type %v health %v %v", After(tg, "name"), After(tg, "port"), After(tg, "target_type"), hc["path"], hc["matcher"]))
		}
		podRule := false
		for _, r := range p.Of("aws_vpc_security_group_ingress_rule") {
			if refersTo(p.References(r, "security_group_id"), "data.terraform_remote_state") && After(r, "from_port") == float64(want.AppPort) &&
				refersTo(p.References(r, "referenced_security_group_id"), "aws_security_group") {
				podRule = true
			}
		}
		if !podRule {
			out = append(out, fmt.Sprintf("no rule lets the ALB reach the cluster's pods on %d", want.AppPort))
		}
		return out
	}
}

// valuesOf returns every non-null value stored under key anywhere in v (plan JSON nests
// blocks as lists of objects).
func valuesOf(v any, key string) []any {
	var out []any
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == key && e != nil {
				if l, ok := e.([]any); ok {
					out = append(out, l...)
				} else {
					out = append(out, e)
				}
			} else {
				out = append(out, valuesOf(e, key)...)
			}
		}
	case []any:
		for _, e := range x {
			out = append(out, valuesOf(e, key)...)
		}
	}
	return out
}
