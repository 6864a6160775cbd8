// Package netcalc holds the IPv4 address arithmetic the platform needs: carving subnets out
// of a range (Terraform's cidrsubnet) and the fixed per-AZ subnet layout of the VPC.
package netcalc

import (
	"fmt"
	"net/netip"
)

// Subnet returns the num-th subnet of prefix that is newBits longer, like cidrsubnet().
func Subnet(prefix netip.Prefix, newBits, num int) (netip.Prefix, error) {
	if !prefix.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%s is not an IPv4 range", prefix)
	}
	bits := prefix.Bits() + newBits
	if newBits < 0 || bits > 32 {
		return netip.Prefix{}, fmt.Errorf("cannot extend /%d by %d bits", prefix.Bits(), newBits)
	}
	if num < 0 || num >= 1<<newBits {
		return netip.Prefix{}, fmt.Errorf("subnet number %d does not fit in %d bits", num, newBits)
	}
	base := prefix.Masked().Addr().As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	v |= uint32(num) << (32 - bits)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), bits), nil
}

// Within reports whether inner lies entirely inside outer.
func Within(inner, outer netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Masked().Addr())
}

// Well-known IPv4 ranges used by the validation rules.
var (
	RFC1918 = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
	}
	RFC6598 = netip.MustParsePrefix("100.64.0.0/10")
)

// WithinAny reports whether p lies inside one of the ranges.
func WithinAny(p netip.Prefix, ranges []netip.Prefix) bool {
	for _, r := range ranges {
		if Within(p, r) {
			return true
		}
	}
	return false
}
