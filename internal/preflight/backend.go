package preflight

import (
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// checkBackend: the S3 state bucket of the stacks exists, is in the region the backend states
// and has versioning on (state history is the only way back from a bad apply).
func (r *runner) checkBackend() {
	buckets := map[string]string{} // bucket -> region
	for _, c := range Components {
		kind, attrs := r.stack(c).Backend()
		if kind != "s3" {
			continue
		}
		b, _ := literal(attrs["bucket"])
		region, _ := literal(attrs["region"])
		buckets[b] = region
	}
	if len(buckets) == 0 {
		r.skip("backend.bucket", "local state: no state_backend")
		return
	}
	names := make([]string, 0, len(buckets))
	for b := range buckets {
		names = append(names, b)
	}
	sort.Strings(names)
	for _, b := range names {
		r.checkBucket(b, buckets[b])
	}
}

func (r *runner) checkBucket(bucket, region string) {
	const name = "backend.bucket"
	c := NewClients(r.cfg, region).S3
	fix := fmt.Sprintf("create it (aws s3api create-bucket --bucket %s --region %s ...) or correct state_backend in %s", bucket, region, r.env.SourceFile)
	if _, err := c.HeadBucket(r.ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		// Asked in the wrong region, S3 answers 301 with the bucket's region in a header.
		var resp *awshttp.ResponseError
		if errors.As(err, &resp) && resp.Response != nil {
			if actual := resp.Response.Header.Get("x-amz-bucket-region"); actual != "" && actual != region {
				r.fail(name, fmt.Sprintf("s3://%s is in %s; the backend says %s", bucket, actual, region), "set state_backend.region in "+r.env.SourceFile+" to "+actual)
				r.skip("backend.versioning", "not checked: the bucket is in another region")
				return
			}
		}
		switch errorCode(err) {
		case "NotFound", "NoSuchBucket":
			r.fail(name, "s3://"+bucket+" does not exist", fix)
		case "Forbidden", "AccessDenied":
			r.fail(name, "s3://"+bucket+" exists but the caller may not list it (another account's bucket, or a missing s3:ListBucket)",
				"use a bucket of account "+r.env.AccountID+", or grant the preflight policy")
		default:
			r.apiFail(name, "s3:HeadBucket", err)
		}
		r.skip("backend.versioning", "not checked: the bucket is not readable")
		return
	}
	loc, err := c.GetBucketLocation(r.ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil {
		r.apiFail(name, "s3:GetBucketLocation", err)
		return
	}
	actual := bucketRegion(loc.LocationConstraint)
	if actual != region {
		r.fail(name, fmt.Sprintf("s3://%s is in %s; the backend says %s", bucket, actual, region), "set state_backend.region in "+r.env.SourceFile+" to "+actual)
		return
	}
	r.pass(name, fmt.Sprintf("s3://%s exists in %s", bucket, region))
	v, err := c.GetBucketVersioning(r.ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		r.apiFail("backend.versioning", "s3:GetBucketVersioning", err)
		return
	}
	if v.Status != s3types.BucketVersioningStatusEnabled {
		status := string(v.Status)
		if status == "" {
			status = "never enabled"
		}
		r.fail("backend.versioning", fmt.Sprintf("s3://%s versioning is %s", bucket, status),
			"aws s3api put-bucket-versioning --bucket "+bucket+" --versioning-configuration Status=Enabled")
		return
	}
	r.pass("backend.versioning", "s3://"+bucket+" versioning is Enabled")
}

// bucketRegion maps a LocationConstraint to its region: empty is us-east-1, EU is eu-west-1.
func bucketRegion(c s3types.BucketLocationConstraint) string {
	switch c {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return string(c)
}
