package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

func TestMain(m *testing.M) {
	code := m.Run()
	fakecli.Cleanup()
	os.Exit(code)
}

const (
	account      = "111111111111"
	region       = "ap-southeast-1"
	endpoint     = "https://ABCDEF0123456789.gr7.ap-southeast-1.eks.amazonaws.com"
	repoURL      = "https://github.com/example/phl-platform.git"
	registryPass = "registry-password-must-never-be-printed"
	repository   = account + ".dkr.ecr." + region + ".amazonaws.com/phl-dev/db-bootstrap"
	digest       = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	callerArn    = "arn:aws:sts::" + account + ":assumed-role/platform-admin/me"
)

const devYAML = `name: dev
account_id: "111111111111"
region: ap-southeast-1
availability_zones: [ap-southeast-1a, ap-southeast-1b]
cluster:
  admin_principal_arns:
    - arn:aws:iam::111111111111:role/platform-admin
    - arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123
database:
  deletion_protection: false
  final_snapshot: false
gitops:
  repo_url: https://github.com/example/phl-platform.git
`

const prodYAML = `name: prod
account_id: "111111111111"
region: ap-southeast-1
availability_zones: [ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]
state_backend:
  bucket: my-prod-state
cluster:
  admin_principal_arns: [arn:aws:iam::111111111111:role/platform-admin]
gitops:
  repo_url: https://github.com/example/phl-platform.git
`

// world is a repository, an environment and a fake account in which a deploy succeeds.
type world struct {
	t    *testing.T
	root string
	env  *config.Environment
	fake *fakecli.Fake
	out  *syncBuffer
}

func newWorld(t *testing.T, yaml string) *world {
	t.Helper()
	name := strings.TrimPrefix(strings.SplitN(yaml, "\n", 2)[0], "name: ")
	env, err := config.Parse("environments/"+name+".yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	w := &world{t: t, root: root, env: env, fake: fakecli.New(t, root), out: &syncBuffer{}}
	w.fake.Add(happyRules(name)...)
	w.appValues(map[string]string{"dev": "image:\n  digest: \"\"\n", "prod": pinnedProdValues}[name])
	return w
}

// pinnedProdValues is a values-prod.yaml of the phl-store chart with its image pinned.
const pinnedProdValues = "image:\n  requireDigest: true\n  tag: \"1.0.0\"\n  digest: \"" + digest + "\"\n"

// appValues writes the phl-store chart's values file of the world's environment.
func (w *world) appValues(content string) {
	w.t.Helper()
	f := filepath.Join(w.root, AppValuesFile(w.env.Name))
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// run is a run of the world's options, for testing one phase on its own.
func (w *world) run(o Options) *run {
	w.t.Helper()
	d, err := newRun(o)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(d.close)
	return d
}

func (w *world) options() Options {
	return Options{Env: w.env, Root: w.root, Stdout: w.out, Timeouts: fastTimeouts, Environ: w.fake.Env()}
}

// fastTimeouts poll often; the waits end as soon as the fakes' answers change, so the limits
// only matter to the tests of timeouts, which set their own.
var fastTimeouts = Timeouts{Poll: 10 * time.Millisecond, Tunnel: 20 * time.Second, ArgoCD: 20 * time.Second,
	AppDelete: 20 * time.Second, Karpenter: 20 * time.Second, Readers: 20 * time.Second, Grace: 3 * time.Second}

func outputs(kv ...string) string {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = map[string]any{"value": kv[i+1], "type": "string", "sensitive": false}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// app is an Argo CD Application as kubectl returns it.
func app(name, sync, health string) map[string]any {
	return map[string]any{"metadata": map[string]any{"name": name},
		"status": map[string]any{"sync": map[string]any{"status": sync}, "health": map[string]any{"status": health}}}
}

func appList(apps ...map[string]any) string { return jsonOf(map[string]any{"items": apps}) }

func chdir(env, c string) string { return "-chdir=cdktf.out/stacks/" + env + "-" + c }

// happyRules answer every call of a successful deploy and destroy of env.
func happyRules(env string) []fakecli.Rule {
	cluster := "phl-" + env
	rules := []fakecli.Rule{
		{Tool: "aws", Args: []string{"--version"}, Stdout: []string{"aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.debian.12\n"}},
		{Tool: "aws", Args: []string{"sts get-caller-identity"}, Stdout: []string{jsonOf(map[string]string{"Account": account, "Arn": callerArn, "UserId": "AROA:me"})}},
		{Tool: "terraform", Args: []string{"version -json"}, Stdout: []string{`{"terraform_version":"1.11.4","platform":"linux_amd64"}`}},
		{Tool: "git", Args: []string{"remote get-url origin"}, Stdout: []string{"git@github.com:Example/phl-platform.git\n"}},
		{Tool: "tools.sh"},
		{Tool: "synth.sh", Action: fakecli.ActSynth},
		{Tool: "go", Args: []string{"run ./cmd/preflight"}, Stdout: []string{"preflight [" + env + "]: 20 pass, 0 fail, 4 skip\n"}},
		// The gitops stack talks to the API: only through the tunnel.
		{Tool: "terraform", Args: []string{chdir(env, "gitops"), "plan -input=false"}, Action: fakecli.ActNeedTunnel},
		{Tool: "terraform", Args: []string{chdir(env, "gitops"), "apply -input=false"}, Action: fakecli.ActNeedTunnel},
		{Tool: "terraform", Args: []string{chdir(env, "gitops"), "destroy"}, Action: fakecli.ActNeedTunnel},
		{Tool: "terraform", Args: []string{"init"}, Stdout: []string{"Terraform has been successfully initialized!\n"}},
		{Tool: "terraform", Args: []string{"plan -input=false -out=tfplan"}, Stdout: []string{"Plan: 3 to add, 0 to change, 0 to destroy.\n"}},
		// The cluster and database applies meet only if they run at the same time.
		{Tool: "terraform", Args: []string{chdir(env, "cluster"), "apply -input=false"}, Meet: "cluster+database", MeetCount: 2, Times: 1, Stdout: []string{"Apply complete! Resources: 3 added, 0 changed, 0 destroyed.\n"}},
		{Tool: "terraform", Args: []string{chdir(env, "database"), "apply -input=false"}, Meet: "cluster+database", MeetCount: 2, Times: 1, Stdout: []string{"Apply complete! Resources: 3 added, 0 changed, 0 destroyed.\n"}},
		{Tool: "terraform", Args: []string{"apply -input=false"}, Sleep: 150 * time.Millisecond, Stdout: []string{"Apply complete! Resources: 3 added, 0 changed, 0 destroyed.\n"}},
		{Tool: "terraform", Args: []string{chdir(env, "cluster"), "destroy -input=false"}, Meet: "destroy cluster+database", MeetCount: 2, Times: 1, Stdout: []string{"Destroy complete! Resources: 3 destroyed.\n"}},
		{Tool: "terraform", Args: []string{chdir(env, "database"), "destroy -input=false"}, Meet: "destroy cluster+database", MeetCount: 2, Times: 1, Stdout: []string{"Destroy complete! Resources: 3 destroyed.\n"}},
		{Tool: "terraform", Args: []string{"state list"}},
		{Tool: "terraform", Args: []string{"state rm"}, Stdout: []string{"Successfully removed 1 resource instance(s).\n"}},
		{Tool: "terraform", Args: []string{"destroy"}, Sleep: 100 * time.Millisecond, Stdout: []string{"Destroy complete! Resources: 3 destroyed.\n"}},
		{Tool: "terraform", Args: []string{chdir(env, "network"), "output -json"}, Stdout: []string{outputs("vpc_id", "vpc-0abc")}},
		{Tool: "terraform", Args: []string{chdir(env, "cluster"), "output -json"}, Stdout: []string{outputs("cluster_name", cluster, "cluster_endpoint", endpoint, "cluster_certificate_authority_data", "Q0EgZGF0YQ==")}},
		{Tool: "terraform", Args: []string{chdir(env, "database"), "output -json"}, Stdout: []string{outputs("bootstrap_repository_url", strings.ReplaceAll(repository, "phl-dev", cluster), "cluster_identifier", cluster, "kms_key_arn", "arn:aws:kms:"+region+":"+account+":key/db")}},
		{Tool: "terraform", Args: []string{chdir(env, "gateway"), "output -json"}, Stdout: []string{outputs("api_url", "https://api0123.execute-api."+region+".amazonaws.com", "token_url", "https://"+cluster+"-"+account+".auth."+region+".amazoncognito.com/oauth2/token", "client_id", "client0123", "user_pool_id", region+"_Pool0123")}},
		{Tool: "terraform", Args: []string{chdir(env, "gitops"), "output -json"}, Stdout: []string{outputs("argocd_namespace", "argocd")}},
		{Tool: "terraform", Args: []string{chdir(env, "database"), "show -json"}, Stdout: []string{jsonOf(map[string]any{"values": map[string]any{"root_module": map[string]any{"resources": []any{
			map[string]any{"type": "aws_rds_cluster", "values": map[string]any{"cluster_identifier": cluster}},
			map[string]any{"type": "aws_rds_cluster_instance", "values": map[string]any{"identifier": cluster + "-1"}},
		}}}})}},
		{Tool: "aws", Args: []string{"ecr get-login-password", "--region " + region}, Stdout: []string{registryPass + "\n"}},
		{Tool: "go", Args: []string{"run ./tools/image -push"}, Action: fakecli.ActDockerConfig, Stdout: []string{digest + "\n"}, Stderr: "pushed " + repository + ":0123456789ab\n"},
		{Tool: "aws", Args: []string{"ec2 describe-instances", "tag:eks:cluster-name,Values=" + cluster}, Stdout: []string{`["i-0node2","i-0node1"]`}},
		{Tool: "aws", Args: []string{"ssm describe-instance-information", "i-0node2,i-0node1"}, Stdout: []string{`["i-0node2","i-0node1"]`}},
		{Tool: "aws", Args: []string{"ssm start-session", "--target i-0node1", "AWS-StartPortForwardingSessionToRemoteHost", "host=ABCDEF0123456789.gr7.ap-southeast-1.eks.amazonaws.com,portNumber=443"}, Action: fakecli.ActTunnel},
		{Tool: "session-manager-plugin", Action: fakecli.ActPlugin},
		{Tool: "kubectl", Args: []string{"get applications.argoproj.io -o json"}, Action: fakecli.ActNeedTunnel, Stdout: []string{
			appList(app("platform", "OutOfSync", "Missing")),
			appList(app("platform", "Synced", "Progressing"), app("phl-store", "OutOfSync", "Missing")),
			appList(app("platform", "Synced", "Progressing"), app("phl-store", "Synced", "Progressing")),
			appList(app("platform", "Synced", "Healthy"), app("phl-store", "Synced", "Healthy")),
		}},
		{Tool: "go", Args: []string{"run ./cmd/smoke"}, Stdout: []string{"smoke: 6 calls passed\n"}},
		// destroy
		{Tool: "kubectl", Args: []string{"get applications.argoproj.io platform -o name"}, Action: fakecli.ActNeedTunnel, Stdout: []string{"application.argoproj.io/platform\n"}},
		{Tool: "kubectl", Args: []string{"patch applications.argoproj.io platform"}, Action: fakecli.ActNeedTunnel},
		{Tool: "kubectl", Args: []string{"delete applications.argoproj.io"}, Action: fakecli.ActNeedTunnel},
		{Tool: "aws", Args: []string{"ec2 describe-instances", "tag-key,Values=karpenter.sh/nodepool", "tag:kubernetes.io/cluster/" + cluster + ",Values=owned"}, Stdout: []string{`["i-0karp2","i-0karp1"]`, `["i-0karp1"]`, `[]`}},
		{Tool: "aws", Args: []string{"application-autoscaling describe-scalable-targets", "--resource-ids cluster:" + cluster}, Stdout: []string{`{"ScalableTargets":[{"ResourceId":"cluster:` + cluster + `"}]}`}},
		{Tool: "aws", Args: []string{"application-autoscaling deregister-scalable-target", "--resource-id cluster:" + cluster, "rds:cluster:ReadReplicaCount"}, Stdout: []string{"{}"}},
		{Tool: "aws", Args: []string{"rds describe-db-clusters", "--db-cluster-identifier " + cluster}, Stdout: []string{
			jsonOf([]any{map[string]any{"DBInstanceIdentifier": cluster + "-1", "IsClusterWriter": true}, map[string]any{"DBInstanceIdentifier": "application-autoscaling-0a1b", "IsClusterWriter": false}}),
			jsonOf([]any{map[string]any{"DBInstanceIdentifier": cluster + "-1", "IsClusterWriter": true}, map[string]any{"DBInstanceIdentifier": "application-autoscaling-0a1b", "IsClusterWriter": false}}),
			jsonOf([]any{map[string]any{"DBInstanceIdentifier": cluster + "-1", "IsClusterWriter": true}}),
		}},
		{Tool: "aws", Args: []string{"rds delete-db-instance", "--db-instance-identifier application-autoscaling-0a1b"}, Stdout: []string{"{}"}},
		{Tool: "aws", Args: []string{"resourcegroupstaggingapi get-resources", "Key=project,Values=phl", "Key=environment,Values=" + env}, Stdout: []string{`{"ResourceTagMappingList":[]}`}},
		{Tool: "aws", Args: []string{"ec2 describe-instances", "vpc-id,Values=vpc-0abc"}, Stdout: []string{`[]`}},
		{Tool: "aws", Args: []string{"ec2 describe-network-interfaces", "vpc-id,Values=vpc-0abc"}, Stdout: []string{`[]`}},
		{Tool: "aws", Args: []string{"elbv2 describe-load-balancers", "VpcId=='vpc-0abc'"}, Stdout: []string{`[]`}},
		{Tool: "aws", Args: []string{"ec2 describe-addresses", "tag:environment,Values=" + env}, Stdout: []string{`[]`}},
		{Tool: "aws", Args: []string{"logs describe-log-groups", "/aws/containerinsights/" + cluster + "/"}, Stdout: []string{`[]`}},
	}
	return rules
}

// syncBuffer is the run's output, read while the run writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// index is the position of the first call of tool whose arguments contain every string.
func index(t *testing.T, calls []fakecli.Call, tool string, args ...string) int {
	t.Helper()
	for i, c := range calls {
		if c.Tool == tool && containsAll(strings.Join(c.Args, " "), args) {
			return i
		}
	}
	t.Fatalf("no call %s %v among:\n%s", tool, args, lines(calls))
	return -1
}

func has(calls []fakecli.Call, tool string, args ...string) bool {
	for _, c := range calls {
		if c.Tool == tool && containsAll(strings.Join(c.Args, " "), args) {
			return true
		}
	}
	return false
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func lines(calls []fakecli.Call) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "  %s (exit %d)\n", c.Line(), c.Exit)
	}
	return b.String()
}

// assertTunnelClosed checks that every tunnel process (the aws session and its plugin child)
// is gone and that the run said so.
func (w *world) assertTunnelClosed() {
	w.t.Helper()
	sessions := w.fake.Find("aws", "ssm start-session")
	if len(sessions) == 0 {
		w.t.Fatalf("no tunnel was opened:\n%s", lines(w.fake.Calls()))
	}
	var pids []int
	for _, s := range sessions {
		pids = append(pids, s.PID)
		p, _ := strconv.Atoi(s.Note["plugin-pid"])
		pids = append(pids, p)
	}
	for _, p := range w.fake.Find("session-manager-plugin") {
		pids = append(pids, p.PID)
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				w.t.Fatalf("tunnel process %d is still running after the run", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if n := strings.Count(w.out.String(), "tunnel: closed"); n != len(sessions) {
		w.t.Errorf("%q printed %d times for %d tunnels", "tunnel: closed", n, len(sessions))
	}
}

// alive: the process exists and is not a zombie waiting to be reaped.
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// cancelWhen cancels the context as soon as a call matching tool and args was logged.
func cancelWhen(ctx context.Context, cancel context.CancelFunc, f *fakecli.Fake, tool string, args ...string) {
	go func() {
		for ctx.Err() == nil {
			if len(f.Find(tool, args...)) > 0 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
}
