package planassert

import (
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// fakePlan builds a small plan the way `terraform show -json` lays it out.
type fakePlan struct{ p tfjson.Plan }

func (f *fakePlan) add(typ, name string, after map[string]any, refs map[string][]string) *tfjson.ResourceChange {
	addr := typ + "." + name
	after["tags_all"] = map[string]any{"environment": "dev", "project": "phl", "managed-by": "cdktf"}
	rc := &tfjson.ResourceChange{Address: addr, Type: typ, Name: name, Mode: tfjson.ManagedResourceMode,
		Change: &tfjson.Change{Actions: tfjson.Actions{tfjson.ActionCreate}, After: after}}
	f.p.ResourceChanges = append(f.p.ResourceChanges, rc)
	cr := &tfjson.ConfigResource{Address: addr, Type: typ, Name: name, Expressions: map[string]*tfjson.Expression{}}
	for attr, r := range refs {
		cr.Expressions[attr] = &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{References: r}}
	}
	if f.p.Config == nil {
		f.p.Config = &tfjson.Config{RootModule: &tfjson.ConfigModule{}}
	}
	f.p.Config.RootModule.Resources = append(f.p.Config.RootModule.Resources, cr)
	return rc
}

// set changes a planned attribute of a resource the fake plan holds.
func (f *fakePlan) set(t *testing.T, addr, attr string, v any) {
	t.Helper()
	for _, rc := range f.p.ResourceChanges {
		if rc.Address == addr {
			rc.Change.After.(map[string]any)[attr] = v
			return
		}
	}
	t.Fatalf("no %s in the fake plan", addr)
}

func tier(t string) map[string]any { return map[string]any{"tags": map[string]any{"tier": t}} }

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// goodNetwork is a two-AZ network with one NAT gateway.
func goodNetwork() *fakePlan {
	f := &fakePlan{}
	f.add("aws_vpc", "vpc", map[string]any{}, nil)
	f.add("aws_kms_key", "k", map[string]any{"enable_key_rotation": true}, nil)
	f.add("aws_cloudwatch_log_group", "flow", map[string]any{}, map[string][]string{"kms_key_id": {"aws_kms_key.k.arn", "aws_kms_key.k"}})
	f.add("aws_flow_log", "fl", map[string]any{"traffic_type": "ALL"}, map[string][]string{
		"vpc_id": {"aws_vpc.vpc.id", "aws_vpc.vpc"}, "log_destination": {"aws_cloudwatch_log_group.flow.arn"}})
	for _, az := range []string{"a", "b"} {
		for _, t := range []string{"public", "private", "pod", "database"} {
			f.add("aws_subnet", t+az, with(tier(t), "map_public_ip_on_launch", false), nil)
		}
		f.add("aws_route_table", "private"+az, tier("private"), nil)
		f.add("aws_route", "private"+az, map[string]any{"destination_cidr_block": "0.0.0.0/0"}, map[string][]string{
			"route_table_id": {"aws_route_table.private" + az + ".id", "aws_route_table.private" + az}})
		associate(f, "private"+az, "private"+az)
		associate(f, "database"+az, "database")
	}
	f.add("aws_route_table", "database", tier("database"), nil)
	f.add("aws_eip", "nat", map[string]any{}, nil)
	f.add("aws_nat_gateway", "nat", map[string]any{}, map[string][]string{
		"allocation_id": {"aws_eip.nat.allocation_id"}, "subnet_id": {"aws_subnet.publica.id", "aws_subnet.publica"}})
	f.add("aws_vpc_endpoint", "s3", map[string]any{"vpc_endpoint_type": "Gateway"}, nil)
	return f
}

// associate adds a route table association the way the network construct writes it.
func associate(f *fakePlan, subnet, table string) {
	f.add("aws_route_table_association", subnet+"-"+table, map[string]any{}, map[string][]string{
		"subnet_id":      {"aws_subnet." + subnet + ".id", "aws_subnet." + subnet},
		"route_table_id": {"aws_route_table." + table + ".id", "aws_route_table." + table}})
}

func rulesFor() []Rule {
	return append(Common("dev"), Network(NetworkExpectations{AvailabilityZones: 2, NatGateways: 1})...)
}

func TestGoodNetworkPassesEveryRule(t *testing.T) {
	if findings := Run(New("dev-network", &goodNetwork().p), rulesFor()); len(findings) > 0 {
		t.Fatalf("findings on a good plan:\n%s", strings.Join(findings, "\n"))
	}
}

// Each mutation breaks one promise; the rules must notice.
func TestRulesCatchBrokenPlans(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(f *fakePlan)
		want   string
	}{
		{"internet route on the database tier", func(f *fakePlan) {
			f.add("aws_route", "db_out", map[string]any{"destination_cidr_block": "0.0.0.0/0"}, map[string][]string{
				"route_table_id": {"aws_route_table.database.id", "aws_route_table.database"}})
		}, "database route tables have no route out"},
		{"database subnet associated with a NAT route table", func(f *fakePlan) {
			associate(f, "databasea", "privatea")
		}, "associates database subnet aws_subnet.databasea with a non-database route table"},
		{"database subnet without an association (main route table)", func(f *fakePlan) {
			f.add("aws_subnet", "databasec", with(tier("database"), "map_public_ip_on_launch", false), nil)
		}, "database subnet aws_subnet.databasec has 0 route table associations"},
		{"log group keyed by a remote-state value that is no KMS key", func(f *fakePlan) {
			f.add("aws_cloudwatch_log_group", "borrowed", map[string]any{"kms_key_id": "subnet-0123456789abcdef0"},
				map[string][]string{"kms_key_id": {"data.terraform_remote_state.network.outputs.pod_subnet_ids", "data.terraform_remote_state.network"}})
		}, "aws_cloudwatch_log_group.borrowed has no KMS key"},
		{"IPv6 ingress from anywhere", func(f *fakePlan) {
			f.add("aws_vpc_security_group_ingress_rule", "v6", map[string]any{"cidr_ipv6": "::/0"}, nil)
		}, "aws_vpc_security_group_ingress_rule.v6 admits the internet"},
		{"legacy security group rule from anywhere", func(f *fakePlan) {
			f.add("aws_security_group_rule", "ssh", map[string]any{"type": "ingress", "cidr_blocks": []any{"10.0.0.0/8", "0.0.0.0/0"}}, nil)
		}, "aws_security_group_rule.ssh admits the internet"},
		{"inline IPv6 ingress from anywhere", func(f *fakePlan) {
			f.add("aws_security_group", "web", map[string]any{"ingress": []any{map[string]any{"ipv6_cidr_blocks": []any{"::/0"}}}}, nil)
		}, "aws_security_group.web admits the internet"},
		{"unencrypted log group", func(f *fakePlan) {
			f.add("aws_cloudwatch_log_group", "plain", map[string]any{}, nil)
		}, "aws_cloudwatch_log_group.plain has no KMS key"},
		{"key without rotation", func(f *fakePlan) {
			f.add("aws_kms_key", "static", map[string]any{"enable_key_rotation": false}, nil)
		}, "aws_kms_key.static does not rotate"},
		{"extra NAT gateway", func(f *fakePlan) {
			f.add("aws_nat_gateway", "nat2", map[string]any{}, map[string][]string{"allocation_id": {"aws_eip.nat.allocation_id"}, "subnet_id": {"aws_subnet.publicb.id"}})
		}, "2 NAT gateways planned"},
		{"NAT gateway in a private subnet", func(f *fakePlan) {
			f.p.Config.RootModule.Resources[len(f.p.Config.RootModule.Resources)-2].Expressions["subnet_id"].References = []string{"aws_subnet.privatea.id"}
		}, "is not in a public subnet"},
		{"public IP on launch", func(f *fakePlan) {
			f.add("aws_subnet", "publicc", with(tier("public"), "map_public_ip_on_launch", true), nil)
		}, "aws_subnet.publicc maps public IPs"},
		{"flow log of rejects only", func(f *fakePlan) {
			for _, rc := range f.p.ResourceChanges {
				if rc.Type == "aws_flow_log" {
					rc.Change.After.(map[string]any)["traffic_type"] = "REJECT"
				}
			}
		}, "no flow log of ALL traffic"},
		{"resource missing default tags", func(f *fakePlan) {
			f.p.ResourceChanges[0].Change.After.(map[string]any)["tags_all"] = map[string]any{"project": "phl"}
		}, "aws_vpc.vpc tags_all"},
		{"a destroy", func(f *fakePlan) {
			f.p.ResourceChanges[0].Change.Actions = tfjson.Actions{tfjson.ActionDelete}
		}, "aws_vpc.vpc plans [delete]"},
		{"unexpected interface endpoint", func(f *fakePlan) {
			f.add("aws_vpc_endpoint", "sts", map[string]any{"vpc_endpoint_type": "Interface"}, nil)
		}, "1 gateway and 1 interface endpoints"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodNetwork()
			c.mutate(f)
			findings := strings.Join(Run(New("dev-network", &f.p), rulesFor()), "\n")
			if !strings.Contains(findings, c.want) {
				t.Errorf("findings do not mention %q:\n%s", c.want, findings)
			}
		})
	}
}
