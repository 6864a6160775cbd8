package preflight

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cognitotypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// checkGateway: the Cognito domain prefix is free (or already this account's); a configured
// ALB certificate is issued and names the TLS server name; a configured hosted zone exists,
// is public and holds the custom domain.
func (r *runner) checkGateway() {
	st := r.stack("gateway")
	domains := st.Resources("aws_cognito_user_pool_domain")
	if len(domains) == 0 {
		r.skip("gateway.cognito-domain", "the gateway stack has no Cognito domain")
	}
	for _, d := range domains {
		r.checkCognitoDomain(d)
	}
	certs := 0
	for _, l := range st.Resources("aws_lb_listener") {
		if arn, ok := l.Literal("certificate_arn"); ok {
			certs++
			r.checkCertificate(arn)
		}
	}
	if certs == 0 {
		r.skip("gateway.alb-certificate", "no alb_certificate_arn: the ALB listens on HTTP inside the VPC")
	}
	zones := map[string]bool{}
	for _, rec := range st.Resources("aws_route53_record") {
		if id, ok := rec.Literal("zone_id"); ok {
			zones[id] = true
		}
	}
	if len(zones) == 0 {
		r.skip("gateway.hosted-zone", "no custom_domain")
	}
	for _, id := range sortedKeys(zones) {
		r.checkHostedZone(id)
	}
}

func (r *runner) checkCognitoDomain(d Resource) {
	const name = "gateway.cognito-domain"
	prefix, ok := d.Literal("domain")
	if !ok {
		r.skip(name, "the domain prefix is computed at apply")
		return
	}
	if _, custom := d.Literal("certificate_arn"); custom {
		r.skip(name, prefix+" is a custom domain (its certificate and DNS are not checked)")
		return
	}
	out, err := r.aws.Cognito.DescribeUserPoolDomain(r.ctx, &cognitoidentityprovider.DescribeUserPoolDomainInput{Domain: aws.String(prefix)})
	if err != nil {
		r.apiFail(name, "cognito-idp:DescribeUserPoolDomain", err)
		return
	}
	taken := fmt.Sprintf("prefix %q is taken in %s", prefix, r.env.Region)
	fix := "set gateway.cognito_domain_prefix in " + r.env.SourceFile + " to another globally unique prefix"
	desc := out.DomainDescription
	if !domainDescribed(desc) {
		r.pass(name, fmt.Sprintf("prefix %q is free in %s", prefix, r.env.Region))
		return
	}
	// The API reference promises no owner for a prefix of another account: any description is
	// a taken prefix, unless its owner or its user pool is this account's.
	pool := aws.ToString(desc.UserPoolId)
	switch owner := aws.ToString(desc.AWSAccountId); {
	case owner == r.env.AccountID:
		r.pass(name, fmt.Sprintf("prefix %q is already this account's (user pool %s)", prefix, pool))
	case owner != "":
		r.fail(name, taken+" by another account ("+owner+")", fix)
	case pool == "":
		r.fail(name, taken+" (DescribeUserPoolDomain names no owner: not this account's as far as preflight can tell)", fix)
	default:
		_, err := r.aws.Cognito.DescribeUserPool(r.ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		switch {
		case err == nil:
			r.pass(name, fmt.Sprintf("prefix %q is already this account's (user pool %s)", prefix, pool))
		case errorCode(err) == "ResourceNotFoundException":
			r.fail(name, taken+" by another account (user pool "+pool+" is not this account's)", fix)
		default:
			r.apiFail(name, "cognito-idp:DescribeUserPool "+pool+" (whose is the prefix?)", err)
		}
	}
}

// domainDescribed tells whether DescribeUserPoolDomain described a domain: a free prefix
// answers an empty DomainDescription.
func domainDescribed(d *cognitotypes.DomainDescriptionType) bool {
	return d != nil && (aws.ToString(d.Domain) != "" || aws.ToString(d.UserPoolId) != "" || aws.ToString(d.AWSAccountId) != "" ||
		aws.ToString(d.CloudFrontDistribution) != "" || aws.ToString(d.S3Bucket) != "" || aws.ToString(d.Version) != "" ||
		d.Status != "" || d.CustomDomainConfig != nil)
}

func (r *runner) checkCertificate(arn string) {
	const name = "gateway.alb-certificate"
	if parts := strings.Split(arn, ":"); len(parts) > 3 && parts[3] != r.env.Region {
		r.fail(name, fmt.Sprintf("%s is in %s; the ALB in %s needs a certificate of its own region", arn, parts[3], r.env.Region),
			"request or import the certificate in "+r.env.Region+" and set gateway.alb_certificate_arn")
		return
	}
	out, err := r.aws.ACM.DescribeCertificate(r.ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
	if err != nil {
		if errorCode(err) == "ResourceNotFoundException" {
			r.fail(name, arn+" does not exist", "correct gateway.alb_certificate_arn in "+r.env.SourceFile)
			return
		}
		r.apiFail(name, "acm:DescribeCertificate", err)
		return
	}
	c := out.Certificate
	if c == nil || c.Status != acmtypes.CertificateStatusIssued {
		status := "unknown"
		if c != nil {
			status = string(c.Status)
		}
		r.fail(name, fmt.Sprintf("%s is %s, not ISSUED", arn, status), "complete its validation (DNS or email) or use an issued certificate")
		return
	}
	if c.NotAfter != nil && c.NotAfter.Before(time.Now()) {
		r.fail(name, fmt.Sprintf("%s expired on %s", arn, c.NotAfter.UTC().Format("2006-01-02")), "renew or replace the certificate")
		return
	}
	names := c.SubjectAlternativeNames // the domain name is the first of them
	if len(names) == 0 {
		names = []string{aws.ToString(c.DomainName)}
	}
	if server := r.env.Gateway.AlbTLSServerName; server != "" && !coversName(names, server) {
		r.fail(name, fmt.Sprintf("%s is issued for %s, not %s (alb_tls_server_name)", arn, strings.Join(names, ", "), server),
			"set gateway.alb_tls_server_name to a name on the certificate")
		return
	}
	r.pass(name, fmt.Sprintf("%s is ISSUED for %s", arn, strings.Join(names, ", ")))
}

// coversName tells whether a certificate name (exact or *.wildcard) covers host.
func coversName(names []string, host string) bool {
	host = strings.ToLower(host)
	for _, n := range names {
		n = strings.ToLower(n)
		if n == host {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			if i := strings.IndexByte(host, '.'); i > 0 && host[i+1:] == rest {
				return true
			}
		}
	}
	return false
}

func (r *runner) checkHostedZone(id string) {
	const name = "gateway.hosted-zone"
	out, err := r.aws.Route53.GetHostedZone(r.ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if err != nil {
		if errorCode(err) == "NoSuchHostedZone" {
			r.fail(name, "hosted zone "+id+" does not exist in account "+r.env.AccountID, "correct gateway.custom_domain.hosted_zone_id in "+r.env.SourceFile)
			return
		}
		r.apiFail(name, "route53:GetHostedZone", err)
		return
	}
	zone := strings.TrimSuffix(aws.ToString(out.HostedZone.Name), ".")
	if out.HostedZone.Config != nil && out.HostedZone.Config.PrivateZone {
		r.fail(name, fmt.Sprintf("hosted zone %s (%s) is private: the API's name must resolve publicly", id, zone), "use a public hosted zone")
		return
	}
	if d := r.env.Gateway.CustomDomain; d != nil {
		host := strings.ToLower(strings.TrimSuffix(d.Name, "."))
		if host != strings.ToLower(zone) && !strings.HasSuffix(host, "."+strings.ToLower(zone)) {
			r.fail(name, fmt.Sprintf("%s is not in hosted zone %s (%s)", d.Name, id, zone), "set gateway.custom_domain.hosted_zone_id to the zone of "+d.Name)
			return
		}
	}
	r.pass(name, fmt.Sprintf("hosted zone %s (%s) exists and is public", id, zone))
}
