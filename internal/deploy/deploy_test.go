package deploy

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

// A whole deploy against the fakes: every phase in the deploy graph's order, cluster and
// database applied at the same time, the gitops stack and kubectl only through the tunnel,
// the registry password only in the private Docker config, the tunnel gone at the end.
func TestDeployOrderAndParallelism(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	// The registry credentials are deleted as soon as the push is done, not at the run's end.
	credentialsKept := make(chan bool, 1)
	go func() {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if len(w.fake.Find("aws", "ssm describe-instance-information")) > 0 {
				_, err := os.Stat(w.fake.Find("go", "run ./tools/image")[0].Note["docker-config"])
				credentialsKept <- err == nil
				return
			}
		}
		credentialsKept <- true
	}()
	start := time.Now()
	if err := Deploy(context.Background(), w.options()); err != nil {
		t.Fatalf("deploy failed: %v\n%s", err, w.out)
	}
	if <-credentialsKept {
		t.Error("the Docker config with the registry password outlived the push")
	}
	t.Logf("a full fake deploy took %s (the command's own overhead, fakes included)", time.Since(start).Round(time.Millisecond))
	calls := w.fake.Calls()

	order := [][]string{
		{"aws", "sts get-caller-identity"},
		{"git", "remote get-url origin"},
		{"tools.sh"},
		{"synth.sh"},
		{"go", "run ./cmd/preflight"},
		{"terraform", chdir("dev", "network"), "apply"},
		{"terraform", chdir("dev", "cluster"), "init"},
		{"terraform", chdir("dev", "gateway"), "init"},
		{"terraform", chdir("dev", "gateway"), "apply"},
		{"aws", "ecr get-login-password"},
		{"go", "run ./tools/image -push " + repository},
		{"aws", "ssm start-session"},
		{"terraform", chdir("dev", "gitops"), "apply"},
		{"kubectl", "get applications"},
		{"go", "run ./cmd/smoke"},
	}
	last := -1
	for _, o := range order {
		i := index(t, calls, o[0], o[1:]...)
		if i <= last {
			t.Errorf("%v ran at position %d, before the step above it (%d):\n%s", o, i, last, lines(calls))
		}
		last = i
	}
	// Later stages start only after every stack of the stage before applied.
	for _, c := range []string{"cluster", "database"} {
		if a, g := index(t, calls, "terraform", chdir("dev", c), "apply"), index(t, calls, "terraform", chdir("dev", "gateway"), "init"); a > g {
			t.Errorf("gateway started before %s applied", c)
		}
	}
	cl := w.fake.Find("terraform", chdir("dev", "cluster"), "apply")[0]
	db := w.fake.Find("terraform", chdir("dev", "database"), "apply")[0]
	if cl.Note["met"] != "true" || db.Note["met"] != "true" || !(cl.Start.Before(db.End) && db.Start.Before(cl.End)) {
		t.Errorf("cluster and database did not apply in parallel: cluster %s-%s, database %s-%s",
			cl.Start.Format("05.000"), cl.End.Format("05.000"), db.Start.Format("05.000"), db.End.Format("05.000"))
	}
	// What is applied is the saved plan.
	if a := w.fake.Find("terraform", chdir("dev", "network"), "apply")[0]; a.Args[len(a.Args)-1] != "tfplan" {
		t.Errorf("apply does not apply the saved plan: %s", a.Line())
	}

	gitops := w.fake.Find("terraform", chdir("dev", "gitops"), "apply")[0]
	if host := gitops.Env["TF_VAR_kube_api_host"]; !strings.HasPrefix(host, "https://127.0.0.1:") {
		t.Errorf("gitops applied with TF_VAR_kube_api_host = %q", host)
	}
	for _, c := range append(w.fake.Find("kubectl"), w.fake.Find("terraform", chdir("dev", "gitops"))...) {
		if strings.Contains(c.Line(), " init ") {
			continue
		}
		if c.Exit != 0 || c.Note["reached"] == "" {
			t.Errorf("%s did not reach the API through the tunnel: %v", c.Line(), c.Note)
		}
	}

	push := w.fake.Find("go", "run ./tools/image")[0]
	if push.Note["auth"] != "AWS:"+registryPass || push.Note["registry"] != strings.SplitN(repository, "/", 2)[0] || push.Note["docker-config-mode"] != "700" {
		t.Errorf("tools/image did not get the registry login in a private Docker config: %v", push.Note)
	}
	if _, err := os.Stat(push.Note["docker-config"]); !os.IsNotExist(err) {
		t.Errorf("the Docker config %s is still there after the run", push.Note["docker-config"])
	}
	out := w.out.String()
	if strings.Contains(out, registryPass) {
		t.Error("the registry password was printed")
	}

	for _, want := range []string{
		"[dev-cluster] Apply complete!", "[dev-database] Apply complete!", "image: " + repository + "@" + digest,
		"argocd: platform", "argocd: all 2 Applications are Synced and Healthy", "[smoke] smoke: 6 calls passed",
		"API:   https://api0123.execute-api.ap-southeast-1.amazonaws.com",
		"describe-user-pool-client --region ap-southeast-1 --user-pool-id ap-southeast-1_Pool0123 --client-id client0123",
		"phases of deploy dev:", "dev-cluster ∥ dev-database", "total",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The printed token recipe keeps the secret and the token off curl's command line.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "curl") && regexp.MustCompile(`-(u|H) +"[^"]*\$(CLIENT_SECRET|TOKEN)`).MatchString(line) {
			t.Errorf("a secret is a curl argument (visible in ps): %s", line)
		}
	}
	if !strings.Contains(out, `| curl -s -K - -d grant_type=client_credentials`) {
		t.Errorf("output lacks the token recipe reading credentials from stdin:\n%s", out)
	}
	w.assertTunnelClosed()
}

// A failing stack stops the run with its name and Terraform's error; its sibling in the stage
// still finishes (an apply is never cut short), and nothing after the stage runs.
func TestFailedStackStopsTheRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "cluster"), "apply"}, Meet: "cluster+database", MeetCount: 2,
		Stderr: "Error: creating EKS Cluster (phl-dev): AccessDeniedException: not authorized\n", Exit: []int{1}})
	err := Deploy(context.Background(), w.options())
	if err == nil {
		t.Fatal("deploy passed with a failing cluster stack")
	}
	for _, want := range []string{"dev-cluster", "AccessDeniedException"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	calls := w.fake.Calls()
	if !has(calls, "terraform", chdir("dev", "database"), "apply") {
		t.Error("the database apply, running beside the cluster's, did not finish")
	}
	for _, later := range [][]string{{"terraform", chdir("dev", "gateway")}, {"terraform", chdir("dev", "gitops")}, {"aws", "ecr"}, {"aws", "ssm start-session"}, {"go", "run ./cmd/smoke"}} {
		if has(calls, later[0], later[1:]...) {
			t.Errorf("%v ran after the cluster stack failed", later)
		}
	}
	if out := w.out.String(); !strings.Contains(out, "FAILED") || !strings.Contains(out, "deploy dev FAILED: dev-cluster") {
		t.Errorf("the failure is not reported after the phase times:\n%s", out)
	}
}

// The tunnel (the aws session and its session-manager-plugin child) is gone however the run
// ends after opening it.
func TestTunnelClosedOnEveryPath(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		rules  []fakecli.Rule
		cancel []string // cancel the run once this call was logged
		argo   time.Duration
		want   string
	}{
		// success: TestDeployOrderAndParallelism
		"gitops stack fails": {
			rules: []fakecli.Rule{{Tool: "terraform", Args: []string{chdir("dev", "gitops"), "apply"}, Stderr: "Error: Kubernetes cluster unreachable\n", Exit: []int{1}}},
			want:  "dev-gitops: terraform -chdir=cdktf.out/stacks/dev-gitops apply -input=false -lock-timeout=10m tfplan exited with status 1: Error: Kubernetes cluster unreachable",
		},
		"argocd wait times out": {
			rules: []fakecli.Rule{{Tool: "kubectl", Args: []string{"get applications"}, Stdout: []string{appList(app("platform", "Synced", "Progressing"))}}},
			argo:  300 * time.Millisecond,
			want:  "argocd: not every Application was Synced and Healthy within 300ms: platform (Synced/Progressing)",
		},
		"interrupted while waiting for argocd": {
			rules:  []fakecli.Rule{{Tool: "kubectl", Args: []string{"get applications"}, Stdout: []string{appList(app("platform", "Synced", "Progressing"))}}},
			cancel: []string{"kubectl", "get applications"},
			want:   "context canceled",
		},
		"interrupted while applying gitops": {
			rules:  []fakecli.Rule{{Tool: "terraform", Args: []string{chdir("dev", "gitops"), "apply"}, Action: fakecli.ActWaitSignal}},
			cancel: []string{"terraform", chdir("dev", "gitops"), "apply"},
			want:   "dev-gitops: interrupted",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, devYAML)
			w.fake.Override(c.rules...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.cancel != nil {
				cancelWhen(ctx, cancel, w.fake, c.cancel[0], c.cancel[1:]...)
			}
			o := w.options()
			if c.argo > 0 {
				o.Timeouts.ArgoCD = c.argo
			}
			err := Deploy(ctx, o)
			switch {
			case err == nil || !strings.Contains(err.Error(), c.want):
				t.Fatalf("error = %v; want %q\n%s", err, c.want, w.out)
			}
			w.assertTunnelClosed()
			if has(w.fake.Calls(), "go", "run ./cmd/smoke") {
				t.Error("the smoke check ran after a failure")
			}
		})
	}
}

// Ctrl-C reaches Terraform exactly once (a second SIGINT makes it abort without cleaning up).
func TestInterruptReachesTerraformOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "network"), "apply"}, Action: fakecli.ActWaitSignal})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelWhen(ctx, cancel, w.fake, "terraform", chdir("dev", "network"), "apply")
	err := Deploy(ctx, w.options())
	if err == nil || !strings.Contains(err.Error(), "dev-network: interrupted") {
		t.Fatalf("error = %v", err)
	}
	var final *fakecli.Call
	for _, c := range w.fake.Find("terraform", chdir("dev", "network"), "apply") {
		if c.Note["signal"] != "" {
			final = &c
		}
	}
	if final == nil || final.Note["signal"] != "interrupt" || final.Note["second-signal"] != "" {
		t.Errorf("terraform got signals %v; want one interrupt", final)
	}
	if has(w.fake.Calls(), "terraform", chdir("dev", "cluster")) {
		t.Error("the cluster stack ran after the interrupt")
	}
}
