package netcalc

import (
	"fmt"
	"net/netip"
)

// MaxAZs is how many availability zones the layout has room for.
const MaxAZs = 4

// Prefix lengths the layout accepts; narrower ranges leave subnets too small for EKS.
const (
	MinVpcBits, MaxVpcBits = 16, 20
	MinPodBits, MaxPodBits = 16, 22
)

// AZSubnets are the four subnets of one availability zone.
type AZSubnets struct {
	Public   netip.Prefix // load balancers and NAT gateways
	Private  netip.Prefix // nodes
	Database netip.Prefix // Aurora only; no route to the internet
	Pod      netip.Prefix // pod ENIs, from the secondary range
}

// Layout places each AZ's subnets at a fixed slot, so adding an AZ never moves another's.
//
// Primary range (/P): the first half holds four private /P+3 subnets (one per AZ slot);
// the third quarter holds public /P+5 subnets and the last quarter database /P+5 subnets.
// Secondary range (/Q): four pod /Q+2 subnets.
// For 10.0.0.0/16 + 100.64.0.0/16: private /19 (8,192 addresses), public and database /21
// (2,048), pod /18 (16,384).
func Layout(vpc, pod netip.Prefix, azCount int) ([]AZSubnets, error) {
	if azCount < 1 || azCount > MaxAZs {
		return nil, fmt.Errorf("the subnet layout has room for 1 to %d availability zones, not %d", MaxAZs, azCount)
	}
	if vpc.Bits() < MinVpcBits || vpc.Bits() > MaxVpcBits {
		return nil, fmt.Errorf("VPC range %s: prefix length must be /%d to /%d", vpc, MinVpcBits, MaxVpcBits)
	}
	if pod.Bits() < MinPodBits || pod.Bits() > MaxPodBits {
		return nil, fmt.Errorf("pod range %s: prefix length must be /%d to /%d", pod, MinPodBits, MaxPodBits)
	}
	out := make([]AZSubnets, azCount)
	for i := range out {
		var err error
		s := &out[i]
		if s.Private, err = Subnet(vpc, 3, i); err != nil {
			return nil, err
		}
		if s.Public, err = Subnet(vpc, 5, 16+i); err != nil {
			return nil, err
		}
		if s.Database, err = Subnet(vpc, 5, 24+i); err != nil {
			return nil, err
		}
		if s.Pod, err = Subnet(pod, 2, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}
