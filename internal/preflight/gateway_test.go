package preflight

import (
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

// A taken prefix, in each shape DescribeUserPoolDomain may answer: with the owner's account,
// without it (the API reference does not promise AWSAccountId), and without a user pool.
func TestCognitoPrefixTaken(t *testing.T) {
	cases := []struct {
		name   string
		domain awsfake.CognitoDomain
		want   string
	}{
		{"another account", awsfake.CognitoDomain{AccountID: "999999999999", UserPoolID: "ap-southeast-1_other"}, "by another account (999999999999)"},
		{"no account", awsfake.CognitoDomain{UserPoolID: "ap-southeast-1_other", OmitAccountID: true}, "by another account (user pool ap-southeast-1_other is not this account's)"},
		{"no owner at all", awsfake.CognitoDomain{OmitAccountID: true}, "names no owner"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "dev")
			h.account(func(a *awsfake.Account) { a.CognitoDomains[cognitoPrefix(t, h)] = c.domain })
			expect(t, h.run(), "gateway.cognito-domain", Fail, `prefix "phl-dev-111111111111" is taken in ap-southeast-1`, c.want, "gateway.cognito_domain_prefix")
		})
	}
}

// This account's own prefix passes, with or without AWSAccountId (then its pool is looked up).
func TestCognitoPrefixAlreadyOurs(t *testing.T) {
	for _, omit := range []bool{false, true} {
		h := newHarness(t, "dev")
		h.account(func(a *awsfake.Account) {
			a.CognitoDomains[cognitoPrefix(t, h)] = awsfake.CognitoDomain{AccountID: "111111111111", UserPoolID: "ap-southeast-1_ours", OmitAccountID: omit}
			a.UserPools["ap-southeast-1_ours"] = true
		})
		expect(t, h.run(), "gateway.cognito-domain", Pass, "already this account's (user pool ap-southeast-1_ours)")
		asked := false
		for _, c := range h.fake.Calls() {
			asked = asked || c.Action == "cognito-idp:DescribeUserPool"
		}
		if asked != omit {
			t.Errorf("without AWSAccountId %v: DescribeUserPool asked %v", omit, asked)
		}
	}
}

// The pool lookup refused: a clear line, not a guess.
func TestCognitoPoolLookupDenied(t *testing.T) {
	h := newHarness(t, "dev")
	h.account(func(a *awsfake.Account) {
		a.CognitoDomains[cognitoPrefix(t, h)] = awsfake.CognitoDomain{UserPoolID: "ap-southeast-1_ours", OmitAccountID: true}
		a.Deny["cognito-idp:DescribeUserPool"] = true
	})
	expect(t, h.run(), "gateway.cognito-domain", Fail, "cognito-idp:DescribeUserPool ap-southeast-1_ours", "AccessDeniedException", "preflight policy")
}

const certArn = "arn:aws:acm:ap-southeast-1:222222222222:certificate/0f2b9c1e-1111-2222-3333-444455556666"

// withTLS configures prod as a user would for HTTPS to the ALB and a custom API domain, and
// puts into the stack what the gateway construct synthesizes for them.
func withTLS(t *testing.T) *harness {
	h := newHarness(t, "prod")
	h.env.Gateway.AlbCertificateArn = certArn
	h.env.Gateway.AlbTLSServerName = "alb.internal.example.com"
	h.env.Gateway.CustomDomain = &config.CustomDomain{Name: "api.example.com", HostedZoneID: "Z0123456789ABCDEFGHIJ"}
	listener := h.resource("gateway", "aws_lb_listener")
	listener["protocol"], listener["certificate_arn"] = "HTTPS", certArn
	h.addResource("gateway", "aws_route53_record", "gateway_api-alias", map[string]any{"zone_id": "Z0123456789ABCDEFGHIJ", "name": "api.example.com"})
	h.addResource("gateway", "aws_route53_record", "gateway_api-certificate-validation", map[string]any{"zone_id": "Z0123456789ABCDEFGHIJ", "name": "${aws_acm_certificate.x.domain_validation_options[0].resource_record_name}"})
	return h
}

func TestCertificateAndHostedZone(t *testing.T) {
	h := withTLS(t)
	checks := h.run()
	expect(t, checks, "gateway.alb-certificate", Pass, "is ISSUED for alb.internal.example.com")
	expect(t, checks, "gateway.hosted-zone", Pass, "Z0123456789ABCDEFGHIJ (example.com) exists and is public")
}

func TestCertificateWildcardCoversTheServerName(t *testing.T) {
	h := withTLS(t).account(func(a *awsfake.Account) {
		a.Certificates[certArn] = awsfake.Certificate{Domain: "*.internal.example.com", Status: "ISSUED", NotAfter: time.Now().AddDate(0, 6, 0)}
	})
	expect(t, h.run(), "gateway.alb-certificate", Pass, "*.internal.example.com")
}

func TestCertificateProblems(t *testing.T) {
	cases := []struct {
		name string
		cert *awsfake.Certificate // nil: none
		want []string
	}{
		{"missing", nil, []string{"does not exist", "gateway.alb_certificate_arn"}},
		{"pending", &awsfake.Certificate{Domain: "alb.internal.example.com", Status: "PENDING_VALIDATION"}, []string{"is PENDING_VALIDATION, not ISSUED"}},
		{"expired", &awsfake.Certificate{Domain: "alb.internal.example.com", Status: "ISSUED", NotAfter: time.Now().AddDate(0, 0, -1)}, []string{"expired on"}},
		{"other name", &awsfake.Certificate{Domain: "www.example.com", Status: "ISSUED", NotAfter: time.Now().AddDate(1, 0, 0)}, []string{"is issued for www.example.com, not alb.internal.example.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := withTLS(t).account(func(a *awsfake.Account) {
				delete(a.Certificates, certArn)
				if c.cert != nil {
					a.Certificates[certArn] = *c.cert
				}
			})
			expect(t, h.run(), "gateway.alb-certificate", Fail, c.want...)
		})
	}
}

func TestCertificateOfAnotherRegion(t *testing.T) {
	h := withTLS(t)
	other := "arn:aws:acm:us-east-1:222222222222:certificate/abc"
	h.resource("gateway", "aws_lb_listener")["certificate_arn"] = other
	expect(t, h.run(), "gateway.alb-certificate", Fail, "is in us-east-1; the ALB in ap-southeast-1 needs")
}

func TestHostedZoneProblems(t *testing.T) {
	h := withTLS(t).account(func(a *awsfake.Account) { delete(a.HostedZones, "Z0123456789ABCDEFGHIJ") })
	expect(t, h.run(), "gateway.hosted-zone", Fail, "hosted zone Z0123456789ABCDEFGHIJ does not exist in account 222222222222")
	h.account(func(a *awsfake.Account) {
		a.HostedZones["Z0123456789ABCDEFGHIJ"] = awsfake.HostedZone{Name: "example.com.", Private: true}
	})
	expect(t, h.run(), "gateway.hosted-zone", Fail, "is private")
	h.account(func(a *awsfake.Account) {
		a.HostedZones["Z0123456789ABCDEFGHIJ"] = awsfake.HostedZone{Name: "example.org."}
	})
	expect(t, h.run(), "gateway.hosted-zone", Fail, "api.example.com is not in hosted zone Z0123456789ABCDEFGHIJ (example.org)")
}
