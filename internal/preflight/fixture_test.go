package preflight

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// The tests read testdata/out: the shipped dev and prod environments' real synthesized stacks,
// trimmed to what preflight reads (keep below). TestFixtureMatchesSynth keeps it honest.
//
//	PHL_CDKTF_OUT=$PWD/cdktf.out go test ./internal/preflight -run TestFixtureMatchesSynth          compare
//	PHL_CDKTF_OUT=$PWD/cdktf.out go test ./internal/preflight -run TestFixtureMatchesSynth -update  rewrite
//
// (from the shipped files: make synth; -update needs dev and prod, the comparison takes those
// it finds).
const cdktfOutVar = "PHL_CDKTF_OUT"

var update = flag.Bool("update", false, "rewrite testdata/out from "+cdktfOutVar)

// keep is, per resource type, the attributes preflight reads.
var keep = map[string][]string{
	"aws_vpc":                      {"cidr_block"},
	"aws_eip":                      {"domain"},
	"aws_nat_gateway":              {"subnet_id"},
	"aws_subnet":                   {"availability_zone"},
	"aws_eks_cluster":              {"name", "version", "upgrade_policy"},
	"aws_eks_node_group":           {"node_group_name", "instance_types", "scaling_config", "capacity_type", "ami_type", "release_version"},
	"aws_eks_addon":                {"addon_name", "addon_version", "configuration_values"},
	"aws_eks_access_entry":         {"principal_arn", "type"},
	"aws_rds_cluster":              {"engine", "engine_version", "enabled_cloudwatch_logs_exports"},
	"aws_rds_cluster_instance":     {"instance_class", "availability_zone", "performance_insights_enabled", "ca_cert_identifier"},
	"aws_cognito_user_pool_domain": {"domain", "certificate_arn"},
	"aws_lb_listener":              {"protocol", "certificate_arn"},
	"aws_route53_record":           {"zone_id", "name"},
	// Releases of a repository's chart; the local platform chart (an asset whose path changes
	// with every edit of the chart) is not kept: preflight reads gitops/charts itself.
	"helm_release": {"repository", "chart", "version"},
}

var fixtureStacks = []string{"dev", "prod"}

// trim keeps a stack's backend, provider region and account, and the attributes in keep.
func trim(doc map[string]any) map[string]any {
	out := map[string]any{}
	if b := path(doc, "terraform", "backend"); b != nil {
		out["terraform"] = map[string]any{"backend": b}
	}
	if list, _ := path(doc, "provider", "aws").([]any); len(list) > 0 {
		p, _ := list[0].(map[string]any)
		out["provider"] = map[string]any{"aws": []any{map[string]any{"region": p["region"], "allowed_account_ids": p["allowed_account_ids"]}}}
	}
	resources := map[string]any{}
	all, _ := doc["resource"].(map[string]any)
	for typ, attrs := range keep {
		byName, _ := all[typ].(map[string]any)
		if len(byName) == 0 {
			continue
		}
		kept := map[string]any{}
		for name, body := range byName {
			b, _ := body.(map[string]any)
			if typ == "helm_release" && b["repository"] == nil {
				continue
			}
			r := map[string]any{}
			for _, a := range attrs {
				if v, ok := b[a]; ok {
					r[a] = v
				}
			}
			kept[name] = r
		}
		resources[typ] = kept
	}
	out["resource"] = resources
	return out
}

func fixtureNames() []string {
	var names []string
	for _, env := range fixtureStacks {
		for _, c := range Components {
			names = append(names, env+"-"+c)
		}
	}
	sort.Strings(names)
	return names
}

func TestFixtureMatchesSynth(t *testing.T) {
	dir := os.Getenv(cdktfOutVar)
	if dir == "" {
		t.Skip(cdktfOutVar + " is not set: the committed fixture is not compared with a synth")
	}
	real, err := LoadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	manifest := map[string]any{}
	compared := 0
	for _, name := range fixtureNames() {
		s := real.Stack(name)
		if s == nil && *update {
			t.Fatalf("%s lacks stack %s: synthesize dev and prod", dir, name)
		}
		if s == nil {
			continue // that environment was not selected
		}
		compared++
		rel := filepath.Join("stacks", name, "cdk.tf.json")
		manifest[name] = map[string]any{"synthesizedStackPath": rel}
		want := trim(s.Doc)
		file := filepath.Join("testdata", "out", rel)
		if *update {
			writeJSON(t, file, want)
			continue
		}
		var got map[string]any
		data, err := os.ReadFile(file)
		if err == nil {
			err = json.Unmarshal(data, &got)
		}
		if err != nil || !reflect.DeepEqual(got, roundTrip(t, want)) {
			t.Errorf("%s differs from the trimmed synth of %s (%v): rerun with -update and review the diff", file, name, err)
		}
	}
	if *update {
		writeJSON(t, filepath.Join("testdata", "out", "manifest.json"), map[string]any{"stacks": manifest})
	}
	if compared == 0 {
		t.Errorf("%s holds none of %v: synthesize dev or prod", dir, fixtureNames())
	}
}

func writeJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func roundTrip(t *testing.T, v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
