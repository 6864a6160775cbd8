// Package gateway is the platform's public front door: an HTTP API whose routes require a
// Cognito JWT with the route's scope, reaching through a VPC link an internal ALB that
// Terraform owns, with WAF on the ALB. The app's pods join the ALB's target group from
// Kubernetes (a TargetGroupBinding); nothing inside the VPC is public.
package gateway

import (
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"

	"github.com/phl-platform/phl-platform/internal/tfval"
)

// AppPort is the port phl-store listens on; HealthCheckPath answers 200 when it can read the
// database (no dedicated health endpoint exists).
const (
	AppPort         = 8080
	HealthCheckPath = "/api/products"
)

// Props configures a Gateway. Zero values take the documented defaults.
type Props struct {
	Name      string // name prefix, e.g. "phl-dev" (required); the target group is <Name>-store
	AccountID string // required
	Region    string // required
	Partition string // default "aws"

	VpcID            *string   // required
	PrivateSubnetIDs []*string // the ALB and the VPC link (required, one per AZ)
	// PodSecurityGroupID is the cluster's pod group: Terraform lets the ALB reach pods on
	// AppPort there, so the TargetGroupBinding needs no security-group management (required).
	PodSecurityGroupID *string

	CognitoDomainPrefix        string // required, globally unique
	AccessTokenValidityMinutes int    // default 60
	ThrottlingRateLimit        int    // default 100 requests per second
	ThrottlingBurstLimit       int    // default 100
	WafRateLimit               int    // default 1000 per 5 minutes per client address
	CorsAllowedOrigins         []string
	CorsAllowCredentials       bool
	AlbCertificateArn          string // HTTPS listener when set; HTTP inside the VPC otherwise
	AlbTLSServerName           string // a name on that certificate, which API Gateway verifies
	CustomDomainName           string // with HostedZoneID: an ACM certificate and a Route 53 alias
	HostedZoneID               string
	LogRetentionDays           int  // API access logs and WAF logs; default 30
	AlbLogExpirationDays       int  // default 90
	DeletionProtection         bool // the ALB and the user pool
}

// Gateway exposes what other stacks and operators consume.
type Gateway struct {
	constructs.Construct

	KmsKey             kmskey.KmsKey
	ApiEndpoint        *string // the stage's base URL
	TokenURL           string
	ClientID           *string
	UserPoolID         *string
	TargetGroupArn     *string
	AlbArn             *string
	ListenerArn        *string
	WebAclArn          *string
	AlbSecurityGroupID *string
	CustomDomainURL    string

	props        Props
	listenerPort int
	vpcLinkSGID  *string
	apiID        *string
	stageID      *string
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,20}$`)

// New creates the gateway. It panics on invalid props: callers validate user input first.
func New(scope constructs.Construct, id string, props Props) *Gateway {
	props = props.withDefaults()
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("gateway.New(%q): %v", id, err))
	}
	g := &Gateway{Construct: constructs.NewConstruct(scope, jsii.String(id)), props: props}
	g.addKmsKey()
	g.addLoadBalancer()
	g.addWaf()
	g.addCognito()
	g.addHttpApi()
	g.addCustomDomain()
	return g
}

func (p Props) withDefaults() Props {
	if p.Partition == "" {
		p.Partition = "aws"
	}
	if p.AccessTokenValidityMinutes == 0 {
		p.AccessTokenValidityMinutes = 60
	}
	if p.ThrottlingRateLimit == 0 {
		p.ThrottlingRateLimit = 100
	}
	if p.ThrottlingBurstLimit == 0 {
		p.ThrottlingBurstLimit = 100
	}
	if p.WafRateLimit == 0 {
		p.WafRateLimit = 1000
	}
	if p.LogRetentionDays == 0 {
		p.LogRetentionDays = 30
	}
	if p.AlbLogExpirationDays == 0 {
		p.AlbLogExpirationDays = 90
	}
	return p
}

func (p Props) validate() error {
	switch {
	case !namePattern.MatchString(p.Name):
		return fmt.Errorf("Name %q must match %s (ALB and target group names are limited to 32 characters)", p.Name, namePattern)
	case p.AccountID == "" || p.Region == "" || p.VpcID == nil || p.PodSecurityGroupID == nil || p.CognitoDomainPrefix == "":
		return fmt.Errorf("AccountID, Region, VpcID, PodSecurityGroupID and CognitoDomainPrefix are required")
	case len(p.PrivateSubnetIDs) < 2:
		return fmt.Errorf("an ALB needs subnets in at least 2 AZs")
	case (p.AlbCertificateArn == "") != (p.AlbTLSServerName == ""):
		return fmt.Errorf("AlbCertificateArn and AlbTLSServerName go together")
	case (p.CustomDomainName == "") != (p.HostedZoneID == ""):
		return fmt.Errorf("CustomDomainName and HostedZoneID go together")
	}
	return nil
}

func (g *Gateway) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", g.props.Partition, service, g.props.Region, g.props.AccountID, resource)
}

func (g *Gateway) name(parts ...string) string { return tfval.Name(g.props.Name, parts...) }

var (
	tags = tfval.Tags
	strs = tfval.Strings
)
