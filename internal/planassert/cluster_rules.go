package planassert

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// ClusterExpectations are what the environment config promises about the cluster.
type ClusterExpectations struct {
	ClusterArn     string
	PublicEndpoint bool
	NodeCount      int
	Addons         []string
	LogTypes       []string
	// AddonServiceAccounts: add-ons that call AWS -> the namespace and service account of
	// their Pod Identity role.
	AddonServiceAccounts map[string]ServiceAccount
	KarpenterEventRules  int
}

// ServiceAccount is a namespace and service account name.
type ServiceAccount struct{ Namespace, Name string }

// Cluster rules hold for "<env>-cluster".
func Cluster(want ClusterExpectations) []Rule {
	return []Rule{
		{fmt.Sprintf("API endpoint private (public=%v), secrets encrypted with a platform key, API authentication, no creator admin", want.PublicEndpoint), controlPlane(want.PublicEndpoint)},
		{"every control-plane log type is enabled", logTypes(want.LogTypes)},
		{fmt.Sprintf("Bottlerocket on-demand node group of exactly %d nodes, after the VPC CNI and Pod Identity agent", want.NodeCount), nodeGroup(want.NodeCount)},
		{"launch template: IMDSv2 with hop limit 1, every volume encrypted with a platform key", launchTemplate},
		{"every add-on is present; those calling AWS have a Pod Identity role", addons(want.Addons, want.AddonServiceAccounts)},
		{"every Pod Identity role trusts exactly its association's cluster, namespace and service account (session tags, no aws:SourceArn)", podIdentityTrusts(want.ClusterArn, want.AddonServiceAccounts)},
		{fmt.Sprintf("Karpenter queue encrypted and fed by its %d EventBridge rules", want.KarpenterEventRules), karpenterQueue(want.KarpenterEventRules)},
	}
}

func first(rc *tfjson.ResourceChange, attr string) map[string]any {
	list, _ := After(rc, attr).([]any)
	if len(list) == 0 {
		return nil
	}
	m, _ := list[0].(map[string]any)
	return m
}

func (p *Plan) only(typ string) (*tfjson.ResourceChange, []string) {
	rcs := p.Of(typ)
	if len(rcs) != 1 {
		return nil, []string{fmt.Sprintf("%d %s planned; want 1", len(rcs), typ)}
	}
	return rcs[0], nil
}

func controlPlane(public bool) func(p *Plan) []string {
	return func(p *Plan) []string {
		c, out := p.only("aws_eks_cluster")
		if c == nil {
			return out
		}
		vpc := first(c, "vpc_config")
		if vpc["endpoint_private_access"] != true || vpc["endpoint_public_access"] != public {
			out = append(out, fmt.Sprintf("endpoint private=%v public=%v", vpc["endpoint_private_access"], vpc["endpoint_public_access"]))
		}
		enc := first(c, "encryption_config")
		if fmt.Sprint(enc["resources"]) != "[secrets]" {
			out = append(out, fmt.Sprintf("encryption_config resources = %v", enc["resources"]))
		}
		if !refersTo(p.DeepReferences(c, "encryption_config"), "aws_kms_key") {
			out = append(out, "secrets are not encrypted with a KMS key of the stack")
		}
		access := first(c, "access_config")
		if access["authentication_mode"] != "API" || access["bootstrap_cluster_creator_admin_permissions"] != false {
			out = append(out, fmt.Sprintf("access_config = %v", access))
		}
		return out
	}
}

func logTypes(want []string) func(p *Plan) []string {
	return func(p *Plan) []string {
		c, out := p.only("aws_eks_cluster")
		if c == nil {
			return out
		}
		var got []string
		for _, t := range After(c, "enabled_cluster_log_types").([]any) {
			got = append(got, fmt.Sprint(t))
		}
		sort.Strings(got)
		w := append([]string{}, want...)
		sort.Strings(w)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			out = append(out, fmt.Sprintf("log types %v; want %v", got, w))
		}
		return out
	}
}

func nodeGroup(size int) func(p *Plan) []string {
	return func(p *Plan) []string {
		ng, out := p.only("aws_eks_node_group")
		if ng == nil {
			return out
		}
		if After(ng, "ami_type") != "BOTTLEROCKET_x86_64" || After(ng, "capacity_type") != "ON_DEMAND" {
			out = append(out, fmt.Sprintf("ami_type %v, capacity_type %v", After(ng, "ami_type"), After(ng, "capacity_type")))
		}
		sc := first(ng, "scaling_config")
		s := float64(size)
		if sc["min_size"] != s || sc["max_size"] != s || sc["desired_size"] != s {
			out = append(out, fmt.Sprintf("scaling_config %v; want fixed %d", sc, size))
		}
		deps := ""
		if cr := p.config[ng.Address]; cr != nil {
			deps = strings.Join(cr.DependsOn, " ")
		}
		for _, addon := range []string{"vpc-cni", "eks-pod-identity-agent"} {
			if a := p.addon(addon); a == nil || !strings.Contains(deps, a.Address) {
				out = append(out, "the node group does not wait for the "+addon+" add-on")
			}
		}
		return out
	}
}

func launchTemplate(p *Plan) []string {
	lt, out := p.only("aws_launch_template")
	if lt == nil {
		return out
	}
	md := first(lt, "metadata_options")
	if md["http_tokens"] != "required" || md["http_put_response_hop_limit"] != float64(1) {
		out = append(out, fmt.Sprintf("metadata_options %v", md))
	}
	devices, _ := After(lt, "block_device_mappings").([]any)
	if len(devices) == 0 {
		out = append(out, "no block device mappings")
	}
	for _, d := range devices {
		ebs, _ := d.(map[string]any)["ebs"].([]any)
		if len(ebs) == 0 || ebs[0].(map[string]any)["encrypted"] != "true" {
			out = append(out, fmt.Sprintf("%v is not encrypted", d.(map[string]any)["device_name"]))
		}
	}
	keyRefs := 0
	for _, r := range p.DeepReferences(lt, "block_device_mappings") {
		if strings.HasPrefix(r, "aws_kms_key.") && strings.HasSuffix(r, ".arn") {
			keyRefs++
		}
	}
	if keyRefs < len(devices) {
		out = append(out, "volumes are not encrypted with a KMS key of the stack")
	}
	return out
}

func (p *Plan) addon(name string) *tfjson.ResourceChange {
	for _, a := range p.Of("aws_eks_addon") {
		if After(a, "addon_name") == name {
			return a
		}
	}
	return nil
}

func addons(want []string, roles map[string]ServiceAccount) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		for _, name := range want {
			a := p.addon(name)
			if a == nil {
				out = append(out, name+" is missing")
				continue
			}
			sa, needsRole := roles[name]
			pia := first(a, "pod_identity_association")
			if needsRole && (pia == nil || pia["service_account"] != sa.Name || !refersTo(p.DeepReferences(a, "pod_identity_association"), "aws_iam_role")) {
				out = append(out, fmt.Sprintf("%s has no Pod Identity role for %s: %v", name, sa, pia))
			}
		}
		return out
	}
}

func karpenterQueue(want int) func(p *Plan) []string {
	return func(p *Plan) []string {
		return checkKarpenterQueue(p, want)
	}
}

func checkKarpenterQueue(p *Plan, want int) []string {
	q, out := p.only("aws_sqs_queue")
	if q == nil {
		return out
	}
	if After(q, "sqs_managed_sse_enabled") != true && !refersTo(p.References(q, "kms_master_key_id"), "aws_kms_key") {
		out = append(out, q.Address+" is not encrypted")
	}
	rules := p.Of("aws_cloudwatch_event_rule")
	if len(rules) != want {
		out = append(out, fmt.Sprintf("%d EventBridge rules; want %d", len(rules), want))
	}
	targeted := map[string]bool{}
	for _, t := range p.Of("aws_cloudwatch_event_target") {
		if !refersTo(p.References(t, "arn"), "aws_sqs_queue") {
			out = append(out, t.Address+" does not target the queue")
		}
		for _, r := range p.References(t, "rule") {
			targeted[strings.TrimSuffix(r, ".name")] = true
		}
	}
	for _, r := range rules {
		if !targeted[r.Address] {
			out = append(out, r.Address+" has no target")
		}
	}
	return out
}

// association is a Pod Identity association, standalone or an add-on's.
type association struct {
	from string // the resource that makes it
	sa   ServiceAccount
	role string // address of the role
}

func (p *Plan) associations(addonSAs map[string]ServiceAccount) []association {
	roleOf := func(refs []string) string {
		for _, r := range refs {
			if strings.HasPrefix(r, "aws_iam_role.") {
				return strings.TrimSuffix(r, ".arn")
			}
		}
		return ""
	}
	var out []association
	for _, a := range p.Of("aws_eks_pod_identity_association") {
		out = append(out, association{a.Address, ServiceAccount{fmt.Sprint(After(a, "namespace")), fmt.Sprint(After(a, "service_account"))},
			roleOf(p.References(a, "role_arn"))})
	}
	for _, a := range p.Of("aws_eks_addon") {
		if pia := first(a, "pod_identity_association"); pia != nil {
			name := fmt.Sprint(After(a, "addon_name"))
			out = append(out, association{a.Address, ServiceAccount{addonSAs[name].Namespace, fmt.Sprint(pia["service_account"])},
				roleOf(p.DeepReferences(a, "pod_identity_association"))})
		}
	}
	return out
}

// trustStatement is the part of a trust policy the Pod Identity rule reads.
type trustStatement struct {
	Effect    string
	Principal struct{ Service any }
	Action    any
	Condition map[string]map[string]any
}

func trustStatements(rc *tfjson.ResourceChange) []trustStatement {
	var doc struct{ Statement []trustStatement }
	s, _ := After(rc, "assume_role_policy").(string)
	_ = json.Unmarshal([]byte(s), &doc)
	return doc.Statement
}

const podIdentityPrincipal = "pods.eks.amazonaws.com"

// podIdentityTrusts: EKS Pod Identity passes the cluster, namespace and service account as
// session tags; each role's trust must require exactly those of its association (EKS user
// guide, Pod Identity role trust policy and session tags), and must not condition on
// aws:SourceArn, whose value for this principal is undocumented.
func podIdentityTrusts(clusterArn string, addonSAs map[string]ServiceAccount) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		associated := map[string]bool{}
		for _, a := range p.associations(addonSAs) {
			role := p.changes[a.role]
			if role == nil {
				out = append(out, a.from+" has no role of this stack")
				continue
			}
			associated[a.role] = true
			want := map[string]string{
				"aws:RequestTag/eks-cluster-arn":            clusterArn,
				"aws:RequestTag/kubernetes-namespace":       a.sa.Namespace,
				"aws:RequestTag/kubernetes-service-account": a.sa.Name,
			}
			// Every statement that trusts Pod Identity must carry the conditions: one statement
			// without them would hand the role to any service account.
			ok, statements := true, 0
			for _, st := range trustStatements(role) {
				if st.Effect != "Allow" || !strings.Contains(fmt.Sprint(st.Principal.Service), podIdentityPrincipal) {
					continue
				}
				statements++
				actions := fmt.Sprint(st.Action)
				if !strings.Contains(actions, "sts:AssumeRole") || !strings.Contains(actions, "sts:TagSession") {
					ok = false
				}
				for k, v := range want {
					if st.Condition["StringEquals"][k] != v {
						ok = false
					}
				}
				for op, conds := range st.Condition {
					if _, has := conds["aws:SourceArn"]; has {
						out = append(out, fmt.Sprintf("%s: trust conditions on aws:SourceArn (%s)", a.role, op))
					}
				}
			}
			if !ok || statements == 0 {
				out = append(out, fmt.Sprintf("%s (for %s/%s via %s): trust does not require %v with sts:AssumeRole and sts:TagSession", a.role, a.sa.Namespace, a.sa.Name, a.from, want))
			}
		}
		for _, r := range p.Of("aws_iam_role") {
			for _, st := range trustStatements(r) {
				if strings.Contains(fmt.Sprint(st.Principal.Service), podIdentityPrincipal) && !associated[r.Address] {
					out = append(out, r.Address+" trusts Pod Identity but no association uses it")
				}
			}
		}
		return out
	}
}

// noInternetIngress: nothing admits 0.0.0.0/0 or ::/0, in any of the three ways a security
// group rule can be written (the scanner does not check aws_vpc_security_group_ingress_rule).
func noInternetIngress(p *Plan) []string {
	var out []string
	for _, r := range p.Of("aws_vpc_security_group_ingress_rule") {
		if After(r, "cidr_ipv4") == anywhere || After(r, "cidr_ipv6") == anywhere6 {
			out = append(out, r.Address+" admits the internet")
		}
	}
	for _, r := range p.Of("aws_security_group_rule") {
		if After(r, "type") == "ingress" && admitsInternet(r.Change.After) {
			out = append(out, r.Address+" admits the internet")
		}
	}
	for _, sg := range p.Of("aws_security_group") {
		rules, _ := After(sg, "ingress").([]any)
		for _, rule := range rules {
			if admitsInternet(rule) {
				out = append(out, sg.Address+" admits the internet")
			}
		}
	}
	return out
}

// admitsInternet: a rule object whose cidr_blocks or ipv6_cidr_blocks hold an all-addresses range.
func admitsInternet(rule any) bool {
	m, _ := rule.(map[string]any)
	for _, attr := range []string{"cidr_blocks", "ipv6_cidr_blocks"} {
		list, _ := m[attr].([]any)
		for _, c := range list {
			if c == anywhere || c == anywhere6 {
				return true
			}
		}
	}
	return false
}

const (
	anywhere  = "0.0.0.0/0"
	anywhere6 = "::/0"
)
