package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	smallOut    = "testdata/small"
	testPrices  = "testdata/prices"
	testAssumed = "testdata/assumptions.json"
)

// editedCopy copies testdata/small into a temporary folder, lets edit change the stacks
// (name -> parsed cdk.tf.json), and returns the folder.
func editedCopy(t *testing.T, edit func(stacks map[string]map[string]any)) string {
	t.Helper()
	dir := t.TempDir()
	stacks := map[string]map[string]any{}
	for _, s := range []string{"t-network", "t-cluster"} {
		b, err := os.ReadFile(filepath.Join(smallOut, "stacks", s, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		stacks[s] = m
	}
	edit(stacks)
	for s, m := range stacks {
		b, _ := json.Marshal(m)
		write(t, filepath.Join(dir, "stacks", s, "cdk.tf.json"), b)
	}
	b, err := os.ReadFile(filepath.Join(smallOut, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "manifest.json"), b)
	return dir
}

// editedAssumptions writes testdata/assumptions.json with environment t changed by edit.
func editedAssumptions(t *testing.T, edit func(env map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(testAssumed)
	if err != nil {
		t.Fatal(err)
	}
	var a map[string]any
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	edit(a["environments"].(map[string]any)["t"].(map[string]any))
	b, _ = json.Marshal(a)
	p := filepath.Join(t.TempDir(), "assumptions.json")
	write(t, p, b)
	return p
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func resources(m map[string]any) map[string]any { return m["resource"].(map[string]any) }

func runErr(t *testing.T, out, assumptions string) error {
	t.Helper()
	var buf bytes.Buffer
	return run(&buf, out, testPrices, assumptions, false, "")
}

// TestHandComputedSmallCase prices testdata/small with the round prices of
// testdata/prices/test-1.json and the figures of testdata/assumptions.json (730 h month):
//
//	t-network
//	  NAT gateway            730 h x 0.05                          = 36.50
//	  NAT data               100 GB x 0.05                         =  5.00
//	  EIP public IPv4        730 h x 0.005                         =  3.65
//	  sts endpoint           2 subnets x 730 h x 0.01              = 14.60
//	  endpoint data          10 GB (1 interface endpoint) x 0.01   =  0.10
//	  s3 gateway endpoint    free                                  =  0
//	  Aurora storage         20 GB x 0.1                           =  2.00
//	  Aurora I/O             10 million x 0.2                      =  2.00
//	  Aurora backup          0 GB x 0.02                           =  0
//	  RDS-managed secret     0.4                                   =  0.40
//	  db.t4g.medium          730 h x 0.1                           = 73.00
//	  KMS key                1                                     =  1.00
//	  secret                 0.4                                   =  0.40
//	  log group /t/flow      2 GB x 0.5 + 2 x 365/(365/12) = 24 GB stored x 0.03 = 1.00 + 0.72 = 1.72
//	  aws_iam_role, aws_subnet: no charge
//	                                                         total 140.37
//	t-cluster
//	  EKS control plane      730 h x 0.1                           = 73.00
//	  Karpenter (assumed)    1 x (730 h x 0.1 + 10 GB x 0.08)      = 73.80
//	  node group             2 x m6i.large (first type) x 730 x 0.1 = 146.00
//	  node volumes           2 x (4 + 50) GB gp3 x 0.08            =  8.64
//	  launch template, helm_release: no charge
//	                                                         total 301.44
//	environment t                                                  441.81
func TestHandComputedSmallCase(t *testing.T) {
	rep := smallReport(t)
	want := map[string]float64{"t-cluster": 301.44, "t-network": 140.37}
	for _, s := range rep.Stacks {
		if math.Abs(s.USD-want[s.Name]) > 1e-9 {
			t.Errorf("stack %s: $%.4f, want $%.2f; lines: %+v", s.Name, s.USD, want[s.Name], s.Lines)
		}
	}
	if len(rep.Stacks) != 2 {
		t.Fatalf("%d stacks, want 2", len(rep.Stacks))
	}
	if got := rep.EnvUSD("t"); math.Abs(got-441.81) > 1e-9 {
		t.Errorf("environment t: $%.4f, want $441.81", got)
	}
	if got := rep.Stacks[1].NoCharge; got["aws_iam_role"] != 1 || got["aws_subnet"] != 2 {
		t.Errorf("t-network no-charge counts %v, want aws_iam_role x1 and aws_subnet x2", got)
	}

	var text, md bytes.Buffer
	if err := run(&text, smallOut, testPrices, testAssumed, false, ""); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"-- stack t-network (test-1): $140.37", "environment t total: $441.81", "nat_processed_gb", "round test figures", "test-1: table written 2026-12-04", "https://example.invalid/pricing"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, text.String())
		}
	}
	if err := run(&md, smallOut, testPrices, testAssumed, true, ""); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| t | t-cluster | test-1 | $301.44 |", "| **t** | **total** | | **$441.81** |", "| t | nat_processed_gb | 100 |"} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("markdown lacks %q:\n%s", s, md.String())
		}
	}
}

func TestUnpricedTypeRefused(t *testing.T) {
	out := editedCopy(t, func(s map[string]map[string]any) {
		resources(s["t-network"])["aws_neptune_cluster"] = map[string]any{"graph": map[string]any{"engine": "neptune"}}
	})
	err := runErr(t, out, testAssumed)
	if err == nil || !strings.Contains(err.Error(), "aws_neptune_cluster (stack t-network, address aws_neptune_cluster.graph)") {
		t.Fatalf("err = %v, want the unpriced type refused with its stack and address", err)
	}
}

func TestMissingRegionRefused(t *testing.T) {
	out := editedCopy(t, func(s map[string]map[string]any) {
		s["t-cluster"]["provider"].(map[string]any)["aws"].([]any)[0].(map[string]any)["region"] = "eu-west-3"
	})
	err := runErr(t, out, testAssumed)
	if err == nil || !strings.Contains(err.Error(), "stack t-cluster: region eu-west-3 has no price table (have: test-1)") {
		t.Fatalf("err = %v, want the region without a price table refused", err)
	}
}

func TestMissingPriceRefused(t *testing.T) {
	out := editedCopy(t, func(s map[string]map[string]any) {
		resources(s["t-network"])["aws_rds_cluster_instance"].(map[string]any)["db-1"].(map[string]any)["instance_class"] = "db.r8g.large"
	})
	err := runErr(t, out, testAssumed)
	if err == nil || !strings.Contains(err.Error(), `price "rds.aurora-mysql.db.r8g.large.hour" missing from the test-1 price table`) {
		t.Fatalf("err = %v, want the missing instance price refused", err)
	}
}

func TestMissingAssumptionRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(env map[string]any)
		want string
	}{
		{"figure", func(e map[string]any) { delete(e, "nat_processed_gb") }, "assumption nat_processed_gb missing for environment t"},
		{"log prefix", func(e map[string]any) { e["log_ingest_gb"] = map[string]any{"/other/": 1.0} }, "log group /t/flow matches no log_ingest_gb prefix of environment t"},
		{"karpenter", func(e map[string]any) { delete(e, "karpenter_nodes") }, "assumption karpenter_nodes missing for environment t"},
		{"unknown key", func(e map[string]any) { e["nat_gb"] = 1.0 }, `unknown field "nat_gb"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runErr(t, smallOut, editedAssumptions(t, tc.edit))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestUnpricedConfigurationRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(s map[string]map[string]any)
		want string
	}{
		{"spot node group", func(s map[string]map[string]any) {
			resources(s["t-cluster"])["aws_eks_node_group"].(map[string]any)["critical"].(map[string]any)["capacity_type"] = "SPOT"
		}, "capacity_type SPOT is not priced"},
		{"I/O-optimized Aurora", func(s map[string]map[string]any) {
			resources(s["t-network"])["aws_rds_cluster"].(map[string]any)["db"].(map[string]any)["storage_type"] = "aurora-iopt1"
		}, `storage_type "aurora-iopt1" is not priced`},
		{"Gateway Load Balancer endpoint", func(s map[string]map[string]any) {
			resources(s["t-network"])["aws_vpc_endpoint"].(map[string]any)["s3"].(map[string]any)["vpc_endpoint_type"] = "GatewayLoadBalancer"
		}, `vpc_endpoint_type "GatewayLoadBalancer" is not priced`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runErr(t, editedCopy(t, tc.edit), testAssumed)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPriceWithoutSourceRefused(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testPrices, "test-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "test-1.json"), bytes.Replace(b, []byte(`"source": "https://example.invalid/pricing"`), []byte(`"source": ""`), 1))
	if _, err := loadPriceTables(dir); err == nil || !strings.Contains(err.Error(), "needs usd >= 0, unit, source and basis") {
		t.Fatalf("err = %v, want a price without a source refused", err)
	}
}

// TestCommittedTables checks the committed inputs load and the regions price the same keys
// (so a type priced in one supported region is priced in every one).
func TestCommittedTables(t *testing.T) {
	tables, err := loadPriceTables("prices")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tables["ap-southeast-1"]; !ok {
		t.Fatal("no ap-southeast-1 table (environments/*.yaml use it)")
	}
	keys := func(pt *PriceTable) []string { return sortedKeys(pt.Prices) }
	ref := keys(tables["ap-southeast-1"])
	for r, pt := range tables {
		if k := keys(pt); !slices.Equal(k, ref) {
			t.Errorf("%s prices %v, ap-southeast-1 prices %v", r, k, ref)
		}
	}
	if _, err := loadAssumptions("assumptions.json"); err != nil {
		t.Fatal(err)
	}
	for typ := range pricers {
		if _, ok := noCharge[typ]; ok {
			t.Errorf("%s is both priced and no-charge", typ)
		}
	}
}

// -docs write puts the estimate between the markers of README.md and docs/cost.md; -docs check
// passes on what it wrote and fails once a figure is edited by hand.
func TestDocsWriteThenCheck(t *testing.T) {
	root := t.TempDir()
	block := docsStart + "\nold\n" + docsEnd + "\n"
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"README.md", "docs/cost.md"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("# x\n\n"+block), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep := smallReport(t)
	if err := docs("check", root, rep); err == nil || !strings.Contains(err.Error(), "run make cost") {
		t.Fatalf("check before write: %v", err)
	}
	if err := docs("write", root, rep); err != nil {
		t.Fatal(err)
	}
	if err := docs("check", root, rep); err != nil {
		t.Fatalf("check after write: %v", err)
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	if !strings.Contains(string(readme), "$441.81") || strings.Contains(string(readme), "#### ") {
		t.Errorf("README's block is not the totals table:\n%s", readme)
	}
	edited := strings.Replace(string(readme), "$441.81", "$400.00", 1)
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := docs("check", root, rep); err == nil || !strings.Contains(err.Error(), "README.md") {
		t.Errorf("check after a hand edit: %v", err)
	}
}

// smallReport is the estimate of the small hand-written synthesis.
func smallReport(t *testing.T) *Report {
	t.Helper()
	stacks, err := loadStacks(smallOut)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := loadPriceTables(testPrices)
	if err != nil {
		t.Fatal(err)
	}
	as, err := loadAssumptions(testAssumed)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := estimate(stacks, tables, as)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
