package cluster

import (
	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/tfval"
)

// Service accounts the controller roles are associated with (their Helm installs come with the
// GitOps stack and must use these names).
var (
	LoadBalancerControllerSA = ServiceAccount{"kube-system", "aws-load-balancer-controller"}
	ExternalSecretsSA        = ServiceAccount{"external-secrets", "external-secrets"}
	KarpenterSA              = ServiceAccount{"kube-system", "karpenter"}
)

// ExternalSecretsRoleName is the External Secrets Operator's role name for a cluster; other
// stacks name it in resource policies without waiting for this one.
func ExternalSecretsRoleName(clusterName string) string {
	return tfval.Name(clusterName, "external-secrets")
}

// addControllerRoles creates the Pod Identity roles of the AWS Load Balancer Controller and the
// External Secrets Operator.
func (c *Cluster) addControllerRoles() {
	region := c.props.Region
	clusterTag := "aws:ResourceTag/kubernetes.io/cluster/" + c.props.Name

	// The platform creates its load balancer and target groups in Terraform (gateway stack); the
	// controller only binds pod IPs to them (TargetGroupBinding) and opens the pod and node
	// security groups to the load balancer. So it gets no rights to create or delete ELBs.
	lbc := iampolicy.New(
		withCond(iampolicy.Allow("DescribeLoadBalancingAndNetwork", []string{
			"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners",
			"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
			"elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeLoadBalancerAttributes",
			"elasticloadbalancing:DescribeTags", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeAvailabilityZones",
		}, []string{"*"}), "StringEquals", map[string]any{"aws:RequestedRegion": region}),
		iampolicy.Allow("BindTargetsOfThisPlatformsTargetGroups",
			[]string{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"},
			[]string{c.arn("elasticloadbalancing", region, "targetgroup/"+c.props.Name+"-*/*")}),
		withCond(iampolicy.Allow("OpenThisClustersGroupsToTheLoadBalancer",
			[]string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"},
			[]string{c.arn("ec2", region, "security-group/*")}),
			"StringEquals", map[string]any{clusterTag: "owned"}),
	)
	c.LoadBalancerControllerRoleArn = c.podIdentityRole("aws-load-balancer-controller", LoadBalancerControllerSA, nil, lbc).Arn()

	// External Secrets may read only this platform's secrets (names under SecretsPrefix), and
	// decrypt them only through Secrets Manager.
	eso := iampolicy.New(
		iampolicy.Allow("ReadThisPlatformsSecrets",
			[]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"},
			[]string{c.arn("secretsmanager", region, "secret:"+c.props.SecretsPrefix+"*")}),
		withCond(iampolicy.Allow("DecryptThroughSecretsManager", []string{"kms:Decrypt"}, []string{c.arn("kms", region, "key/*")}),
			"StringEquals", map[string]any{"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"}),
	)
	c.ExternalSecretsRoleArn = c.podIdentityRole("external-secrets", ExternalSecretsSA, nil, eso).Arn()
	if name := ExternalSecretsRoleName(c.props.Name); name != c.name("external-secrets") {
		panic("cluster: the External Secrets role is not named " + name)
	}
}
