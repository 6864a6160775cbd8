package gateway

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lb"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistenerrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lbtargetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
)

// addLoadBalancer creates the internal ALB in the private subnets, reachable only from the VPC
// link's group; a listener that forwards only the app's paths; the target group pods join
// through a TargetGroupBinding; and the rule that lets the ALB reach pods.
func (g *Gateway) addLoadBalancer() {
	g.listenerPort = 80
	if g.props.AlbCertificateArn != "" {
		g.listenerPort = 443
	}
	albSG := g.securityGroup("alb", "Internal ALB: the listener from the API's VPC link only")
	linkSG := g.securityGroup("vpc-link", "API Gateway VPC link: to the internal ALB only")
	g.AlbSecurityGroupID, g.vpcLinkSGID = albSG, linkSG
	g.rule("alb-from-vpc-link", albSG, linkSG, g.listenerPort, "listener from the API Gateway VPC link", true)
	g.rule("vpc-link-to-alb", linkSG, albSG, g.listenerPort, "to the internal ALB listener", false)
	g.rule("alb-to-pods", albSG, g.props.PodSecurityGroupID, AppPort, "to phl-store pods (traffic and health checks)", false)
	// The rule on the cluster's pod group: the ALB reaches targets and health checks on AppPort.
	g.rule("pods-from-alb", g.props.PodSecurityGroupID, albSG, AppPort, "phl-store from the internal ALB", true)

	logs := g.addAccessLogBucket()
	alb := lb.NewLb(g.Construct, jsii.String("alb"), &lb.LbConfig{
		Name:                     jsii.String(g.name("api")),
		Internal:                 jsii.Bool(true),
		LoadBalancerType:         jsii.String("application"),
		Subnets:                  &g.props.PrivateSubnetIDs,
		SecurityGroups:           &[]*string{albSG},
		DropInvalidHeaderFields:  jsii.Bool(true),
		EnableDeletionProtection: jsii.Bool(g.props.DeletionProtection),
		AccessLogs:               &lb.LbAccessLogs{Bucket: logs.bucket, Prefix: jsii.String(logs.prefix), Enabled: jsii.Bool(true)},
		Tags:                     tags("Name", g.name("api")),
		DependsOn:                &logs.ready,
	})
	g.AlbArn = alb.Arn()

	tg := lbtargetgroup.NewLbTargetGroup(g.Construct, jsii.String("store"), &lbtargetgroup.LbTargetGroupConfig{
		// The Load Balancer Controller may only bind targets of groups named <Name>-*.
		Name:       jsii.String(g.name("store")),
		TargetType: jsii.String("ip"),
		Port:       jsii.Number(AppPort),
		Protocol:   jsii.String("HTTP"),
		VpcId:      g.props.VpcID,
		// Short, for quick rollouts; the pods' graceful shutdown outlasts it.
		DeregistrationDelay: jsii.String("30"),
		HealthCheck: &lbtargetgroup.LbTargetGroupHealthCheck{
			Enabled: jsii.Bool(true), Path: jsii.String(HealthCheckPath), Matcher: jsii.String("200"), Protocol: jsii.String("HTTP"),
			Port: jsii.String("traffic-port"), Interval: jsii.Number(15), Timeout: jsii.Number(5), HealthyThreshold: jsii.Number(2), UnhealthyThreshold: jsii.Number(3),
		},
		Tags: tags("Name", g.name("store")),
	})
	g.TargetGroupArn = tg.Arn()

	listener := &lblistener.LbListenerConfig{
		LoadBalancerArn: alb.Arn(),
		Port:            jsii.Number(g.listenerPort),
		Protocol:        jsii.String("HTTP"),
		// Anything but the app's paths is answered here and never reaches a pod.
		DefaultAction: &[]*lblistener.LbListenerDefaultAction{{
			Type:          jsii.String("fixed-response"),
			FixedResponse: &lblistener.LbListenerDefaultActionFixedResponse{ContentType: jsii.String("application/json"), MessageBody: jsii.String(`{"message":"Not Found"}`), StatusCode: jsii.String("404")},
		}},
		Tags: tags("Name", g.name("api")),
	}
	if g.props.AlbCertificateArn != "" {
		listener.Protocol, listener.CertificateArn = jsii.String("HTTPS"), jsii.String(g.props.AlbCertificateArn)
		listener.SslPolicy = jsii.String("ELBSecurityPolicy-TLS13-1-2-2021-06")
	}
	l := lblistener.NewLbListener(g.Construct, jsii.String("listener"), listener)
	g.ListenerArn = l.Arn()
	lblistenerrule.NewLbListenerRule(g.Construct, jsii.String("store-paths"), &lblistenerrule.LbListenerRuleConfig{
		ListenerArn: l.Arn(),
		Priority:    jsii.Number(10),
		Condition: &[]*lblistenerrule.LbListenerRuleCondition{{
			PathPattern: &lblistenerrule.LbListenerRuleConditionPathPattern{Values: strs("/api/products", "/api/products/*")},
		}},
		Action: &[]*lblistenerrule.LbListenerRuleAction{{Type: jsii.String("forward"), TargetGroupArn: tg.Arn()}},
		Tags:   tags("Name", g.name("store")),
	})
}

func (g *Gateway) securityGroup(id, description string) *string {
	return securitygroup.NewSecurityGroup(g.Construct, jsii.String(id+"-sg"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(g.name(id)),
		Description: jsii.String(description),
		VpcId:       g.props.VpcID,
		Tags:        tags("Name", g.name(id)),
	}).Id()
}

// rule adds an ingress (on group, from peer) or egress (from group, to peer) TCP rule.
func (g *Gateway) rule(id string, group, peer *string, port int, description string, ingress bool) {
	if ingress {
		vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(g.Construct, jsii.String(id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
			SecurityGroupId: group, ReferencedSecurityGroupId: peer, IpProtocol: jsii.String("tcp"),
			FromPort: jsii.Number(port), ToPort: jsii.Number(port), Description: jsii.String(description),
		})
		return
	}
	vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(g.Construct, jsii.String(id), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
		SecurityGroupId: group, ReferencedSecurityGroupId: peer, IpProtocol: jsii.String("tcp"),
		FromPort: jsii.Number(port), ToPort: jsii.Number(port), Description: jsii.String(description),
	})
}
