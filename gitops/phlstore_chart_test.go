//go:build chartrung

// Package gitops_test checks the phl-store chart's rendered output with the helm the Kubernetes
// rung builds (PHL_HELM): every schema rule rejects what it should, the config the
// ExternalSecret renders is the DSN the app and its TLS need, and the objects that roll pods on
// a change point at each other. Run by `ONLY_RUNG=6 make test`.
package gitops_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/go-sql-driver/mysql"
	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/constructs/database"
)

// chart is the phl-store chart; PHL_CHARTS_DIR points the rung's self-test at a planted copy.
var chart = filepath.Join(envOr("PHL_CHARTS_DIR", "charts"), "phl-store")

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// render runs helm template on the dev values plus extra --set-json/--set/-f flags.
func render(t *testing.T, extra ...string) (string, error) {
	t.Helper()
	return renderEnv(t, "dev", extra...)
}

// renderEnv runs helm template on values-<env>.yaml and ci/<env>-values.yaml (not the pins) plus
// extra flags.
func renderEnv(t *testing.T, env string, extra ...string) (string, error) {
	t.Helper()
	return renderChart(t, chart, env, extra...)
}

// renderChart is renderEnv on the chart in dir (a changed copy).
func renderChart(t *testing.T, chart, env string, extra ...string) (string, error) {
	t.Helper()
	helm := os.Getenv("PHL_HELM")
	if helm == "" {
		t.Fatal("PHL_HELM is not set: run these tests through the Kubernetes rung (ONLY_RUNG=6 make test)")
	}
	args := append([]string{"template", "phl-store", chart, "--namespace", "phl-store", "--kube-version", os.Getenv("PHL_KUBE_VERSION"),
		"-f", filepath.Join(chart, "values-"+env+".yaml"), "-f", filepath.Join(chart, "ci", env+"-values.yaml")}, extra...)
	out, err := exec.Command(helm, args...).CombinedOutput()
	return string(out), err
}

func objects(t *testing.T, rendered string) map[string]map[string]any {
	t.Helper()
	byKindName := map[string]map[string]any{}
	dec := yaml.NewDecoder(strings.NewReader(rendered))
	for {
		var o map[string]any
		if err := dec.Decode(&o); err != nil {
			break
		}
		if o == nil {
			continue
		}
		md := o["metadata"].(map[string]any)
		byKindName[o["kind"].(string)+"/"+md["namespace"].(string)+"/"+md["name"].(string)] = o
	}
	return byKindName
}

func dig(o any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := o.(map[string]any)
			o = m[k]
		case int:
			l, _ := o.([]any)
			if k >= len(l) {
				return nil
			}
			o = l[k]
		}
	}
	return o
}

func TestBadValuesAreRejected(t *testing.T) {
	t.Parallel()
	if out, err := render(t); err != nil {
		t.Fatalf("the CI values do not render: %v\n%s", err, out)
	}
	cases := []struct {
		name string
		set  []string
		want string
	}{
		{"digest without sha256", []string{"--set", "image.digest=abc"}, "/image/digest"},
		{"tag with a space", []string{"--set-json", `image.tag="v 1"`}, "/image/tag"},
		{"one replica minimum", []string{"--set", "autoscaling.minReplicas=1"}, "/autoscaling/minReplicas"},
		{"min above max", []string{"--set", "autoscaling.minReplicas=5,autoscaling.maxReplicas=3"}, "autoscaling.minReplicas (5) is above autoscaling.maxReplicas (3)"},
		{"CPU target 100", []string{"--set", "autoscaling.targetCPUUtilizationPercentage=100"}, "/autoscaling/targetCPUUtilizationPercentage"},
		{"no memory request", []string{"--set-json", "resources.requests.memory=null"}, "/resources/requests"},
		{"memory as a word", []string{"--set", "resources.limits.memory=lots"}, "/resources/limits/memory"},
		{"another port", []string{"--set", "port=80"}, "/port"},
		{"shutdown shorter than deregistration", []string{"--set", "shutdownDelaySeconds=30"}, "/shutdownDelaySeconds"},
		{"root user", []string{"--set", "runAsUser=0"}, "/runAsUser"},
		{"refresh interval in words", []string{"--set", "config.refreshInterval=soon"}, "/config/refreshInterval"},
		{"secret outside the environment's prefix", []string{"--set", "database.appSecretName=shared/db"}, "/database/appSecretName"},
		{"no database subnets", []string{"--set-json", "database.subnetCidrs=[]"}, "/database/subnetCidrs"},
		{"database egress to anywhere", []string{"--set-json", `database.subnetCidrs=["0.0.0.0/0"]`}, "/database/subnetCidrs/0"},
		{"CA bundle that is no PEM", []string{"--set", "database.caBundle=none"}, "/database/caBundle"},
		{"target group ARN of another service", []string{"--set", "targetGroupBinding.targetGroupArn=arn:aws:s3:::bucket"}, "/targetGroupBinding/targetGroupArn"},
		{"ingress from anywhere", []string{"--set-json", `networkPolicy.ingressCidrs=["0.0.0.0/0"]`}, "/networkPolicy/ingressCidrs/0"},
		{"ingress from half the internet", []string{"--set-json", `networkPolicy.ingressCidrs=["0.0.0.0/1"]`}, "/networkPolicy/ingressCidrs/0"},
		{"bootstrap in another namespace", []string{"--set", "bootstrap.namespace=default"}, "/bootstrap/namespace"},
		{"bootstrap as another service account", []string{"--set", "bootstrap.serviceAccount=default"}, "/bootstrap/serviceAccount"},
		{"bootstrap without an image digest", []string{"--set", "bootstrap.image.digest="}, "/bootstrap/image/digest"},
		{"master secret that is no ARN", []string{"--set", "bootstrap.masterSecretArn=rds-master"}, "/bootstrap/masterSecretArn"},
		{"database name that needs quoting", []string{"--set", "database.name=drop;"}, "/database/name"},
		{"a system schema as the database", []string{"--set", "database.name=mysql"}, "/database/name"},
		{"registry with a scheme", []string{"--set", "image.registry=https://docker.io"}, "/image/registry"},
		{"digest required but empty", []string{"--set", "image.requireDigest=true"}, "/image/digest"},
		{"minimum rotation interval in days", []string{"--set", "bootstrap.minRotationInterval=1d"}, "/bootstrap/minRotationInterval"},
		{"tmp size as a word", []string{"--set", "tmpSizeLimit=big"}, "/tmpSizeLimit"},
		{"rotation ID with a space", []string{"--set-json", `bootstrap.rotationId="a b"`}, "/bootstrap/rotationId"},
		{"bootstrap deadline too short", []string{"--set", "bootstrap.activeDeadlineSeconds=10"}, "/bootstrap/activeDeadlineSeconds"},
		{"test image by tag", []string{"--set", "tests.image=curlimages/curl:latest"}, "/tests/image"},
		{"a misspelt key", []string{"--set", "replicas=3"}, "additional properties 'replicas' not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := render(t, c.set...)
			if err == nil {
				t.Fatalf("rendered; want an error naming %q", c.want)
			}
			if !strings.Contains(out, c.want) {
				t.Fatalf("error does not name %q:\n%s", c.want, out)
			}
		})
	}
}

// The ExternalSecret's template, run with External Secrets' engine (Go text/template with
// sprig's functions) on the secret the bootstrap writes, gives the config.json of the app's
// contract: a go-sql-driver DSN with verified TLS, and the port as a string.
func TestConfigIsTheAppsDSNWithVerifiedTLS(t *testing.T) {
	t.Parallel()
	out, err := render(t)
	if err != nil {
		t.Fatal(out)
	}
	es := objects(t, out)["ExternalSecret/phl-store/phl-store-config"]
	tpl, _ := dig(es, "spec", "target", "template", "data", "config.json").(string)
	if tpl == "" {
		t.Fatalf("no config.json template in %v", es)
	}
	// What dbbootstrap writes; External Secrets' extract turns every value into a string.
	secret := map[string]string{"username": "phl_app_b", "password": "Zx81abcDEF0123456789abcdefghijkl", "host": "phl-dev.cluster-c0ffee.eu-west-1.rds.amazonaws.com",
		"port": "3306", "dbname": "products", "rotation_id": "2026-11"}
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	var b strings.Builder
	if err := template.Must(template.New("config").Funcs(funcs).Parse(tpl)).Execute(&b, secret); err != nil {
		t.Fatal(err)
	}
	var config struct {
		ConnectionString string `json:"connection_string"`
		Port             string `json:"port"`
	}
	if err := json.Unmarshal([]byte(b.String()), &config); err != nil {
		t.Fatalf("config.json is not JSON: %v\n%s", err, b.String())
	}
	dsn, err := mysql.ParseDSN(config.ConnectionString)
	if err != nil {
		t.Fatal(err)
	}
	if dsn.User != "phl_app_b" || dsn.Passwd != secret["password"] || dsn.Addr != secret["host"]+":3306" || dsn.DBName != "products" || dsn.TLSConfig != "true" || config.Port != "8080" {
		t.Fatalf("config %+v, DSN %+v", config, dsn)
	}
}

// Pods roll when their configuration changes: Reloader watches the Secret the ExternalSecret
// writes and the pods mount; a new CA bundle changes the pod template itself. Go reads the
// bundle from SSL_CERT_FILE, which names the mounted file.
func TestPodsRollOnConfigChangesAndTrustTheMountedCA(t *testing.T) {
	t.Parallel()
	out, err := render(t)
	if err != nil {
		t.Fatal(out)
	}
	objs := objects(t, out)
	es, deploy := objs["ExternalSecret/phl-store/phl-store-config"], objs["Deployment/phl-store/phl-store"]
	target := dig(es, "spec", "target", "name")
	watched := dig(deploy, "metadata", "annotations", "secret.reloader.stakater.com/reload")
	pod := dig(deploy, "spec", "template", "spec")
	var mounted any
	for _, v := range dig(pod, "volumes").([]any) {
		if s := dig(v, "secret", "secretName"); s != nil {
			mounted = s
		}
	}
	if target == nil || watched != target || mounted != target {
		t.Fatalf("ExternalSecret writes %v, Reloader watches %v, the pod mounts %v", target, watched, mounted)
	}
	var certFile, caMount any
	for _, e := range dig(pod, "containers", 0, "env").([]any) {
		if dig(e, "name") == "SSL_CERT_FILE" {
			certFile = dig(e, "value")
		}
	}
	for _, m := range dig(pod, "containers", 0, "volumeMounts").([]any) {
		if dig(m, "name") == "rds-ca" {
			caMount = dig(m, "mountPath").(string) + "/ca.pem"
		}
	}
	if certFile == nil || certFile != caMount || dig(objs["ConfigMap/phl-store/phl-store-rds-ca"], "data", "ca.pem") == nil {
		t.Fatalf("SSL_CERT_FILE %v, CA mounted at %v", certFile, caMount)
	}

	before := dig(deploy, "spec", "template", "metadata", "annotations", "checksum/rds-ca")
	out2, err := render(t, "--set", "database.caBundle=-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	if err != nil {
		t.Fatal(out2)
	}
	after := dig(objects(t, out2)["Deployment/phl-store/phl-store"], "spec", "template", "metadata", "annotations", "checksum/rds-ca")
	if before == nil || before == after {
		t.Fatalf("a new CA bundle leaves the pod template unchanged (%v)", before)
	}
}

// The bootstrap Job runs as exactly the service account the database stack's Pod Identity
// association names; any other gets no AWS credentials.
func TestBootstrapRunsAsTheAssociatedServiceAccount(t *testing.T) {
	t.Parallel()
	out, err := render(t)
	if err != nil {
		t.Fatal(out)
	}
	sa := database.BootstrapServiceAccount
	job := bootstrapJob(t, out)
	if job == nil || dig(job, "spec", "template", "spec", "serviceAccountName") != sa.Name {
		t.Fatalf("no bootstrap Job in %s running as %s: %v", sa.Namespace, sa.Name, dig(job, "spec", "template", "spec"))
	}
	if objects(t, out)["ServiceAccount/"+sa.Namespace+"/"+sa.Name] == nil {
		t.Fatalf("no ServiceAccount %s/%s", sa.Namespace, sa.Name)
	}
}
