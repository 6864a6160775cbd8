package cluster

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
)

// WebhookPorts are the ports the control plane calls on pods (admission and conversion
// webhooks, aggregated APIs) of what the platform installs; a webhook the control plane
// cannot reach times out, and with failurePolicy Fail its API calls fail.
var WebhookPorts = []struct {
	Port int
	Who  string
}{
	{443, "webhook Services whose pods listen on 443"},
	{4443, "metrics-server APIService in charts before 3.x"},
	{8443, "Karpenter 1.0 and earlier webhooks; kubebuilder-style controllers on 8443"},
	{9443, "AWS Load Balancer Controller webhook; CloudWatch agent operator webhook (manager.ports.webhookPort)"},
	{10250, "External Secrets Operator webhook (chart webhook.port); metrics-server APIService (containerPort 10250)"},
	{10251, "metrics-server secure port when 10250 is taken (host-network installs)"},
}

// addSecurityGroups creates explicit groups for the control plane, the nodes and the pods
// (VPC CNI custom networking puts pod ENIs in the pod group), with only the rules EKS needs.
func (c *Cluster) addSecurityGroups() {
	clusterTag := "kubernetes.io/cluster/" + c.props.Name
	cp := c.securityGroup("control-plane", "EKS control plane ENIs: API from nodes and pods")
	nodes := c.securityGroup("nodes", "EKS nodes", "karpenter.sh/discovery", c.props.Name, clusterTag, "owned")
	pods := c.securityGroup("pods", "EKS pods (VPC CNI custom networking)", clusterTag, "owned")
	c.ControlPlaneSecurityGroupID, c.NodeSecurityGroupID, c.PodSecurityGroupID = cp, nodes, pods

	c.ingress("cp-https-from-nodes", cp, nodes, "tcp", 443, 443, "Kubernetes API from nodes")
	c.ingress("cp-https-from-pods", cp, pods, "tcp", 443, 443, "Kubernetes API from pods")

	c.ingress("nodes-https-from-cp", nodes, cp, "tcp", 443, 443, "control plane to node extension API servers")
	c.ingress("nodes-kubelet-from-cp", nodes, cp, "tcp", 10250, 10250, "control plane to kubelets")
	for _, w := range WebhookPorts {
		c.ingress(fmt.Sprintf("pods-webhook-%d-from-cp", w.Port), pods, cp, "tcp", w.Port, w.Port, "control plane to pods: "+w.Who)
		if w.Port != 443 && w.Port != 10250 { // already open on nodes (extension API servers, kubelet)
			c.ingress(fmt.Sprintf("nodes-webhook-%d-from-cp", w.Port), nodes, cp, "tcp", w.Port, w.Port, "control plane to host-network pods: "+w.Who)
		}
	}
	c.ingress("nodes-from-nodes", nodes, nodes, "-1", 0, 0, "node to node (DNS, kubelet, host-network add-ons)")
	c.ingress("nodes-from-pods", nodes, pods, "-1", 0, 0, "pods to host-network services (DNS, metrics)")
	c.ingress("pods-from-pods", pods, pods, "-1", 0, 0, "pod to pod")
	c.ingress("pods-from-nodes", pods, nodes, "-1", 0, 0, "kubelet probes and host-network clients to pods")

	// Nodes and pods pull images and call AWS APIs through the NAT gateways; VPC endpoints,
	// where configured, keep that traffic inside the VPC. Nothing admits inbound internet
	// traffic (a plan rule checks every stack for that).
	for _, sg := range []struct {
		id  string
		ref *string
	}{{"nodes", nodes}, {"pods", pods}} {
		vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c.Construct, jsii.String(sg.id+"-egress"), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId: sg.ref,
			Description:     jsii.String("outbound through the NAT gateways and VPC endpoints"),
			IpProtocol:      jsii.String("-1"),
			CidrIpv4:        jsii.String("0.0.0.0/0"),
		})
	}
}

func (c *Cluster) securityGroup(id, description string, extraTags ...string) *string {
	return securitygroup.NewSecurityGroup(c.Construct, jsii.String(id+"-sg"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(c.name(id)),
		Description: jsii.String(description),
		VpcId:       c.props.VpcID,
		Tags:        tags(append([]string{"Name", c.name(id)}, extraTags...)...),
	}).Id()
}

func (c *Cluster) ingress(id string, target, source *string, protocol string, from, to int, description string) {
	cfg := &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId:           target,
		ReferencedSecurityGroupId: source,
		IpProtocol:                jsii.String(protocol),
		Description:               jsii.String(description),
	}
	if protocol != "-1" {
		cfg.FromPort, cfg.ToPort = jsii.Number(from), jsii.Number(to)
	}
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c.Construct, jsii.String(id), cfg)
}
