package cluster

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eksaccessentry"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// KarpenterEvents are the EventBridge events Karpenter handles gracefully (drain before loss).
var KarpenterEvents = []struct {
	ID, Source, DetailType string
}{
	{"scheduled-change", "aws.health", "AWS Health Event"},
	{"spot-interruption", "aws.ec2", "EC2 Spot Instance Interruption Warning"},
	{"rebalance", "aws.ec2", "EC2 Instance Rebalance Recommendation"},
	{"instance-state-change", "aws.ec2", "EC2 Instance State-change Notification"},
	{"capacity-reservation-interruption", "aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"},
}

// addKarpenter creates Karpenter's AWS side: the node role (with an EC2_LINUX access entry),
// the encrypted interruption queue fed by EventBridge, and the controller's role through Pod
// Identity (kube-system/karpenter). The Helm install comes with the GitOps stack.
func (c *Cluster) addKarpenter() {
	nodeRole, _ := c.role(roleSpec{id: "karpenter-nodes", name: c.name("karpenter-nodes"), trust: ec2Trust, managed: nodePolicies})
	eksaccessentry.NewEksAccessEntry(c.Construct, jsii.String("karpenter-nodes-access"), &eksaccessentry.EksAccessEntryConfig{
		ClusterName:  c.Name,
		PrincipalArn: nodeRole.Arn(),
		Type:         jsii.String("EC2_LINUX"),
	})
	c.KarpenterNodeRoleName, c.KarpenterNodeRoleArn = nodeRole.Name(), nodeRole.Arn()

	queueName := c.name("karpenter")
	queue := sqsqueue.NewSqsQueue(c.Construct, jsii.String("karpenter-queue"), &sqsqueue.SqsQueueConfig{
		Name:                    jsii.String(queueName),
		MessageRetentionSeconds: jsii.Number(300),
		SqsManagedSseEnabled:    jsii.Bool(true),
		Tags:                    tags("Name", queueName),
	})
	c.KarpenterQueueName = queue.Name()
	queueArn := c.arn("sqs", c.props.Region, queueName)
	sqsqueuepolicy.NewSqsQueuePolicy(c.Construct, jsii.String("karpenter-queue-policy"), &sqsqueuepolicy.SqsQueuePolicyConfig{
		QueueUrl: queue.Url(),
		Policy: jsii.String(iampolicy.New(
			iampolicy.Statement{Sid: "EventBridgeAndSQSDeliver", Effect: "Allow",
				Principal: map[string][]string{"Service": {"events.amazonaws.com", "sqs.amazonaws.com"}},
				Action:    []string{"sqs:SendMessage"}, Resource: []string{queueArn}},
			iampolicy.Statement{Sid: "DenyHTTP", Effect: "Deny",
				Principal: map[string][]string{"AWS": {"*"}},
				Action:    []string{"sqs:*"}, Resource: []string{queueArn},
				Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": false}}},
		).JSON()),
	})

	for _, e := range KarpenterEvents {
		pattern, _ := json.Marshal(map[string][]string{"source": {e.Source}, "detail-type": {e.DetailType}})
		rule := cloudwatcheventrule.NewCloudwatchEventRule(c.Construct, jsii.String("karpenter-"+e.ID), &cloudwatcheventrule.CloudwatchEventRuleConfig{
			Name:         jsii.String(c.name("karpenter", e.ID)),
			Description:  jsii.String("Karpenter interruption handling: " + e.DetailType),
			EventPattern: jsii.String(string(pattern)),
		})
		cloudwatcheventtarget.NewCloudwatchEventTarget(c.Construct, jsii.String("karpenter-"+e.ID+"-target"), &cloudwatcheventtarget.CloudwatchEventTargetConfig{
			Rule:     rule.Name(),
			TargetId: jsii.String("karpenter-interruption-queue"),
			Arn:      queue.Arn(),
		})
	}

	controller := c.podIdentityRole("karpenter", KarpenterSA, nil, c.karpenterPolicy(queueArn, *nodeRole.Arn()))
	c.KarpenterControllerRoleArn = controller.Arn()
}

// karpenterPolicy is the controller policy of config.KarpenterVersion's reference template
// (karpenter-provider-aws, website/content/en/v1.14/getting-started/getting-started-with-karpenter/
// cloudformation.yaml: NodeLifecycle, IAMIntegration, EKSIntegration, Interruption and
// ResourceDiscovery policies in one document; the opt-in ZonalShift policy is left out), with
// the cluster's names filled in. Every mutating action is scoped to resources tagged for this
// cluster and region. Review it with every Karpenter upgrade (its upgrade guide lists policy
// changes: e.g. 1.7 iam:ListInstanceProfiles, 1.11 placement groups, 1.12 DescribeInstanceStatus).
func (c *Cluster) karpenterPolicy(queueArn, nodeRoleArn string) iampolicy.Document {
	region, name := c.props.Region, c.props.Name
	ec2 := func(resource string) string { return c.arn("ec2", region, resource) }
	ec2Global := func(resource string) string { return "arn:" + c.props.Partition + ":ec2:" + region + "::" + resource }
	clusterTag := "kubernetes.io/cluster/" + name
	ownedRequest := map[string]any{"aws:RequestTag/" + clusterTag: "owned", "aws:RequestTag/eks:eks-cluster-name": name}
	ownedResource := map[string]any{"aws:ResourceTag/" + clusterTag: "owned"}
	nodepoolRequest := map[string]any{"aws:RequestTag/karpenter.sh/nodepool": "*"}
	nodepoolResource := map[string]any{"aws:ResourceTag/karpenter.sh/nodepool": "*"}
	created := []string{ec2("fleet/*"), ec2("instance/*"), ec2("volume/*"), ec2("network-interface/*"), ec2("launch-template/*"), ec2("spot-instances-request/*")}
	profile := "arn:" + c.props.Partition + ":iam::" + c.props.AccountID + ":instance-profile/*"

	return iampolicy.New(
		iampolicy.Allow("ScopedEC2InstanceAccessActions", []string{"ec2:RunInstances", "ec2:CreateFleet"},
			[]string{ec2Global("image/*"), ec2Global("snapshot/*"), ec2("security-group/*"), ec2("subnet/*"), ec2("capacity-reservation/*"), ec2("placement-group/*")}),
		withCond(iampolicy.Allow("ScopedEC2LaunchTemplateAccessActions", []string{"ec2:RunInstances", "ec2:CreateFleet"}, []string{ec2("launch-template/*")}),
			"StringEquals", ownedResource, "StringLike", nodepoolResource),
		withCond(iampolicy.Allow("ScopedEC2InstanceActionsWithTags", []string{"ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"}, created),
			"StringEquals", ownedRequest, "StringLike", nodepoolRequest),
		withCond(iampolicy.Allow("ScopedResourceCreationTagging", []string{"ec2:CreateTags"}, created),
			"StringEquals", merge(ownedRequest, map[string]any{"ec2:CreateAction": []string{"RunInstances", "CreateFleet", "CreateLaunchTemplate"}}),
			"StringLike", nodepoolRequest),
		withCond(iampolicy.Allow("ScopedResourceTagging", []string{"ec2:CreateTags"}, []string{ec2("instance/*")}),
			"StringEquals", ownedResource, "StringLike", nodepoolResource,
			"StringEqualsIfExists", map[string]any{"aws:RequestTag/eks:eks-cluster-name": name},
			"ForAllValues:StringEquals", map[string]any{"aws:TagKeys": []string{"eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"}}),
		withCond(iampolicy.Allow("ScopedDeletion", []string{"ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"}, []string{ec2("instance/*"), ec2("launch-template/*")}),
			"StringEquals", ownedResource, "StringLike", nodepoolResource),
		// Describe calls cannot be scoped to resources; they are limited to the region.
		withCond(iampolicy.Allow("RegionalReadActions", []string{"ec2:DescribeCapacityReservations",
			"ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ec2:DescribeInstanceTypeOfferings",
			"ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates", "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups",
			"ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets"}, []string{"*"}),
			"StringEquals", map[string]any{"aws:RequestedRegion": region}),
		iampolicy.Allow("SSMReadActions", []string{"ssm:GetParameter"}, []string{"arn:" + c.props.Partition + ":ssm:" + region + "::parameter/aws/service/*"}),
		// The Price List API has no resource-level permissions.
		iampolicy.Allow("PricingReadActions", []string{"pricing:GetProducts"}, []string{"*"}),
		iampolicy.Allow("InterruptionQueueActions", []string{"sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}, []string{queueArn}),
		withCond(iampolicy.Allow("PassNodeRole", []string{"iam:PassRole"}, []string{nodeRoleArn}),
			"StringEquals", map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}),
		withCond(iampolicy.Allow("ScopedInstanceProfileCreationActions", []string{"iam:CreateInstanceProfile"}, []string{profile}),
			"StringEquals", merge(ownedRequest, map[string]any{"aws:RequestTag/topology.kubernetes.io/region": region}),
			"StringLike", map[string]any{"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}),
		withCond(iampolicy.Allow("ScopedInstanceProfileTagActions", []string{"iam:TagInstanceProfile"}, []string{profile}),
			"StringEquals", merge(ownedResource, ownedRequest, map[string]any{
				"aws:ResourceTag/topology.kubernetes.io/region": region, "aws:RequestTag/topology.kubernetes.io/region": region}),
			"StringLike", map[string]any{"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}),
		withCond(iampolicy.Allow("ScopedInstanceProfileActions", []string{"iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"}, []string{profile}),
			"StringEquals", merge(ownedResource, map[string]any{"aws:ResourceTag/topology.kubernetes.io/region": region}),
			"StringLike", map[string]any{"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}),
		iampolicy.Allow("InstanceProfileReadActions", []string{"iam:GetInstanceProfile"}, []string{profile}),
		// ListInstanceProfiles has no resource-level permissions (IAM service authorization
		// reference); Karpenter >= 1.7 needs it to find the profiles it made.
		iampolicy.Allow("UnscopedInstanceProfileListAction", []string{"iam:ListInstanceProfiles"}, []string{"*"}),
		iampolicy.Allow("APIServerEndpointDiscovery", []string{"eks:DescribeCluster"}, []string{c.Arn}),
	)
}

// withCond adds condition operator/values pairs to a statement.
func withCond(s iampolicy.Statement, kv ...any) iampolicy.Statement { return s.When(kv...) }

func merge(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
