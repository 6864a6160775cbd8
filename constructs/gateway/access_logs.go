package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// elbLogAccounts are the Elastic Load Balancing accounts that deliver ALB access logs in the
// regions available before August 2022; newer regions use the log delivery service principal
// (ELB user guide, "Enable access logs for your Application Load Balancer": bucket policy).
var elbLogAccounts = map[string]string{
	"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
	"af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
	"ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
	"ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-west-1": "156460612806",
	"eu-west-2": "652711504416", "eu-south-1": "635631232127", "eu-west-3": "009996457667", "eu-north-1": "897822967062",
	"me-south-1": "076674570225", "sa-east-1": "507241528517",
}

type accessLogs struct {
	bucket *string
	prefix string
	ready  []cdktf.ITerraformDependable // the ALB checks it may write before it is created
}

// addAccessLogBucket creates the ALB's access log bucket: private, TLS only, writable by ELB
// log delivery for this account's prefix, expiring logs. ALB access logs support only SSE-S3
// (not SSE-KMS), hence AES256 (the scanner's CMK finding is allowlisted with that reason).
func (g *Gateway) addAccessLogBucket() accessLogs {
	name := g.name("alb-logs", g.props.AccountID, g.props.Region)
	b := s3bucket.NewS3Bucket(g.Construct, jsii.String("alb-logs"), &s3bucket.S3BucketConfig{
		Bucket:       jsii.String(name),
		ForceDestroy: jsii.Bool(!g.props.DeletionProtection),
		Tags:         tags("Name", name),
	})
	block := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(g.Construct, jsii.String("alb-logs-public-access"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket: b.Id(), BlockPublicAcls: jsii.Bool(true), BlockPublicPolicy: jsii.Bool(true), IgnorePublicAcls: jsii.Bool(true), RestrictPublicBuckets: jsii.Bool(true),
	})
	s3bucketownershipcontrols.NewS3BucketOwnershipControls(g.Construct, jsii.String("alb-logs-ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: b.Id(),
		Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})
	sse := s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(g.Construct, jsii.String("alb-logs-sse"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: b.Id(),
		Rule: &[]*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{SseAlgorithm: jsii.String("AES256")},
		}},
	})
	s3bucketversioning.NewS3BucketVersioningA(g.Construct, jsii.String("alb-logs-versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  b.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(g.Construct, jsii.String("alb-logs-lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: b.Id(),
		Rule: &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{{
			Id: jsii.String("expire-access-logs"), Status: jsii.String("Enabled"),
			Filter:                         &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
			Expiration:                     &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{Days: jsii.Number(g.props.AlbLogExpirationDays)}},
			NoncurrentVersionExpiration:    &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{NoncurrentDays: jsii.Number(7)}},
			AbortIncompleteMultipartUpload: &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{DaysAfterInitiation: jsii.Number(1)}},
		}},
	})

	prefix := "alb"
	bucketArn := "arn:" + g.props.Partition + ":s3:::" + name
	delivery := map[string][]string{"Service": {"logdelivery.elasticloadbalancing.amazonaws.com"}}
	if account, ok := elbLogAccounts[g.props.Region]; ok {
		delivery = map[string][]string{"AWS": {"arn:" + g.props.Partition + ":iam::" + account + ":root"}}
	}
	policy := s3bucketpolicy.NewS3BucketPolicy(g.Construct, jsii.String("alb-logs-policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: b.Id(),
		Policy: jsii.String(iampolicy.New(
			iampolicy.Statement{Sid: "ElbDeliversThisAccountsAccessLogs", Effect: "Allow", Principal: delivery,
				Action: []string{"s3:PutObject"}, Resource: []string{bucketArn + "/" + prefix + "/AWSLogs/" + g.props.AccountID + "/*"}},
			iampolicy.Statement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}},
				Action: []string{"s3:*"}, Resource: []string{bucketArn, bucketArn + "/*"},
				Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": false}}},
		).JSON()),
		DependsOn: &[]cdktf.ITerraformDependable{block},
	})
	return accessLogs{bucket: b.Id(), prefix: prefix, ready: []cdktf.ITerraformDependable{policy, sse}}
}
