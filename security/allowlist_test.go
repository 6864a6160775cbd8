// Package security holds the reviewed allowlist of the IaC security scan and its checks.
package security

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type allowlist struct {
	Misconfigurations []struct {
		ID        string   `yaml:"id"`
		Paths     []string `yaml:"paths"`
		Statement string   `yaml:"statement"`
	} `yaml:"misconfigurations"`
}

// Every exception must say what it covers and why; a bare ID would silence a check everywhere.
func TestAllowlistEntriesAreReasoned(t *testing.T) {
	data, err := os.ReadFile("trivy-allowlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var a allowlist
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("trivy-allowlist.yaml: %v", err)
	}
	for i, m := range a.Misconfigurations {
		if !strings.HasPrefix(m.ID, "AVD-") && !strings.HasPrefix(m.ID, "AWS-") {
			t.Errorf("entry %d: id %q is not a trivy check ID", i, m.ID)
		}
		if len(strings.Fields(m.Statement)) < 5 {
			t.Errorf("entry %d (%s): statement %q does not explain the exception", i, m.ID, m.Statement)
		}
		if len(m.Paths) == 0 {
			t.Errorf("entry %d (%s): no paths; an exception must name the stacks it covers", i, m.ID)
		}
	}
}
