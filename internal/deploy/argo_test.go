package deploy

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

// One progress line per Application and state change (polls that change nothing print
// nothing); on timeout, each unfinished Application with why: conditions, the last sync and
// every resource not synced or healthy.
func TestArgoProgressAndTimeoutReport(t *testing.T) {
	t.Parallel()
	stuck := app("phl-store", "OutOfSync", "Degraded")
	stuck["status"].(map[string]any)["conditions"] = []any{map[string]any{"type": "SyncError", "message": "Failed sync attempt to 0a1b2c: one or more objects failed to apply"}}
	stuck["status"].(map[string]any)["operationState"] = map[string]any{"phase": "Failed", "message": `one or more objects failed to apply, reason: admission webhook "vtargetgroupbinding.elbv2.k8s.aws" denied the request`}
	stuck["status"].(map[string]any)["resources"] = []any{
		map[string]any{"group": "apps", "kind": "Deployment", "namespace": "phl-store", "name": "phl-store", "status": "Synced",
			"health": map[string]any{"status": "Degraded", "message": `Deployment "phl-store" exceeded its progress deadline`}},
		map[string]any{"group": "elbv2.k8s.aws", "kind": "TargetGroupBinding", "namespace": "phl-store", "name": "phl-store", "status": "OutOfSync"},
		map[string]any{"kind": "Service", "namespace": "phl-store", "name": "phl-store", "status": "Synced", "health": map[string]any{"status": "Healthy"}},
	}
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "kubectl", Args: []string{"get applications"}, Stdout: []string{
		appList(app("platform", "Synced", "Progressing")),
		appList(app("platform", "Synced", "Progressing")), // no change: no line
		appList(app("platform", "Synced", "Progressing"), app("phl-store", "OutOfSync", "Missing"), app("karpenter", "Synced", "Healthy")),
		appList(app("platform", "Synced", "Progressing"), stuck, app("karpenter", "Synced", "Healthy")),
	}})
	o := w.options()
	o.Timeouts.ArgoCD = 1500 * time.Millisecond
	d := w.run(o)
	err := d.waitForArgoCD(context.Background(), &kube{d: d, kubeconfig: "kubeconfig"})
	if err == nil {
		t.Fatal("the wait passed with a degraded Application")
	}
	want := "argocd: not every Application was Synced and Healthy within 1.5s: phl-store (OutOfSync/Degraded), platform (Synced/Progressing)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v\nwant %q", err, want)
	}
	out := w.out.String()
	for name, want := range map[string]int{"platform": 1, "phl-store": 2, "karpenter": 1} {
		progress := regexp.MustCompile(`(?m)^argocd: ` + name + ` +[A-Za-z]+/[A-Za-z]+$`)
		if n := len(progress.FindAllString(out, -1)); n != want {
			t.Errorf("%d progress lines of %s; want %d (one per state change):\n%s", n, name, want, out)
		}
	}
	for _, line := range []string{
		"argocd: phl-store is stuck at OutOfSync/Degraded",
		"  condition SyncError: Failed sync attempt to 0a1b2c: one or more objects failed to apply",
		`  last sync Failed: one or more objects failed to apply, reason: admission webhook "vtargetgroupbinding.elbv2.k8s.aws" denied the request`,
		`  resource apps/Deployment phl-store/phl-store: Synced Degraded (Deployment "phl-store" exceeded its progress deadline)`,
		"  resource elbv2.k8s.aws/TargetGroupBinding phl-store/phl-store: OutOfSync",
		"argocd: platform is stuck at Synced/Progressing",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("the timeout report lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "Service phl-store/phl-store") || strings.Contains(out, "karpenter is stuck") {
		t.Errorf("healthy resources or Applications are reported as stuck:\n%s", out)
	}
}

// Until the root Application exists, healthy children do not end the wait.
func TestArgoWaitsForTheRootApplication(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "kubectl", Args: []string{"get applications"}, Stdout: []string{
		appList(), appList(app("karpenter", "Synced", "Healthy")),
	}})
	o := w.options()
	o.Timeouts.ArgoCD = 500 * time.Millisecond
	d := w.run(o)
	err := d.waitForArgoCD(context.Background(), &kube{d: d, kubeconfig: "kubeconfig"})
	if err == nil || !strings.Contains(err.Error(), "platform (not created)") {
		t.Fatalf("error = %v; want the missing root Application named", err)
	}
}
