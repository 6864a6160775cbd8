package preflight

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// checkNetwork: the AZs exist and are available; the VPC, Elastic IP and NAT gateway quotas
// hold what the network stack creates on top of what the region already has.
func (r *runner) checkNetwork() {
	r.checkAZs()
	net := r.stack("network")
	r.checkVPCQuota(net)
	r.checkEIPQuota(net)
	r.checkNATQuota(net)
}

func (r *runner) checkAZs() {
	const name = "network.azs"
	out, err := r.aws.EC2.DescribeAvailabilityZones(r.ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		r.apiFail(name, "ec2:DescribeAvailabilityZones", err)
		return
	}
	byName := map[string]types.AvailabilityZone{}
	var offered []string
	for _, z := range out.AvailabilityZones {
		byName[aws.ToString(z.ZoneName)] = z
		if z.State == types.AvailabilityZoneStateAvailable && aws.ToString(z.ZoneType) == "availability-zone" {
			offered = append(offered, aws.ToString(z.ZoneName))
		}
	}
	sort.Strings(offered)
	var ok, bad []string
	for _, az := range r.env.AvailabilityZones {
		z, found := byName[az]
		switch {
		case !found:
			bad = append(bad, az+": not an AZ of "+r.env.Region+" in this account")
		case z.State != types.AvailabilityZoneStateAvailable:
			bad = append(bad, fmt.Sprintf("%s (%s): %s", az, aws.ToString(z.ZoneId), z.State))
		case aws.ToString(z.ZoneType) != "availability-zone":
			bad = append(bad, fmt.Sprintf("%s (%s): a %s, not an availability zone", az, aws.ToString(z.ZoneId), aws.ToString(z.ZoneType)))
		default:
			ok = append(ok, fmt.Sprintf("%s (%s)", az, aws.ToString(z.ZoneId)))
		}
	}
	if len(bad) > 0 {
		r.fail(name, strings.Join(bad, "; "), "set availability_zones in "+r.env.SourceFile+" to available AZs: "+strings.Join(offered, ", "))
		return
	}
	r.pass(name, strings.Join(ok, ", ")+" available")
}

// quotaCheck compares what the stacks create plus what exists (not ours) with a quota.
func (r *runner) quotaCheck(name string, q quota, scope string, create, others int) {
	limit, err := r.quotaValue(q)
	if err != nil {
		r.apiFail(name, "servicequotas:GetServiceQuota "+q.Service+"/"+q.Code, err)
		return
	}
	detail := fmt.Sprintf("%d to create + %d others %s = %d of %d (%s)", create, others, scope, create+others, limit, q)
	if create+others > limit {
		r.fail(name, detail, q.increase(r.env.Region, create+others)+", or release unused ones")
		return
	}
	r.pass(name, detail)
}

func (r *runner) checkVPCQuota(net *Stack) {
	const name = "network.quota-vpcs"
	create := len(net.Resources("aws_vpc"))
	others := 0
	p := ec2.NewDescribeVpcsPaginator(r.aws.EC2, &ec2.DescribeVpcsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			r.apiFail(name, "ec2:DescribeVpcs", err)
			return
		}
		for _, v := range page.Vpcs {
			// VPCs shared from other accounts do not count against this account's quota.
			if aws.ToString(v.OwnerId) == r.env.AccountID && !r.ours(v.Tags) {
				others++
			}
		}
	}
	r.quotaCheck(name, quotaVPCs, "in "+r.env.Region, create, others)
}

func (r *runner) checkEIPQuota(net *Stack) {
	const name = "network.quota-eips"
	create := 0
	for _, e := range net.Resources("aws_eip") {
		if d, ok := e.Literal("domain"); !ok || d == "vpc" {
			create++
		}
	}
	out, err := r.aws.EC2.DescribeAddresses(r.ctx, &ec2.DescribeAddressesInput{
		Filters: []types.Filter{{Name: aws.String("domain"), Values: []string{"vpc"}}}})
	if err != nil {
		r.apiFail(name, "ec2:DescribeAddresses", err)
		return
	}
	others := 0
	for _, a := range out.Addresses {
		if !r.ours(a.Tags) {
			others++
		}
	}
	r.quotaCheck(name, quotaEIPs, "in "+r.env.Region, create, others)
}

func (r *runner) checkNATQuota(net *Stack) {
	const name = "network.quota-nat-per-az"
	create := map[string]int{}
	for _, n := range net.Resources("aws_nat_gateway") {
		az := ""
		if typ, sub, ok := reference(n.Attrs["subnet_id"]); ok && typ == "aws_subnet" {
			if s, ok := net.Resource(typ, sub); ok {
				az, _ = s.Literal("availability_zone")
			}
		}
		if az == "" {
			r.skip(name, "NAT gateway "+n.Name+": its subnet's AZ is computed at apply")
			return
		}
		create[az]++
	}
	others := map[string]int{}
	var subnets []string
	p := ec2.NewDescribeNatGatewaysPaginator(r.aws.EC2, &ec2.DescribeNatGatewaysInput{
		Filter: []types.Filter{{Name: aws.String("state"), Values: []string{"pending", "available"}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			r.apiFail(name, "ec2:DescribeNatGateways", err)
			return
		}
		for _, g := range page.NatGateways {
			if !r.ours(g.Tags) && g.SubnetId != nil {
				subnets = append(subnets, *g.SubnetId)
			}
		}
	}
	if len(subnets) > 0 {
		sp := ec2.NewDescribeSubnetsPaginator(r.aws.EC2, &ec2.DescribeSubnetsInput{SubnetIds: subnets})
		azOf := map[string]string{}
		for sp.HasMorePages() {
			page, err := sp.NextPage(r.ctx)
			if err != nil {
				r.apiFail(name, "ec2:DescribeSubnets", err)
				return
			}
			for _, s := range page.Subnets {
				azOf[aws.ToString(s.SubnetId)] = aws.ToString(s.AvailabilityZone)
			}
		}
		for _, s := range subnets {
			others[azOf[s]]++
		}
	}
	limit, err := r.quotaValue(quotaNATPerAZ)
	if err != nil {
		r.apiFail(name, "servicequotas:GetServiceQuota vpc/"+quotaNATPerAZ.Code, err)
		return
	}
	var parts, over []string
	need := 0
	for _, az := range r.env.AvailabilityZones {
		total := create[az] + others[az]
		parts = append(parts, fmt.Sprintf("%s %d+%d", az, create[az], others[az]))
		if total > limit {
			over = append(over, az)
			need = max(need, total)
		}
	}
	detail := fmt.Sprintf("to create + others per AZ: %s; quota %d (%s)", strings.Join(parts, ", "), limit, quotaNATPerAZ)
	if len(over) > 0 {
		r.fail(name, detail+"; over in "+strings.Join(over, ", "), quotaNATPerAZ.increase(r.env.Region, need)+", or delete unused NAT gateways there")
		return
	}
	r.pass(name, detail)
}
