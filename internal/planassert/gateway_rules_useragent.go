package planassert

import (
	"fmt"
)

// The common rule set's rule for requests without a User-Agent and the label it adds (AWS WAF
// developer guide, "Core rule set (CRS) managed rule group").
const (
	commonRuleSet    = "AWSManagedRulesCommonRuleSet"
	noUserAgentRule  = "NoUserAgent_HEADER"
	noUserAgentLabel = "awswaf:managed:aws:core-rule-set:NoUserAgent_Header"
)

// gwNoUserAgent: every request reaching the ALB carries a valid JWT, so NoUserAgent_HEADER
// only counts; a later rule counts its label under a metric an alarm on CountedRequests
// watches (AWS/WAFV2, dimensions WebACL, Rule, Region).
func gwNoUserAgent(p *Plan) []string {
	acl, out := p.only("aws_wafv2_web_acl")
	if acl == nil {
		return out
	}
	crsPriority, labelPriority, counted, metric := -1.0, -1.0, false, ""
	for _, r := range asList(After(acl, "rule")) {
		rule, _ := r.(map[string]any)
		priority, _ := rule["priority"].(float64)
		for _, m := range valuesOf(rule["statement"], "managed_rule_group_statement") {
			if group, _ := m.(map[string]any); group["name"] != commonRuleSet {
				continue
			}
			crsPriority = priority
			for _, o := range valuesOf(m, "rule_action_override") {
				if override, _ := o.(map[string]any); override["name"] == noUserAgentRule && len(valuesOf(valuesOf(o, "action_to_use"), "count")) > 0 {
					counted = true
				}
			}
		}
		for _, l := range valuesOf(rule["statement"], "label_match_statement") {
			if fmt.Sprint(valuesOf(l, "key")) == "["+noUserAgentLabel+"]" && fmt.Sprint(valuesOf(l, "scope")) == "[LABEL]" &&
				len(valuesOf(rule["action"], "count")) > 0 {
				labelPriority = priority
				metric = fmt.Sprint(valuesOf(rule["visibility_config"], "metric_name")...)
			}
		}
	}
	if !counted {
		out = append(out, noUserAgentRule+" of "+commonRuleSet+" blocks API clients that send no User-Agent; override it to count")
	}
	if labelPriority < 0 {
		return append(out, "no rule counts requests labeled "+noUserAgentLabel)
	}
	if labelPriority <= crsPriority {
		out = append(out, fmt.Sprintf("the %s count rule (priority %v) runs before %s (priority %v), which adds the label", noUserAgentLabel, labelPriority, commonRuleSet, crsPriority))
	}
	watched := false
	for _, a := range p.Of("aws_cloudwatch_metric_alarm") {
		dims, _ := After(a, "dimensions").(map[string]any)
		if After(a, "namespace") == "AWS/WAFV2" && After(a, "metric_name") == "CountedRequests" && dims["Rule"] == metric &&
			(dims["WebACL"] == After(acl, "name") || refersTo(p.References(a, "dimensions"), "aws_wafv2_web_acl")) {
			watched = true
		}
	}
	if !watched {
		out = append(out, fmt.Sprintf("no alarm on AWS/WAFV2 CountedRequests of rule %q", metric))
	}
	return out
}
