// Command benchfloor is the floor `make bench` measures the platform's synth against: a CDKTF Go
// app with one stack holding one AWS resource, on the same cdktf, jsii runtime and AWS provider
// binding. What it costs (the Go binary's start, the jsii kernel's start and its loading of the
// AWS provider's assembly, one synth) every CDKTF Go app with the AWS provider pays.
package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

func main() {
	app := cdktf.NewApp(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("floor"))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("ap-southeast-1")})
	s3bucket.NewS3Bucket(stack, jsii.String("bucket"), &s3bucket.S3BucketConfig{Bucket: jsii.String("phl-bench-floor")})
	app.Synth()
	jsii.Close()
}
