package main

import (
	"fmt"
	"html"
	"slices"
	"strings"
)

// generic kinds a component's label leaves out (every chart has them).
var genericKinds = []string{"ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount", "Pod"}

// appComponent is the component whose chart binds pods to the gateway's target group.
func appComponent(c *Charts) (Component, bool) {
	for _, comp := range c.Components {
		if slices.Contains(comp.Kinds, "TargetGroupBinding") {
			return comp, true
		}
	}
	return Component{}, false
}

// waveID is the node of a wave's components (a table, a cell per component).
func waveID(wave int) string { return fmt.Sprintf("k8s.wave%d", wave) }

// compRef is the edge endpoint of a component: its cell in its wave's table.
func compRef(comp Component) string { return q(waveID(comp.Wave)) + ":" + q(comp.Name) }

// tableColumns is how many components a wave's table puts side by side.
const tableColumns = 2

// waves lists the sync waves in order.
func waves(c *Charts) []int {
	var out []int
	for _, comp := range c.Components {
		if !slices.Contains(out, comp.Wave) {
			out = append(out, comp.Wave)
		}
	}
	return out
}

// writeComponents draws the Applications of the platform chart, a group per sync wave, inside a
// group for what runs in the cluster; the app's pods, bootstrap Job and config Secret are nodes
// of their own (the request path and the secrets reach them).
func writeComponents(w *dotWriter, p *Platform) {
	c := p.Charts
	app, hasApp := appComponent(c)
	w.open("subgraph %s", q("cluster_k8s"))
	w.line(`label=%s; style="rounded,dashed"; color=%s; fontsize=13;`, q("in the EKS cluster: Applications Argo CD syncs from Git, wave by wave"), q(colGitOps))
	for _, wave := range waves(c) {
		w.open("subgraph %s", q(fmt.Sprintf("cluster_wave%d", wave)))
		w.line(`label=%s; style="rounded,filled"; fillcolor="#f7fbf7"; color="#b5d6ba"; fontsize=11;`, q(fmt.Sprintf("sync wave %d", wave)))
		var row, cells []string
		for _, comp := range c.Components {
			if comp.Wave != wave {
				continue
			}
			if hasApp && comp.Name == app.Name {
				row = append(row, writeApp(w, p, comp)...)
				continue
			}
			cells = append(cells, componentCell(comp))
		}
		if len(cells) > 0 {
			w.line("%s [shape=plain, label=<%s>];", q(waveID(wave)), table(cells))
			row = append([]string{waveID(wave)}, row...)
		}
		// A wave is a row: the waves read top to bottom in the order Argo CD syncs them.
		sameRank(w, row)
		w.close()
	}
	w.close()
}

// componentCell is a component's table cell: its name and, for a chart of this repository, the
// kinds it defines beyond the usual ones.
func componentCell(comp Component) string {
	text := html.EscapeString(comp.Name)
	var kinds []string
	for _, k := range comp.Kinds {
		if !slices.Contains(genericKinds, k) {
			kinds = append(kinds, k)
		}
	}
	if comp.Local && len(kinds) > 0 {
		text += `<br/><font point-size="10">` + html.EscapeString(strings.Join(kinds, ", ")) + `</font>`
	}
	return fmt.Sprintf(`<td port="%s" border="1" style="rounded" bgcolor="white" cellpadding="5">%s</td>`, html.EscapeString(comp.Name), text)
}

// table lays cells out tableColumns to a row.
func table(cells []string) string {
	var b strings.Builder
	b.WriteString(`<table border="0" cellspacing="8" cellpadding="0">`)
	for i := 0; i < len(cells); i += tableColumns {
		b.WriteString("<tr>" + strings.Join(cells[i:min(i+tableColumns, len(cells))], "") + "</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// writeApp draws the app: its pods (what the ALB targets), its database bootstrap Job and the
// Kubernetes Secret its ExternalSecret writes.
func writeApp(w *dotWriter, p *Platform, comp Component) []string {
	var ids []string
	if slices.Contains(comp.Kinds, "ExternalSecret") && p.Charts.ConfigSecret != "" {
		w.node(idK8sSecret, "Kubernetes Secret\n"+p.Charts.ConfigSecret, secretAttrs()...)
		ids = append(ids, idK8sSecret)
	}
	var parts []string
	for _, k := range []string{"Deployment", "HorizontalPodAutoscaler", "TargetGroupBinding"} {
		if slices.Contains(comp.Kinds, k) {
			parts = append(parts, short(k))
		}
	}
	w.node(idPods, fmt.Sprintf("%s pods\n%s", comp.Name, strings.Join(parts, " + ")), `fillcolor="#dbe7f8"`, "penwidth=1.5")
	// The bootstrap Job on a row of its own under the pods (it sits between them and the database).
	if slices.Contains(comp.Kinds, "Job") {
		label := "database bootstrap Job\n(runs first, when its inputs change:\ncreates the app's DB users)"
		if p.GitOps != nil && len(p.GitOps.PodIdentity) > 0 {
			label += "\nPod Identity: " + strings.Join(p.GitOps.PodIdentity, ", ")
		}
		w.node(idJob, label)
		w.edge(idPods, idJob, "style=invis")
	}
	return append(ids, idPods)
}

// short is a kind's usual short name.
func short(kind string) string {
	if kind == "HorizontalPodAutoscaler" {
		return "HPA"
	}
	return kind
}

func req(n int, label string) []string {
	return reqLabel("label", n, label)
}

// reqLabel is a request step with its label as attribute attr (xlabel: placed clear of others).
func reqLabel(attr string, n int, label string) []string {
	return []string{attr + "=" + q(fmt.Sprintf("%d  %s", n, label)), "color=" + q(colRequest), "fontcolor=" + q(colRequest), "penwidth=2"}
}

func gitopsEdge(label string, extra ...string) []string {
	return append([]string{"label=" + q(label), "color=" + q(colGitOps), "fontcolor=" + q(colGitOps), "penwidth=1.6"}, extra...)
}

func secretEdge(label string, extra ...string) []string {
	return append([]string{"label=" + q(label), "color=" + q(colSecret), "fontcolor=" + q(colSecret), "style=dashed"}, extra...)
}

// writeFlows draws the request path, the GitOps flow and the secrets' flow between the groups.
func writeFlows(w *dotWriter, p *Platform) {
	hasApp := false
	var app Component
	if p.Charts != nil && p.GitOps != nil {
		app, hasApp = appComponent(p.Charts)
	}
	// Request path.
	if g := p.Gateway; g != nil {
		api := anchor(p, stackByRole(p, "gateway"))
		n := 1
		if g.UserPool != "" {
			w.edge(idClient, idCognito, reqLabel("xlabel", n, "token")...)
			n++
		}
		w.edge(idClient, api, reqLabel("xlabel", n, "HTTPS + JWT")...)
		n++
		next := idALB
		if g.VPCLink {
			w.edge(api, idVPCLink, req(n, "private integration")...)
			n++
			w.edge(idVPCLink, idALB, req(n, g.Listener)...)
			n++
		} else {
			w.edge(api, idALB, req(n, g.Listener)...)
			n++
		}
		if hasApp {
			w.edge(next, idPods, req(n, "target group ("+g.Target+")\nTargetGroupBinding")...)
			n++
			if p.Database != nil {
				w.edge(idPods, anchor(p, stackByRole(p, "database")), req(n, "MySQL over TLS")...)
			}
		}
	}
	// GitOps flow.
	if p.GitOps != nil {
		argo := anchor(p, stackByRole(p, "gitops"))
		w.edge(idGit, argo, gitopsEdge("pulls charts")...)
		prev, prevCluster := argo, ""
		for _, r := range p.GitOps.Releases {
			if r.Name != "argocd" {
				w.edge(argo, "gitops.release."+r.Name, gitopsEdge("syncs")...)
				prev = "gitops.release." + r.Name
			}
		}
		if p.Charts != nil {
			for _, wave := range waves(p.Charts) {
				first := ""
				for _, comp := range p.Charts.Components {
					if comp.Wave == wave {
						first = waveID(wave)
						if hasApp && comp.Name == app.Name {
							first = idPods
						}
						break
					}
				}
				cl := fmt.Sprintf("cluster_wave%d", wave)
				attrs := gitopsEdge("", "lhead="+q(cl))
				if prevCluster == "" {
					attrs[0] = "label=" + q("renders Applications")
				} else {
					attrs = append(attrs, "ltail="+q(prevCluster))
				}
				w.edge(prev, first, attrs...)
				prev, prevCluster = first, cl
			}
		}
	}
	// What Argo CD deploys runs on the cluster's nodes.
	if hasApp && p.Cluster != nil {
		w.edge(idPods, anchor(p, stackByRole(p, "cluster")), "ltail="+q("cluster_k8s"), "label="+q("runs on"), "style=dashed", "color="+q(colStack))
	}
	// Secrets.
	if d := p.Database; d != nil && hasApp {
		if d.MasterSecret && slices.Contains(app.Kinds, "Job") {
			w.edge(idMaster, idJob, secretEdge("read by", "constraint=false")...)
		}
		for i := range d.Secrets {
			sid := fmt.Sprintf("database.secret%d", i)
			if slices.Contains(app.Kinds, "Job") {
				w.edge(idJob, sid, secretEdge("writes")...)
			}
			if slices.Contains(app.Kinds, "ExternalSecret") {
				eso := idK8sSecret
				if esoComp, ok := p.Charts.Component("external-secrets"); ok {
					eso = compRef(esoComp)
					w.edge(sid, eso, secretEdge("read via "+p.Charts.SecretStore, "constraint=false")...)
					w.edge(eso, idK8sSecret, secretEdge("writes")...)
				} else {
					w.edge(sid, idK8sSecret, secretEdge("ExternalSecret")...)
				}
			}
		}
		if slices.Contains(app.Kinds, "ExternalSecret") {
			w.edge(idK8sSecret, idPods, secretEdge("mounted")...)
		}
	}
}

func stackByRole(p *Platform, role string) StackNode {
	for _, s := range p.Stacks {
		if s.Role == role {
			return s
		}
	}
	return StackNode{}
}

// writeLegend draws the key of the arrows, under everything.
func writeLegend(w *dotWriter) {
	row := func(col, style, text string) string {
		return fmt.Sprintf(`<tr><td><font color="%s">%s</font></td><td align="left">%s</td></tr>`, col, style, text)
	}
	key := `<<table border="0" cellspacing="2" cellpadding="1">` +
		row(colRequest, "━━▶", "request path, in numbered steps") +
		row(colGitOps, "━━▶", "GitOps: Argo CD syncs Git, wave by wave") +
		row(colSecret, "╌╌▶", "secrets: where each lives and who reads it") +
		row(colStack, "╌╌▶", "stack depends on stack (implied arrows left out)") +
		`</table>>`
	w.line(`legend [shape=box, style="rounded", color="#bbbbbb", fontsize=11, label=%s];`, key)

}
