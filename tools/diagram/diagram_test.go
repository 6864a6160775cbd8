package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fixture builds the platform of the hand-written synthesis and charts in testdata, after
// edit (when not nil) changed the synthesis.
func fixture(t *testing.T, edit func(*Synth)) (*Platform, string) {
	t.Helper()
	s, err := ReadSynth("testdata/synth")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(s)
	}
	c, err := ReadCharts("testdata/charts")
	if err != nil {
		t.Fatal(err)
	}
	p, err := BuildPlatform(s, "t", c)
	if err != nil {
		t.Fatal(err)
	}
	return p, DOT(p)
}

// edges lists the "from" -> "to" pairs of the DOT whose attributes contain attr.
func edges(dot, attr string) []string {
	re := regexp.MustCompile(`(?m)^\s*("[^"]+"(?::"[^"]+")?) -> ("[^"]+"(?::"[^"]+")?) \[(.*)\];$`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(dot, -1) {
		if strings.Contains(m[3], attr) {
			out = append(out, m[1]+" -> "+m[2])
		}
	}
	return out
}

func TestStacksAreGroupsWithTheirDependencyArrows(t *testing.T) {
	_, dot := fixture(t, nil)
	for _, s := range []string{"t-network", "t-cluster", "t-database", "t-gateway", "t-gitops", "bootstrap-a"} {
		if !strings.Contains(dot, `subgraph "cluster_`+s+`" {`) {
			t.Errorf("no group for stack %s", s)
		}
	}
	// bootstrap-b belongs to another account.
	if strings.Contains(dot, "bootstrap-b") {
		t.Error("the other account's bootstrap stack is drawn")
	}
	got := edges(dot, `lhead="cluster_t-`)
	want := []string{
		`"stack.t-cluster" -> "stack.t-network"`,
		`"stack.t-database" -> "stack.t-network"`,
		`"stack.t-gateway" -> "stack.t-cluster"`,
		`"stack.t-gitops" -> "stack.t-database"`,
		`"stack.t-gitops" -> "stack.t-gateway"`,
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("dependency arrows (implied ones left out):\n got %q\nwant %q", got, want)
	}
}

func TestAnExtraAddonAppears(t *testing.T) {
	_, before := fixture(t, nil)
	if !strings.Contains(before, "2 EKS add-ons") || strings.Contains(before, "aws-ebs-csi-driver") {
		t.Fatalf("fixture: want 2 add-ons, no aws-ebs-csi-driver:\n%s", before)
	}
	_, dot := fixture(t, func(s *Synth) {
		s.Stacks["t-cluster"].Resources["aws_eks_addon"]["ebs"] = map[string]any{"addon_name": "aws-ebs-csi-driver"}
	})
	if !strings.Contains(dot, "3 EKS add-ons") || !strings.Contains(dot, `aws-ebs-csi-driver\ncoredns\nvpc-cni`) {
		t.Errorf("the extra add-on is not drawn (sorted, counted):\n%s", dot)
	}
}

func TestAZCountFollowsSubnets(t *testing.T) {
	p, dot := fixture(t, nil)
	if len(p.Network.AZs) != 2 || !strings.Contains(dot, "2 availability zones") {
		t.Fatalf("fixture: want 2 AZs, got %d", len(p.Network.AZs))
	}
	// zz-1a: public, private, database in tier order, and the NAT gateway of public-a.
	if az := p.Network.AZs[0]; az.Name != "zz-1a" || !az.NAT || az.Subnets[0].Tier != "public" || az.Subnets[2].Tier != "database" {
		t.Errorf("zz-1a = %+v", az)
	}
	if p.Network.AZs[1].NAT {
		t.Error("zz-1b has no NAT gateway in the fixture")
	}
	p, dot = fixture(t, func(s *Synth) {
		sub := s.Stacks["t-network"].Resources["aws_subnet"]
		for _, tier := range []string{"public", "private", "database"} {
			sub[tier+"-c"] = map[string]any{"availability_zone": "zz-1c", "cidr_block": "10.0.250.0/24", "tags": map[string]any{"tier": tier}}
		}
	})
	if len(p.Network.AZs) != 3 || !strings.Contains(dot, "3 availability zones") || !strings.Contains(dot, `"stack.t-network" -> "t-network.az2"`) {
		t.Errorf("a third AZ's subnets did not add an AZ:\n%s", dot)
	}
	p, _ = fixture(t, func(s *Synth) {
		sub := s.Stacks["t-network"].Resources["aws_subnet"]
		for _, id := range []string{"public-b", "private-b", "database-b"} {
			delete(sub, id)
		}
	})
	if len(p.Network.AZs) != 1 {
		t.Errorf("with zz-1b's subnets gone: %d AZs, want 1", len(p.Network.AZs))
	}
}

func TestAuroraWriterAndReadersFollowInstances(t *testing.T) {
	p, dot := fixture(t, nil)
	d := p.Database
	if d.Writer.ID != "t-db-1" || len(d.Readers) != 1 || d.Readers[0].ID != "t-db-2" {
		t.Errorf("writer %v, readers %v: want t-db-1 (promotion tier 0), then t-db-2", d.Writer, d.Readers)
	}
	if !strings.Contains(dot, `reader t-db-2`) {
		t.Error("the reader is not drawn")
	}
	p, _ = fixture(t, func(s *Synth) { delete(s.Stacks["t-database"].Resources["aws_rds_cluster_instance"], "i2") })
	if len(p.Database.Readers) != 0 {
		t.Errorf("one instance: readers %v", p.Database.Readers)
	}
}

func TestRequestPathGitOpsFlowAndSecrets(t *testing.T) {
	_, dot := fixture(t, nil)
	request := edges(dot, "color="+q(colRequest))
	want := []string{
		`"client" -> "gateway.cognito"`,
		`"client" -> "stack.t-gateway"`,
		`"stack.t-gateway" -> "gateway.vpclink"`,
		`"gateway.vpclink" -> "gateway.alb"`,
		`"gateway.alb" -> "k8s.phl-store"`,
		`"k8s.phl-store" -> "stack.t-database"`,
	}
	if !slices.Equal(request, want) {
		t.Errorf("request path:\n got %q\nwant %q", request, want)
	}
	gitops := edges(dot, "color="+q(colGitOps))
	want = []string{
		`"git" -> "stack.t-gitops"`,
		`"stack.t-gitops" -> "gitops.release.platform"`,
		`"gitops.release.platform" -> "k8s.wave-3"`,
		`"k8s.wave-3" -> "k8s.wave-2"`,
		`"k8s.wave-2" -> "k8s.phl-store"`,
	}
	if !slices.Equal(gitops, want) {
		t.Errorf("GitOps flow (waves in order):\n got %q\nwant %q", gitops, want)
	}
	secrets := edges(dot, "color="+q(colSecret)+", fontcolor")
	want = []string{
		`"database.master-secret" -> "k8s.bootstrap-job"`,
		`"k8s.bootstrap-job" -> "database.secret0"`,
		`"database.secret0" -> "k8s.wave-2":"external-secrets"`,
		`"k8s.wave-2":"external-secrets" -> "k8s.config-secret"`,
		`"k8s.config-secret" -> "k8s.phl-store"`,
	}
	if !slices.Equal(secrets, want) {
		t.Errorf("secret flow:\n got %q\nwant %q", secrets, want)
	}
	for _, s := range []string{`Secrets Manager\nt/database/app`, "read via aws-secrets-manager", `Kubernetes Secret\nphl-store-config`, `app client secret\nin Cognito`} {
		if !strings.Contains(dot, s) {
			t.Errorf("no %q in the DOT", s)
		}
	}
}

func TestChartsComponentsByWave(t *testing.T) {
	c, err := ReadCharts("testdata/charts")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, comp := range c.Components {
		got = append(got, comp.Name)
	}
	if want := []string{"cluster-manifests", "external-secrets", "phl-store"}; !slices.Equal(got, want) {
		t.Errorf("components %q, want %q (by wave)", got, want)
	}
	if cm, _ := c.Component("cluster-manifests"); !cm.Local || !slices.Equal(cm.Kinds, []string{"StorageClass"}) {
		t.Errorf("cluster-manifests = %+v", cm)
	}
	if es, _ := c.Component("external-secrets"); es.Local || es.Chart != "external-secrets" {
		t.Errorf("external-secrets = %+v", es)
	}
	// A component template without a wave cannot be drawn: an error, not a silent gap.
	d := t.TempDir()
	if err := os.CopyFS(d, os.DirFS("testdata/charts")); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(d, "platform/templates/components/external-secrets.yaml")
	b, _ := os.ReadFile(f)
	if err := os.WriteFile(f, []byte(strings.Replace(string(b), `"wave" -2`, "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCharts(d); err == nil || !strings.Contains(err.Error(), "no platform.applicationMetadata include") {
		t.Errorf("ReadCharts without a wave: %v", err)
	}
}

func TestUnknownEnvironment(t *testing.T) {
	s, err := ReadSynth("testdata/synth")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BuildPlatform(s, "qa", nil); err == nil || !strings.Contains(err.Error(), `no stack of environment "qa"`) {
		t.Errorf("BuildPlatform(qa): %v", err)
	}
}

func TestDOTIsDeterministic(t *testing.T) {
	_, first := fixture(t, nil)
	for range 20 {
		if _, again := fixture(t, nil); again != first {
			t.Fatal("two DOTs of the same input differ")
		}
	}
}

func TestStaleAndRender(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("Graphviz's dot is not installed (scripts/tools.sh installs it)")
	}
	files, err := Generate("testdata/synth", "t", "testdata/charts", false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(files["architecture.svg"]), "<?xml") {
		t.Fatal("no SVG")
	}
	d := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(d, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if s := Stale(files, d); len(s) != 0 {
		t.Errorf("fresh files reported stale: %q", s)
	}
	files["architecture.svg"] = append(files["architecture.svg"], ' ')
	if s := Stale(files, d); len(s) != 1 || s[0] != filepath.Join(d, "architecture.svg")+" is stale: run make diagram" {
		t.Errorf("a changed SVG: %q", s)
	}
}

// An add-on's own Pod Identity association (set on aws_eks_addon) is listed with the stack's
// associations.
func TestAddonPodIdentityAppears(t *testing.T) {
	_, dot := fixture(t, func(s *Synth) {
		s.Stacks["t-cluster"].Resources["aws_eks_addon"]["ebs"] = map[string]any{"addon_name": "aws-ebs-csi-driver",
			"pod_identity_association": []any{map[string]any{"service_account": "ebs-csi-controller-sa", "role_arn": "${aws_iam_role.r.arn}"}}}
	})
	if !strings.Contains(dot, "aws-ebs-csi-driver: ebs-csi-controller-sa") {
		t.Errorf("the add-on's Pod Identity association is not drawn:\n%s", dot)
	}
}
