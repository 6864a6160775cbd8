package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/netcalc"
)

func synthNetwork(t *testing.T, env *config.Environment) *synthesized {
	return synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
		return NewNetworkStack(app, env).TerraformStack
	})
}

func TestSubnetsPerTierAndAZ(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		env := shipped(t, name)
		s := synthNetwork(t, env)
		layout, err := netcalc.Layout(env.Network.VpcCidr, env.Network.PodCidr, len(env.AvailabilityZones))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{} // "tier/az" -> CIDR
		for i, az := range env.AvailabilityZones {
			want["public/"+az] = layout[i].Public.String()
			want["private/"+az] = layout[i].Private.String()
			want["pod/"+az] = layout[i].Pod.String()
			want["database/"+az] = layout[i].Database.String()
		}
		got := map[string]string{}
		for _, r := range s.resources("aws_subnet") {
			key := fmt.Sprintf("%v/%v", tagsOf(r)["tier"], r["availability_zone"])
			got[key] = fmt.Sprint(r["cidr_block"])
			if r["map_public_ip_on_launch"] != false {
				t.Errorf("%s: %s maps public IPs on launch", name, key)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s subnets:\n got %v\nwant %v", name, got, want)
		}
	}
}

func TestSubnetDiscoveryTags(t *testing.T) {
	env := shipped(t, "dev")
	for _, r := range synthNetwork(t, env).resources("aws_subnet") {
		tags := tagsOf(r)
		tier := tags["tier"]
		if (tags["kubernetes.io/role/elb"] == "1") != (tier == "public") {
			t.Errorf("%v subnet: kubernetes.io/role/elb = %v", tier, tags["kubernetes.io/role/elb"])
		}
		if (tags["kubernetes.io/role/internal-elb"] == "1") != (tier == "private") {
			t.Errorf("%v subnet: kubernetes.io/role/internal-elb = %v", tier, tags["kubernetes.io/role/internal-elb"])
		}
		if (tags["karpenter.sh/discovery"] == env.ClusterName()) != (tier == "private") {
			t.Errorf("%v subnet: karpenter.sh/discovery = %v", tier, tags["karpenter.sh/discovery"])
		}
	}
}

func TestPodSubnetsWaitForTheSecondaryRange(t *testing.T) {
	s := synthNetwork(t, shipped(t, "dev"))
	assoc, _ := s.only("aws_vpc_ipv4_cidr_block_association")
	for _, r := range s.resources("aws_subnet") {
		if tagsOf(r)["tier"] != "pod" {
			continue
		}
		deps := asStrings(r["depends_on"])
		if len(deps) != 1 || !strings.Contains(deps[0], assoc) {
			t.Errorf("pod subnet %v depends on %v; want the pod CIDR association", r["cidr_block"], deps)
		}
	}
}

// routes maps each route table's tier/AZ name tag to the target of its default route.
func routes(t *testing.T, s *synthesized) (byTable map[string]string, natAZ map[string]string) {
	tables := map[string]string{} // route table reference -> Name tag
	for n, r := range s.resources("aws_route_table") {
		tables[ref("aws_route_table", n, "id")] = fmt.Sprint(tagsOf(r)["Name"])
	}
	natAZ = map[string]string{} // NAT reference -> Name tag
	for n, r := range s.resources("aws_nat_gateway") {
		natAZ[ref("aws_nat_gateway", n, "id")] = fmt.Sprint(tagsOf(r)["Name"])
	}
	byTable = map[string]string{}
	for _, r := range s.resources("aws_route") {
		if r["destination_cidr_block"] != "0.0.0.0/0" {
			t.Errorf("unexpected route to %v", r["destination_cidr_block"])
		}
		table := tables[fmt.Sprint(r["route_table_id"])]
		switch {
		case r["gateway_id"] != nil:
			byTable[table] = "igw"
		case r["nat_gateway_id"] != nil:
			byTable[table] = natAZ[fmt.Sprint(r["nat_gateway_id"])]
		}
	}
	return byTable, natAZ
}

func TestRoutingPerTier(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		env := shipped(t, name)
		s := synthNetwork(t, env)
		byTable, nats := routes(t, s)
		wantNats := len(env.AvailabilityZones)
		if env.Network.NatGatewayMode == config.NatSingle {
			wantNats = 1
		}
		if len(nats) != wantNats || len(s.resources("aws_eip")) != wantNats {
			t.Errorf("%s: %d NAT gateways, %d EIPs; want %d", name, len(nats), len(s.resources("aws_eip")), wantNats)
		}
		prefix := "phl-" + name
		if byTable[prefix+"-public"] != "igw" {
			t.Errorf("%s: public default route = %q; want the internet gateway", name, byTable[prefix+"-public"])
		}
		for _, az := range env.AvailabilityZones {
			wantNat := prefix + "-nat-" + az
			if wantNats == 1 {
				wantNat = prefix + "-nat-" + env.AvailabilityZones[0]
			}
			for _, tier := range []string{"private", "pod"} {
				if got := byTable[prefix+"-"+tier+"-"+az]; got != wantNat {
					t.Errorf("%s: %s/%s default route via %q; want %q", name, tier, az, got, wantNat)
				}
			}
		}
		if got, ok := byTable[prefix+"-database"]; ok {
			t.Errorf("%s: the database route table has a default route via %q", name, got)
		}
		if len(byTable) != 1+2*len(env.AvailabilityZones) {
			t.Errorf("%s: %d default routes: %v", name, len(byTable), byTable)
		}
	}
}

func TestDatabaseAclAllowsOnlyMySQLFromNodesAndPods(t *testing.T) {
	env := shipped(t, "prod")
	s := synthNetwork(t, env)
	aclName, acl := s.only("aws_network_acl")
	if n := len(asStrings(acl["subnet_ids"])); n != len(env.AvailabilityZones) {
		t.Errorf("the ACL covers %d subnets; want the %d database subnets", n, len(env.AvailabilityZones))
	}
	layout, _ := netcalc.Layout(env.Network.VpcCidr, env.Network.PodCidr, len(env.AvailabilityZones))
	clients := map[string]bool{}
	for _, l := range layout {
		clients[l.Private.String()], clients[l.Pod.String()] = true, true
	}
	in, out := map[string]bool{}, map[string]bool{}
	for _, r := range s.resources("aws_network_acl_rule") {
		if r["network_acl_id"] != ref("aws_network_acl", aclName, "id") || r["rule_action"] != "allow" || r["protocol"] != "tcp" {
			t.Errorf("unexpected rule %v", r)
		}
		cidr := fmt.Sprint(r["cidr_block"])
		if !clients[cidr] {
			t.Errorf("rule for %s, which is neither a node nor a pod subnet", cidr)
		}
		ports := fmt.Sprintf("%v-%v", r["from_port"], r["to_port"])
		if r["egress"] == true {
			out[cidr] = ports == "1024-65535"
		} else {
			in[cidr] = ports == "3306-3306"
		}
	}
	for c := range clients {
		if !in[c] || !out[c] {
			t.Errorf("%s: MySQL in = %v, replies out = %v; want both", c, in[c], out[c])
		}
	}
}

func TestDefaultSecurityGroupIsEmpty(t *testing.T) {
	_, sg := synthNetwork(t, shipped(t, "dev")).only("aws_default_security_group")
	if sg["ingress"] != nil || sg["egress"] != nil {
		t.Errorf("default security group keeps rules: %v", sg)
	}
}

func TestFlowLogsEncryptedWithRotatingKey(t *testing.T) {
	env := shipped(t, "prod")
	s := synthNetwork(t, env)
	keyName, key := s.only("aws_kms_key")
	if key["enable_key_rotation"] != true {
		t.Error("KMS key rotation is off")
	}
	var logsStatement map[string]any
	for _, st := range policyStatements(t, key["policy"]) {
		if fmt.Sprint(st["Principal"]) == "map[Service:[logs.ap-southeast-1.amazonaws.com]]" {
			logsStatement = st
		}
	}
	if logsStatement == nil || !containsAll(fmt.Sprint(logsStatement["Condition"]), "kms:EncryptionContext:aws:logs:arn", "arn:aws:logs:ap-southeast-1:"+env.AccountID+":log-group:") {
		t.Errorf("key policy does not let CloudWatch Logs use the key for this account's log groups: %v", logsStatement)
	}

	groupName, group := s.only("aws_cloudwatch_log_group")
	if group["kms_key_id"] != ref("aws_kms_key", keyName, "arn") {
		t.Errorf("flow log group kms_key_id = %v", group["kms_key_id"])
	}
	if fmt.Sprint(group["retention_in_days"]) != fmt.Sprint(env.Network.FlowLogRetentionDays) {
		t.Errorf("retention = %v; want %d", group["retention_in_days"], env.Network.FlowLogRetentionDays)
	}
	_, fl := s.only("aws_flow_log")
	if fl["traffic_type"] != "ALL" || fl["log_destination"] != ref("aws_cloudwatch_log_group", groupName, "arn") {
		t.Errorf("flow log = %v", fl)
	}
	_, role := s.only("aws_iam_role")
	trust := policyStatements(t, role["assume_role_policy"])
	if len(trust) != 1 || !containsAll(fmt.Sprint(trust[0]), "vpc-flow-logs.amazonaws.com", "aws:SourceAccount:"+env.AccountID) {
		t.Errorf("flow log role trust = %v", trust)
	}
}

// Every policy document any stack writes (role, inline and managed policies, trust, key,
// queue and other resource policies, policy-document data sources) is checked: no wildcard
// action on every resource (iampolicy.Wildcards says what counts).
func TestPoliciesHaveNoWildcardActionOnEveryResource(t *testing.T) {
	components := map[string]func(*Environment) cdktf.TerraformStack{
		"network":  func(e *Environment) cdktf.TerraformStack { return e.Network.TerraformStack },
		"cluster":  func(e *Environment) cdktf.TerraformStack { return e.Cluster.TerraformStack },
		"database": func(e *Environment) cdktf.TerraformStack { return e.Database.TerraformStack },
		"gateway":  func(e *Environment) cdktf.TerraformStack { return e.Gateway.TerraformStack },
		"gitops":   func(e *Environment) cdktf.TerraformStack { return e.Gitops.TerraformStack },
	}
	for _, envName := range []string{"dev", "prod"} {
		for _, component := range sortedKeys(components) {
			name := envName + "-" + component
			s := synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
				return components[component](Build(app, shipped(t, envName), testArtifacts()))
			})
			checkPolicies(t, name, s)
		}
	}
}

// checkPolicies reports wildcard grants in every policy document of a stack.
func checkPolicies(t *testing.T, name string, s *synthesized) {
	t.Helper()
	checked := 0
	for _, block := range []string{"resource", "data"} {
		types, _ := s.doc[block].(map[string]any)
		for _, typ := range sortedKeys(types) {
			for rn, r := range types[typ].(map[string]any) {
				walkStrings(r, "", func(attr, value string) {
					resourcePolicy := attr == "assume_role_policy" || (attr == "policy" && !strings.HasPrefix(typ, "aws_iam_"))
					findings, ok := iampolicy.Wildcards(value, resourcePolicy)
					if ok {
						checked++
					}
					for _, f := range findings {
						t.Errorf("%s: %s.%s %s: %s", name, typ, rn, attr, f)
					}
				})
			}
		}
	}
	if checked == 0 && !strings.HasSuffix(name, "-gitops") { // gitops has no policy of its own
		t.Errorf("%s: no policy document found; the walk is broken", name)
	}
}

// walkStrings calls fn for every string value under v, with the name of its innermost key.
func walkStrings(v any, key string, fn func(attr, value string)) {
	switch x := v.(type) {
	case string:
		fn(key, x)
	case map[string]any:
		for k, e := range x {
			walkStrings(e, k, fn)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, key, fn)
		}
	}
}

func TestInterfaceEndpointsOnlyWhereConfigured(t *testing.T) {
	dev := synthNetwork(t, shipped(t, "dev"))
	if n := len(dev.resources("aws_vpc_endpoint")); n != 1 || len(dev.resources("aws_security_group")) != 1 {
		t.Errorf("dev: %d endpoints; want only the S3 gateway and no endpoint security group (only database-clients)", n)
	}

	env := shipped(t, "prod")
	s := synthNetwork(t, env)
	sgName, _ := s.named("aws_security_group", "name", "phl-prod-vpc-endpoints")
	interfaces := map[string]bool{}
	for _, r := range s.resources("aws_vpc_endpoint") {
		svc := strings.TrimPrefix(fmt.Sprint(r["service_name"]), "com.amazonaws."+env.Region+".")
		switch r["vpc_endpoint_type"] {
		case "Gateway":
			if svc != "s3" || len(asStrings(r["route_table_ids"])) != 2*len(env.AvailabilityZones) {
				t.Errorf("gateway endpoint %s on %v route tables", svc, r["route_table_ids"])
			}
		case "Interface":
			interfaces[svc] = true
			if r["private_dns_enabled"] != true || fmt.Sprint(r["security_group_ids"]) != fmt.Sprint([]any{ref("aws_security_group", sgName, "id")}) ||
				len(asStrings(r["subnet_ids"])) != len(env.AvailabilityZones) {
				t.Errorf("interface endpoint %s: %v", svc, r)
			}
		}
	}
	if len(interfaces) != len(env.Network.InterfaceEndpoints) {
		t.Errorf("interface endpoints %v; want %v", interfaces, env.Network.InterfaceEndpoints)
	}
	for _, r := range s.resources("aws_vpc_security_group_ingress_rule") {
		if fmt.Sprintf("%v/%v/%v", r["ip_protocol"], r["from_port"], r["to_port"]) != "tcp/443/443" {
			t.Errorf("endpoint ingress %v", r)
		}
		if c := r["cidr_ipv4"]; c != env.Network.VpcCidr.String() && c != env.Network.PodCidr.String() {
			t.Errorf("endpoint ingress from %v", c)
		}
	}
}

func TestNetworkOutputs(t *testing.T) {
	assertOutputs(t, synthNetwork(t, shipped(t, "dev")), "vpc_id", "vpc_cidr", "pod_cidr", "availability_zones",
		"public_subnet_ids", "private_subnet_ids", "pod_subnet_ids", "database_subnet_ids", "public_route_table_id",
		"private_route_table_ids", "pod_route_table_ids", "database_route_table_ids", "nat_gateway_ids", "kms_key_arn")
}
