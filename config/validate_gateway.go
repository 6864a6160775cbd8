package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	cognitoPrefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	originPattern        = regexp.MustCompile(`^https?://[a-z0-9.-]+(:[0-9]{1,5})?$`)
	dnsNamePattern       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	hostedZonePattern    = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	acmArnPattern        = regexp.MustCompile(`^arn:aws:acm:([a-z0-9-]+):([0-9]{12}):certificate/[0-9a-f-]{36}$`)
)

func (v validator) gateway(g fileGateway, prof profile, env *Environment) (Gateway, error) {
	out := Gateway{
		CognitoDomainPrefix:        Project + "-" + env.Name + "-" + env.AccountID,
		ThrottlingRateLimit:        DefaultThrottlingRate,
		ThrottlingBurstLimit:       DefaultThrottlingBurst,
		WafRateLimit:               DefaultWafRateLimit,
		CorsAllowCredentials:       g.CorsAllowCredentials,
		AccessTokenValidityMinutes: DefaultTokenValidityMinutes,
		AlbCertificateArn:          g.AlbCertificateArn,
		LogRetentionDays:           max(30, prof.minLogRetDays),
		AlbLogExpirationDays:       DefaultAlbLogExpirationDays,
	}
	set(&out.CognitoDomainPrefix, g.CognitoDomainPrefix)
	p := out.CognitoDomainPrefix
	if !cognitoPrefixPattern.MatchString(p) || strings.Contains(p, "aws") || strings.Contains(p, "amazon") || strings.Contains(p, "cognito") {
		return out, v.fail("gateway.cognito_domain_prefix", p, "not a Cognito domain prefix",
			"1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, without aws, amazon or cognito; globally unique")
	}
	if err := v.intIn("gateway.throttling_rate_limit", g.ThrottlingRateLimit, &out.ThrottlingRateLimit, 1, MaxThrottlingRate); err != nil {
		return out, err
	}
	if err := v.intIn("gateway.throttling_burst_limit", g.ThrottlingBurstLimit, &out.ThrottlingBurstLimit, 1, MaxThrottlingBurst); err != nil {
		return out, err
	}
	if err := v.intIn("gateway.waf_rate_limit", g.WafRateLimit, &out.WafRateLimit, MinWafRateLimit, 2000000000); err != nil {
		return out, err
	}
	for i, o := range g.CorsAllowedOrigins {
		key := fmt.Sprintf("gateway.cors_allowed_origins[%d]", i)
		switch {
		case o == "*" && g.CorsAllowCredentials:
			return out, v.fail(key, o, "a wildcard origin with cors_allow_credentials: browsers refuse it, and it would let any site call the API with credentials", "explicit origins, or cors_allow_credentials: false")
		case o != "*" && !originPattern.MatchString(o):
			return out, v.fail(key, o, "not an origin", "scheme://host[:port] without a path, e.g. https://shop.example.com, or *")
		case slices.Contains(out.CorsAllowedOrigins, o):
			return out, v.fail(key, o, "listed twice", "distinct origins")
		}
		out.CorsAllowedOrigins = append(out.CorsAllowedOrigins, o)
	}
	if g.CorsAllowCredentials && len(out.CorsAllowedOrigins) == 0 {
		return out, v.fail("gateway.cors_allow_credentials", "true", "set without cors_allowed_origins", "false, or list the origins")
	}
	if err := v.intIn("gateway.access_token_validity_minutes", g.AccessTokenValidityMinutes, &out.AccessTokenValidityMinutes, 5, 1440); err != nil {
		return out, err
	}
	if a := out.AlbCertificateArn; a != "" {
		m := acmArnPattern.FindStringSubmatch(a)
		if m == nil || m[1] != env.Region || m[2] != env.AccountID {
			return out, v.fail("gateway.alb_certificate_arn", a, "not an ACM certificate ARN of this account and region", "arn:aws:acm:"+env.Region+":"+env.AccountID+":certificate/<id>, or leave it out for HTTP inside the VPC")
		}
		if !dnsNamePattern.MatchString(g.AlbTLSServerName) {
			return out, v.fail("gateway.alb_tls_server_name", g.AlbTLSServerName, "required with alb_certificate_arn: API Gateway verifies the ALB's certificate against it", "a DNS name on that certificate, e.g. api.internal.example.com")
		}
		out.AlbTLSServerName = g.AlbTLSServerName
	} else if g.AlbTLSServerName != "" {
		return out, v.fail("gateway.alb_tls_server_name", g.AlbTLSServerName, "set without alb_certificate_arn", "leave it out, or set alb_certificate_arn")
	}
	if d := g.CustomDomain; d != nil {
		switch {
		case !dnsNamePattern.MatchString(d.Name):
			return out, v.fail("gateway.custom_domain.name", d.Name, "not a DNS name", "e.g. api.example.com")
		case d.HostedZoneID == "":
			return out, v.fail("gateway.custom_domain.hosted_zone_id", "", "required with a custom domain: the certificate is validated and the name published through Route 53", "the ID of the public hosted zone holding the name, e.g. Z0123456789ABCDEFGHIJ")
		case !hostedZonePattern.MatchString(d.HostedZoneID):
			return out, v.fail("gateway.custom_domain.hosted_zone_id", d.HostedZoneID, "not a Route 53 hosted zone ID", "e.g. Z0123456789ABCDEFGHIJ")
		}
		out.CustomDomain = &CustomDomain{Name: d.Name, HostedZoneID: d.HostedZoneID}
	}
	if g.LogRetentionDays != nil {
		r := *g.LogRetentionDays
		if !slices.Contains(logRetentionDays, r) || r < prof.minLogRetDays {
			return out, v.fail("gateway.log_retention_days", strconv.Itoa(r), "not a CloudWatch Logs retention period for this environment", retentionChoices(prof.minLogRetDays))
		}
		out.LogRetentionDays = r
	}
	if err := v.intIn("gateway.alb_log_expiration_days", g.AlbLogExpirationDays, &out.AlbLogExpirationDays, 1, 3653); err != nil {
		return out, err
	}
	return out, nil
}
