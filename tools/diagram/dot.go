package main

import (
	"fmt"
	"strings"
)

// Colours of the flows (also in the legend).
const (
	colRequest = "#1f5fbf"
	colGitOps  = "#2e8b3e"
	colSecret  = "#c0650b"
	colStack   = "#7a7a7a"
	font       = "DejaVu Sans"
)

// dotWriter accumulates DOT text with indentation.
type dotWriter struct {
	b      strings.Builder
	indent int
}

func (w *dotWriter) line(format string, a ...any) {
	w.b.WriteString(strings.Repeat("  ", w.indent))
	fmt.Fprintf(&w.b, format, a...)
	w.b.WriteString("\n")
}

func (w *dotWriter) open(format string, a ...any) { w.line(format+" {", a...); w.indent++ }
func (w *dotWriter) close()                       { w.indent--; w.line("}") }

// q quotes s as a DOT string; "\n" in s stays a centred line break, "\l" a left-aligned one.
func q(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	s = strings.ReplaceAll(s, "\n", `\n`)
	s = strings.ReplaceAll(s, `\\l`, `\l`)
	return `"` + s + `"`
}

// node writes a node with a label and extra attributes (DOT syntax, already quoted).
func (w *dotWriter) node(id, label string, attrs ...string) {
	a := append([]string{"label=" + q(label)}, attrs...)
	w.line("%s [%s];", q(id), strings.Join(a, ", "))
}

// edge writes from -> to with attributes; an endpoint already quoted (a node:port from
// compRef) is written as it is.
func (w *dotWriter) edge(from, to string, attrs ...string) {
	ep := func(id string) string {
		if strings.HasPrefix(id, `"`) {
			return id
		}
		return q(id)
	}
	if len(attrs) == 0 {
		w.line("%s -> %s;", ep(from), ep(to))
		return
	}
	w.line("%s -> %s [%s];", ep(from), ep(to), strings.Join(attrs, ", "))
}

// Node ids.
const (
	idClient    = "client"
	idGit       = "git"
	idCognito   = "gateway.cognito"
	idAPI       = "gateway.api"
	idVPCLink   = "gateway.vpclink"
	idALB       = "gateway.alb"
	idArgo      = "gitops.argocd"
	idRoot      = "gitops.root"
	idPods      = "k8s.phl-store"
	idJob       = "k8s.bootstrap-job"
	idK8sSecret = "k8s.config-secret"
	idWriter    = "database.writer"
	idMaster    = "database.master-secret"
	idState     = "bootstrap.state"
)

// anchor is the node of each stack group that stack-order arrows attach to.
func anchor(p *Platform, s StackNode) string { return "stack." + s.Name }

// DOT renders the platform as a Graphviz digraph: a group per stack (dashed grey arrows: the
// order they are applied in), the Kubernetes objects Argo CD syncs by wave, the request path
// (blue), the GitOps flow (green) and where each secret lives and flows (orange).
func DOT(p *Platform) string {
	w := &dotWriter{}
	w.open("digraph platform")
	w.line(`graph [rankdir=TB, compound=true, newrank=true, nodesep=0.25, ranksep=0.35, fontname=%s, fontsize=15, labelloc=t, labeljust=l, pad=0.2];`, q(font))
	w.line(`node [shape=box, style="rounded,filled", fillcolor=white, color="#555555", fontname=%s, fontsize=12, margin="0.1,0.04"];`, q(font))
	w.line(`edge [fontname=%s, fontsize=10, color="#555555", arrowsize=0.7];`, q(font))
	w.line("label=%s;", q(fmt.Sprintf("phl-platform: %s environment", p.Env)))

	w.node(idClient, "API client", "shape=oval", `fillcolor="#eef3fb"`)
	w.node(idGit, "Git repository\ngitops/charts", "shape=oval", `fillcolor="#eef7ef"`)

	for _, s := range p.Stacks {
		w.open("subgraph %s", q("cluster_"+s.Name))
		w.line(`label=%s; style="rounded,filled"; fillcolor="%s"; color="#999999"; fontsize=13;`,
			q(fmt.Sprintf("%s  (stack, %d resources)", s.Name, s.Resources)), stackFill(s.Role))
		switch s.Role {
		case "bootstrap":
			writeBootstrap(w, p, s)
		case "network":
			writeNetwork(w, p, s)
		case "cluster":
			writeCluster(w, p, s)
		case "database":
			writeDatabase(w, p, s)
		case "gateway":
			writeGateway(w, p, s)
		case "gitops":
			writeGitOps(w, p, s)
		default:
			w.node(anchor(p, s), s.Name)
		}
		w.close()
	}
	if p.Charts != nil && p.GitOps != nil {
		writeComponents(w, p)
	}
	writeFlows(w, p)

	// Stack dependencies: dependant -> dependency, from group to group.
	for _, s := range p.Stacks {
		for _, d := range s.Deps {
			w.edge(anchor(p, s), anchor(p, stackByName(p, d)), fmt.Sprintf("ltail=%s", q("cluster_"+s.Name)),
				fmt.Sprintf("lhead=%s", q("cluster_"+d)), "style=dashed", "color="+q(colStack), "penwidth=1.2")
		}
	}
	writeLegend(w)
	// The key and the account's bootstrap stack go under the network group, the bottom of the
	// picture (the bootstrap stack is applied once per account, before any other).
	if p.Network != nil {
		az := fmt.Sprintf("%s.az%d", stackByRole(p, "network").Name, len(p.Network.AZs)-1)
		w.edge(az, "legend", "style=invis")
		if p.Bootstrap != nil {
			w.edge(az, anchor(p, stackByRole(p, "bootstrap")), "style=invis")
		}
	}
	w.close()
	return w.b.String()
}

func stackByName(p *Platform, name string) StackNode {
	for _, s := range p.Stacks {
		if s.Name == name {
			return s
		}
	}
	return StackNode{Name: name}
}

func stackFill(role string) string {
	switch role {
	case "bootstrap":
		return "#f4f4f4"
	case "network":
		return "#f3f6fa"
	case "cluster":
		return "#f6f3fa"
	case "database":
		return "#faf6ef"
	case "gateway":
		return "#eef4fb"
	case "gitops":
		return "#eef7ef"
	}
	return "#f4f4f4"
}

func secretAttrs() []string {
	return []string{"shape=note", `fillcolor="#fff3e0"`, "color=" + q(colSecret)}
}
