package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Line is one priced item of a stack's monthly bill.
type Line struct {
	Address string  // <type>.<name> in the stack
	Item    string  // what is charged, with the quantity and unit price
	USD     float64 // per month
	Assumed bool    // the quantity is (partly) an assumed usage figure, not configuration
}

// pctx is what a pricer sees: the stack, its region's prices and its environment's assumptions.
// Errors are sticky (the first one wins) so pricers read straight.
type pctx struct {
	st    *Stack
	t     *PriceTable
	a     *EnvAssumptions
	addr  string
	lines []Line
	err   error
}

func (c *pctx) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s (stack %s): %s", c.addr, c.st.Name, fmt.Sprintf(format, args...))
	}
}

func (c *pctx) p(key string) float64 {
	v, err := c.t.price(key)
	if err != nil {
		c.fail("%v", err)
	}
	return v
}

func (c *pctx) need(key string, v *float64) float64 {
	f, err := need(c.st.Env, key, v)
	if err != nil {
		c.fail("%v", err)
	}
	return f
}

func (c *pctx) add(usd float64, assumed bool, format string, args ...any) {
	for i, a := range args {
		if f, ok := a.(float64); ok {
			args[i] = qty(f)
		}
	}
	c.lines = append(c.lines, Line{Address: c.addr, Item: fmt.Sprintf(format, args...), USD: usd, Assumed: assumed})
}

// count is how many resources of a type the stack has (to split an environment's assumed
// traffic between, e.g., its NAT gateways).
func (c *pctx) count(typ string, keep func(map[string]any) bool) int {
	n := 0
	for _, cfg := range c.st.Resources[typ] {
		if keep == nil || keep(cfg) {
			n++
		}
	}
	return n
}

// qty prints a quantity or unit price in an item: at most 5 decimals, no exponent.
type qty float64

func (q qty) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, strconv.FormatFloat(math.Round(float64(q)*1e5)/1e5, 'f', -1, 64))
}

type pricer func(c *pctx, cfg map[string]any)

// pricers price the resource types that cost money. Every type of a synthesized stack is here
// or in noCharge; any other type fails the run.
var pricers = map[string]pricer{
	"aws_eks_cluster":              priceEKSCluster,
	"aws_eks_node_group":           priceNodeGroup,
	"aws_nat_gateway":              priceNATGateway,
	"aws_eip":                      priceEIP,
	"aws_vpc_endpoint":             priceVPCEndpoint,
	"aws_rds_cluster":              priceAuroraCluster,
	"aws_rds_cluster_instance":     priceAuroraInstance,
	"aws_lb":                       priceLB,
	"aws_apigatewayv2_api":         priceHTTPAPI,
	"aws_wafv2_web_acl":            priceWebACL,
	"aws_cognito_user_pool_client": priceCognitoClient,
	"aws_cloudwatch_log_group":     priceLogGroup,
	"aws_cloudwatch_metric_alarm":  priceAlarm,
	"aws_kms_key":                  priceKMSKey,
	"aws_secretsmanager_secret":    priceSecret,
	"aws_ecr_repository":           priceECR,
	"aws_s3_bucket":                priceS3Bucket,
}

// noCharge lists the types that cost nothing by themselves, each with the reason.
var noCharge = map[string]string{
	"aws_iam_role":                                       "IAM is free",
	"aws_iam_role_policy":                                "IAM is free",
	"aws_iam_role_policy_attachment":                     "IAM is free",
	"aws_iam_openid_connect_provider":                    "IAM is free",
	"aws_vpc":                                            "a VPC itself is free",
	"aws_vpc_ipv4_cidr_block_association":                "a secondary CIDR is free",
	"aws_subnet":                                         "subnets are free",
	"aws_route_table":                                    "route tables are free",
	"aws_route":                                          "routes are free",
	"aws_route_table_association":                        "route table associations are free",
	"aws_internet_gateway":                               "an internet gateway is free (data transfer out is not included)",
	"aws_network_acl":                                    "network ACLs are free",
	"aws_network_acl_rule":                               "network ACL rules are free",
	"aws_default_security_group":                         "security groups are free",
	"aws_security_group":                                 "security groups are free",
	"aws_vpc_security_group_ingress_rule":                "security group rules are free",
	"aws_vpc_security_group_egress_rule":                 "security group rules are free",
	"aws_flow_log":                                       "the flow log's bytes are priced on its CloudWatch log group",
	"aws_kms_alias":                                      "aliases are free (the key is priced)",
	"aws_launch_template":                                "launch templates are free; their volumes are priced on the node group",
	"aws_eks_addon":                                      "EKS add-ons are free; their pods run on the priced nodes (Container Insights metrics are not included, docs/cost.md)",
	"aws_eks_access_entry":                               "access entries are free",
	"aws_eks_access_policy_association":                  "access policy associations are free",
	"aws_eks_pod_identity_association":                   "pod identity is free",
	"aws_sqs_queue":                                      "the Karpenter interruption queue's requests stay inside SQS's monthly free requests",
	"aws_sqs_queue_policy":                               "queue policies are free",
	"aws_cloudwatch_event_rule":                          "rules matching AWS service events on the default event bus are free",
	"aws_cloudwatch_event_target":                        "targets of free rules are free (the SQS queue is listed)",
	"aws_db_parameter_group":                             "parameter groups are free",
	"aws_rds_cluster_parameter_group":                    "parameter groups are free",
	"aws_db_subnet_group":                                "subnet groups are free",
	"aws_appautoscaling_target":                          "free; readers it adds beyond the configured instances are not included (docs/cost.md)",
	"aws_appautoscaling_policy":                          "scaling policies are free",
	"aws_ecr_lifecycle_policy":                           "lifecycle policies are free",
	"aws_secretsmanager_secret_policy":                   "secret policies are free (the secret is priced)",
	"aws_apigatewayv2_stage":                             "stages are free (requests are priced on the API)",
	"aws_apigatewayv2_route":                             "routes are free",
	"aws_apigatewayv2_integration":                       "integrations are free",
	"aws_apigatewayv2_authorizer":                        "JWT authorizers are free",
	"aws_apigatewayv2_vpc_link":                          "VPC links of HTTP APIs are free",
	"aws_cognito_user_pool":                              "priced per monthly active user, and this pool has no users (M2M only; its client is priced)",
	"aws_cognito_resource_server":                        "resource servers are free",
	"aws_cognito_user_pool_domain":                       "the Cognito prefix domain is free",
	"aws_lb_listener":                                    "listeners are free (the load balancer is priced)",
	"aws_lb_listener_rule":                               "listener rules are free (LCUs are an assumption on the load balancer)",
	"aws_lb_target_group":                                "target groups are free",
	"aws_wafv2_web_acl_association":                      "associations are free (the web ACL is priced)",
	"aws_wafv2_web_acl_logging_configuration":            "the logs are priced on their CloudWatch log group",
	"aws_s3_bucket_lifecycle_configuration":              "bucket configuration is free (the bucket is priced)",
	"aws_s3_bucket_ownership_controls":                   "bucket configuration is free",
	"aws_s3_bucket_policy":                               "bucket configuration is free",
	"aws_s3_bucket_public_access_block":                  "bucket configuration is free",
	"aws_s3_bucket_server_side_encryption_configuration": "bucket configuration is free (SSE-KMS requests are not included)",
	"aws_s3_bucket_versioning":                           "bucket configuration is free (old versions count in the assumed GB)",
	"helm_release":                                       "runs on the priced nodes",
}

func priceEKSCluster(c *pctx, cfg map[string]any) {
	h := c.p("eks.cluster-hour")
	note := ""
	if up := block(cfg, "upgrade_policy"); up == nil || str(up, "support_type") != "STANDARD" {
		// EKS's default upgrade policy is EXTENDED: the cluster then costs the extended-support
		// rate once its version leaves standard support (AWS::EKS::Cluster UpgradePolicy).
		note = "; upgrade policy EXTENDED: the extended-support rate after standard support ends is not included"
	}
	c.add(h*HoursPerMonth, false, "EKS control plane, standard support: 730 h x $%g%s", h, note)
	k := c.a.Karpenter
	if k == nil {
		c.fail("assumption karpenter_nodes missing for environment %s (tools/cost/assumptions.json)", c.st.Env)
		return
	}
	if k.Count == 0 {
		c.add(0, true, "Karpenter nodes: not included (assumed 0: %s)", k.Why)
		return
	}
	ih, gb := c.p("ec2."+k.InstanceType+".hour"), c.p("ebs.gp3.gb-month")
	c.add(k.Count*(ih*HoursPerMonth+k.DiskGB*gb), true,
		"Karpenter nodes (assumed %g x %s on-demand: %s): %g x (730 h x $%g + %g GB gp3 x $%g)",
		k.Count, k.InstanceType, k.Why, k.Count, ih, k.DiskGB, gb)
}

func priceNodeGroup(c *pctx, cfg map[string]any) {
	if ct := str(cfg, "capacity_type"); ct != "" && ct != "ON_DEMAND" {
		c.fail("capacity_type %s is not priced (on-demand only)", ct)
		return
	}
	types := strs(cfg, "instance_types")
	if len(types) == 0 {
		c.fail("no instance_types: the instance type is not priced")
		return
	}
	desired, ok := num(block(cfg, "scaling_config"), "desired_size")
	if !ok {
		c.fail("scaling_config.desired_size missing")
		return
	}
	// Managed node groups launch On-Demand capacity in the order of instance_types, so the
	// first type is what runs while it has capacity (EKS User Guide, managed node groups:
	// "Managed node groups use the order of instance types passed in the API").
	ih := c.p("ec2." + types[0] + ".hour")
	alt := ""
	if len(types) > 1 {
		alt = fmt.Sprintf(" (first of %s: launched in list order)", strings.Join(types, ", "))
	}
	c.add(desired*ih*HoursPerMonth, false, "%g x %s on-demand%s: %g x 730 h x $%g", desired, types[0], alt, desired, ih)
	// Volumes: the launch template's EBS mappings, else the node group's disk_size (gp2, 20 GiB by default).
	vols := map[string]float64{}
	if lt := block(cfg, "launch_template"); lt != nil {
		ltc, err := c.st.ref(str(lt, "id"), "aws_launch_template")
		if err != nil {
			c.fail("launch_template: %v", err)
			return
		}
		for _, bd := range blocks(ltc, "block_device_mappings") {
			ebs := block(bd, "ebs")
			size, ok := num(ebs, "volume_size")
			if !ok {
				c.fail("launch template block device %s has no volume_size", str(bd, "device_name"))
				return
			}
			vt := str(ebs, "volume_type")
			if vt == "" {
				vt = "gp2"
			}
			vols[vt] += size
		}
	} else {
		size, ok := num(cfg, "disk_size")
		if !ok {
			size = 20
		}
		vols["gp2"] += size
	}
	for _, vt := range sortedKeys(vols) {
		gb := c.p("ebs." + vt + ".gb-month")
		c.add(desired*vols[vt]*gb, false, "EBS %s: %g nodes x %g GB x $%g", vt, desired, vols[vt], gb)
	}
}

func priceNATGateway(c *pctx, cfg map[string]any) {
	h, g := c.p("vpc.nat-gateway-hour"), c.p("vpc.nat-gateway-gb")
	c.add(h*HoursPerMonth, false, "NAT gateway: 730 h x $%g", h)
	n := float64(c.count("aws_nat_gateway", nil))
	gb := c.need("nat_processed_gb", c.a.NATProcessedGB) / n
	c.add(gb*g, true, "NAT data processed (assumed %g GB, 1/%g of the environment's): x $%g", gb, n, g)
}

func priceEIP(c *pctx, cfg map[string]any) {
	h := c.p("vpc.public-ipv4-hour")
	c.add(h*HoursPerMonth, false, "public IPv4 address: 730 h x $%g", h)
}

func isInterface(cfg map[string]any) bool { return str(cfg, "vpc_endpoint_type") == "Interface" }

func priceVPCEndpoint(c *pctx, cfg map[string]any) {
	switch t := str(cfg, "vpc_endpoint_type"); t {
	case "Gateway":
		return // gateway endpoints (S3, DynamoDB) are free
	case "Interface":
	default:
		c.fail("vpc_endpoint_type %q is not priced (Gateway and Interface are)", t)
		return
	}
	azs := float64(len(list(cfg, "subnet_ids")))
	if azs == 0 {
		c.fail("interface endpoint without subnet_ids: its AZ count is unknown")
		return
	}
	h, g := c.p("vpc.interface-endpoint-az-hour"), c.p("vpc.interface-endpoint-gb")
	svc := str(cfg, "service_name")
	c.add(azs*h*HoursPerMonth, false, "interface endpoint %s: %g AZs x 730 h x $%g", svc, azs, h)
	n := float64(c.count("aws_vpc_endpoint", isInterface))
	gb := c.need("interface_endpoint_processed_gb", c.a.InterfaceEndpointGB) / n
	c.add(gb*g, true, "endpoint data processed (assumed %g GB, 1/%g of the environment's): x $%g", gb, n, g)
}

func priceAuroraCluster(c *pctx, cfg map[string]any) {
	if e := str(cfg, "engine"); !strings.HasPrefix(e, "aurora-") {
		c.fail("engine %q is not priced (Aurora only)", e)
		return
	}
	if st := str(cfg, "storage_type"); st != "" && st != "aurora" {
		c.fail("storage_type %q is not priced (Aurora Standard only)", st)
		return
	}
	if m := str(cfg, "database_insights_mode"); m == "advanced" {
		c.fail("database_insights_mode advanced is not priced")
		return
	}
	sgb, io, bgb := c.p("rds.aurora.storage-gb-month"), c.p("rds.aurora.io-million"), c.p("rds.aurora.backup-gb-month")
	gb := c.need("aurora_storage_gb", c.a.AuroraStorageGB)
	c.add(gb*sgb, true, "Aurora Standard storage (assumed %g GB) x $%g", gb, sgb)
	m := c.need("aurora_io_millions", c.a.AuroraIOMillions)
	c.add(m*io, true, "Aurora I/O (assumed %g million requests) x $%g", m, io)
	b := c.need("aurora_billed_backup_gb", c.a.AuroraBackupGB)
	ret, _ := num(cfg, "backup_retention_period")
	c.add(b*bgb, true, "backup storage beyond the free cluster-size amount (assumed %g GB, %g days retained) x $%g", b, ret, bgb)
	if cfg["manage_master_user_password"] == true {
		// RDS keeps the master password in a Secrets Manager secret it creates and bills.
		s := c.p("secretsmanager.secret-month")
		c.add(s, false, "RDS-managed master user secret (manage_master_user_password) x $%g", s)
	}
}

func priceAuroraInstance(c *pctx, cfg map[string]any) {
	class := str(cfg, "instance_class")
	engine := str(cfg, "engine")
	if strings.HasPrefix(engine, "${") {
		cl, err := c.st.ref(engine, "aws_rds_cluster")
		if err != nil {
			c.fail("engine: %v", err)
			return
		}
		engine = str(cl, "engine")
	}
	if pi, _ := num(cfg, "performance_insights_retention_period"); pi > 7 {
		c.fail("performance_insights_retention_period %g: only the free 7 days are priced", pi)
		return
	}
	h := c.p("rds." + engine + "." + class + ".hour")
	c.add(h*HoursPerMonth, false, "%s %s: 730 h x $%g", engine, class, h)
}

func priceLB(c *pctx, cfg map[string]any) {
	if t := str(cfg, "load_balancer_type"); t != "" && t != "application" {
		c.fail("load_balancer_type %q is not priced (application only)", t)
		return
	}
	h, lcu := c.p("elb.alb-hour"), c.p("elb.alb-lcu-hour")
	c.add(h*HoursPerMonth, false, "ALB: 730 h x $%g", h)
	l := c.need("alb_lcu_per_hour", c.a.ALBLCU)
	c.add(l*lcu*HoursPerMonth, true, "ALB LCUs (assumed %g per hour): x 730 h x $%g", l, lcu)
	if cfg["internal"] != true {
		// An internet-facing ALB has a public IPv4 address in each of its subnets.
		n := float64(len(list(cfg, "subnets")))
		ip := c.p("vpc.public-ipv4-hour")
		c.add(n*ip*HoursPerMonth, false, "internet-facing ALB public IPv4: %g x 730 h x $%g", n, ip)
	}
}

func priceHTTPAPI(c *pctx, cfg map[string]any) {
	if t := str(cfg, "protocol_type"); t != "HTTP" {
		c.fail("protocol_type %q is not priced (HTTP APIs only)", t)
		return
	}
	p := c.p("apigw.http-million-requests")
	m := c.need("api_requests_millions", c.a.APIRequestsMillions)
	c.add(m*p, true, "HTTP API requests (assumed %g million) x $%g", m, p)
}

// paidRuleGroups are AWS managed rule groups with their own subscription and request fees.
var paidRuleGroups = []string{"AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet", "AWSManagedRulesAntiDDoSRuleSet"}

func priceWebACL(c *pctx, cfg map[string]any) {
	rules := blocks(cfg, "rule")
	for _, r := range rules {
		mg := block(block(r, "statement"), "managed_rule_group_statement")
		if mg == nil {
			continue
		}
		if v := str(mg, "vendor_name"); v != "AWS" || slices.Contains(paidRuleGroups, str(mg, "name")) {
			c.fail("rule %s uses managed rule group %s/%s, which has fees that are not priced", str(r, "name"), v, str(mg, "name"))
			return
		}
	}
	acl, rule, req := c.p("waf.web-acl-month"), c.p("waf.rule-month"), c.p("waf.million-requests")
	n := float64(len(rules))
	c.add(acl+n*rule, false, "web ACL $%g + %g rules (a managed rule group counts as one) x $%g", acl, n, rule)
	m := c.need("waf_requests_millions", c.a.WAFRequestsMillions)
	c.add(m*req, true, "WAF requests (assumed %g million) x $%g", m, req)
}

func isM2M(cfg map[string]any) bool {
	return slices.Contains(strs(cfg, "allowed_oauth_flows"), "client_credentials")
}

func priceCognitoClient(c *pctx, cfg map[string]any) {
	if !isM2M(cfg) {
		return // user-facing clients cost nothing; users are priced per MAU on the pool
	}
	ac, tok := c.p("cognito.m2m-app-client-month"), c.p("cognito.m2m-token")
	c.add(ac, false, "M2M app client (client_credentials) x $%g", ac)
	n := float64(c.count("aws_cognito_user_pool_client", isM2M))
	t := c.need("cognito_m2m_tokens", c.a.CognitoM2MTokens) / n
	c.add(t*tok, true, "M2M token requests (assumed %g) x $%g", t, tok)
}

func priceLogGroup(c *pctx, cfg map[string]any) {
	name := str(cfg, "name")
	gb, err := c.a.logGB(c.st.Env, name)
	if err != nil {
		c.fail("%v", err)
		return
	}
	in, st := c.p("logs.ingest-gb"), c.p("logs.storage-gb-month")
	days, ok := num(cfg, "retention_in_days")
	retention := fmt.Sprintf("%g days retention", days)
	if !ok || days == 0 {
		days, retention = 365, "never expires: priced as one year stored"
	}
	// Steady state: the retention window holds days/(365/12) months of ingestion.
	stored := gb * days / (365.0 / 12)
	c.add(gb*in+stored*st, true, "%s: assumed %g GB/month ingested x $%g + %.1f GB stored (%s) x $%g",
		name, gb, in, stored, retention, st)
}

func priceAlarm(c *pctx, cfg map[string]any) {
	if p, _ := num(cfg, "period"); p > 0 && p < 60 {
		c.fail("high-resolution alarm (period %g s) is not priced", p)
		return
	}
	if len(list(cfg, "metric_query")) > 0 {
		c.fail("metric math alarm is not priced (one metric per alarm is)")
		return
	}
	a := c.p("cloudwatch.alarm-month")
	c.add(a, false, "standard-resolution alarm x $%g", a)
}

func priceKMSKey(c *pctx, cfg map[string]any) {
	k := c.p("kms.key-month")
	c.add(k, false, "customer managed key x $%g (requests and rotated key versions not included)", k)
}

func priceSecret(c *pctx, cfg map[string]any) {
	s := c.p("secretsmanager.secret-month")
	c.add(s, false, "secret x $%g (API calls not included)", s)
}

func priceECR(c *pctx, cfg map[string]any) {
	p := c.p("ecr.storage-gb-month")
	gb := c.need("ecr_gb_per_repository", c.a.ECRGBPerRepository)
	c.add(gb*p, true, "ECR storage (assumed %g GB) x $%g", gb, p)
}

func priceS3Bucket(c *pctx, cfg map[string]any) {
	p := c.p("s3.standard-gb-month")
	gb := c.need("s3_gb_per_bucket", c.a.S3GBPerBucket)
	c.add(gb*p, true, "S3 Standard storage (assumed %g GB) x $%g (requests not included)", gb, p)
}
