//go:build chartrung

package gitops_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/go-sql-driver/mysql"
	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/constructs/database"
	"github.com/phl-platform/phl-platform/constructs/gateway"
)

// testDigest is a syntactically valid digest of no real image.
const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func mustRender(t *testing.T, extra ...string) map[string]map[string]any {
	t.Helper()
	out, err := render(t, extra...)
	if err != nil {
		t.Fatalf("render %v: %v\n%s", extra, err, out)
	}
	return objects(t, out)
}

func appContainer(t *testing.T, objs map[string]map[string]any) map[string]any {
	t.Helper()
	c, _ := dig(objs["Deployment/phl-store/phl-store"], "spec", "template", "spec", "containers", 0).(map[string]any)
	if c == nil {
		t.Fatal("no Deployment phl-store/phl-store with a container")
	}
	return c
}

// bootstrapJob is the one Job in the bootstrap's namespace, named phl-db-bootstrap-<hash>.
func bootstrapJob(t *testing.T, rendered string) map[string]any {
	t.Helper()
	var found []map[string]any
	for key, o := range objects(t, rendered) {
		if strings.HasPrefix(key, "Job/"+database.BootstrapServiceAccount.Namespace+"/phl-db-bootstrap") {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d bootstrap Jobs in %s, want 1", len(found), database.BootstrapServiceAccount.Namespace)
	}
	return found[0]
}

func jobName(t *testing.T, extra ...string) string {
	t.Helper()
	out, err := render(t, extra...)
	if err != nil {
		t.Fatalf("render %v: %v\n%s", extra, err, out)
	}
	name, _ := dig(bootstrapJob(t, out), "metadata", "name").(string)
	return name
}

func wave(o map[string]any) string {
	w, _ := dig(o, "metadata", "annotations", "argocd.argoproj.io/sync-wave").(string)
	if w == "" {
		return "0"
	}
	return w
}

// The root filesystem stays read-only; /tmp (Go's os.TempDir) is an emptyDir with a size limit.
func TestAppHasAWritableTmpOnAReadOnlyRoot(t *testing.T) {
	t.Parallel()
	objs := mustRender(t)
	c := appContainer(t, objs)
	if dig(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Fatalf("the app's root filesystem is not read-only: %v", dig(c, "securityContext"))
	}
	var volume any
	for _, m := range dig(c, "volumeMounts").([]any) {
		if dig(m, "mountPath") == "/tmp" && dig(m, "readOnly") != true {
			volume = dig(m, "name")
		}
	}
	if volume == nil {
		t.Fatalf("nothing writable is mounted at /tmp: %v", dig(c, "volumeMounts"))
	}
	for _, v := range dig(objs["Deployment/phl-store/phl-store"], "spec", "template", "spec", "volumes").([]any) {
		if dig(v, "name") == volume {
			if dig(v, "emptyDir", "sizeLimit") != "64Mi" {
				t.Fatalf("/tmp is %v, want an emptyDir of at most 64Mi", v)
			}
			return
		}
	}
	t.Fatalf("no volume %v", volume)
}

// The image is registry/repository, by digest when one is pinned and then pulled only when the
// node lacks it; by tag it is pulled on every start (a node's cached "latest" would otherwise run
// beside newer pulls: mixed builds). The registry may be an ECR pull-through cache prefix.
func TestAppImageIsRegistryRepositoryAndPulledIfNotPresent(t *testing.T) {
	t.Parallel()
	ecr := "111111111111.dkr.ecr.eu-west-1.amazonaws.com/docker-hub"
	for _, c := range []struct {
		name   string
		set    []string
		want   string
		policy string
	}{
		{"by tag", nil, "docker.io/zylwin/phl-store:latest", "Always"},
		{"by digest", []string{"--set", "image.digest=" + testDigest}, "docker.io/zylwin/phl-store@" + testDigest, "IfNotPresent"},
		{"through an ECR pull-through cache", []string{"--set", "image.registry=" + ecr + ",image.digest=" + testDigest}, ecr + "/zylwin/phl-store@" + testDigest, "IfNotPresent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct := appContainer(t, mustRender(t, c.set...))
			if ct["image"] != c.want || ct["imagePullPolicy"] != c.policy {
				t.Fatalf("image %v pulled %v; want %s, %s", ct["image"], ct["imagePullPolicy"], c.want, c.policy)
			}
		})
	}
}

// prod refuses an unpinned image: values-prod.yaml sets requireDigest, so without image.digest
// the schema fails naming it, as Argo CD would; with a digest prod renders by digest.
func TestProdRefusesAnUnpinnedImage(t *testing.T) {
	t.Parallel()
	out, err := renderEnv(t, "prod", "--set", "image.digest=")
	if err == nil || !strings.Contains(out, "at '/image/digest'") {
		t.Fatalf("prod rendered without image.digest (err %v); want the schema to refuse it at /image/digest:\n%.600s", err, out)
	}
	// As committed: unless values-prod.yaml pins a digest, prod does not render.
	b, err := os.ReadFile(filepath.Join(chart, "values-prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var prod struct {
		Image struct {
			Digest        string `yaml:"digest"`
			RequireDigest bool   `yaml:"requireDigest"`
		} `yaml:"image"`
	}
	if err := yaml.Unmarshal(b, &prod); err != nil {
		t.Fatal(err)
	}
	if !prod.Image.RequireDigest {
		t.Fatal("values-prod.yaml does not set image.requireDigest: true")
	}
	out, err = renderEnv(t, "prod")
	if pinned := prod.Image.Digest != ""; pinned != (err == nil) {
		t.Fatalf("values-prod.yaml digest %q, yet rendering prod as committed gave err %v:\n%.600s", prod.Image.Digest, err, out)
	}
	out, err = renderEnv(t, "prod", "-f", filepath.Join(chart, "ci", "prod-pins.yaml"))
	if err != nil {
		t.Fatalf("prod with ci/prod-pins.yaml: %v\n%s", err, out)
	}
	if img, _ := appContainer(t, objects(t, out))["image"].(string); !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(img) {
		t.Fatalf("prod image %s is not by digest", img)
	}
}

// Readiness is a TCP connect on the app's port: no database read per pod every period. The
// startup probe still reads through the database once, and the ALB health check the full list.
func TestReadinessIsATCPConnect(t *testing.T) {
	t.Parallel()
	c := appContainer(t, mustRender(t))
	if dig(c, "readinessProbe", "tcpSocket", "port") != "http" || dig(c, "readinessProbe", "httpGet") != nil {
		t.Fatalf("readinessProbe = %v; want tcpSocket on http only", dig(c, "readinessProbe"))
	}
	if dig(c, "startupProbe", "httpGet", "path") != "/api/products" {
		t.Fatalf("startupProbe = %v; want GET /api/products", dig(c, "startupProbe"))
	}
	// The ALB keeps the full path: a pod that cannot read the database leaves the target group.
	if gateway.HealthCheckPath != "/api/products" {
		t.Fatalf("the target group's health check is %s; want the full GET /api/products", gateway.HealthCheckPath)
	}
}

// The bootstrap is a plain Job, not a hook, named after its inputs: the same inputs give the same
// name (Argo CD finds it in sync and runs nothing), a new rotation, bootstrap digest, database
// name or secret give a new Job. No TTL (a deleted Job would be re-created by automated sync).
// Its objects come in waves before the app's.
func TestBootstrapRunsOnlyWhenItsInputsChange(t *testing.T) {
	t.Parallel()
	out, err := render(t)
	if err != nil {
		t.Fatal(out)
	}
	objs := objects(t, out)
	job := bootstrapJob(t, out)
	base, _ := dig(job, "metadata", "name").(string)
	if !regexp.MustCompile(`^phl-db-bootstrap-[0-9a-f]{10}$`).MatchString(base) {
		t.Fatalf("Job name %q: want phl-db-bootstrap-<10 hex>", base)
	}
	for key, o := range objs {
		annotations, _ := dig(o, "metadata", "annotations").(map[string]any)
		for a := range annotations {
			if strings.HasPrefix(a, "helm.sh/hook") || a == "argocd.argoproj.io/hook" || a == "argocd.argoproj.io/hook-delete-policy" {
				if !strings.HasPrefix(key, "Pod/phl-store/phl-store-test") {
					t.Errorf("%s is a hook (%s): the bootstrap must run only when its inputs change", key, a)
				}
			}
		}
	}
	if ttl := dig(job, "spec", "ttlSecondsAfterFinished"); ttl != nil {
		t.Errorf("ttlSecondsAfterFinished %v: the TTL controller's deletion makes the Application OutOfSync", ttl)
	}
	args := fmt.Sprint(dig(job, "spec", "template", "spec", "containers", 0, "args"))
	if !strings.Contains(args, "--min-rotation-interval=1h") {
		t.Errorf("args %s lack --min-rotation-interval=1h", args)
	}
	// Waves: bootstrap objects < Job < ExternalSecret (reads what the Job wrote) < Deployment.
	ns := database.BootstrapServiceAccount.Namespace
	order := []string{"ServiceAccount/" + ns + "/" + database.BootstrapServiceAccount.Name, "NetworkPolicy/" + ns + "/phl-db-bootstrap",
		"ConfigMap/" + ns + "/phl-store-rds-ca", "Job/" + ns + "/" + base, "ExternalSecret/phl-store/phl-store-config", "Deployment/phl-store/phl-store"}
	waves := map[string]int{}
	for _, k := range order {
		if objs[k] == nil {
			t.Fatalf("no %s", k)
		}
		var w int
		fmt.Sscan(wave(objs[k]), &w)
		waves[k] = w
	}
	for _, k := range order[:3] {
		if waves[k] >= waves[order[3]] {
			t.Errorf("%s (wave %d) is not before the Job (wave %d)", k, waves[k], waves[order[3]])
		}
	}
	if !(waves[order[3]] < waves[order[4]] && waves[order[4]] < waves[order[5]]) {
		t.Errorf("waves Job %d, ExternalSecret %d, Deployment %d: want strictly increasing", waves[order[3]], waves[order[4]], waves[order[5]])
	}

	for name, set := range map[string][]string{"an app image bump": {"--set", "image.digest=" + testDigest}, "more replicas": {"--set", "autoscaling.maxReplicas=5"}} {
		if got := jobName(t, set...); got != base {
			t.Errorf("%s renames the Job (%s -> %s): the bootstrap would run again", name, base, got)
		}
	}
	for name, set := range map[string][]string{
		"a rotation":             {"--set", "bootstrap.rotationId=2026-12"},
		"a new bootstrap image":  {"--set", "bootstrap.image.digest=" + testDigest},
		"another database":       {"--set", "database.name=catalog_v2"},
		"another app secret":     {"--set", "database.appSecretName=phl-dev/database/app2"},
		"another rotation guard": {"--set", "bootstrap.minRotationInterval=2h"},
	} {
		if got := jobName(t, set...); got == base {
			t.Errorf("%s keeps the Job name %s: the bootstrap would not run", name, base)
		}
	}
}

// database.name is what the bootstrap creates (--database) and what the app's DSN names.
func TestDatabaseNameReachesTheJobAndTheDSN(t *testing.T) {
	t.Parallel()
	out, err := render(t, "--set", "database.name=catalog_v2")
	if err != nil {
		t.Fatal(out)
	}
	args := dig(bootstrapJob(t, out), "spec", "template", "spec", "containers", 0, "args").([]any)
	n := 0
	for _, a := range args {
		if strings.HasPrefix(a.(string), "--database=") {
			n++
			if a != "--database=catalog_v2" {
				t.Errorf("bootstrap arg %s, want --database=catalog_v2", a)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d --database args in %v", n, args)
	}
	tpl, _ := dig(objects(t, out)["ExternalSecret/phl-store/phl-store-config"], "spec", "target", "template", "data", "config.json").(string)
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	var b strings.Builder
	secret := map[string]string{"username": "phl_app_a", "password": "p4ss", "host": "db.example", "port": "3306", "dbname": "products"}
	if err := template.Must(template.New("config").Funcs(funcs).Parse(tpl)).Execute(&b, secret); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"connection_string":"([^"]+)"`).FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("no connection_string in %s", b.String())
	}
	dsn, err := mysql.ParseDSN(m[1])
	if err != nil || dsn.DBName != "catalog_v2" {
		t.Fatalf("DSN %s: err %v; want database catalog_v2", m[1], err)
	}
}

// matches reports whether labels satisfy a matchLabels selector.
func matches(selector, labels any) bool {
	sel, _ := selector.(map[string]any)
	l, _ := labels.(map[string]any)
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if l[k] != v {
			return false
		}
	}
	return true
}

// The helm test pod shares no label (key and value) with the app's selector, so the test's egress
// selector never matches its own source pod (the VPC CNI policy agent has a reported drop then);
// the NetworkPolicies still let it reach the app and only the app.
func TestTestPodLabelsAreDisjointFromTheApps(t *testing.T) {
	t.Parallel()
	objs := mustRender(t)
	pod := objs["Pod/phl-store/phl-store-test-api"]
	testLabels, _ := dig(pod, "metadata", "labels").(map[string]any)
	appSelector, _ := dig(objs["Deployment/phl-store/phl-store"], "spec", "selector", "matchLabels").(map[string]any)
	appPodLabels := dig(objs["Deployment/phl-store/phl-store"], "spec", "template", "metadata", "labels")
	if len(testLabels) == 0 || len(appSelector) == 0 {
		t.Fatalf("test pod labels %v, app selector %v", testLabels, appSelector)
	}
	for k, v := range appSelector {
		if testLabels[k] == v {
			t.Errorf("the test pod has the app's selector label %s=%v", k, v)
		}
	}
	appPolicy, testPolicy := objs["NetworkPolicy/phl-store/phl-store"], objs["NetworkPolicy/phl-store/phl-store-test"]
	if !matches(dig(testPolicy, "spec", "podSelector", "matchLabels"), testLabels) {
		t.Errorf("the test NetworkPolicy does not select the test pod")
	}
	var inFromTest bool
	for _, from := range dig(appPolicy, "spec", "ingress", 0, "from").([]any) {
		inFromTest = inFromTest || matches(dig(from, "podSelector", "matchLabels"), testLabels)
	}
	if !inFromTest {
		t.Errorf("the app's NetworkPolicy lets nothing with the test pod's labels in")
	}
	egress := dig(testPolicy, "spec", "egress", 0, "to", 0, "podSelector", "matchLabels")
	if !matches(egress, appPodLabels) || matches(egress, testLabels) {
		t.Errorf("the test's egress selector %v: must select the app's pods %v and not the test pod %v", egress, appPodLabels, testLabels)
	}
}

// A Job's spec.template is immutable: a change Argo CD would apply to the completed bootstrap Job
// under the same name is refused ("field is immutable") and the sync stalls at wave -2. So any
// change to the pod template renames the Job, and a chart release alone changes neither.
func TestBootstrapJobTemplateChangesRenameTheJob(t *testing.T) {
	t.Parallel()
	job := func(dir string) (string, any) {
		out, err := renderChart(t, dir, "dev")
		if err != nil {
			t.Fatalf("render %s: %v\n%s", dir, err, out)
		}
		j := bootstrapJob(t, out)
		name, _ := dig(j, "metadata", "name").(string)
		return name, dig(j, "spec", "template")
	}
	baseName, baseTemplate := job(chart)
	for _, c := range []struct {
		name, file, from, to string
		rename               bool
	}{
		{"a chart release", "Chart.yaml", "\nversion: ", "\nversion: 99.0.0\n# was: ", false},
		{"a new memory limit", "templates/bootstrap/_podtemplate.tpl", "memory: 64Mi", "memory: 96Mi", true},
		{"a new container security context", "templates/_helpers.tpl", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: false\nprivileged: false", true},
	} {
		dir := filepath.Join(t.TempDir(), "phl-store")
		if err := os.CopyFS(dir, os.DirFS(chart)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, c.file)
		b, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(b), c.from) {
			t.Fatalf("%s: %s has no %q (%v)", c.name, c.file, c.from, err)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), c.from, c.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		name, template := job(dir)
		same := reflect.DeepEqual(template, baseTemplate)
		switch {
		case name == baseName && !same:
			t.Errorf("%s changes the bootstrap pod template under the same Job name %s: Argo CD would patch an immutable template", c.name, name)
		case c.rename && name == baseName:
			t.Errorf("%s keeps the Job name %s", c.name, name)
		case !c.rename && name != baseName:
			t.Errorf("%s renames the Job (%s -> %s): the bootstrap would run again for nothing", c.name, baseName, name)
		}
	}
}
