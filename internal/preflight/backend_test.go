package preflight

import (
	"testing"

	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

const stateBucket = "phl-tfstate-222222222222"

func TestStateBucketVersioningOff(t *testing.T) {
	for _, status := range []string{"Suspended", ""} {
		h := newHarness(t, "prod").account(func(a *awsfake.Account) {
			a.Buckets[stateBucket] = awsfake.Bucket{Region: "ap-southeast-1", Versioning: status}
		})
		checks := h.run()
		expect(t, checks, "backend.bucket", Pass)
		expect(t, checks, "backend.versioning", Fail, "versioning is", "put-bucket-versioning --bucket "+stateBucket)
	}
}

func TestStateBucketMissing(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) { delete(a.Buckets, stateBucket) })
	checks := h.run()
	expect(t, checks, "backend.bucket", Fail, "s3://"+stateBucket+" does not exist", "create-bucket")
	expect(t, checks, "backend.versioning", Skip)
}

func TestStateBucketOfAnotherAccount(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) {
		a.Buckets[stateBucket] = awsfake.Bucket{Region: "ap-southeast-1", Foreign: true}
	})
	expect(t, h.run(), "backend.bucket", Fail, "exists but the caller may not list it")
}

func TestStateBucketInAnotherRegion(t *testing.T) {
	for region, constraint := range map[string]string{"eu-west-1": "eu-west-1", "us-east-1": "us-east-1 (empty LocationConstraint)"} {
		h := newHarness(t, "prod").account(func(a *awsfake.Account) {
			a.Buckets[stateBucket] = awsfake.Bucket{Region: region, Versioning: "Enabled"}
		})
		c := expect(t, h.run(), "backend.bucket", Fail, "is in "+region+"; the backend says ap-southeast-1", "state_backend.region")
		t.Log(constraint, c)
	}
}
