//go:build chartrung

// The platform chart's upstream components, rendered as Argo CD renders them: every controller
// a component Application installs selects the managed node group's nodes and tolerates their
// taint, and every one that runs several replicas has a PodDisruptionBudget that lets a drain
// proceed one pod at a time. Run by `ONLY_RUNG=6 make test` (PHL_HELM, PHL_KUBE_VERSION).
//
// The upstream charts whose source ships in a Go module the rung already downloads for its CRDs
// (Karpenter, External Secrets, the eks-charts commit of the Load Balancer Controller) are
// rendered for real with the Application's valuesObject, from the source tree of the pinned
// release. metrics-server and Reloader are not available offline (no Go module of theirs is
// served here), so for them the values the Application passes are checked at the keys their
// charts document (metrics-server charts/metrics-server/values.yaml: nodeSelector, tolerations;
// stakater/Reloader deployments/kubernetes/chart/reloader/values.yaml: reloader.deployment.*).
package gitops_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The managed node group's label (constructs/cluster/nodes.go) and taint key.
const (
	criticalLabel = "phl.platform/node-class"
	criticalValue = "critical"
	criticalTaint = "CriticalAddonsOnly"
)

// upstreamChart says where a component's chart comes from offline, or which documented keys
// carry its placement when it cannot be rendered here.
type upstreamChart struct {
	module, moduleVersionVar, path string // Go module, its version in scripts/versions.env, chart path in it
	// chartVersionVar names the versions.env entry the Application's targetRevision must equal;
	// empty: the module version must be "v" + targetRevision (chart version = app version).
	chartVersionVar string
	// multiReplica is how many of its Deployments must run at least two replicas.
	multiReplica int
	// selectorKey and tolerationsKey: the documented values keys, for a chart not rendered here.
	selectorKey, tolerationsKey string
}

var upstreamCharts = map[string]upstreamChart{
	"karpenter": {module: "github.com/aws/karpenter-provider-aws", moduleVersionVar: "KARPENTER_VERSION",
		path: "charts/karpenter", multiReplica: 1},
	"external-secrets": {module: "github.com/external-secrets/external-secrets", moduleVersionVar: "EXTERNAL_SECRETS_VERSION",
		path: "deploy/charts/external-secrets", multiReplica: 2},
	"aws-load-balancer-controller": {module: "github.com/aws/eks-charts", moduleVersionVar: "EKS_CHARTS_VERSION",
		path: "stable/aws-load-balancer-controller", chartVersionVar: "AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION", multiReplica: 1},
	"metrics-server": {selectorKey: "nodeSelector", tolerationsKey: "tolerations"},
	"reloader":       {selectorKey: "reloader.deployment.nodeSelector", tolerationsKey: "reloader.deployment.tolerations"},
}

func chartsDir() string {
	if d := os.Getenv("PHL_CHARTS_DIR"); d != "" {
		return d
	}
	return "charts"
}

func helmBinary(t *testing.T) string {
	t.Helper()
	helm := os.Getenv("PHL_HELM")
	if helm == "" {
		t.Fatal("PHL_HELM is not set: run these tests through the Kubernetes rung (ONLY_RUNG=6 make test)")
	}
	return helm
}

// helmTemplate renders chart with the value files, failing the test on a render error.
func helmTemplate(t *testing.T, release, chart, namespace string, valueFiles ...string) []map[string]any {
	t.Helper()
	args := []string{"template", release, chart, "--namespace", namespace, "--kube-version", os.Getenv("PHL_KUBE_VERSION")}
	for _, f := range valueFiles {
		args = append(args, "-f", f)
	}
	out, err := exec.Command(helmBinary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("helm template %s: %v\n%s", chart, err, out)
	}
	return decodeAll(t, out)
}

func decodeAll(t *testing.T, rendered []byte) []map[string]any {
	t.Helper()
	var objs []map[string]any
	dec := yaml.NewDecoder(strings.NewReader(string(rendered)))
	for {
		var o map[string]any
		if err := dec.Decode(&o); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatalf("rendered YAML: %v", err)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
}

// versionsEnv reads scripts/versions.env (KEY=VALUE, comments after the value).
func versionsEnv(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "scripts", "versions.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			vars[k] = strings.Fields(v + " ")[0]
		}
	}
	return vars
}

func goModCache(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func at(o any, path ...string) any {
	for _, k := range path {
		m, _ := o.(map[string]any)
		o = m[k]
	}
	return o
}

// componentApplications renders the platform chart's components tier for env and returns its
// Applications that install a chart from outside this repository, by chart name.
func componentApplications(t *testing.T, env string) map[string]map[string]any {
	t.Helper()
	platform := filepath.Join(chartsDir(), "platform")
	apps := map[string]map[string]any{}
	for _, o := range helmTemplate(t, "platform", platform, "argocd", filepath.Join(platform, "ci", env+"-components-values.yaml")) {
		if o["kind"] != "Application" {
			continue
		}
		if chart, _ := at(o, "spec", "source", "chart").(string); chart != "" {
			apps[chart] = o
		}
	}
	return apps
}

// Every upstream component is checked: a new one without an entry in upstreamCharts fails.
func TestEveryUpstreamComponentHasAPlacementCheck(t *testing.T) {
	t.Parallel()
	apps := componentApplications(t, "dev")
	var got, want []string
	for c := range apps {
		got = append(got, c)
	}
	for c := range upstreamCharts {
		want = append(want, c)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("upstream charts of the component Applications = %v; placement checks exist for %v", got, want)
	}
}

func TestUpstreamControllersRunOnTheCriticalNodes(t *testing.T) {
	t.Parallel()
	vars := versionsEnv(t)
	mods := goModCache(t)
	for _, env := range []string{"dev", "prod"} {
		for name, app := range componentApplications(t, env) {
			up, ok := upstreamCharts[name]
			if !ok {
				continue // TestEveryUpstreamComponentHasAPlacementCheck reports it
			}
			t.Run(env+"/"+name, func(t *testing.T) {
				values, _ := at(app, "spec", "source", "helm", "valuesObject").(map[string]any)
				if up.module == "" {
					checkDocumentedPlacement(t, values, up)
					return
				}
				revision, _ := at(app, "spec", "source", "targetRevision").(string)
				version := vars[up.moduleVersionVar]
				if up.chartVersionVar != "" && revision != vars[up.chartVersionVar] {
					t.Fatalf("the Application deploys chart %s, the rung renders %s (scripts/versions.env %s)", revision, vars[up.chartVersionVar], up.chartVersionVar)
				}
				if up.chartVersionVar == "" && "v"+revision != version {
					t.Fatalf("the Application deploys chart %s, the rung renders the release %s (scripts/versions.env %s): keep them equal", revision, version, up.moduleVersionVar)
				}
				chart := offlineChart(t, filepath.Join(mods, up.module+"@"+version, up.path), values)
				ns, _ := at(app, "spec", "destination", "namespace").(string)
				checkRenderedPlacement(t, helmTemplate(t, name, chart, ns, writeJSON(t, values)), up.multiReplica)
			})
		}
	}
}

// checkDocumentedPlacement: the critical node selector and the taint's toleration at the keys
// the chart documents.
func checkDocumentedPlacement(t *testing.T, values map[string]any, up upstreamChart) {
	t.Helper()
	selector, _ := at(values, strings.Split(up.selectorKey, ".")...).(map[string]any)
	if selector[criticalLabel] != criticalValue {
		t.Errorf("%s = %v: want %s: %s", up.selectorKey, selector, criticalLabel, criticalValue)
	}
	tolerations, _ := at(values, strings.Split(up.tolerationsKey, ".")...).([]any)
	if !toleratesCritical(tolerations) {
		t.Errorf("%s = %v: want a toleration of %s", up.tolerationsKey, tolerations, criticalTaint)
	}
}

// offlineChart copies the chart out of the read-only module cache. Dependencies not shipped in
// the source tree are dropped from Chart.yaml only when their condition is off in the values
// (the chart's defaults, then the Application's), so nothing that would be deployed goes unrendered.
func offlineChart(t *testing.T, src string, values map[string]any) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(src, "Chart.yaml")); err != nil {
		t.Fatalf("%v: the rung downloads this module (scripts/tools.sh --k8s)", err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if out, err := exec.Command("cp", "-r", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", dst).CombinedOutput(); err != nil {
		t.Fatalf("chmod: %v %s", err, out)
	}
	var meta map[string]any
	raw, err := os.ReadFile(filepath.Join(dst, "Chart.yaml"))
	if err == nil {
		err = yaml.Unmarshal(raw, &meta)
	}
	if err != nil {
		t.Fatal(err)
	}
	deps, _ := meta["dependencies"].([]any)
	if len(deps) == 0 {
		return dst
	}
	var defaults map[string]any
	if raw, err = os.ReadFile(filepath.Join(dst, "values.yaml")); err == nil {
		err = yaml.Unmarshal(raw, &defaults)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deps {
		dep, _ := d.(map[string]any)
		cond, _ := dep["condition"].(string)
		path := strings.Split(cond, ".")
		enabled := at(defaults, path...)
		if v := at(values, path...); v != nil {
			enabled = v
		}
		if cond == "" || enabled != false {
			t.Fatalf("dependency %v of %s is enabled (condition %q) but not available offline", dep["name"], src, cond)
		}
	}
	delete(meta, "dependencies")
	if raw, err = yaml.Marshal(meta); err == nil {
		err = os.WriteFile(filepath.Join(dst, "Chart.yaml"), raw, 0o644)
	}
	if err == nil {
		err = os.Remove(filepath.Join(dst, "Chart.lock"))
		if os.IsNotExist(err) {
			err = nil
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "values.json")
	if err := os.WriteFile(f, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// podSpec returns the pod template of a workload, or nil for other kinds.
func podSpec(o map[string]any) map[string]any {
	var spec any
	switch o["kind"] {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job":
		spec = at(o, "spec", "template", "spec")
	case "CronJob":
		spec = at(o, "spec", "jobTemplate", "spec", "template", "spec")
	case "Pod":
		spec = o["spec"]
	}
	m, _ := spec.(map[string]any)
	return m
}

// selectsCritical: a node selector on the critical label, or a required node affinity each of
// whose terms admits only that label value.
func selectsCritical(spec map[string]any) bool {
	if sel, _ := spec["nodeSelector"].(map[string]any); sel[criticalLabel] == criticalValue {
		return true
	}
	terms, _ := at(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").([]any)
	for _, term := range terms {
		ok := false
		exprs, _ := at(term, "matchExpressions").([]any)
		for _, e := range exprs {
			em, _ := e.(map[string]any)
			if em["key"] == criticalLabel && em["operator"] == "In" && reflect.DeepEqual(em["values"], []any{criticalValue}) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return len(terms) > 0
}

func toleratesCritical(tolerations []any) bool {
	for _, tol := range tolerations {
		m, _ := tol.(map[string]any)
		effect, _ := m["effect"].(string)
		if effect != "" && effect != "NoSchedule" {
			continue
		}
		switch {
		case m["key"] == nil && m["operator"] == "Exists":
			return true
		case m["key"] == criticalTaint && m["operator"] == "Exists":
			return true
		case m["key"] == criticalTaint && m["value"] == "true" && (m["operator"] == nil || m["operator"] == "Equal"):
			return true
		}
	}
	return false
}

// checkRenderedPlacement: every workload selects and tolerates the critical nodes; every
// Deployment or StatefulSet with two or more replicas has a PodDisruptionBudget that admits one
// eviction; at least multiReplica Deployments run two or more replicas.
func checkRenderedPlacement(t *testing.T, objs []map[string]any, multiReplica int) {
	t.Helper()
	var pdbs []map[string]any
	for _, o := range objs {
		if o["kind"] == "PodDisruptionBudget" {
			pdbs = append(pdbs, o)
		}
	}
	workloads, replicated := 0, 0
	for _, o := range objs {
		spec := podSpec(o)
		if spec == nil {
			continue
		}
		workloads++
		id := fmt.Sprintf("%s %v", o["kind"], at(o, "metadata", "name"))
		if !selectsCritical(spec) {
			t.Errorf("%s: nodeSelector %v, affinity %v: it may land on a Karpenter node (want %s=%s)", id, spec["nodeSelector"], spec["affinity"], criticalLabel, criticalValue)
		}
		if tols, _ := spec["tolerations"].([]any); !toleratesCritical(tols) {
			t.Errorf("%s: tolerations %v lack %s, so it cannot run on the tainted critical nodes", id, spec["tolerations"], criticalTaint)
		}
		replicas, _ := at(o, "spec", "replicas").(int)
		if (o["kind"] != "Deployment" && o["kind"] != "StatefulSet") || replicas < 2 {
			continue
		}
		if o["kind"] == "Deployment" {
			replicated++
		}
		labels, _ := at(o, "spec", "template", "metadata", "labels").(map[string]any)
		if !drainable(pdbs, labels, replicas) {
			t.Errorf("%s: %d replicas and no PodDisruptionBudget that selects its pods and admits one eviction", id, replicas)
		}
	}
	if workloads == 0 {
		t.Fatal("the chart rendered no workload")
	}
	if replicated < multiReplica {
		t.Errorf("%d Deployment(s) run two or more replicas, want %d", replicated, multiReplica)
	}
}

func drainable(pdbs []map[string]any, podLabels map[string]any, replicas int) bool {
	for _, p := range pdbs {
		sel, _ := at(p, "spec", "selector", "matchLabels").(map[string]any)
		if len(sel) == 0 {
			continue
		}
		match := true
		for k, v := range sel {
			if podLabels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		if max, ok := at(p, "spec", "maxUnavailable").(int); ok && max >= 1 {
			return true
		}
		if min, ok := at(p, "spec", "minAvailable").(int); ok && min < replicas {
			return true
		}
	}
	return false
}

// Karpenter's NodePools never label a node as critical, so the selector above cannot admit a
// node Karpenter launches.
func TestKarpenterNodesAreNeverLabelledCritical(t *testing.T) {
	t.Parallel()
	chart := filepath.Join(chartsDir(), "karpenter-nodes")
	for _, env := range []string{"dev", "prod"} {
		pools := 0
		for _, o := range helmTemplate(t, "karpenter-nodes", chart, "kube-system",
			filepath.Join(chart, "values-"+env+".yaml"), filepath.Join(chart, "ci", env+"-values.yaml")) {
			if o["kind"] != "NodePool" {
				continue
			}
			pools++
			labels, _ := at(o, "spec", "template", "metadata", "labels").(map[string]any)
			if v, ok := labels[criticalLabel]; ok && v == criticalValue {
				t.Errorf("%s NodePool %v labels its nodes %s=%s: the critical-only controllers could land on them", env, at(o, "metadata", "name"), criticalLabel, v)
			}
		}
		if pools == 0 {
			t.Errorf("%s: no NodePool rendered", env)
		}
	}
}
