package preflight

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// checkNodeGroup: every instance type is offered in every AZ, and the on-demand vCPU quota
// holds the group at its maximum size on top of the instances already running.
func (r *runner) checkNodeGroup(ng Resource) {
	types_, ok := ng.Strings("instance_types")
	if !ok || len(types_) == 0 {
		r.skip("cluster.instance-types", ng.Name+": instance_types are computed at apply or unset")
		r.skip("cluster.quota-vcpus", ng.Name+": instance_types are computed at apply or unset")
		return
	}
	r.checkOfferings(types_)
	r.checkVCPUQuota(ng, types_)
}

func (r *runner) checkOfferings(instanceTypes []string) {
	const name = "cluster.instance-types"
	offered := map[string]bool{}
	p := ec2.NewDescribeInstanceTypeOfferingsPaginator(r.aws.EC2, &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: types.LocationTypeAvailabilityZone,
		Filters: []types.Filter{
			{Name: aws.String("instance-type"), Values: instanceTypes},
			{Name: aws.String("location"), Values: r.env.AvailabilityZones},
		}})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			r.apiFail(name, "ec2:DescribeInstanceTypeOfferings", err)
			return
		}
		for _, o := range page.InstanceTypeOfferings {
			offered[string(o.InstanceType)+"@"+aws.ToString(o.Location)] = true
		}
	}
	var missing []string
	for _, t := range instanceTypes {
		for _, az := range r.env.AvailabilityZones {
			if !offered[t+"@"+az] {
				missing = append(missing, t+" in "+az)
			}
		}
	}
	if len(missing) > 0 {
		r.fail(name, "not offered: "+strings.Join(missing, ", "),
			"set cluster.node_group.instance_types in "+r.env.SourceFile+" to types offered in every AZ (aws ec2 describe-instance-type-offerings --location-type availability-zone --region "+r.env.Region+"), or change availability_zones")
		return
	}
	r.pass(name, fmt.Sprintf("%s offered in %s", strings.Join(instanceTypes, ", "), strings.Join(r.env.AvailabilityZones, ", ")))
}

// standardFamily tells whether an instance type counts against the Running On-Demand Standard
// quota (families A, C, D, H, I, M, R, T, Z; DL, HPC, Inf and Trn have their own).
func standardFamily(instanceType string) bool {
	for _, other := range []string{"dl", "hpc", "inf", "trn"} {
		if strings.HasPrefix(instanceType, other) {
			return false
		}
	}
	return instanceType != "" && strings.ContainsRune("acdhimrtz", rune(instanceType[0]))
}

func (r *runner) checkVCPUQuota(ng Resource, instanceTypes []string) {
	const name = "cluster.quota-vcpus"
	if ct, _ := ng.Literal("capacity_type"); ct == "SPOT" {
		r.skip(name, ng.Name+" runs Spot capacity, under the Spot vCPU quota (not checked)")
		return
	}
	maxSize, ok := number(ng.Get("scaling_config", "max_size"))
	if !ok {
		r.skip(name, ng.Name+": scaling_config.max_size is computed at apply")
		return
	}
	for _, t := range instanceTypes {
		if !standardFamily(t) {
			r.skip(name, t+" is not a standard (A, C, D, H, I, M, R, T, Z) type; its quota is not checked")
			return
		}
	}
	info, err := r.aws.EC2.DescribeInstanceTypes(r.ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: toInstanceTypes(instanceTypes)})
	if err != nil {
		r.apiFail(name, "ec2:DescribeInstanceTypes", err)
		return
	}
	per := 0
	for _, it := range info.InstanceTypes {
		if it.VCpuInfo != nil {
			per = max(per, int(aws.ToInt32(it.VCpuInfo.DefaultVCpus)))
		}
	}
	if per == 0 {
		r.fail(name, "ec2:DescribeInstanceTypes knows none of "+strings.Join(instanceTypes, ", "), "correct cluster.node_group.instance_types in "+r.env.SourceFile)
		return
	}
	running, err := r.runningStandardVCPUs(ng)
	if err != nil {
		r.apiFail(name, "ec2:DescribeInstances", err)
		return
	}
	limit, err := r.quotaValue(quotaVCPUs)
	if err != nil {
		r.apiFail(name, "servicequotas:GetServiceQuota ec2/"+quotaVCPUs.Code, err)
		return
	}
	need := int(maxSize) * per
	detail := fmt.Sprintf("node group %d x %d vCPUs + %d vCPUs running = %d of %d (%s; Karpenter's nodes come on top)",
		int(maxSize), per, running, need+running, limit, quotaVCPUs)
	if need+running > limit {
		r.fail(name, detail, quotaVCPUs.increase(r.env.Region, need+running))
		return
	}
	r.pass(name, detail)
}

func toInstanceTypes(names []string) []types.InstanceType {
	out := make([]types.InstanceType, len(names))
	for i, n := range names {
		out[i] = types.InstanceType(n)
	}
	return out
}

// runningStandardVCPUs sums the vCPUs of pending and running on-demand instances of standard
// families, less this node group's own (they are replaced, not added).
func (r *runner) runningStandardVCPUs(ng Resource) (int, error) {
	group, _ := ng.Literal("node_group_name")
	total := 0
	p := ec2.NewDescribeInstancesPaginator(r.aws.EC2, &ec2.DescribeInstancesInput{
		Filters: []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			return 0, err
		}
		for _, res := range page.Reservations {
			for _, in := range res.Instances {
				if in.InstanceLifecycle != "" || !standardFamily(string(in.InstanceType)) || in.CpuOptions == nil {
					continue
				}
				if tag(in.Tags, "eks:cluster-name") == r.env.ClusterName() && tag(in.Tags, "eks:nodegroup-name") == group {
					continue
				}
				total += int(aws.ToInt32(in.CpuOptions.CoreCount) * max(aws.ToInt32(in.CpuOptions.ThreadsPerCore), 1))
			}
		}
	}
	return total, nil
}

func tag(tags []types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
