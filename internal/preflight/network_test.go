package preflight

import (
	"testing"

	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

func TestAZMissing(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Zones = a.Zones[:1] })
	expect(t, h.run(), "network.azs", Fail, "ap-southeast-1b: not an AZ of ap-southeast-1", "available AZs: ap-southeast-1a")
}

func TestAZImpairedOrLocalZone(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) {
		a.Zones[1].State = "impaired"
		a.Zones[2].Type = "local-zone"
	})
	expect(t, h.run(), "network.azs", Fail, "ap-southeast-1b (apse1-az2): impaired", "ap-southeast-1c (apse1-az3): a local-zone")
}

func TestVPCQuota(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.VPCs = append(a.VPCs,
			awsfake.Tagged{ID: "vpc-ours", Tags: map[string]string{"project": "phl", "environment": "dev"}}, // updated in place, not counted
			awsfake.Tagged{ID: "vpc-2"}, awsfake.Tagged{ID: "vpc-3"}, awsfake.Tagged{ID: "vpc-4"})
	})
	expect(t, h.run(), "network.quota-vpcs", Pass, "1 to create + 4 others in ap-southeast-1 = 5 of 5")
	// A VPC shared from another account (AWS RAM) is listed but counts against its owner's quota.
	h.account(func(a *awsfake.Account) {
		a.VPCs = append(a.VPCs, awsfake.Tagged{ID: "vpc-shared", Owner: "999999999999"})
	})
	expect(t, h.run(), "network.quota-vpcs", Pass, "1 to create + 4 others in ap-southeast-1 = 5 of 5")
	h.account(func(a *awsfake.Account) { a.VPCs = append(a.VPCs, awsfake.Tagged{ID: "vpc-5"}) })
	expect(t, h.run(), "network.quota-vpcs", Fail, "= 6 of 5", "--service-code vpc --quota-code L-F678F1CE --desired-value 6")
}

// Five Elastic IPs is the default quota: a region that already holds five has no room for the
// NAT gateway's.
func TestEIPQuotaExhausted(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		delete(a.Quotas, "ec2/L-0263D0A3") // never raised: the default applies
		for _, id := range []string{"eipalloc-1", "eipalloc-2", "eipalloc-3", "eipalloc-4", "eipalloc-5"} {
			a.Addresses = append(a.Addresses, awsfake.Tagged{ID: id, Tags: map[string]string{"project": "other"}})
		}
	})
	checks := h.run()
	expect(t, checks, "network.quota-eips", Fail, "1 to create + 5 others in ap-southeast-1 = 6 of 5", "--quota-code L-0263D0A3 --desired-value 6")
	called := false
	for _, c := range h.fake.Calls() {
		called = called || c.Action == "servicequotas:GetAWSDefaultServiceQuota"
	}
	if !called {
		t.Error("the default quota was not asked for")
	}
}

func TestEIPQuotaCountsOnlyOthers(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) {
		for _, id := range []string{"eipalloc-1", "eipalloc-2", "eipalloc-3"} {
			a.Addresses = append(a.Addresses, awsfake.Tagged{ID: id, Tags: map[string]string{"project": "phl", "environment": "prod"}})
		}
		a.Addresses = append(a.Addresses, awsfake.Tagged{ID: "eipalloc-9"})
	})
	expect(t, h.run(), "network.quota-eips", Pass, "3 to create + 1 others in ap-southeast-1 = 4 of 5")
}

// prod creates a NAT gateway in each AZ: an AZ that already has the quota's worth fails.
func TestNATQuotaPerAZ(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) {
		a.Quotas["vpc/L-FE5A380F"] = 2
		a.Subnets["subnet-b"] = "ap-southeast-1b"
		a.Subnets["subnet-c"] = "ap-southeast-1c"
		a.NatGateways = []awsfake.NatGateway{
			{ID: "nat-1", SubnetID: "subnet-b", State: "available"},
			{ID: "nat-2", SubnetID: "subnet-b", State: "pending"},
			{ID: "nat-3", SubnetID: "subnet-c", State: "available"},
			{ID: "nat-4", SubnetID: "subnet-c", State: "deleted"}, // gone: not counted
		}
	})
	expect(t, h.run(), "network.quota-nat-per-az", Fail, "ap-southeast-1b 1+2", "ap-southeast-1c 1+1", "over in ap-southeast-1b", "--desired-value 3")
}

func TestNATQuotaSingleModeUsesOnlyTheFirstAZ(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.Quotas["vpc/L-FE5A380F"] = 1
		a.Subnets["subnet-b"] = "ap-southeast-1b"
		a.NatGateways = []awsfake.NatGateway{{ID: "nat-1", SubnetID: "subnet-b", State: "available"}}
	})
	expect(t, h.run(), "network.quota-nat-per-az", Pass, "ap-southeast-1a 1+0, ap-southeast-1b 0+1")
}

func TestAccessDeniedNamesThePolicy(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Deny["ec2:DescribeAddresses"] = true })
	expect(t, h.run(), "network.quota-eips", Fail, "ec2:DescribeAddresses: UnauthorizedOperation", "preflight policy")
}
