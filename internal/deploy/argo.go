package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ArgoNamespace is where Argo CD and its Applications live (stacks/gitops.go).
const ArgoNamespace = "argocd"

// RootApplication is the app of apps the gitops stack installs (constructs/gitops: release
// "platform"); its health covers its children (the Application health check in argocd-cm).
const RootApplication = "platform"

// application is what the wait reads of an Argo CD Application.
type application struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Status struct {
		Sync struct {
			Status string `json:"status"`
		} `json:"sync"`
		Health struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"health"`
		Conditions []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"conditions"`
		OperationState *struct {
			Phase   string `json:"phase"`
			Message string `json:"message"`
		} `json:"operationState"`
		Resources []struct {
			Group     string `json:"group"`
			Kind      string `json:"kind"`
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
			Status    string `json:"status"`
			Health    *struct {
				Status  string `json:"status"`
				Message string `json:"message"`
			} `json:"health"`
		} `json:"resources"`
	} `json:"status"`
}

func (a application) state() string {
	s := or(a.Status.Sync.Status, "Unknown") + "/" + or(a.Status.Health.Status, "Unknown")
	if a.Status.Health.Message != "" && a.Status.Health.Status != "Healthy" {
		s += ": " + a.Status.Health.Message
	}
	return s
}

func (a application) ready() bool {
	return a.Status.Sync.Status == "Synced" && a.Status.Health.Status == "Healthy"
}

// why explains an Application that is not Synced and Healthy: its conditions, its last
// operation and every resource that is not healthy or not synced.
func (a application) why() []string {
	var out []string
	for _, c := range a.Status.Conditions {
		out = append(out, fmt.Sprintf("condition %s: %s", c.Type, c.Message))
	}
	if op := a.Status.OperationState; op != nil && (op.Phase != "Succeeded" || op.Message != "") {
		out = append(out, fmt.Sprintf("last sync %s: %s", or(op.Phase, "?"), op.Message))
	}
	for _, r := range a.Status.Resources {
		bad := r.Status != "" && r.Status != "Synced"
		health := ""
		if r.Health != nil && r.Health.Status != "" && r.Health.Status != "Healthy" {
			bad = true
			health = " " + r.Health.Status
			if r.Health.Message != "" {
				health += " (" + r.Health.Message + ")"
			}
		}
		if bad {
			kind := r.Kind
			if r.Group != "" {
				kind = r.Group + "/" + r.Kind
			}
			name := r.Name
			if r.Namespace != "" {
				name = r.Namespace + "/" + r.Name
			}
			out = append(out, fmt.Sprintf("resource %s %s: %s%s", kind, name, or(r.Status, "?"), health))
		}
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (k *kube) applications(ctx context.Context) ([]application, error) {
	out, err := k.get(ctx, "-n", ArgoNamespace, "get", "applications.argoproj.io", "-o", "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []application `json:"items"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, fmt.Errorf("kubectl get applications: unexpected answer: %v", err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Metadata.Name < list.Items[j].Metadata.Name })
	return list.Items, nil
}

// waitForArgoCD polls the Applications until every one is Synced and Healthy (the root
// Application among them), printing a line whenever one changes state. On timeout it prints
// why each unfinished Application is stuck and fails naming them.
func (d *run) waitForArgoCD(ctx context.Context, k *kube) error {
	deadline := time.Now().Add(d.t.ArgoCD)
	seen := map[string]string{}
	lastErr := ""
	var apps []application
	for {
		got, err := k.applications(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("argocd: %w", context.Cause(ctx))
			}
			if err.Error() != lastErr {
				d.printf("argocd: cannot list Applications yet: %v\n", err)
				lastErr = err.Error()
			}
		} else {
			apps, lastErr = got, ""
			root := false
			ready := 0
			for _, a := range apps {
				if s := a.state(); seen[a.Metadata.Name] != s {
					d.printf("argocd: %-30s %s\n", a.Metadata.Name, s)
					seen[a.Metadata.Name] = s
				}
				root = root || a.Metadata.Name == RootApplication
				if a.ready() {
					ready++
				}
			}
			if root && ready == len(apps) {
				d.printf("argocd: all %d Applications are Synced and Healthy\n", len(apps))
				return nil
			}
		}
		if time.Now().After(deadline) {
			return d.argoStuck(apps, lastErr)
		}
		if err := d.sleep(ctx); err != nil {
			return fmt.Errorf("argocd: %w", err)
		}
	}
}

func (d *run) argoStuck(apps []application, lastErr string) error {
	var stuck []string
	for _, a := range apps {
		if a.ready() {
			continue
		}
		stuck = append(stuck, a.Metadata.Name+" ("+or(a.Status.Sync.Status, "Unknown")+"/"+or(a.Status.Health.Status, "Unknown")+")")
		d.printf("argocd: %s is stuck at %s\n", a.Metadata.Name, a.state())
		for _, w := range a.why() {
			d.printf("  %s\n", w)
		}
	}
	found := false
	for _, a := range apps {
		found = found || a.Metadata.Name == RootApplication
	}
	if !found {
		stuck = append(stuck, RootApplication+" (not created)")
	}
	msg := fmt.Sprintf("argocd: not every Application was Synced and Healthy within %s: %s", d.t.ArgoCD, strings.Join(stuck, ", "))
	if lastErr != "" {
		msg += "; last error: " + lastErr
	}
	return fmt.Errorf("%s (details above; kubectl -n %s get applications through the tunnel shows the rest)", msg, ArgoNamespace)
}
