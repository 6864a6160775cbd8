// Command ci is what the GitHub workflows decide and write, as tested Go (internal/ci) rather
// than inline YAML:
//
//	go run ./cmd/ci gate                      # deploy.yml: deploy or not, which environment, which commit
//	go run ./cmd/ci changed -base B -head H   # plan.yml: the stacks a pull request changes, and their dependents
//	go run ./cmd/ci comment -plans DIR ...    # plan.yml and deploy.yml: the plan comment / job summary
//	go run ./cmd/ci drift -env E -plans DIR   # drift.yml: the drift issue's body
//	go run ./cmd/ci envs [-changed FILE]      # the environments as a job matrix (region, plan role variable)
//	go run ./cmd/ci release -env E -tag T     # app-release.yml: pin the tag's digest in values-<env>.yaml
//
// The gate reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_REF and
// GITHUB_SHA and writes deploy, environment and sha to GITHUB_OUTPUT. Exit status: 0 done,
// 1 failed, 2 usage error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/ci"
	"github.com/phl-platform/phl-platform/internal/cmdflags"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr, ghCIPassed))
}

const usage = "usage: go run ./cmd/ci gate | envs [-changed FILE] | release -env ENV -tag TAG [-image REPO] | changed -base DIR -head DIR [-json] | comment -plans DIR -sha SHA [-changed FILE] [-offline] [-artifact NAME] | drift -env ENV -plans DIR -run-url URL"

func run(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ciPassed func(repo string) ci.CIPassed) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage); fs.PrintDefaults() }
	var err error
	switch args[0] {
	case "gate":
		if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
			return code
		}
		err = gate(getenv, stdout, ciPassed(getenv("GITHUB_REPOSITORY")))
	case "changed":
		base := fs.String("base", "", "the base branch's synth output (cdktf.out)")
		head := fs.String("head", "", "the pull request's synth output (cdktf.out)")
		asJSON := fs.Bool("json", false, "print the change as JSON (the comment's -changed input)")
		if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
			return code
		}
		if err := cmdflags.Required(fs, "base", "head"); err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return 2
		}
		err = changed(*base, *head, *asJSON, stdout)
	case "comment":
		plans := fs.String("plans", "", "folder of the reviewed plans (go run ./cmd/deploy plan -out)")
		sha := fs.String("sha", "", "the commit planned")
		changedFile := fs.String("changed", "", "the changed-stack selection (changed -json); empty: every stack planned in -plans")
		offline := fs.Bool("offline", false, "-plans is make plan's folder (.work/plan) of offline plans: a fork's pull request has no credentials")
		artifact := fs.String("artifact", "", "where the full plans are (an artifact's name or URL)")
		if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
			return code
		}
		if err := cmdflags.Required(fs, "plans", "sha"); err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return 2
		}
		err = comment(*plans, *sha, *changedFile, *offline, *artifact, stdout)
	case "drift":
		env := fs.String("env", "", "the environment")
		plans := fs.String("plans", "", "folder of its plans (go run ./cmd/deploy plan -out)")
		runURL := fs.String("run-url", "", "the workflow run, linked from the issue")
		outDir := fs.String("out", "cdktf.out", "the synthesized output: every AWS stack of the environment it lists must have a plan")
		if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
			return code
		}
		if err := cmdflags.Required(fs, "env", "plans"); err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return 2
		}
		err = drift(*env, *plans, *runURL, *outDir, getenv, stdout)
	case "envs":
		changedFile := fs.String("changed", "", "only the environments with a stack in this selection (changed -json)")
		withBackend := fs.Bool("with-state-backend", false, "only environments with a state_backend (a plan against local state on a runner would show everything as new); the others are named on stderr")
		if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
			return code
		}
		err = envs(*changedFile, *withBackend, stdout, stderr)
	case "release":
		env := fs.String("env", "", "the environment whose values file gets the digest")
		tag := fs.String("tag", "", "the image tag to resolve")
		image := fs.String("image", "docker.io/zylwin/phl-store", "the image repository")
		if code, ok := cmdflags.Parse(fs, args[1:]); !ok {
			return code
		}
		if err := cmdflags.Required(fs, "env", "tag"); err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return 2
		}
		err = release(*env, *image, *tag, stdout)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

func gate(getenv func(string) string, stdout io.Writer, ciPassed ci.CIPassed) error {
	e := ci.Event{Name: getenv("GITHUB_EVENT_NAME"), Repository: getenv("GITHUB_REPOSITORY"), Ref: getenv("GITHUB_REF"), SHA: getenv("GITHUB_SHA")}
	if path := getenv("GITHUB_EVENT_PATH"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if e.Payload, err = ci.ParsePayload(data); err != nil {
			return err
		}
	}
	envs, err := config.Load(config.Dir(), "")
	if err != nil {
		return err
	}
	owners := map[string]string{}
	for _, env := range envs {
		owners[env.Name] = string(env.Delivery.AppliesBy)
	}
	d, err := ci.Gate(e, owners, ciPassed)
	if err != nil {
		return err
	}
	verdict := "no deploy"
	if d.Deploy {
		verdict = "deploy " + d.Environment + " at " + d.SHA
	}
	fmt.Fprintf(stdout, "gate: %s: %s\n", verdict, d.Reason)
	return writeOutputs(getenv, map[string]string{"deploy": fmt.Sprint(d.Deploy), "environment": d.Environment, "sha": d.SHA})
}

// writeOutputs appends step outputs to GITHUB_OUTPUT (none outside Actions).
func writeOutputs(getenv func(string) string, kv map[string]string) error {
	path := getenv("GITHUB_OUTPUT")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	for _, k := range []string{"deploy", "environment", "sha", "drifted"} {
		if v, ok := kv[k]; ok {
			fmt.Fprintf(f, "%s=%s\n", k, v)
		}
	}
	return f.Close()
}

// ghCIPassed asks GitHub (gh, with the job's token) whether the ci workflow passed for a push
// of the commit to main.
func ghCIPassed(repo string) ci.CIPassed {
	return func(sha string) (bool, error) {
		out, err := exec.Command("gh", "run", "list", "--repo", repo, "--workflow", "ci.yml", "--commit", sha,
			"--branch", "main", "--event", "push", "--status", "success", "--json", "databaseId", "--jq", "length").Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return false, fmt.Errorf("gh run list: %v: %s", err, strings.TrimSpace(string(ee.Stderr)))
			}
			return false, err
		}
		return strings.TrimSpace(string(out)) != "0", nil
	}
}

func changed(baseDir, headDir string, asJSON bool, stdout io.Writer) error {
	base, err := ci.LoadManifest(baseDir)
	if err != nil {
		return fmt.Errorf("base: %w", err)
	}
	head, err := ci.LoadManifest(headDir)
	if err != nil {
		return fmt.Errorf("head: %w", err)
	}
	c, err := ci.Changed(base, head)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(c)
	}
	for _, s := range c.Plan {
		fmt.Fprintf(stdout, "%s\t%s\n", s, c.Why[s])
	}
	return nil
}

// loadPlans reads the reviewed plans of stacks (every stack with a file in dir when nil).
func loadPlans(dir string, stacks []string, why map[string]string) ([]ci.StackPlan, error) {
	if stacks == nil {
		seen := map[string]bool{}
		for _, ext := range []string{".counts.json", ".error", ".pending"} {
			files, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
			for _, f := range files {
				name := strings.TrimSuffix(filepath.Base(f), ext)
				if !seen[name] {
					seen[name] = true
					stacks = append(stacks, name)
				}
			}
		}
	}
	var out []ci.StackPlan
	for _, s := range stacks {
		p := ci.StackPlan{Stack: s, Why: why[s]}
		if e, err := os.ReadFile(filepath.Join(dir, s+".error")); err == nil {
			p.Failed, p.Text = true, string(e)
			out = append(out, p)
			continue
		}
		if e, err := os.ReadFile(filepath.Join(dir, s+".pending")); err == nil {
			p.Pending, p.Text = true, string(e)
			out = append(out, p)
			continue
		}
		counts, err := os.ReadFile(filepath.Join(dir, s+".counts.json"))
		if err != nil {
			// The plan job stopped before this stack (a check, the credentials, preflight):
			// reported as failed, never as "no changes".
			p.Failed, p.Text = true, "not planned: the plan job stopped before this stack; its log in the workflow run says why"
			out = append(out, p)
			continue
		}
		if err := json.Unmarshal(counts, &p.Counts); err != nil {
			return nil, fmt.Errorf("%s.counts.json: %w", s, err)
		}
		text, err := os.ReadFile(filepath.Join(dir, s+".txt"))
		if err != nil {
			return nil, err
		}
		p.Text = string(text)
		out = append(out, p)
	}
	return out, nil
}

// loadOfflinePlans reads the offline plans scripts/plan.sh leaves in dir/<stack>/ (plan.json,
// plan.log) of the stacks given (every planned stack when nil).
func loadOfflinePlans(dir string, stacks []string, why map[string]string) ([]ci.StackPlan, error) {
	if stacks == nil {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "plan.json"))
		for _, f := range files {
			stacks = append(stacks, filepath.Base(filepath.Dir(f)))
		}
	}
	var out []ci.StackPlan
	for _, s := range stacks {
		show, err := os.ReadFile(filepath.Join(dir, s, "plan.json"))
		if err != nil {
			return nil, fmt.Errorf("%s: no offline plan in %s", s, dir)
		}
		counts, err := ci.CountPlan(show)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		text, err := os.ReadFile(filepath.Join(dir, s, "plan.log"))
		if err != nil {
			return nil, err
		}
		out = append(out, ci.StackPlan{Stack: s, Why: why[s], Counts: counts, Text: string(text)})
	}
	return out, nil
}

func comment(dir, sha, changedFile string, offline bool, artifact string, stdout io.Writer) error {
	in := ci.CommentInput{SHA: sha, Offline: offline, Artifact: artifact, Skipped: map[string]string{}}
	var stacks []string
	why := map[string]string{}
	if changedFile != "" {
		c, err := readChange(changedFile)
		if err != nil {
			return err
		}
		stacks, why, in.Removed = []string{}, c.Why, c.Removed
		for _, s := range c.Plan {
			if strings.HasSuffix(s, "-gitops") {
				in.Skipped[s] = "its Helm provider talks to the cluster's private API endpoint, which CI cannot reach; the deploy applies it through the SSM tunnel, and rung 6 renders its charts"
				continue
			}
			// No CI role may read a bootstrap stack's state (the plan roles' policy denies it):
			// an administrator plans and applies it (make bootstrap). The offline plan (a fork's
			// pull request) still shows it.
			if config.IsBootstrapStack(s) && !offline {
				in.Skipped[s] = "an account's bootstrap stack is applied by an administrator of the account (make bootstrap ACCOUNT=<name>, docs/deploying.md \"Bootstrap (once per account)\"); no CI role may read its state. Rung 4 checked its offline plan"
				continue
			}
			stacks = append(stacks, s)
		}
	}
	load := loadPlans
	if offline {
		load = loadOfflinePlans
	}
	plans, err := load(dir, stacks, why)
	if err != nil {
		return err
	}
	in.Plans = plans
	_, err = io.WriteString(stdout, ci.Comment(in, ci.MaxCommentLength))
	return err
}

func drift(env, dir, runURL, outDir string, getenv func(string) string, stdout io.Writer) error {
	m, err := ci.LoadManifest(outDir)
	if err != nil {
		return err
	}
	// Every AWS stack of the environment must have been planned (gitops is not: it needs the
	// cluster's private endpoint).
	var stacks []string
	for _, s := range m.Names() {
		if strings.HasPrefix(s, env+"-") && !strings.HasSuffix(s, "-gitops") {
			stacks = append(stacks, s)
		}
	}
	if len(stacks) == 0 {
		return fmt.Errorf("%s/manifest.json has no stack of %s", outDir, env)
	}
	plans, err := loadPlans(dir, stacks, nil)
	if err != nil {
		return err
	}
	body, drifted := ci.DriftReport(env, runURL, plans)
	if _, err := io.WriteString(stdout, body); err != nil {
		return err
	}
	return writeOutputs(getenv, map[string]string{"drifted": fmt.Sprint(drifted)})
}

// envs prints the environments as a GitHub Actions matrix: name, region, and the repository
// variable holding its plan role (AWS_PLAN_ROLE_ARN_<ENV>, printed by the bootstrap stack).
func envs(changedFile string, withBackend bool, stdout, stderr io.Writer) error {
	all, err := config.Load(config.Dir(), "")
	if err != nil {
		return err
	}
	var only map[string]bool
	if changedFile != "" {
		c, err := readChange(changedFile)
		if err != nil {
			return err
		}
		only = map[string]bool{}
		for _, s := range c.Plan {
			only[strings.SplitN(s, "-", 2)[0]] = true
		}
	}
	type entry struct {
		Env         string `json:"env"`
		Region      string `json:"region"`
		PlanRoleVar string `json:"plan_role_var"`
	}
	matrix := []entry{}
	for _, e := range all {
		if only != nil && !only[e.Name] {
			continue
		}
		if withBackend && e.StateBackend == nil {
			fmt.Fprintf(stderr, "%s is not planned: it has no state_backend in %s, so there is no state to plan against\n", e.Name, e.SourceFile)
			continue
		}
		matrix = append(matrix, entry{e.Name, e.Region, config.PlanRoleVar(e.Name)})
	}
	return json.NewEncoder(stdout).Encode(matrix)
}

// release resolves image:tag to its digest and pins it in gitops/charts/phl-store/values-<env>.yaml.
func release(env, image, tag string, stdout io.Writer) error {
	if _, err := config.Load(config.Dir(), env); err != nil {
		return err
	}
	digest, err := ci.ResolveDigest(image + ":" + tag)
	if err != nil {
		return err
	}
	path := filepath.Join("gitops", "charts", "phl-store", "values-"+env+".yaml")
	values, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := ci.SetImage(values, tag, digest)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s:%s is %s, pinned in %s\n", image, tag, digest, path)
	return nil
}

// readChange reads a changed-stack selection (changed -json).
func readChange(path string) (ci.Change, error) {
	var c ci.Change
	data, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
