package preflight

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/phl-platform/phl-platform/config"
)

// quota is a Service Quotas quota of the region.
type quota struct {
	Service, Code, Title string
}

var (
	quotaVPCs     = quota{"vpc", "L-F678F1CE", "VPCs per Region"}
	quotaEIPs     = quota{"ec2", "L-0263D0A3", "EC2-VPC Elastic IPs"}
	quotaNATPerAZ = quota{"vpc", "L-FE5A380F", "NAT gateways per Availability Zone"}
	quotaVCPUs    = quota{"ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"}
)

func (q quota) String() string { return fmt.Sprintf("quota %s/%s, %s", q.Service, q.Code, q.Title) }

// increase is the fix of a quota that is too small.
func (q quota) increase(region string, need int) string {
	return fmt.Sprintf("request %s >= %d in %s: aws service-quotas request-service-quota-increase --service-code %s --quota-code %s --desired-value %d --region %s",
		q.Title, need, region, q.Service, q.Code, need, region)
}

// value is the quota applied to the account, or AWS's default when none was ever applied
// (GetServiceQuota answers NoSuchResourceException for some quotas then).
func (r *runner) quotaValue(q quota) (int, error) {
	out, err := r.aws.ServiceQuotas.GetServiceQuota(r.ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(q.Service), QuotaCode: aws.String(q.Code)})
	if err == nil && out.Quota != nil && out.Quota.Value != nil {
		return int(*out.Quota.Value), nil
	}
	if err != nil && errorCode(err) != "NoSuchResourceException" {
		return 0, err
	}
	def, err := r.aws.ServiceQuotas.GetAWSDefaultServiceQuota(r.ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String(q.Service), QuotaCode: aws.String(q.Code)})
	if err != nil {
		return 0, err
	}
	if def.Quota == nil || def.Quota.Value == nil {
		return 0, fmt.Errorf("%s: no value", q)
	}
	return int(*def.Quota.Value), nil
}

// ours tells whether an existing resource belongs to this environment (the provider's default
// tags): applying updates it in place, so it takes no new share of a quota.
func (r *runner) ours(tags []types.Tag) bool {
	var project, env bool
	for _, t := range tags {
		switch aws.ToString(t.Key) {
		case "project":
			project = aws.ToString(t.Value) == config.Project
		case "environment":
			env = aws.ToString(t.Value) == r.env.Name
		}
	}
	return project && env
}
