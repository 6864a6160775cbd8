package main

import (
	"fmt"
	"strings"
)

// The groups of the stacks: each writes its stack's nodes, the first one being its anchor.

func writeBootstrap(w *dotWriter, p *Platform, s StackNode) {
	b := p.Bootstrap
	label := "Terraform state\nS3 " + strings.Join(b.Buckets, ", ")
	w.node(anchor(p, s), label, "shape=cylinder")
	var ci []string
	if b.OIDC {
		ci = append(ci, "GitHub OIDC provider")
	}
	ci = append(ci, fmt.Sprintf("CI roles: %s", strings.Join(b.Roles, ", ")))
	w.node(s.Name+".ci", strings.Join(ci, "\n"))
	sameRank(w, []string{anchor(p, s), s.Name + ".ci"})
}

func writeNetwork(w *dotWriter, p *Platform, s StackNode) {
	n := p.Network
	extra := ""
	if n.IGW {
		extra += "\ninternet gateway"
	}
	if len(n.Endpoints) > 0 {
		extra += "\nendpoints: " + strings.Join(n.Endpoints, ", ")
	}
	if n.FlowLogs {
		extra += "\nflow logs"
	}
	w.node(anchor(p, s), fmt.Sprintf("VPC %s\n%s%s", n.Name, strings.Join(n.CIDRs, " + "), extra))
	w.open("subgraph %s", q("cluster_"+s.Name+".azs"))
	w.line(`label=%s; style="rounded,dashed"; color="#999999"; fontsize=11;`, q(fmt.Sprintf("%d availability zones, a subnet per tier", len(n.AZs))))
	for i, az := range n.AZs {
		var rows []string
		for _, sn := range az.Subnets {
			rows = append(rows, fmt.Sprintf("%-8s %s", sn.Tier, sn.CIDR))
		}
		if az.NAT {
			rows = append(rows, "NAT gateway (public)")
		}
		id := fmt.Sprintf("%s.az%d", s.Name, i)
		w.node(id, az.Name+"\n"+strings.Join(rows, `\l`)+`\l`, `fillcolor="#ffffff"`)
		w.edge(anchor(p, s), id, "arrowhead=none", `color="#aaaaaa"`)
	}
	w.close()
}

func writeCluster(w *dotWriter, p *Platform, s StackNode) {
	c := p.Cluster
	endpoint := "private API endpoint"
	if c.PublicAPI {
		endpoint = "public API endpoint"
	}
	w.node(anchor(p, s), fmt.Sprintf("EKS %s  (Kubernetes %s)\n%s", c.Name, c.Version, endpoint), `fillcolor="#e9e1f5"`)
	// Two columns under the control plane: compute (node groups, Karpenter) and the rest.
	var left, right []string
	for i, ng := range c.NodeGroups {
		id := fmt.Sprintf("%s.ng%d", s.Name, i)
		w.node(id, fmt.Sprintf("managed node group %q\n%d × %s %s", ng.Name, ng.Desired, strings.Join(ng.Types, "/"), strings.ToLower(strings.ReplaceAll(ng.Capacity, "_", "-"))))
		left = append(left, id)
	}
	if c.Karpenter != nil {
		id := s.Name + ".karpenter"
		w.node(id, fmt.Sprintf("Karpenter's AWS side\nSQS %s\n%d EventBridge rules", c.Karpenter.Queue, c.Karpenter.Rules))
		left = append(left, id)
	}
	if len(c.Addons) > 0 {
		id := s.Name + ".addons"
		w.node(id, fmt.Sprintf("%d EKS add-ons\n%s", len(c.Addons), strings.Join(c.Addons, "\n")))
		right = append(right, id)
	}
	if len(c.PodIdentity) > 0 {
		id := s.Name + ".podidentity"
		w.node(id, fmt.Sprintf("Pod Identity (IAM roles)\n%s", strings.Join(c.PodIdentity, "\n")), `fontsize=10`)
		right = append(right, id)
	}
	for _, col := range [][]string{left, right} {
		prev := anchor(p, s)
		for i, id := range col {
			if i == 0 {
				w.edge(prev, id, "arrowhead=none", `color="#aaaaaa"`)
			} else {
				w.edge(prev, id, "style=invis")
			}
			prev = id
		}
	}
}

func writeDatabase(w *dotWriter, p *Platform, s StackNode) {
	d := p.Database
	// Two rows: the secrets and the image repository, then Aurora (the request path ends there).
	var top, bottom []string
	if d.MasterSecret {
		w.node(idMaster, "Aurora master password\nSecrets Manager (RDS-managed)", secretAttrs()...)
		top = append(top, idMaster)
	}
	for i, name := range d.Secrets {
		id := fmt.Sprintf("database.secret%d", i)
		w.node(id, "app DB credentials\nSecrets Manager\n"+name, secretAttrs()...)
		top = append(top, id)
	}
	for i, r := range d.Repos {
		id := fmt.Sprintf("%s.ecr%d", s.Name, i)
		w.node(id, "ECR "+r+"\n(bootstrap image)")
		top = append(top, id)
	}
	w.node(anchor(p, s), fmt.Sprintf("Aurora %s  %s\nwriter %s (%s)", d.Engine, d.Name, d.Writer.ID, d.Writer.Class), "shape=cylinder", `fillcolor="#f7e7cc"`)
	bottom = append(bottom, anchor(p, s))
	for i, r := range d.Readers {
		id := fmt.Sprintf("%s.reader%d", s.Name, i)
		w.node(id, fmt.Sprintf("reader %s\n(%s)", r.ID, r.Class), "shape=cylinder", `fillcolor="#fbf0dd"`)
		w.edge(anchor(p, s), id, "label=replicates", `color="#aaaaaa"`)
		bottom = append(bottom, id)
	}
	if d.ScaleMax > 0 {
		id := s.Name + ".scaling"
		w.node(id, fmt.Sprintf("readers autoscale\n%d to %d", d.ScaleMin, d.ScaleMax), `style="rounded,dashed"`)
		w.edge(anchor(p, s), id, "arrowhead=none", `color="#aaaaaa"`)
		bottom = append(bottom, id)
	}
	sameRank(w, top)
	sameRank(w, bottom)
	for _, id := range top {
		w.edge(id, anchor(p, s), "style=invis")
	}
}

func writeGateway(w *dotWriter, p *Platform, s StackNode) {
	g := p.Gateway
	if g.UserPool != "" {
		w.node(idCognito, "Cognito user pool\n"+g.UserPool, `fillcolor="#dbe7f8"`)
		if g.ClientSecret {
			w.node("gateway.client-secret", "app client secret\nin Cognito", secretAttrs()...)
			w.edge(idCognito, "gateway.client-secret", "arrowhead=none", "style=dotted", "color="+q(colSecret))
		}
	}
	w.node(anchor(p, s), fmt.Sprintf("API Gateway (HTTP API)\n%s\n%d routes, %s authorizer", g.API, g.Routes, g.Authorizer), `fillcolor="#dbe7f8"`)
	if g.VPCLink {
		w.node(idVPCLink, "VPC link", `fillcolor="#dbe7f8"`)
	}
	scheme := "internet-facing"
	if g.Internal {
		scheme = "internal"
	}
	waf := ""
	if g.WAFRules > 0 {
		waf = fmt.Sprintf("\n+ WAF, %d rules", g.WAFRules)
	}
	w.node(idALB, fmt.Sprintf("%s ALB %s\n%s%s", scheme, g.ALB, g.Listener, waf), `fillcolor="#dbe7f8"`)
}

func writeGitOps(w *dotWriter, p *Platform, s StackNode) {
	argo := false
	for _, r := range p.GitOps.Releases {
		if r.Name == "argocd" {
			argo = true
			w.node(anchor(p, s), fmt.Sprintf("Argo CD\nHelm %s %s", r.Chart, r.Version), `fillcolor="#d5ecd8"`)
			continue
		}
		w.node("gitops.release."+r.Name, fmt.Sprintf("root Application %q\n(Helm release)", r.Name), `fillcolor="#d5ecd8"`)
	}
	if !argo {
		w.node(anchor(p, s), s.Name)
	}
}

// sameRank puts ids on one row.
func sameRank(w *dotWriter, ids []string) {
	if len(ids) < 2 {
		return
	}
	var quoted []string
	for _, id := range ids {
		quoted = append(quoted, q(id))
	}
	w.line("{rank=same; %s}", strings.Join(quoted, "; "))
}

// wrapList joins items, n per line.
func wrapList(items []string, n int) string {
	var lines []string
	for i := 0; i < len(items); i += n {
		end := min(i+n, len(items))
		lines = append(lines, strings.Join(items[i:end], ", "))
	}
	return strings.Join(lines, "\n")
}
