package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// kube is kubectl through the tunnel, with a kubeconfig of its own in the run's private folder:
// server https://127.0.0.1:<port>, the endpoint's name for TLS (the API server's certificate is
// still verified), the cluster CA from the cluster stack, and a token from `aws eks get-token`.
type kube struct {
	d          *run
	kubeconfig string
}

func (d *run) newKube(t *tunnel, caData string) (*kube, error) {
	name := d.env.ClusterName()
	cfg := map[string]any{
		"apiVersion": "v1", "kind": "Config", "current-context": name,
		"clusters": []any{map[string]any{"name": name, "cluster": map[string]any{
			"server": t.url(), "tls-server-name": t.host, "certificate-authority-data": caData,
		}}},
		"contexts": []any{map[string]any{"name": name, "context": map[string]any{"cluster": name, "user": name}}},
		"users": []any{map[string]any{"name": name, "user": map[string]any{"exec": map[string]any{
			"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
			"args":            []string{"eks", "get-token", "--output", "json", "--cluster-name", name, "--region", d.env.Region},
			"interactiveMode": "Never",
		}}}},
	}
	b, err := json.Marshal(cfg) // JSON is YAML: kubectl reads it
	if err != nil {
		return nil, err
	}
	path := filepath.Join(d.tmp, "kubeconfig")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	return &kube{d: d, kubeconfig: path}, nil
}

// get returns kubectl's JSON answer.
func (k *kube) get(ctx context.Context, args ...string) ([]byte, error) {
	return k.d.r.run(ctx, command{name: "kubectl", args: append([]string{"--kubeconfig", k.kubeconfig}, args...), capture: true})
}

// do runs a kubectl command that changes something, its output shown.
func (k *kube) do(ctx context.Context, args ...string) error {
	_, err := k.d.r.run(ctx, command{name: "kubectl", args: append([]string{"--kubeconfig", k.kubeconfig}, args...), label: "kubectl"})
	return err
}

// clusterAccess reads what kubectl and the tunnel need from the cluster stack's outputs.
func (d *run) clusterAccess(ctx context.Context) (endpoint, caData string, err error) {
	cl, err := d.readOutputs(ctx, "cluster")
	if err != nil {
		return "", "", err
	}
	v, err := cl.strs("cluster_endpoint", "cluster_certificate_authority_data")
	if err != nil {
		return "", "", fmt.Errorf("reaching the cluster: %v", err)
	}
	return v["cluster_endpoint"], v["cluster_certificate_authority_data"], nil
}
