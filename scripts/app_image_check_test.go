package scripts

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeDocker records every call (one line of arguments each) in dir/calls.log, copies what
// `run` mounts or reads as an env file into dir/mounts/<container>/, appends what `exec -i` reads
// to dir/exec-stdin.log, and answers like an engine whose containers are healthy, unless
// FAKE_DOCKER_ENGINE=down, FAKE_MYSQL=down or FAKE_APP_RUNNING=false. `port` answers
// 127.0.0.1:$FAKE_APP_PORT, where the test serves the API.
const fakeDocker = `d=$FAKE_DOCKER_DIR
printf '%s\n' "$*" >> "$d/calls.log"
case "$1" in
  info) [ "${FAKE_DOCKER_ENGINE:-up}" = up ] || { echo "Cannot connect to the Docker daemon" >&2; exit 1; } ;;
  version) echo 28.2.2 ;;
  pull) echo "$3" ;;
  image) echo "zylwin/phl-store@sha256:1111111111111111111111111111111111111111111111111111111111111111" ;;
  network) ;;
  run)
    name="" prev=""
    for a in "$@"; do
      [ "$prev" = --name ] && { name=$a; mkdir -p "$d/mounts/$name"; }
      [ "$prev" = -v ] && cp -r "${a%%:*}" "$d/mounts/$name/"
      [ "$prev" = --env-file ] && cp "$a" "$d/mounts/$name/"
      prev=$a
    done
    echo "$name-id" ;;
  exec)
    [[ " $* " != *" -i "* ]] || cat >> "$d/exec-stdin.log"
    [ "${FAKE_MYSQL:-up}" = up ] ;;
  port) echo "127.0.0.1:$FAKE_APP_PORT" ;;
  inspect) if [[ "$*" == *ExitCode* ]]; then echo 2; else echo "${FAKE_APP_RUNNING:-true}"; fi ;;
  logs) echo "fake log line" ;;
  rm) ;;
  *) echo "fake docker: unexpected call: $*" >&2; exit 1 ;;
esac
`

// productAPI serves the app's API contract in memory (200 on every call; products with id,
// name, description and price); failPUT makes PUT answer 500.
func productAPI(failPUT bool) http.Handler {
	type product struct {
		ID          int     `json:"id"`
		Name        string  `json:"name"`
		Description string  `json:"description"`
		Price       float64 `json:"price"`
	}
	var mu sync.Mutex
	products, next := map[int]product{}, 1
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("content-type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/products", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		list := []product{}
		for _, p := range products {
			list = append(list, p)
		}
		reply(w, list)
	})
	mux.HandleFunc("POST /api/products", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var p product
		if json.NewDecoder(r.Body).Decode(&p) != nil {
			http.Error(w, "bad body", 400)
			return
		}
		p.ID, next = next, next+1
		products[p.ID] = p
		reply(w, p)
	})
	mux.HandleFunc("/api/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		id, _ := strconv.Atoi(r.PathValue("id"))
		p, found := products[id]
		if !found {
			http.NotFound(w, r)
			return
		}
		switch r.Method {
		case "GET":
			reply(w, p)
		case "PUT":
			if failPUT {
				http.Error(w, "planted failure", 500)
				return
			}
			var u product
			json.NewDecoder(r.Body).Decode(&u)
			u.ID = id
			products[id] = u
			reply(w, u)
		case "DELETE":
			delete(products, id)
		}
	})
	return mux
}

// checkRun is one run of app-image-check.sh with the fake docker.
type checkRun struct {
	stdout, stderr, calls, stdin, record, tmp string
	code                                      int
}

// runCheck runs scripts/app-image-check.sh ENV with the fake docker and the API served by api.
func runCheck(t *testing.T, environment string, api http.Handler, extraEnv ...string) checkRun {
	t.Helper()
	tmp := t.TempDir()
	bin, record, scratch := filepath.Join(tmp, "bin"), filepath.Join(tmp, "record"), filepath.Join(tmp, "tmp")
	fakeTool(t, bin, "docker", fakeDocker)
	for _, d := range []string{record, scratch} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	env := testEnv(append([]string{"HOME=" + tmp, "TMPDIR=" + scratch, "PATH=" + bin + ":" + os.Getenv("PATH"),
		"FAKE_DOCKER_DIR=" + record, "FAKE_APP_PORT=" + u.Port()}, extraEnv...)...)
	stdout, stderr, code := runBash(t, env, `exec bash app-image-check.sh "$1"`, environment)
	read := func(name string) string { b, _ := os.ReadFile(filepath.Join(record, name)); return string(b) }
	return checkRun{stdout: stdout, stderr: stderr, code: code, calls: read("calls.log"), stdin: read("exec-stdin.log"), record: record, tmp: scratch}
}

// call returns the first recorded docker call that starts with prefix (e.g. "run -d --name").
func (r checkRun) call(t *testing.T, prefix, contains string) string {
	t.Helper()
	for _, c := range strings.Split(r.calls, "\n") {
		if strings.HasPrefix(c, prefix) && strings.Contains(c, contains) {
			return c
		}
	}
	t.Fatalf("no docker call %q ... %q; calls:\n%s", prefix, contains, r.calls)
	return ""
}

// assertCleanedUp: every container run and the network are removed, and the scratch folder.
func (r checkRun) assertCleanedUp(t *testing.T) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?m)^run -d --name (\S+)`).FindAllStringSubmatch(r.calls, -1) {
		if !strings.Contains(r.calls, "rm -f "+m[1]+"\n") {
			t.Errorf("container %s was not removed; calls:\n%s", m[1], r.calls)
		}
	}
	if m := regexp.MustCompile(`(?m)^network create (\S+)`).FindStringSubmatch(r.calls); m != nil && !strings.Contains(r.calls, "network rm "+m[1]+"\n") {
		t.Errorf("network %s was not removed; calls:\n%s", m[1], r.calls)
	}
	if left, _ := filepath.Glob(filepath.Join(r.tmp, "*")); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
	if !strings.Contains(r.stdout, "ok   cleanup: removed") {
		t.Errorf("no cleanup line:\n%s", r.stdout)
	}
}

func TestAppImageCheckRunsTheChartsHardenedRuntime(t *testing.T) {
	t.Parallel()
	r := runCheck(t, "dev", productAPI(false))
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"ok   POST /api/products: 200, id 1", "ok   GET /api/products: 200, lists 1", "ok   GET /api/products/1: 200",
		"ok   PUT /api/products/1: 200, updated", "ok   DELETE /api/products/1: 200, gone from the list"} {
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("no line %q in:\n%s", want, r.stdout)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, "ok   ") {
			t.Errorf("not a step line: %q", line)
		}
	}

	// The app runs as the chart runs it: its UID, read-only root, no capabilities, no privilege
	// escalation, its memory limit, only /tmp writable (the pod's emptyDir, as a tmpfs of its size
	// limit), the CA where the chart mounts it.
	helpers, err := os.ReadFile("../gitops/charts/phl-store/templates/_helpers.tpl")
	if err != nil {
		t.Fatal(err)
	}
	caPath := regexp.MustCompile(`define "phl-store.caBundlePath" -}}\s*(\S+)`).FindSubmatch(helpers)
	if caPath == nil {
		t.Fatal("no phl-store.caBundlePath in the chart's helpers")
	}
	app := r.call(t, "run -d --name ", "-app ")
	for _, want := range []string{" --user 65532:65532 ", " --read-only ", " --tmpfs /tmp:rw,size=64m,mode=1777 ", " --cap-drop ALL ", " --security-opt no-new-privileges ",
		" --memory 128m ", ":/config/config.json:ro ", ":" + string(caPath[1]) + ":ro ", " -e SSL_CERT_FILE=" + string(caPath[1]) + " ",
		" -p 127.0.0.1::8080 "} {
		if !strings.Contains(app+" ", want) {
			t.Errorf("the app's docker run lacks %q:\n%s", want, app)
		}
	}
	if !strings.HasSuffix(app, " docker.io/zylwin/phl-store:latest") {
		t.Errorf("the app's image is not the chart's docker.io/zylwin/phl-store:latest:\n%s", app)
	}
	if n := strings.Count(app, "--tmpfs") + strings.Count(app, "--mount") + strings.Count(app, " -v "); n != 3 {
		t.Errorf("the app's docker run mounts %d paths; want exactly config.json, the CA (read-only) and the /tmp tmpfs:\n%s", n, app)
	}
	for _, banned := range []string{"--privileged", "--cap-add", "-u 0", "--user 0", "seccomp=unconfined"} {
		if strings.Contains(app, banned) {
			t.Errorf("the app's docker run has %s, which the pod does not:\n%s", banned, app)
		}
	}

	// MySQL requires TLS; its root password is in an env file, not on a command line.
	dbName := regexp.MustCompile(`--name (\S+-mysql) `).FindStringSubmatch(r.calls)
	if dbName == nil {
		t.Fatalf("no MySQL container; calls:\n%s", r.calls)
	}
	db := dbName[1]
	if mysql := r.call(t, "run -d --name "+db, ""); !strings.Contains(mysql, " --require-secure-transport=ON") || strings.Contains(mysql, "MYSQL_ROOT_PASSWORD") {
		t.Errorf("MySQL's docker run: %s", mysql)
	}
	if envFile, _ := os.ReadFile(filepath.Join(r.record, "mounts", db, "mysql.env")); !regexp.MustCompile(`^MYSQL_ROOT_PASSWORD=[0-9a-f]{32}\n$`).Match(envFile) {
		t.Errorf("MySQL env file: %q", envFile)
	}
	for _, want := range []string{"CREATE DATABASE IF NOT EXISTS `products`;", "GRANT CREATE, SELECT, INSERT, UPDATE, DELETE ON `products`.* TO 'phl_app_a'@'%';"} {
		if !strings.Contains(r.stdin, want) {
			t.Errorf("the SQL run lacks %q:\n%s", want, r.stdin)
		}
	}

	// config.json as the chart's ExternalSecret renders it, naming the MySQL container.
	var cfg map[string]string
	raw, _ := os.ReadFile(filepath.Join(r.record, "mounts", strings.TrimSuffix(db, "-mysql")+"-app", "config.json"))
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("config.json %q: %v", raw, err)
	}
	dsn := regexp.MustCompile(`^phl_app_a:([0-9a-f]{32})@tcp\(` + regexp.QuoteMeta(db) + `:3306\)/products\?tls=true$`).FindStringSubmatch(cfg["connection_string"])
	if dsn == nil || cfg["port"] != "8080" || len(cfg) != 2 {
		t.Errorf("config.json = %s", raw)
	} else if strings.Contains(r.calls, dsn[1]) {
		t.Error("the app user's password is on a docker command line")
	}

	// The certificate MySQL serves verifies, for the DSN's host, against the CA the app trusts
	// (what Go's TLS does with tls=true and SSL_CERT_FILE).
	pemBlock := func(path string) *x509.Certificate {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			t.Fatalf("%s holds no PEM", path)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	roots := x509.NewCertPool()
	roots.AddCert(pemBlock(filepath.Join(r.record, "mounts", strings.TrimSuffix(db, "-mysql")+"-app", "ca.pem")))
	server := pemBlock(filepath.Join(r.record, "mounts", db, "tls", "server-cert.pem"))
	if _, err := server.Verify(x509.VerifyOptions{DNSName: db, Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("MySQL's certificate does not verify for %s: %v", db, err)
	}
	if _, err := os.Stat(filepath.Join(r.record, "mounts", db, "tls", "ca-key.pem")); err == nil {
		t.Error("the CA's key was mounted into MySQL")
	}
	r.assertCleanedUp(t)
}

// The image and the memory limit follow the environment's values file.
func TestAppImageCheckReadsTheEnvironmentsValues(t *testing.T) {
	t.Parallel()
	chart := t.TempDir()
	for _, f := range []string{"values.yaml", "values-dev.yaml", "values-prod.yaml"} {
		b, err := os.ReadFile(filepath.Join("../gitops/charts/phl-store", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "values-prod.yaml" {
			b = append(b, "image:\n  # pinned\n  digest: \"sha256:2222222222222222222222222222222222222222222222222222222222222222\"\nrunAsUser: 10001\n"...)
		}
		if err := os.WriteFile(filepath.Join(chart, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCheck(t, "prod", productAPI(false), "PHL_CHART_DIR="+chart)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	app := r.call(t, "run -d --name ", "-app ")
	if !strings.HasSuffix(app, " docker.io/zylwin/phl-store@sha256:2222222222222222222222222222222222222222222222222222222222222222") ||
		!strings.Contains(app, " --memory 256m ") || !strings.Contains(app, " --user 10001:10001 ") {
		t.Errorf("prod's values (digest, 256Mi limit, runAsUser) not used:\n%s", app)
	}
	r.call(t, "pull -q docker.io/zylwin/phl-store@sha256:2222", "")
}

// A failing step fails the check with one line naming it, and everything is cleaned up.
func TestAppImageCheckCleansUpWhenAStepFails(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		api    http.Handler
		env    []string
		fail   string
		appRan bool
	}{
		"PUT answers 500":       {productAPI(true), nil, "FAIL PUT /api/products/1: status 500, want 200", true},
		"the app stops":         {productAPI(false), []string{"FAKE_APP_RUNNING=false"}, "FAIL app: the container stopped (exit 2)", true},
		"MySQL never comes up":  {productAPI(false), []string{"FAKE_MYSQL=down", "PHL_CHECK_TIMEOUT=1"}, "FAIL mysql: mysql:8.0 did not accept TLS connections within 1s", false},
		"the app never answers": {http.NotFoundHandler(), []string{"PHL_CHECK_TIMEOUT=1"}, "FAIL app: GET /api/products did not answer 200 within 1s (last: 404)", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runCheck(t, "dev", c.api, c.env...)
			if r.code == 0 || !strings.Contains(r.stderr, c.fail) {
				t.Errorf("exit %d; want a failure with %q in stderr:\n%s", r.code, c.fail, r.stderr)
			}
			if ran := strings.Contains(r.calls, "-app "); ran != c.appRan {
				t.Errorf("app container run: %v, want %v", ran, c.appRan)
			}
			r.assertCleanedUp(t)
		})
	}
}

// Without Docker: one line saying so, and nothing else is attempted.
func TestAppImageCheckNeedsDocker(t *testing.T) {
	t.Parallel()
	// Only what the script needs before its Docker check, so no docker is on PATH.
	bin := t.TempDir()
	for _, tool := range []string{"bash", "dirname"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	_, stderr, code := runBash(t, testEnv("HOME="+t.TempDir(), "PATH="+bin), `exec bash app-image-check.sh`)
	if msg := strings.TrimSpace(stderr); code == 0 || msg != "error: Docker is needed: this check runs the app image and MySQL in containers, and docker is not on PATH" {
		t.Errorf("without docker: exit %d, stderr:\n%s", code, stderr)
	}

	r := runCheck(t, "dev", productAPI(false), "FAKE_DOCKER_ENGINE=down")
	if msg := strings.TrimSpace(r.stderr); r.code == 0 || msg != "error: Docker is needed: this check runs the app image and MySQL in containers, and the Docker engine does not answer (docker info)" {
		t.Errorf("without an engine: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if strings.TrimSpace(r.calls) != "info" {
		t.Errorf("without an engine, docker was called for more than info:\n%s", r.calls)
	}
}

// Values the check cannot use stop it with one line naming them, before any container exists.
func TestAppImageCheckRejectsBadValues(t *testing.T) {
	t.Parallel()
	values, err := os.ReadFile("../gitops/charts/phl-store/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ values, env, want string }{
		"no runAsUser":   {strings.Replace(string(values), "runAsUser: 65532", "", 1), "dev", "error: runAsUser is in neither values.yaml nor values-dev.yaml of "},
		"memory in MB":   {strings.Replace(string(values), "memory: 128Mi", "memory: 128M", 1), "dev", "error: resources.limits.memory=128M: this check understands Mi and Gi"},
		"no values file": {string(values), "staging", "error: environment staging: "},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			chart := t.TempDir()
			if c.values == string(values) && name != "no values file" {
				t.Fatal("the plant changed nothing")
			}
			os.WriteFile(filepath.Join(chart, "values.yaml"), []byte(c.values), 0o644)
			os.WriteFile(filepath.Join(chart, "values-dev.yaml"), nil, 0o644)
			r := runCheck(t, c.env, productAPI(false), "PHL_CHART_DIR="+chart)
			if msg := strings.TrimSpace(r.stderr); r.code == 0 || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, c.want) {
				t.Errorf("exit %d; want one line starting %q, got:\n%s", r.code, c.want, r.stderr)
			}
			if strings.Contains(r.calls, "run ") || strings.Contains(r.calls, "network create") {
				t.Errorf("containers or a network were created:\n%s", r.calls)
			}
		})
	}
}
