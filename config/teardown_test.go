package config

import (
	"strings"
	"testing"
)

// Documents of their own, so these tests do not depend on config_test.go's fixtures.
const (
	teardownDev = `name: dev
account_id: "111111111111"
region: ap-southeast-1
availability_zones: [ap-southeast-1a, ap-southeast-1b]
gitops:
  repo_url: https://github.com/example/phl-platform.git
`
	teardownProd = `name: prod
account_id: "222222222222"
region: ap-southeast-1
availability_zones: [ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]
state_backend:
  bucket: my-prod-state
gitops:
  repo_url: https://github.com/example/phl-platform.git
`
)

func TestTeardownIsOffByDefault(t *testing.T) {
	t.Setenv(TeardownConfirmVar, "dev")
	for _, doc := range []string{teardownDev, teardownDev + "teardown: false\n"} {
		env, err := Parse("environments/dev.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if env.Teardown {
			t.Errorf("teardown on without `teardown: true`:\n%s", doc)
		}
	}
}

// The switch is refused unless PHL_CONFIRM_TEARDOWN names this very environment, with one line
// naming the key, the value and what is allowed.
func TestTeardownNeedsTheConfirmationVariable(t *testing.T) {
	for _, confirm := range []string{"", "dev", "PROD", "prod "} {
		t.Run("confirm="+confirm, func(t *testing.T) {
			t.Setenv(TeardownConfirmVar, confirm)
			_, err := Parse("environments/prod.yaml", []byte(teardownProd+"teardown: true\n"))
			if err == nil {
				t.Fatalf("teardown: true loaded with %s=%q", TeardownConfirmVar, confirm)
			}
			msg := err.Error()
			for _, want := range []string{`environments/prod.yaml: teardown = "true"`, TeardownConfirmVar + "=prod", "allowed: false"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

// Confirmed, the environment is marked for teardown; what config requires of its database
// (prod: deletion protection and a final snapshot) is unchanged: stacks/database.go lifts only
// the protection, and the snapshot is still taken.
func TestTeardownConfirmed(t *testing.T) {
	t.Setenv(TeardownConfirmVar, "prod")
	env, err := Parse("environments/prod.yaml", []byte(teardownProd+"teardown: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !env.Teardown {
		t.Fatal("teardown: true with the confirmation did not mark the environment")
	}
	if !env.Database.DeletionProtection || !env.Database.FinalSnapshot {
		t.Errorf("teardown changed the configured database protections: %+v", env.Database)
	}
}

func TestTeardownIsATopLevelBoolean(t *testing.T) {
	t.Setenv(TeardownConfirmVar, "dev")
	for doc, want := range map[string]string{
		teardownDev + "teardown: yes\n":               `teardown = "yes": line 7: not a boolean`,
		teardownDev + "database:\n  teardown: true\n": `database.teardown = "true": line 8: unknown key`,
	} {
		_, err := Parse("environments/dev.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v; want %q", err, want)
		}
	}
}
