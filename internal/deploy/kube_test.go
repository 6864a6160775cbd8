package deploy

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// The kubeconfig reaches the private endpoint through the tunnel and still verifies its
// certificate: server on 127.0.0.1, the endpoint's name for TLS, the cluster's CA, a token
// from `aws eks get-token`; readable by its owner only.
func TestKubeconfigThroughTheTunnel(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	d := w.run(w.options())
	k, err := d.newKube(&tunnel{port: 18443, host: "ABCDEF0123456789.gr7.ap-southeast-1.eks.amazonaws.com"}, "Q0EgZGF0YQ==")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(k.kubeconfig)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("kubeconfig %s: %v %v", k.kubeconfig, err, st)
	}
	b, _ := os.ReadFile(k.kubeconfig)
	var cfg struct {
		Clusters []struct {
			Cluster map[string]string `json:"cluster"`
		} `json:"clusters"`
		Users []struct {
			User struct {
				Exec struct {
					Command string   `json:"command"`
					Args    []string `json:"args"`
				} `json:"exec"`
			} `json:"user"`
		} `json:"users"`
		CurrentContext string `json:"current-context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil || len(cfg.Clusters) != 1 || len(cfg.Users) != 1 {
		t.Fatalf("kubeconfig does not parse: %v\n%s", err, b)
	}
	c := cfg.Clusters[0].Cluster
	if c["server"] != "https://127.0.0.1:18443" || c["tls-server-name"] != "ABCDEF0123456789.gr7.ap-southeast-1.eks.amazonaws.com" ||
		c["certificate-authority-data"] != "Q0EgZGF0YQ==" || c["insecure-skip-tls-verify"] != "" {
		t.Errorf("cluster = %v", c)
	}
	e := cfg.Users[0].User.Exec
	if e.Command != "aws" || !slices.Equal(e.Args, []string{"eks", "get-token", "--output", "json", "--cluster-name", "phl-dev", "--region", "ap-southeast-1"}) {
		t.Errorf("exec = %+v", e)
	}
	if cfg.CurrentContext != "phl-dev" {
		t.Errorf("current-context = %q", cfg.CurrentContext)
	}
}
