package planassert

import (
	"fmt"
	"regexp"

	tfjson "github.com/hashicorp/terraform-json"
)

// Rule is one property of a plan; it returns what violates it.
type Rule struct {
	Name  string
	Check func(p *Plan) []string
}

// Common rules hold for every AWS stack of the platform.
func Common(environment string) []Rule {
	return []Rule{
		{"only creates on an empty account", onlyCreates},
		{"every log group is encrypted with a KMS key of the platform", logGroupsEncrypted},
		{"every ECR repository has immutable tags, scans on push and is encrypted with a platform KMS key", registriesSealed},
		{"every KMS key rotates", kmsKeysRotate},
		{"every taggable resource carries the default tags", defaultTags(environment)},
		{"no security group admits the internet", noInternetIngress},
	}
}

// NetworkExpectations are what the environment config promises about the network.
type NetworkExpectations struct {
	AvailabilityZones int
	NatGateways       int
	InterfaceEnds     int
}

// Network rules hold for "<env>-network".
func Network(want NetworkExpectations) []Rule {
	return []Rule{
		{"database route tables have no route out of the VPC", databaseTierIsolated},
		{fmt.Sprintf("%d NAT gateway(s), each with an EIP in a public subnet", want.NatGateways), natGateways(want.NatGateways)},
		{fmt.Sprintf("4 subnets per AZ x %d, none mapping public IPs", want.AvailabilityZones), subnets(want.AvailabilityZones)},
		{"VPC flow logs capture all traffic", flowLogsOn},
		{fmt.Sprintf("%d interface endpoint(s) plus the S3 gateway", want.InterfaceEnds), endpoints(want.InterfaceEnds)},
	}
}

// Run applies rules and returns "rule: finding" lines.
func Run(p *Plan, rules []Rule) []string {
	var out []string
	for _, r := range rules {
		for _, f := range r.Check(p) {
			out = append(out, fmt.Sprintf("%s: %s: %s", p.Stack, r.Name, f))
		}
	}
	return out
}

func onlyCreates(p *Plan) []string {
	var out []string
	for _, rc := range p.raw.ResourceChanges {
		if !rc.Change.Actions.Create() && !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			out = append(out, fmt.Sprintf("%s plans %v", rc.Address, rc.Change.Actions))
		}
	}
	return out
}

// kmsKeyArn is the form of a customer managed key's ARN (what a producer stack's key output
// holds when a consumer reads it through terraform_remote_state).
var kmsKeyArn = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$`)

// usesPlatformKey: the attribute refers to a KMS key of this stack, or its planned value is a
// key ARN (read from another stack's outputs). Any other reference, such as a remote-state
// output that holds a subnet ID, does not count.
func (p *Plan) usesPlatformKey(rc *tfjson.ResourceChange, attr string) bool {
	if refersTo(p.References(rc, attr), "aws_kms_key") {
		return true
	}
	v, _ := After(rc, attr).(string)
	return kmsKeyArn.MatchString(v)
}

// registriesSealed: every ECR repository has immutable tags, scans on push and is encrypted
// with a platform key.
func registriesSealed(p *Plan) []string {
	var out []string
	for _, rc := range p.Of("aws_ecr_repository") {
		enc, _ := After(rc, "encryption_configuration").([]any)
		kms := len(enc) == 1 && enc[0].(map[string]any)["encryption_type"] == "KMS" && refersTo(p.DeepReferences(rc, "encryption_configuration"), "aws_kms_key")
		scan, _ := After(rc, "image_scanning_configuration").([]any)
		switch {
		case After(rc, "image_tag_mutability") != "IMMUTABLE":
			out = append(out, fmt.Sprintf("%s has mutable tags (%v)", rc.Address, After(rc, "image_tag_mutability")))
		case len(scan) != 1 || scan[0].(map[string]any)["scan_on_push"] != true:
			out = append(out, rc.Address+" does not scan on push")
		case !kms:
			out = append(out, rc.Address+" is not encrypted with a platform KMS key")
		}
	}
	return out
}

func logGroupsEncrypted(p *Plan) []string {
	var out []string
	for _, rc := range p.Of("aws_cloudwatch_log_group") {
		if !p.usesPlatformKey(rc, "kms_key_id") {
			out = append(out, fmt.Sprintf("%s has no KMS key (kms_key_id = %v)", rc.Address, After(rc, "kms_key_id")))
		}
	}
	return out
}

func kmsKeysRotate(p *Plan) []string {
	var out []string
	for _, rc := range p.Of("aws_kms_key") {
		if After(rc, "enable_key_rotation") != true {
			out = append(out, rc.Address+" does not rotate")
		}
	}
	return out
}

func defaultTags(environment string) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		checked := 0
		for _, rc := range p.raw.ResourceChanges {
			m, _ := rc.Change.After.(map[string]any)
			all, ok := m["tags_all"].(map[string]any)
			if !ok {
				continue // not taggable, or tags only known after apply
			}
			checked++
			if all["environment"] != environment || all["project"] == nil || all["managed-by"] == nil {
				out = append(out, fmt.Sprintf("%s tags_all = %v", rc.Address, all))
			}
		}
		if checked == 0 {
			out = append(out, "no planned resource has known tags_all")
		}
		return out
	}
}

// databaseTierIsolated: database route tables carry no route out of the VPC, and every
// database subnet is associated with exactly one route table, a database one.
func databaseTierIsolated(p *Plan) []string {
	var out []string
	dbTables := 0
	for _, rt := range p.Of("aws_route_table") {
		if tag(rt, "tier") == "database" {
			dbTables++
			if routes, _ := After(rt, "route").([]any); len(routes) > 0 {
				out = append(out, rt.Address+" has inline routes")
			}
		}
	}
	if dbTables == 0 {
		out = append(out, "no route table is tagged tier=database")
	}
	for _, r := range p.Of("aws_route") {
		if rt := p.referencedResource(r, "route_table_id"); rt != nil && tag(rt, "tier") == "database" {
			out = append(out, fmt.Sprintf("%s adds %v to database table %s", r.Address, After(r, "destination_cidr_block"), rt.Address))
		}
	}
	associated := map[string]int{}
	for _, a := range p.Of("aws_route_table_association") {
		subnet := p.referencedResource(a, "subnet_id")
		if subnet == nil || tag(subnet, "tier") != "database" {
			continue
		}
		associated[subnet.Address]++
		if rt := p.referencedResource(a, "route_table_id"); rt == nil || tag(rt, "tier") != "database" {
			out = append(out, fmt.Sprintf("%s associates database subnet %s with a non-database route table", a.Address, subnet.Address))
		}
	}
	for _, s := range p.Of("aws_subnet") {
		if tag(s, "tier") == "database" && associated[s.Address] != 1 {
			out = append(out, fmt.Sprintf("database subnet %s has %d route table associations; want 1", s.Address, associated[s.Address]))
		}
	}
	return out
}

func natGateways(want int) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		nats := p.Of("aws_nat_gateway")
		if len(nats) != want {
			out = append(out, fmt.Sprintf("%d NAT gateways planned", len(nats)))
		}
		for _, n := range nats {
			if !refersTo(p.References(n, "allocation_id"), "aws_eip") {
				out = append(out, n.Address+" has no EIP")
			}
			if s := p.referencedResource(n, "subnet_id"); s == nil || tag(s, "tier") != "public" {
				out = append(out, n.Address+" is not in a public subnet")
			}
		}
		return out
	}
}

func subnets(azs int) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		perTier := map[string]int{}
		for _, s := range p.Of("aws_subnet") {
			perTier[tag(s, "tier")]++
			if After(s, "map_public_ip_on_launch") != false {
				out = append(out, s.Address+" maps public IPs on launch")
			}
		}
		for _, tier := range []string{"public", "private", "pod", "database"} {
			if perTier[tier] != azs {
				out = append(out, fmt.Sprintf("%d %s subnets", perTier[tier], tier))
			}
		}
		return out
	}
}

func flowLogsOn(p *Plan) []string {
	for _, fl := range p.Of("aws_flow_log") {
		if After(fl, "traffic_type") == "ALL" && refersTo(p.References(fl, "vpc_id"), "aws_vpc") &&
			refersTo(p.References(fl, "log_destination"), "aws_cloudwatch_log_group") {
			return nil
		}
	}
	return []string{"no flow log of ALL traffic from the VPC to a log group"}
}

func endpoints(interfaces int) func(p *Plan) []string {
	return func(p *Plan) []string {
		got := map[string]int{}
		for _, e := range p.Of("aws_vpc_endpoint") {
			got[fmt.Sprint(After(e, "vpc_endpoint_type"))]++
		}
		if got["Gateway"] != 1 || got["Interface"] != interfaces {
			return []string{fmt.Sprintf("%d gateway and %d interface endpoints", got["Gateway"], got["Interface"])}
		}
		return nil
	}
}
