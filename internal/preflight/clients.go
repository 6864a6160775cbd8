package preflight

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Clients are the SDK clients of one region. Every one is built from the same aws.Config, so a
// test points them all at one fake endpoint with cfg.BaseEndpoint.
type Clients struct {
	STS           *sts.Client
	EC2           *ec2.Client
	EKS           *eks.Client
	RDS           *rds.Client
	IAM           *iam.Client
	ServiceQuotas *servicequotas.Client
	Cognito       *cognitoidentityprovider.Client
	ACM           *acm.Client
	Route53       *route53.Client
	S3            *s3.Client
	SSM           *SSM
}

// NewClients builds the clients for a region. With a custom endpoint (cfg.BaseEndpoint: a
// fake, LocalStack) S3 uses path-style addressing, since bucket host names do not resolve there.
func NewClients(cfg aws.Config, region string) *Clients {
	cfg = cfg.Copy()
	cfg.Region = region
	return &Clients{
		STS:           sts.NewFromConfig(cfg),
		EC2:           ec2.NewFromConfig(cfg),
		EKS:           eks.NewFromConfig(cfg),
		RDS:           rds.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
		ServiceQuotas: servicequotas.NewFromConfig(cfg),
		Cognito:       cognitoidentityprovider.NewFromConfig(cfg),
		ACM:           acm.NewFromConfig(cfg),
		Route53:       route53.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = cfg.BaseEndpoint != nil
		}),
		SSM: &SSM{cfg: cfg, region: region},
	}
}

// homeRegion is a region enabled in every account of the partition, to ask about the others.
func homeRegion(partition string) string {
	switch partition {
	case "aws-cn":
		return "cn-north-1"
	case "aws-us-gov":
		return "us-gov-west-1"
	}
	return "us-east-1"
}
