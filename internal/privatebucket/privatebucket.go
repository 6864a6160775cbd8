// Package privatebucket creates the platform's S3 buckets the one way they are made: all four
// public access blocks, owner-enforced objects (no ACLs), versioning, default encryption, a
// lifecycle rule and a bucket policy that denies any request not over TLS.
package privatebucket

import (
	"github.com/aws/constructs-go/constructs/v10"
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
	"github.com/phl-platform/phl-platform/internal/tfval"
)

// Props configures a bucket. Resource IDs are ID and ID-<part>, so a bucket keeps its
// Terraform addresses when its construct moves to this package.
type Props struct {
	ID        string // Terraform resource ID prefix (required)
	Name      string // the bucket's name (required)
	Partition string // default "aws"
	// KmsKeyArn: SSE-KMS with this key and an S3 Bucket Key (fewer KMS calls); nil: SSE-S3.
	KmsKeyArn    *string
	ForceDestroy bool // let Terraform delete a bucket that still holds objects
	// LifecycleRuleID names the lifecycle rule; ExpirationDays (0: never) expires current
	// objects, NoncurrentDays overwritten versions; incomplete multipart uploads go after a day.
	LifecycleRuleID string
	ExpirationDays  int
	NoncurrentDays  int
	// Statements are added to the bucket policy before its DenyInsecureTransport statement.
	Statements []iampolicy.Statement
}

// Bucket is the created bucket and what a writer must wait for.
type Bucket struct {
	Bucket s3bucket.S3Bucket
	Arn    string // known at synthesis (from the name), for policies
	// Ready: the policy and the encryption; a service that checks it may write (ALB access
	// logs) depends on them.
	Ready []cdktf.ITerraformDependable
}

// New creates the bucket in scope.
func New(scope constructs.Construct, p Props) *Bucket {
	if p.Partition == "" {
		p.Partition = "aws"
	}
	id := func(part string) *string { return jsii.String(p.ID + part) }
	b := s3bucket.NewS3Bucket(scope, id(""), &s3bucket.S3BucketConfig{
		Bucket:       jsii.String(p.Name),
		ForceDestroy: jsii.Bool(p.ForceDestroy),
		Tags:         tfval.Tags("Name", p.Name),
	})
	block := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(scope, id("-public-access"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket: b.Id(), BlockPublicAcls: jsii.Bool(true), BlockPublicPolicy: jsii.Bool(true), IgnorePublicAcls: jsii.Bool(true), RestrictPublicBuckets: jsii.Bool(true),
	})
	s3bucketownershipcontrols.NewS3BucketOwnershipControls(scope, id("-ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: b.Id(),
		Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})
	byDefault := &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{SseAlgorithm: jsii.String("AES256")}
	rule := &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{ApplyServerSideEncryptionByDefault: byDefault}
	if p.KmsKeyArn != nil {
		byDefault.SseAlgorithm, byDefault.KmsMasterKeyId = jsii.String("aws:kms"), p.KmsKeyArn
		rule.BucketKeyEnabled = jsii.Bool(true)
	}
	sse := s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(scope, id("-sse"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: b.Id(),
		Rule:   &[]*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{rule},
	})
	s3bucketversioning.NewS3BucketVersioningA(scope, id("-versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  b.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	lifecycle := &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
		Id: jsii.String(p.LifecycleRuleID), Status: jsii.String("Enabled"),
		Filter:                         &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: jsii.String("")}},
		NoncurrentVersionExpiration:    &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{NoncurrentDays: jsii.Number(p.NoncurrentDays)}},
		AbortIncompleteMultipartUpload: &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{DaysAfterInitiation: jsii.Number(1)}},
	}
	if p.ExpirationDays > 0 {
		lifecycle.Expiration = &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{Days: jsii.Number(p.ExpirationDays)}}
	}
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(scope, id("-lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: b.Id(),
		Rule:   &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{lifecycle},
	})
	arn := "arn:" + p.Partition + ":s3:::" + p.Name
	policy := s3bucketpolicy.NewS3BucketPolicy(scope, id("-policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: b.Id(),
		Policy: jsii.String(iampolicy.New(append(append([]iampolicy.Statement{}, p.Statements...),
			iampolicy.Statement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}},
				Action: []string{"s3:*"}, Resource: []string{arn, arn + "/*"},
				Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": false}}},
		)...).JSON()),
		// A policy put before the public access block could be judged public and refused.
		DependsOn: &[]cdktf.ITerraformDependable{block},
	})
	return &Bucket{Bucket: b, Arn: arn, Ready: []cdktf.ITerraformDependable{policy, sse}}
}
