// Package fakecli stands in for the programs internal/deploy runs (aws, terraform, kubectl,
// git, go, session-manager-plugin and the repository's scripts) in tests: one small program
// (./fake), linked under each program's name into a folder that is the run's whole PATH. Every call is
// logged (arguments, working directory, selected environment variables, start and end) and
// answered by the first rule that matches it; a rule can answer differently on successive
// calls, fail, sleep, or act: hold the tunnel's local port, write synthesized stack folders,
// refuse to work unless the tunnel is up, or wait for a signal.
package fakecli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Tools are the programs faked on PATH; Scripts the repository scripts faked under the root.
var (
	Tools   = []string{"aws", "terraform", "kubectl", "git", "go", "session-manager-plugin"}
	Scripts = []string{"scripts/tools.sh", "scripts/synth.sh"}
)

const dirVar = "FAKECLI_DIR"

// Actions a rule can take besides answering.
const (
	// ActTunnel (aws ssm start-session) runs session-manager-plugin as its child and waits for
	// it, as the real CLI does: killing only this process would leave the plugin running.
	ActTunnel = "tunnel"
	// ActPlugin (session-manager-plugin) listens on the localPortNumber of its arguments until
	// it is killed.
	ActPlugin = "plugin"
	// ActSynth writes cdktf.out/stacks/<env>-<component>/cdk.tf.json for PHL_ENVIRONMENTS.
	ActSynth = "synth"
	// ActNeedTunnel fails like a refused connection unless the API address the command was
	// given (kubectl's kubeconfig server, Terraform's TF_VAR_kube_api_host) accepts connections.
	ActNeedTunnel = "need-tunnel"
	// ActDockerConfig notes what tools/image would read from DOCKER_CONFIG.
	ActDockerConfig = "docker-config"
	// ActWaitSignal waits until SIGINT or SIGTERM, notes which, and exits 130.
	ActWaitSignal = "wait-signal"
)

// Rule answers the calls it matches.
type Rule struct {
	Tool string `json:"tool"`
	// Args must each be a substring of the call's arguments joined by spaces.
	Args []string `json:"args,omitempty"`
	// Stdout of the i-th matching call is Stdout[i]; the last one repeats.
	Stdout []string `json:"stdout,omitempty"`
	Stderr string   `json:"stderr,omitempty"`
	// Exit status of the i-th matching call; the last one repeats.
	Exit   []int         `json:"exit,omitempty"`
	Sleep  time.Duration `json:"sleep,omitempty"`
	Action string        `json:"action,omitempty"`
	// Times limits the rule to its first n matching calls (0: no limit).
	Times int `json:"times,omitempty"`
	// Meet makes the call wait (up to MeetTimeout) until MeetCount calls with the same Meet
	// name are running at once, and note whether they met: only calls run in parallel can.
	Meet      string `json:"meet,omitempty"`
	MeetCount int    `json:"meet_count,omitempty"`
}

// MeetTimeout bounds a rendezvous (Rule.Meet).
const MeetTimeout = 5 * time.Second

// Call is one logged invocation.
type Call struct {
	Tool  string            `json:"tool"`
	Args  []string          `json:"args"`
	Dir   string            `json:"dir"`
	Env   map[string]string `json:"env,omitempty"`
	Start time.Time         `json:"start"`
	End   time.Time         `json:"end"`
	PID   int               `json:"pid"`
	Exit  int               `json:"exit"`
	Note  map[string]string `json:"note,omitempty"`
}

// Line is the call as a command line.
func (c Call) Line() string { return c.Tool + " " + strings.Join(c.Args, " ") }

// loggedEnv are the environment variables a call's log keeps.
var loggedEnv = []string{"TF_VAR_kube_api_host", "DOCKER_CONFIG", "PHL_ENVIRONMENTS", "PHL_CONFIRM_TEARDOWN", "AWS_PAGER", "TF_IN_AUTOMATION"}

// Main serves the call and exits when this process was started as one of the fakes (the fake
// program's main).
func Main() {
	dir := os.Getenv(dirVar)
	if dir == "" {
		return
	}
	name := filepath.Base(os.Args[0])
	if _, err := os.Lstat(filepath.Join(dir, "bin", name)); err != nil {
		return // not one of the fakes
	}
	os.Exit(serve(dir, name, os.Args[1:]))
}

func serve(dir, tool string, args []string) int {
	call := Call{Tool: tool, Args: args, Start: time.Now(), PID: os.Getpid(), Env: map[string]string{}, Note: map[string]string{}}
	call.Dir, _ = os.Getwd()
	for _, k := range loggedEnv {
		if v, ok := os.LookupEnv(k); ok {
			call.Env[k] = v
		}
	}
	rule, n, err := match(dir, tool, args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakecli: %v\n", err)
		call.Exit = 98
		logCall(dir, call)
		return call.Exit
	}
	if rule == nil {
		fmt.Fprintf(os.Stderr, "fake %s: no rule for: %s\n", tool, strings.Join(args, " "))
		call.Exit = 97
		logCall(dir, call)
		return call.Exit
	}
	if rule.Meet != "" {
		call.Note["met"] = strconv.FormatBool(meet(dir, rule.Meet, rule.MeetCount))
	}
	if rule.Sleep > 0 {
		time.Sleep(rule.Sleep)
	}
	switch rule.Action {
	case ActTunnel:
		return tunnel(dir, call, args)
	case ActPlugin:
		return plugin(dir, call, args)
	case ActSynth:
		if err := synth(call.Dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			call.Exit = 1
		}
	case ActNeedTunnel:
		if addr, err := apiAddress(args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			call.Exit = 1
		} else if c, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "dial tcp %s: connect: connection refused\n", addr)
			call.Note["refused"] = addr
			call.Exit = 1
		} else {
			c.Close()
			call.Note["reached"] = addr
		}
	case ActDockerConfig:
		noteDockerConfig(call.Note)
	case ActWaitSignal:
		sig := make(chan os.Signal, 2)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		waiting := call
		waiting.Note = map[string]string{"waiting": "true"}
		logCall(dir, waiting)
		call.Note["signal"] = (<-sig).String()
		time.Sleep(50 * time.Millisecond) // a second signal, if one comes, is counted too
		select {
		case s := <-sig:
			call.Note["second-signal"] = s.String()
		default:
		}
		call.Exit = 130
		call.End = time.Now()
		logCall(dir, call)
		return call.Exit
	}
	if call.Exit == 0 {
		if len(rule.Stdout) > 0 {
			fmt.Print(rule.Stdout[min(n, len(rule.Stdout)-1)])
		}
		if rule.Stderr != "" {
			fmt.Fprint(os.Stderr, rule.Stderr)
		}
		if len(rule.Exit) > 0 {
			call.Exit = rule.Exit[min(n, len(rule.Exit)-1)]
		}
	}
	call.End = time.Now()
	logCall(dir, call)
	return call.Exit
}

// match finds the first rule for the call and counts the call against it; n is how many
// calls it matched before.
func match(dir, tool string, args []string) (*Rule, int, error) {
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, 0, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, 0, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "rules.json"))
	if err != nil {
		return nil, 0, err
	}
	var rules []Rule
	if err := json.Unmarshal(b, &rules); err != nil {
		return nil, 0, err
	}
	joined := strings.Join(args, " ")
	for i := range rules {
		r := &rules[i]
		if r.Tool != tool || !containsAll(joined, r.Args) {
			continue
		}
		countFile := filepath.Join(dir, "count", strconv.Itoa(i))
		n := 0
		if c, err := os.ReadFile(countFile); err == nil {
			n, _ = strconv.Atoi(string(c))
		}
		if r.Times > 0 && n >= r.Times {
			continue
		}
		if err := os.WriteFile(countFile, []byte(strconv.Itoa(n+1)), 0o600); err != nil {
			return nil, 0, err
		}
		return r, n, nil
	}
	return nil, 0, nil
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// meet registers this process under name and waits until count processes have.
func meet(dir, name string, count int) bool {
	d := filepath.Join(dir, "meet", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return false
	}
	if err := os.WriteFile(filepath.Join(d, strconv.Itoa(os.Getpid())), nil, 0o600); err != nil {
		return false
	}
	for deadline := time.Now().Add(MeetTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if entries, _ := os.ReadDir(d); len(entries) >= count {
			return true
		}
	}
	return false
}

func logCall(dir string, c Call) {
	b, _ := json.Marshal(c)
	f, err := os.OpenFile(filepath.Join(dir, "calls.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(b, '\n')) // one write: lines of parallel calls never mix
}

func tunnel(dir string, call Call, args []string) int {
	plugin := exec.Command(filepath.Join(dir, "bin", "session-manager-plugin"), args...)
	plugin.Stdout, plugin.Stderr = os.Stdout, os.Stderr
	if err := plugin.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	call.Note["plugin-pid"] = strconv.Itoa(plugin.Process.Pid)
	logCall(dir, call)
	fmt.Println("Starting session with SessionId: fake-session")
	_ = plugin.Wait()
	return 0
}

var localPort = regexp.MustCompile(`localPortNumber=(\d+)`)

func plugin(dir string, call Call, args []string) int {
	m := localPort.FindStringSubmatch(strings.Join(args, " "))
	if m == nil {
		fmt.Fprintln(os.Stderr, "session-manager-plugin: no localPortNumber")
		return 1
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+m[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	call.Note["port"] = m[1]
	logCall(dir, call)
	fmt.Printf("Port %s opened for sessionId fake-session.\n", m[1])
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		c.Close()
	}
}

var components = []string{"network", "cluster", "database", "gateway", "gitops"}

func synth(root string) error {
	for _, env := range strings.Split(os.Getenv("PHL_ENVIRONMENTS"), ",") {
		if env == "" {
			return fmt.Errorf("synth: PHL_ENVIRONMENTS is not set")
		}
		for _, c := range components {
			d := filepath.Join(root, "cdktf.out", "stacks", env+"-"+c)
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(d, "cdk.tf.json"), []byte("{}"), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// apiAddress is where the command would reach the Kubernetes API.
func apiAddress(args []string) (string, error) {
	server := os.Getenv("TF_VAR_kube_api_host")
	for i, a := range args {
		if a == "--kubeconfig" && i+1 < len(args) {
			b, err := os.ReadFile(args[i+1])
			if err != nil {
				return "", err
			}
			var cfg struct {
				Clusters []struct {
					Cluster struct {
						Server string `json:"server"`
					} `json:"cluster"`
				} `json:"clusters"`
			}
			if err := json.Unmarshal(b, &cfg); err != nil || len(cfg.Clusters) == 0 {
				return "", fmt.Errorf("kubeconfig %s: %v", args[i+1], err)
			}
			server = cfg.Clusters[0].Cluster.Server
		}
	}
	if server == "" {
		return "", fmt.Errorf("no API server given (TF_VAR_kube_api_host or --kubeconfig)")
	}
	return strings.TrimPrefix(server, "https://"), nil
}

func noteDockerConfig(note map[string]string) {
	dir := os.Getenv("DOCKER_CONFIG")
	note["docker-config"] = dir
	if st, err := os.Stat(dir); err == nil {
		note["docker-config-mode"] = fmt.Sprintf("%o", st.Mode().Perm())
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		note["docker-config-error"] = err.Error()
		return
	}
	var cfg struct {
		Auths map[string]struct {
			Auth string `json:"auth"`
		} `json:"auths"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		note["docker-config-error"] = err.Error()
		return
	}
	for registry, a := range cfg.Auths {
		userpass, _ := base64.StdEncoding.DecodeString(a.Auth)
		note["registry"] = registry
		note["auth"] = string(userpass)
	}
}
