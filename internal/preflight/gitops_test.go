package preflight

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

// pin is the environment's pin of a chart, as PinnedCharts reads it (whatever version the files
// hold now).
func pin(t *testing.T, h *harness, chart string) ChartPin {
	t.Helper()
	pins, err := PinnedCharts(h.env, h.out, chartsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pins {
		if p.Chart == chart {
			return p
		}
	}
	t.Fatalf("no pin of %s in %+v", chart, pins)
	return ChartPin{}
}

// The pins are every chart the platform chart's Applications take from a repository (each
// component template with a `chart:`), plus the gitops stack's Argo CD release.
func TestPinnedChartsAreEveryExternalChart(t *testing.T) {
	h := newHarness(t, "dev")
	pins, err := PinnedCharts(h.env, h.out, chartsDir)
	if err != nil {
		t.Fatal(err)
	}
	templates, _ := filepath.Glob(filepath.Join(chartsDir, "platform", "templates", "components", "*.yaml"))
	want := map[string]bool{"argo-cd": true}
	for _, f := range templates {
		data, _ := os.ReadFile(f)
		if m := regexp.MustCompile(`\n\s+chart: (\S+)\n`).FindSubmatch(data); m != nil {
			want[string(m[1])] = true
		}
	}
	got := map[string]bool{}
	for _, p := range pins {
		got[p.Chart] = true
		if p.Version == "" || p.Repository == "" || p.Source == "" {
			t.Errorf("incomplete pin %+v", p)
		}
	}
	if len(got) != len(want) || len(pins) != len(want) {
		t.Errorf("pins %v; want one of each of %v", got, want)
	}
	for c := range want {
		if !got[c] {
			t.Errorf("no pin of %s", c)
		}
	}
	if p := pin(t, h, "argo-cd"); p.Repository != "https://argoproj.github.io/argo-helm" || !strings.Contains(p.Source, "dev-gitops stack's helm_release") {
		t.Errorf("argo-cd pin %+v is not the stack's", p)
	}
}

// A version an HTTPS repository's index.yaml does not list fails, naming the newest it does and
// where the pin is set.
func TestChartVersionMissingFromIndex(t *testing.T) {
	h := newHarness(t, "dev").start()
	p := pin(t, h, "metrics-server")
	h.charts.Withdraw(p.Repository, p.Chart, p.Version)
	checks := h.run()
	expect(t, checks, "gitops.chart.metrics-server", Fail, "metrics-server "+p.Version+" is not in "+p.Repository+" (newest: 0.0.1)",
		"components.metricsServer.version in "+filepath.Join(chartsDir, "platform", "values.yaml"))
	expect(t, checks, "gitops.chart.reloader", Pass)
}

// The Argo CD chart pinned by the gitops stack: a version the repository lacks fails, naming
// the stack's release.
func TestArgoCDChartVersionMissing(t *testing.T) {
	h := newHarness(t, "prod").start()
	for _, rel := range h.stack("gitops").Resources("helm_release") {
		if rel.Attrs["chart"] == "argo-cd" {
			rel.Attrs["version"] = "10.9.99"
		}
	}
	expect(t, h.run(), "gitops.chart.argo-cd", Fail, "argo-cd 10.9.99 is not in https://argoproj.github.io/argo-helm", "prod-gitops stack's helm_release")
}

// A tag the OCI registry lacks fails; the registry was asked with an anonymous token, as
// public.ecr.aws requires, and its tags name the newest.
func TestChartVersionMissingFromOCI(t *testing.T) {
	h := newHarness(t, "prod").start()
	p := pin(t, h, "karpenter")
	expect(t, h.run(), "gitops.chart.karpenter", Pass, "karpenter "+p.Version+" is in "+p.Repository)
	h.charts.Withdraw(p.Repository, p.Chart, p.Version)
	expect(t, h.run(), "gitops.chart.karpenter", Fail, "karpenter "+p.Version+" is not in "+p.Repository+" (newest: 0.0.1)", "karpenter.version")
	asked := strings.Join(h.charts.Asked(), "\n")
	for _, want := range []string{"GET /public.ecr.aws/token", "HEAD /public.ecr.aws/v2/karpenter/karpenter/manifests/" + p.Version, "GET /public.ecr.aws/v2/karpenter/karpenter/tags/list"} {
		if !strings.Contains(asked, want) {
			t.Errorf("the registry was not asked %q:\n%s", want, asked)
		}
	}
}

// The gitops stack's values for the root release win over values.yaml: a Karpenter version it
// passes (in the jsonencode expression cdktf writes) is the one checked.
func TestStackValuesOverrideValuesYAML(t *testing.T) {
	h := newHarness(t, "dev").start()
	h.addResource("gitops", "helm_release", "gitops_root_4ED5A75B", map[string]any{
		"name": "platform", "chart": "assets/gitops_root-chart/HASH",
		"values": []any{`${jsonencode({"aws" = {"accountId" = "111111111111"}, "karpenter" = {"nodeRoleName" = data.terraform_remote_state.x.outputs.y, "version" = "1.99.0"}, "repoURL" = "https://example.com/x.git"})}`},
	})
	p := pin(t, h, "karpenter")
	if p.Version != "1.99.0" || !strings.Contains(p.Source, "set by the gitops stack's helm_release gitops_root_4ED5A75B") {
		t.Fatalf("karpenter pin %+v; want the stack's 1.99.0", p)
	}
	expect(t, h.run(), "gitops.chart.karpenter", Fail, "karpenter 1.99.0 is not in")
	// A values document in YAML is read the same way; the last one wins.
	rel := Resource{Attrs: map[string]any{"values": []any{"karpenter:\n  version: 1.2.3\n", "karpenter:\n  version: 1.2.4\n"}}}
	if v, ok := releaseValue(rel, []string{"karpenter", "version"}); !ok || v != "1.2.4" {
		t.Errorf("YAML values: %q %v", v, ok)
	}
}

// A repository that cannot be reached fails with the URL and the reason.
func TestChartRepositoryUnreachable(t *testing.T) {
	h := newHarness(t, "dev").start()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	checks := h.runWith(Options{Charts: chartsDir, Repos: NewChartRepos(nil, closed.URL)})
	expect(t, checks, "gitops.chart.argo-cd", Fail, "cannot read https://argoproj.github.io/argo-helm: GET https://argoproj.github.io/argo-helm/index.yaml: dial tcp", "HTTPS_PROXY")
	expect(t, checks, "gitops.chart.karpenter", Fail, "cannot read public.ecr.aws/karpenter: HEAD https://public.ecr.aws/v2/karpenter/karpenter/manifests/")
	// A host that answers, but not as a Helm repository.
	checks = h.runWith(Options{Charts: chartsDir, Repos: NewChartRepos(h.charts.Client(), h.charts.URL+"/elsewhere")})
	expect(t, checks, "gitops.chart.argo-cd", Fail, "index.yaml: HTTP 404 (not a Helm repository?)")
}

// Each repository's index is fetched once per run of several environments.
func TestChartIndexFetchedOnce(t *testing.T) {
	h := newHarness(t, "dev").start()
	repos := NewChartRepos(h.charts.Client(), h.charts.URL)
	h.runWith(Options{Charts: chartsDir, Repos: repos})
	h.runWith(Options{Charts: chartsDir, Repos: repos})
	n := 0
	for _, a := range h.charts.Asked() {
		if a == "GET /argoproj.github.io/argo-helm/index.yaml" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("argo-helm index fetched %d times", n)
	}
}

func TestChartsFolderMissing(t *testing.T) {
	h := newHarness(t, "dev")
	checks := h.runWith(Options{Charts: filepath.Join(t.TempDir(), "charts"), Repos: NewChartRepos(nil, "http://127.0.0.1:1")})
	expect(t, checks, "gitops.charts", Fail, "platform/values.yaml: no such file", "-charts")
	expect(t, checks, "gitops.karpenter-ami", Fail, "karpenter-nodes values", "-charts")
}

// A template whose chart version is not a value preflight can read is an error, not a skip.
func TestTemplateSourceUnreadable(t *testing.T) {
	f := filepath.Join(t.TempDir(), "x.yaml")
	os.WriteFile(f, []byte("{{- $c := .Values.components.x }}\nspec:\n  source:\n    repoURL: {{ $c.repoURL | quote }}\n    chart: x\n    targetRevision: 1.0.0\n"), 0o644)
	if _, err := templateSource(f); err == nil || !strings.Contains(err.Error(), "chart x without `targetRevision") {
		t.Errorf("err = %v", err)
	}
	os.WriteFile(f, []byte("spec:\n  source:\n    repoURL: {{ .Values.repoURL | quote }}\n    path: gitops/charts/x\n"), 0o644)
	if src, err := templateSource(f); err != nil || src.chart != "" {
		t.Errorf("a path source: %+v %v", src, err)
	}
}

// The karpenter-nodes alias resolves through Bottlerocket's public parameter: a release (prod's
// pin) or latest (dev) without an AMI for the Kubernetes version fails.
func TestKarpenterAMIMissing(t *testing.T) {
	for _, env := range []string{"dev", "prod"} {
		t.Run(env, func(t *testing.T) {
			h := newHarness(t, env)
			alias, _, file, err := karpenterNodes(chartsDir, env)
			if err != nil {
				t.Fatal(err)
			}
			k8s := h.env.Cluster.KubernetesVersion
			expect(t, h.run(), "gitops.karpenter-ami", Pass, alias+" resolves for Kubernetes "+k8s, "x86_64 "+healthyAMI)
			h.account(func(a *awsfake.Account) { clear(a.Parameters) })
			_, release, _ := strings.Cut(alias, "@")
			expect(t, h.run(), "gitops.karpenter-ami", Fail,
				alias+" has no aws-k8s-"+k8s+" x86_64 AMI in ap-southeast-1 (no /aws/service/bottlerocket/aws-k8s-"+k8s+"/x86_64/"+strings.TrimPrefix(release, "v")+"/image_id)",
				"nodeClass.amiAlias in "+file)
		})
	}
}

// The parameter read refused: the SSM error, and the policy as the fix.
func TestKarpenterAMIDenied(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) { a.Deny["ssm:GetParameter"] = true })
	expect(t, h.run(), "gitops.karpenter-ami", Fail, "ssm:GetParameter /aws/service/bottlerocket/", "AccessDeniedException", "preflight policy")
}

// A node group that pins a Bottlerocket release: one without an AMI for the version fails.
func TestNodeGroupReleaseMissing(t *testing.T) {
	h := newHarness(t, "prod")
	h.resource("cluster", "aws_eks_node_group")["release_version"] = "1.99.0-deadbeef"
	expect(t, h.run(), "cluster.node-group-release", Fail,
		"node group critical pins Bottlerocket 1.99.0-deadbeef, which has no aws-k8s-1.35 x86_64 AMI", "/aws/service/bottlerocket/aws-k8s-1.35/x86_64/1.99.0-deadbeef/image_id")
	h.account(func(a *awsfake.Account) {
		a.Parameters["/aws/service/bottlerocket/aws-k8s-1.35/x86_64/1.99.0-deadbeef/image_id"] = "ami-0fedcba9876543210"
	})
	expect(t, h.run(), "cluster.node-group-release", Pass, "ami-0fedcba9876543210")
}

func TestSSMErrorCodes(t *testing.T) {
	for body, want := range map[string]string{
		`{"__type":"com.amazonaws.ssm#ParameterNotFound","message":""}`: "ParameterNotFound",
		`{"__type":"AccessDeniedException","Message":"no"}`:             "AccessDeniedException",
	} {
		err := jsonError(&http.Response{StatusCode: 400, Header: http.Header{}}, []byte(body))
		if errorCode(err) != want {
			t.Errorf("%s: code %q; want %q", body, errorCode(err), want)
		}
	}
}

func TestVersionsNewestFirst(t *testing.T) {
	got := strings.Join(newestFirst([]string{"1.9.0", "v1.10.0", "1.10.0-rc.1", "0.0.1", "1.10.1"}), " ")
	if got != "1.10.1 v1.10.0 1.10.0-rc.1 1.9.0 0.0.1" {
		t.Errorf("order %s", got)
	}
}

// copyCharts copies this repository's gitops/charts to a temporary folder, to plant defects in.
func copyCharts(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "charts")
	if err := os.CopyFS(dst, os.DirFS(chartsDir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// replaceIn edits a copied file, failing when old is not in it.
func replaceIn(t *testing.T, file string, old *regexp.Regexp, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil || !old.Match(data) {
		t.Fatalf("%s: no %s (%v)", file, old, err)
	}
	if err := os.WriteFile(file, old.ReplaceAll(data, []byte(new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The defects planted in the real files: a metrics-server version its repository does not
// publish (values.yaml), and a Bottlerocket release without an AMI (values-prod.yaml).
func TestDefectsPlantedInTheChartFiles(t *testing.T) {
	h := newHarness(t, "prod").start()
	dir := copyCharts(t)
	replaceIn(t, filepath.Join(dir, "platform", "values.yaml"),
		regexp.MustCompile(`(metricsServer:(?:\n .*)*?\n    version: )"[^"]+"`), `${1}"3.99.0"`)
	replaceIn(t, filepath.Join(dir, "karpenter-nodes", "values-prod.yaml"),
		regexp.MustCompile(`amiAlias: bottlerocket@\S+`), "amiAlias: bottlerocket@v1.99.0")
	checks := h.runWith(Options{Charts: dir, Repos: NewChartRepos(h.charts.Client(), h.charts.URL)})
	expect(t, checks, "gitops.chart.metrics-server", Fail, "metrics-server 3.99.0 is not in", "components.metricsServer.version in "+filepath.Join(dir, "platform", "values.yaml"))
	expect(t, checks, "gitops.karpenter-ami", Fail, "bottlerocket@v1.99.0 has no aws-k8s-", "/x86_64/1.99.0/image_id", "values-prod.yaml")
	expect(t, checks, "gitops.chart.reloader", Pass)
}
