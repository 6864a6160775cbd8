package netcalc

import (
	"net/netip"
	"testing"
)

func TestSubnetMatchesCidrsubnet(t *testing.T) {
	cases := []struct {
		base         string
		newBits, num int
		want         string
	}{
		{"10.0.0.0/16", 3, 0, "10.0.0.0/19"},
		{"10.0.0.0/16", 3, 3, "10.0.96.0/19"},
		{"10.0.0.0/16", 5, 16, "10.0.128.0/21"},
		{"10.0.0.0/16", 5, 27, "10.0.216.0/21"},
		{"100.64.0.0/16", 2, 2, "100.64.128.0/18"},
		{"172.16.0.0/20", 5, 31, "172.16.15.128/25"},
	}
	for _, c := range cases {
		got, err := Subnet(netip.MustParsePrefix(c.base), c.newBits, c.num)
		if err != nil || got.String() != c.want {
			t.Errorf("Subnet(%s, %d, %d) = %v, %v; want %s", c.base, c.newBits, c.num, got, err, c.want)
		}
	}
}

func TestSubnetRejectsOutOfRange(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/30")
	if _, err := Subnet(p, 3, 0); err == nil {
		t.Error("extending /30 by 3 bits must fail")
	}
	if _, err := Subnet(netip.MustParsePrefix("10.0.0.0/16"), 2, 4); err == nil {
		t.Error("subnet number 4 in 2 bits must fail")
	}
}

func TestLayoutIsDisjointAndInsideItsRanges(t *testing.T) {
	for _, tc := range []struct{ vpc, pod string }{
		{"10.0.0.0/16", "100.64.0.0/16"},
		{"10.20.0.0/20", "100.64.0.0/22"},
		{"192.168.0.0/18", "100.100.0.0/17"},
	} {
		vpc, pod := netip.MustParsePrefix(tc.vpc), netip.MustParsePrefix(tc.pod)
		layout, err := Layout(vpc, pod, MaxAZs)
		if err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		var all []netip.Prefix
		for _, az := range layout {
			for _, p := range []netip.Prefix{az.Public, az.Private, az.Database} {
				if !Within(p, vpc) {
					t.Errorf("%s is outside the VPC range %s", p, vpc)
				}
			}
			if !Within(az.Pod, pod) {
				t.Errorf("%s is outside the pod range %s", az.Pod, pod)
			}
			all = append(all, az.Public, az.Private, az.Database, az.Pod)
		}
		for i := range all {
			for j := i + 1; j < len(all); j++ {
				if all[i].Overlaps(all[j]) {
					t.Errorf("%s overlaps %s", all[i], all[j])
				}
			}
		}
	}
}

func TestLayoutDefaultSizes(t *testing.T) {
	layout, err := Layout(netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("100.64.0.0/16"), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := AZSubnets{
		Private:  netip.MustParsePrefix("10.0.64.0/19"),
		Public:   netip.MustParsePrefix("10.0.144.0/21"),
		Database: netip.MustParsePrefix("10.0.208.0/21"),
		Pod:      netip.MustParsePrefix("100.64.128.0/18"),
	}
	if layout[2] != want {
		t.Errorf("third AZ = %+v; want %+v", layout[2], want)
	}
}

func TestLayoutRejects(t *testing.T) {
	vpc, pod := netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("100.64.0.0/16")
	if _, err := Layout(vpc, pod, MaxAZs+1); err == nil {
		t.Error("more AZs than slots must fail")
	}
	if _, err := Layout(netip.MustParsePrefix("10.0.0.0/24"), pod, 2); err == nil {
		t.Error("a /24 VPC must fail")
	}
	if _, err := Layout(vpc, netip.MustParsePrefix("100.64.0.0/24"), 2); err == nil {
		t.Error("a /24 pod range must fail")
	}
}

func TestWithinAny(t *testing.T) {
	if !WithinAny(netip.MustParsePrefix("172.20.0.0/16"), RFC1918) {
		t.Error("172.20.0.0/16 is RFC 1918")
	}
	if WithinAny(netip.MustParsePrefix("11.0.0.0/16"), RFC1918) {
		t.Error("11.0.0.0/16 is not RFC 1918")
	}
	if !Within(netip.MustParsePrefix("100.64.0.0/16"), RFC6598) || Within(netip.MustParsePrefix("100.128.0.0/16"), RFC6598) {
		t.Error("RFC 6598 is 100.64.0.0/10")
	}
}
