package ci

import (
	"strings"
	"testing"
)

const planA = `{"format_version":"1.2","resource_changes":[
 {"address":"aws_db.x","change":{"actions":["update"],"after":{"size":2,"password":"hunter2","tags":{"a":"b"}},"after_sensitive":{"password":true},"after_unknown":{}}},
 {"address":"aws_vpc.y","change":{"actions":["create"],"after":{"cidr":"10.0.0.0/16"},"after_sensitive":{},"after_unknown":{"id":true}}},
 {"address":"aws_s3.z","change":{"actions":["no-op"],"after":{"n":1}}}],
 "output_changes":{"vpc_id":{"actions":["create"],"after_unknown":true}}}`

func TestPlanDigest(t *testing.T) {
	a, err := PlanDigest([]byte(planA))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a, "sha256:") || len(a) != 7+64 {
		t.Fatalf("digest %q", a)
	}
	same := func(name, plan string, want bool) {
		t.Helper()
		d, err := PlanDigest([]byte(plan))
		if err != nil {
			t.Fatal(err)
		}
		if (d == a) != want {
			t.Errorf("%s: digest equal = %v, want %v", name, d == a, want)
		}
	}
	// Order of changes, no-ops and sensitive values do not count...
	same("reordered, no-op changed, another secret", `{"format_version":"1.2","resource_changes":[
	 {"address":"aws_vpc.y","change":{"actions":["create"],"after":{"cidr":"10.0.0.0/16"},"after_sensitive":{},"after_unknown":{"id":true}}},
	 {"address":"aws_s3.z","change":{"actions":["no-op"],"after":{"n":2}}},
	 {"address":"aws_db.x","change":{"actions":["update"],"after":{"size":2,"password":"other","tags":{"a":"b"}},"after_sensitive":{"password":true},"after_unknown":{}}}],
	 "output_changes":{"vpc_id":{"actions":["create"],"after_unknown":true}}}`, true)
	// ...every planned value, action and address does.
	same("another value", strings.Replace(planA, `"size":2`, `"size":3`, 1), false)
	same("a nested value", strings.Replace(planA, `{"a":"b"}`, `{"a":"c"}`, 1), false)
	same("another action", strings.Replace(planA, `["update"]`, `["delete","create"]`, 1), false)
	same("a value now known", strings.Replace(planA, `"after_unknown":{"id":true}`, `"after_unknown":{}`, 1), false)
	same("nothing left to do (applied in between)", `{"format_version":"1.2","resource_changes":[]}`, false)
	same("an output more", strings.Replace(planA, `"output_changes":{`, `"output_changes":{"extra":{"actions":["create"],"after":"x"},`, 1), false)
	if _, err := PlanDigest([]byte("No changes.")); err == nil {
		t.Error("text accepted")
	}
	if d, _ := PlanDigest([]byte(planA)); strings.Contains(d, "hunter2") {
		t.Error("a secret in the digest")
	}
}
