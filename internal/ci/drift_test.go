package ci

import (
	"strings"
	"testing"
)

func TestDriftReport(t *testing.T) {
	clean := []StackPlan{{Stack: "dev-network", Text: "No changes."}, {Stack: "dev-cluster", Text: "No changes."}}
	if _, drifted := DriftReport("dev", "https://run", clean); drifted {
		t.Error("empty plans reported as drift")
	}
	plans := append(clean,
		StackPlan{Stack: "dev-database", Counts: Counts{Change: 1}, Text: "  ~ aws_rds_cluster.this\n      ~ backup_retention_period = 14 -> 7"},
		StackPlan{Stack: "dev-gateway", Failed: true, Text: "Error: reading WAF"})
	if _, drifted := DriftReport("dev", "u", append(clean, StackPlan{Stack: "dev-gitops", Pending: true})); !drifted {
		t.Error("a stack that cannot be planned is not reported")
	}
	body, drifted := DriftReport("dev", "https://run", plans)
	if !drifted {
		t.Fatal("a changed stack is not drift")
	}
	for _, want := range []string{DriftMarker, "every dev stack on main (https://run)", "| dev-database | 0 | 1 | 0 |", "| dev-gateway | **plan failed** |", "backup_retention_period = 14 -> 7", "closes this issue"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "| dev-network |") {
		t.Errorf("a clean stack is listed:\n%s", body)
	}
	if DriftTitle("prod") != "Drift in prod" {
		t.Error(DriftTitle("prod"))
	}
}
