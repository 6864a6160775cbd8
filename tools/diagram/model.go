package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Platform is what the picture shows, every field read from the synthesis or the charts.
type Platform struct {
	Env    string
	Stacks []StackNode // the environment's stacks and its account's bootstrap stack, by name
	// Role -> stack name, for the stacks whose resources say what they are.
	Bootstrap *Bootstrap
	Network   *Network
	Cluster   *Cluster
	Database  *Database
	Gateway   *Gateway
	GitOps    *GitOps
	Charts    *Charts
}

// StackNode is a stack as a group: its name, its role (what its resources make it) and the
// stacks it depends on, transitive dependencies left out.
type StackNode struct {
	Name, Role string
	Deps       []string
	Resources  int
}

// Bootstrap: the account's state bucket, GitHub OIDC provider and CI roles.
type Bootstrap struct {
	Buckets []string
	OIDC    bool
	Roles   []string
}

// Network: the VPC and its subnets by AZ.
type Network struct {
	Name      string
	CIDRs     []string // the VPC's primary CIDR, then secondary ones
	AZs       []AZ
	IGW       bool
	Endpoints []string // VPC endpoint services, short (s3)
	FlowLogs  bool
}

// AZ is one availability zone's subnets, one per tier, and whether a NAT gateway is in it.
type AZ struct {
	Name    string
	Subnets []Subnet // by tier order (public, private, pod, database, then others)
	NAT     bool
}

// Subnet is a subnet's tier (its tier tag) and CIDR.
type Subnet struct{ Tier, CIDR string }

// Cluster: EKS and what the cluster stack adds to it.
type Cluster struct {
	Name, Version string
	PublicAPI     bool
	NodeGroups    []NodeGroup
	Addons        []string
	// Karpenter's interruption queue and EventBridge rules (nil without a queue).
	Karpenter   *Karpenter
	PodIdentity []string // namespace/service-account
}

// NodeGroup is a managed node group.
type NodeGroup struct {
	Name     string
	Types    []string
	Desired  int
	Capacity string
}

// Karpenter is the cluster stack's part of Karpenter.
type Karpenter struct {
	Queue string
	Rules int
}

// Database: Aurora and the secrets of the database stack.
type Database struct {
	Name, Engine string
	Writer       Instance
	Readers      []Instance
	// Autoscaled readers (application autoscaling target of the cluster's replicas), 0/0 without.
	ScaleMin, ScaleMax int
	MasterSecret       bool     // RDS manages the master password in Secrets Manager
	Secrets            []string // Secrets Manager secrets the stack creates
	Repos              []string // ECR repositories
}

// Instance is an Aurora instance.
type Instance struct{ ID, Class string }

// Gateway: the public entry and the internal load balancer.
type Gateway struct {
	API          string
	Routes       int
	Authorizer   string // JWT, ...
	UserPool     string
	ClientSecret bool // an app client with a generated secret
	VPCLink      bool
	ALB          string
	Internal     bool
	Listener     string // HTTP:80
	WAFRules     int
	Target       string // ip:8080
}

// GitOps: what the gitops stack installs with Helm.
type GitOps struct {
	Releases    []Release
	PodIdentity []string
}

// Release is a Helm release of the gitops stack.
type Release struct{ Name, Chart, Version string }

var tierOrder = map[string]int{"public": 0, "private": 1, "pod": 2, "database": 3}

// BuildPlatform reads env's stacks (and its account's bootstrap stack) and the charts into a
// Platform. A stack's role comes from its resources (a VPC: network; EKS: cluster; Aurora:
// database; API Gateway: gateway; Helm releases: gitops; a GitHub OIDC provider: bootstrap).
func BuildPlatform(s *Synth, env string, charts *Charts) (*Platform, error) {
	stacks, err := s.EnvStacks(env)
	if err != nil {
		return nil, err
	}
	p := &Platform{Env: env, Charts: charts}
	in := map[string]bool{}
	for _, st := range stacks {
		in[st.Name] = true
	}
	for _, st := range stacks {
		n := StackNode{Name: st.Name, Role: role(st), Deps: reduce(s, st.Name, in)}
		for _, r := range st.Resources {
			n.Resources += len(r)
		}
		p.Stacks = append(p.Stacks, n)
		switch n.Role {
		case "bootstrap":
			p.Bootstrap = bootstrap(st)
		case "network":
			p.Network, err = network(st)
		case "cluster":
			p.Cluster = cluster(st)
		case "database":
			p.Database = database(st)
		case "gateway":
			p.Gateway = gateway(st)
		case "gitops":
			p.GitOps = gitops(st)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.Name, err)
		}
	}
	return p, nil
}

func role(st *Stack) string {
	switch {
	case st.Has("aws_iam_openid_connect_provider"):
		return "bootstrap"
	case st.Has("aws_vpc"):
		return "network"
	case st.Has("aws_eks_cluster"):
		return "cluster"
	case st.Has("aws_rds_cluster"):
		return "database"
	case st.Has("aws_apigatewayv2_api"):
		return "gateway"
	case st.Has("helm_release"):
		return "gitops"
	}
	return ""
}

// reduce returns name's dependencies (within in) that no other dependency of name already
// depends on, directly or not: the arrows a reader needs to see the order.
func reduce(s *Synth, name string, in map[string]bool) []string {
	reach := func(from string) map[string]bool {
		seen := map[string]bool{}
		stack := append([]string(nil), s.Stacks[from].Deps...)
		for len(stack) > 0 {
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[d] || s.Stacks[d] == nil {
				continue
			}
			seen[d] = true
			stack = append(stack, s.Stacks[d].Deps...)
		}
		return seen
	}
	var out []string
	for _, d := range s.Stacks[name].Deps {
		if !in[d] {
			continue
		}
		implied := false
		for _, other := range s.Stacks[name].Deps {
			if other != d && s.Stacks[other] != nil && reach(other)[d] {
				implied = true
				break
			}
		}
		if !implied {
			out = append(out, d)
		}
	}
	return out
}

func bootstrap(st *Stack) *Bootstrap {
	b := &Bootstrap{OIDC: st.Has("aws_iam_openid_connect_provider")}
	for _, r := range st.All("aws_s3_bucket") {
		b.Buckets = append(b.Buckets, str(r, "bucket"))
	}
	for _, r := range st.All("aws_iam_role") {
		b.Roles = append(b.Roles, str(r, "name"))
	}
	sort.Strings(b.Roles)
	return b
}

// refID extracts the logical id from a "${aws_subnet.<id>.id}" reference.
var refID = regexp.MustCompile(`^\$\{[a-z0-9_]+\.([^.}]+)\.[a-z_]+\}$`)

func network(st *Stack) (*Network, error) {
	n := &Network{IGW: st.Has("aws_internet_gateway"), FlowLogs: st.Has("aws_flow_log")}
	for _, r := range st.All("aws_vpc") {
		n.CIDRs = append(n.CIDRs, str(r, "cidr_block"))
		n.Name = str(obj(r, "tags"), "Name")
	}
	for _, r := range st.All("aws_vpc_ipv4_cidr_block_association") {
		n.CIDRs = append(n.CIDRs, str(r, "cidr_block"))
	}
	for _, r := range st.All("aws_vpc_endpoint") {
		// com.amazonaws.<region>.<service>: ecr.api, s3, ...
		parts := strings.SplitN(str(r, "service_name"), ".", 4)
		n.Endpoints = append(n.Endpoints, parts[len(parts)-1])
	}
	sort.Strings(n.Endpoints)
	azs := map[string]*AZ{}
	subnetAZ := map[string]string{}
	for _, id := range sortedKeys(st.Resources["aws_subnet"]) {
		r := st.Resources["aws_subnet"][id]
		az := str(r, "availability_zone")
		if az == "" {
			return nil, fmt.Errorf("subnet %s has no literal availability_zone", id)
		}
		if azs[az] == nil {
			azs[az] = &AZ{Name: az}
		}
		tier := str(obj(r, "tags"), "tier")
		if tier == "" {
			tier = "untiered"
		}
		azs[az].Subnets = append(azs[az].Subnets, Subnet{Tier: tier, CIDR: str(r, "cidr_block")})
		subnetAZ[id] = az
	}
	for _, r := range st.All("aws_nat_gateway") {
		if m := refID.FindStringSubmatch(str(r, "subnet_id")); m != nil && azs[subnetAZ[m[1]]] != nil {
			azs[subnetAZ[m[1]]].NAT = true
		}
	}
	for _, name := range sortedKeys(azs) {
		az := azs[name]
		sort.SliceStable(az.Subnets, func(i, j int) bool {
			return tierRank(az.Subnets[i].Tier) < tierRank(az.Subnets[j].Tier)
		})
		n.AZs = append(n.AZs, *az)
	}
	return n, nil
}

func tierRank(t string) int {
	if r, ok := tierOrder[t]; ok {
		return r
	}
	return len(tierOrder)
}

func cluster(st *Stack) *Cluster {
	c := &Cluster{}
	for _, r := range st.All("aws_eks_cluster") {
		c.Name, c.Version = str(r, "name"), str(r, "version")
		c.PublicAPI, _ = obj(r, "vpc_config")["endpoint_public_access"].(bool)
	}
	for _, r := range st.All("aws_eks_node_group") {
		c.NodeGroups = append(c.NodeGroups, NodeGroup{
			Name: str(r, "node_group_name"), Types: strs(r, "instance_types"),
			Desired: num(obj(r, "scaling_config"), "desired_size"), Capacity: str(r, "capacity_type"),
		})
	}
	for _, r := range st.All("aws_eks_addon") {
		c.Addons = append(c.Addons, str(r, "addon_name"))
	}
	sort.Strings(c.Addons)
	c.PodIdentity = podIdentity(st)
	if st.Has("aws_sqs_queue") {
		k := &Karpenter{Rules: st.Count("aws_cloudwatch_event_rule")}
		for _, r := range st.All("aws_sqs_queue") {
			k.Queue = str(r, "name")
		}
		c.Karpenter = k
	}
	return c
}

// podIdentity lists a stack's Pod Identity associations: namespace/service-account, and for an
// add-on's own association (its namespace is the add-on's) "<add-on>: <service-account>".
func podIdentity(st *Stack) []string {
	var out []string
	for _, r := range st.All("aws_eks_pod_identity_association") {
		out = append(out, str(r, "namespace")+"/"+str(r, "service_account"))
	}
	for _, r := range st.All("aws_eks_addon") {
		assocs, _ := r["pod_identity_association"].([]any)
		for _, a := range assocs {
			if m, ok := a.(map[string]any); ok {
				out = append(out, str(r, "addon_name")+": "+str(m, "service_account"))
			}
		}
	}
	sort.Strings(out)
	return out
}

func database(st *Stack) *Database {
	d := &Database{}
	for _, r := range st.All("aws_rds_cluster") {
		d.Name, d.Engine = str(r, "cluster_identifier"), str(r, "engine")
		d.MasterSecret, _ = r["manage_master_user_password"].(bool)
	}
	type inst struct {
		Instance
		tier int
	}
	var insts []inst
	for _, r := range st.All("aws_rds_cluster_instance") {
		insts = append(insts, inst{Instance{str(r, "identifier"), str(r, "instance_class")}, num(r, "promotion_tier")})
	}
	// The writer is the instance failover promotes first (lowest promotion tier); readers follow.
	sort.SliceStable(insts, func(i, j int) bool {
		if insts[i].tier != insts[j].tier {
			return insts[i].tier < insts[j].tier
		}
		return insts[i].ID < insts[j].ID
	})
	for i, in := range insts {
		if i == 0 {
			d.Writer = in.Instance
		} else {
			d.Readers = append(d.Readers, in.Instance)
		}
	}
	for _, r := range st.All("aws_appautoscaling_target") {
		if str(r, "scalable_dimension") == "rds:cluster:ReadReplicaCount" {
			d.ScaleMin, d.ScaleMax = num(r, "min_capacity"), num(r, "max_capacity")
		}
	}
	for _, r := range st.All("aws_secretsmanager_secret") {
		d.Secrets = append(d.Secrets, str(r, "name"))
	}
	sort.Strings(d.Secrets)
	for _, r := range st.All("aws_ecr_repository") {
		d.Repos = append(d.Repos, str(r, "name"))
	}
	return d
}

func gateway(st *Stack) *Gateway {
	g := &Gateway{VPCLink: st.Has("aws_apigatewayv2_vpc_link"), Routes: st.Count("aws_apigatewayv2_route")}
	for _, r := range st.All("aws_apigatewayv2_api") {
		g.API = str(r, "name")
	}
	for _, r := range st.All("aws_apigatewayv2_authorizer") {
		g.Authorizer = str(r, "authorizer_type")
	}
	for _, r := range st.All("aws_cognito_user_pool") {
		g.UserPool = str(r, "name")
	}
	for _, r := range st.All("aws_cognito_user_pool_client") {
		if b, _ := r["generate_secret"].(bool); b {
			g.ClientSecret = true
		}
	}
	for _, r := range st.All("aws_lb") {
		g.ALB = str(r, "name")
		g.Internal, _ = r["internal"].(bool)
	}
	for _, r := range st.All("aws_lb_listener") {
		g.Listener = fmt.Sprintf("%s :%d", str(r, "protocol"), num(r, "port"))
	}
	for _, r := range st.All("aws_wafv2_web_acl") {
		l, _ := r["rule"].([]any)
		g.WAFRules += len(l)
	}
	for _, r := range st.All("aws_lb_target_group") {
		g.Target = fmt.Sprintf("%s :%d", str(r, "target_type"), num(r, "port"))
	}
	return g
}

func gitops(st *Stack) *GitOps {
	g := &GitOps{PodIdentity: podIdentity(st)}
	for _, r := range st.All("helm_release") {
		g.Releases = append(g.Releases, Release{Name: str(r, "name"), Chart: str(r, "chart"), Version: str(r, "version")})
	}
	sort.Slice(g.Releases, func(i, j int) bool { return g.Releases[i].Name < g.Releases[j].Name })
	return g
}
