package config

import (
	"strings"
	"testing"
)

// deliveryDev is a document of its own, so these tests do not depend on config_test.go's fixtures.
const deliveryDev = `name: dev
account_id: "111111111111"
region: ap-southeast-1
availability_zones: [ap-southeast-1a, ap-southeast-1b]
gitops:
  repo_url: https://github.com/example/phl-platform.git
`

func TestDeliveryDefaults(t *testing.T) {
	env, err := Parse("environments/dev.yaml", []byte(deliveryDev))
	if err != nil {
		t.Fatal(err)
	}
	if env.Delivery.AppliesBy != AppliesByActions || env.Delivery.AtlantisAutoplanGitops {
		t.Errorf("delivery defaults = %+v; want applies_by actions, no gitops autoplan", env.Delivery)
	}
	env, err = Parse("environments/dev.yaml", []byte(deliveryDev+"delivery:\n  applies_by: atlantis\n  atlantis_autoplan_gitops: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if env.Delivery.AppliesBy != AppliesByAtlantis || !env.Delivery.AtlantisAutoplanGitops {
		t.Errorf("delivery = %+v; want what the file says", env.Delivery)
	}
}

// Each bad delivery value stops with one line naming the file, the key, the value and what is
// allowed.
func TestDeliveryErrors(t *testing.T) {
	for name, c := range map[string]struct {
		doc  string
		want []string
	}{
		"unknown tool": {"delivery:\n  applies_by: jenkins\n",
			[]string{`environments/dev.yaml: delivery.applies_by = "jenkins"`, "not a tool that applies this environment", "(allowed: actions, atlantis"}},
		"tool name in capitals": {"delivery:\n  applies_by: Atlantis\n",
			[]string{`delivery.applies_by = "Atlantis"`, "allowed: actions, atlantis"}},
		"autoplan switch not a boolean": {"delivery:\n  atlantis_autoplan_gitops: \"yes\"\n",
			[]string{`delivery.atlantis_autoplan_gitops = "yes"`, "not a boolean", "allowed: true or false"}},
		"unknown delivery key": {"delivery:\n  applied_by: atlantis\n",
			[]string{`delivery.applied_by = "atlantis"`, "unknown key", "allowed: applies_by, atlantis_autoplan_gitops"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("environments/dev.yaml", []byte(deliveryDev+c.doc))
			if err == nil {
				t.Fatalf("loaded:\n%s", c.doc)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}
