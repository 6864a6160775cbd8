package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

func identity(arn, account string) fakecli.Rule {
	return fakecli.Rule{Tool: "aws", Args: []string{"sts get-caller-identity"}, Stdout: []string{jsonOf(map[string]string{"Account": account, "Arn": arn})}}
}

// Each precondition, planted wrong, stops the deploy before anything is synthesized or applied,
// with one line naming the problem and the fix.
func TestDeployChecks(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		setup func(w *world)
		want  []string // "" for a passing case
	}{
		"AWS CLI v1": {setup: func(w *world) {
			w.fake.Override(fakecli.Rule{Tool: "aws", Args: []string{"--version"}, Stderr: "aws-cli/1.29.62 Python/3.9.2 Linux/6.1 botocore/1.31.62\n"})
		}, want: []string{"check tools: the AWS CLI is version 1.29.62; version 2 is needed", "(fix: install what is missing: AWS CLI v2"}},
		"no AWS CLI": {setup: func(w *world) { w.fake.Remove("aws") },
			want: []string{"check tools: the AWS CLI (aws) is not on PATH"}},
		"no session-manager-plugin": {setup: func(w *world) { w.fake.Remove("session-manager-plugin") },
			want: []string{"check tools: session-manager-plugin is not on PATH"}},
		"old Terraform": {setup: func(w *world) {
			w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{"version -json"}, Stdout: []string{`{"terraform_version":"1.9.8"}`}})
		}, want: []string{"check tools: terraform is 1.9.8; 1.10 or newer is needed"}},
		"no kubectl": {setup: func(w *world) { w.fake.Remove("kubectl") },
			want: []string{"check tools: kubectl is not on PATH"}},
		"no credentials": {setup: func(w *world) {
			w.fake.Override(fakecli.Rule{Tool: "aws", Args: []string{"sts get-caller-identity"}, Exit: []int{253},
				Stderr: "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n"})
		}, want: []string{"check credentials: no usable AWS credentials", "Unable to locate credentials", "(fix: log in to account 111111111111"}},
		"other account": {setup: func(w *world) {
			w.fake.Override(identity("arn:aws:sts::999999999999:assumed-role/platform-admin/me", "999999999999"))
		}, want: []string{"check credentials: the credentials are for account 999999999999", "environments/dev.yaml account_id is 111111111111"}},
		"not a cluster admin": {setup: func(w *world) {
			w.fake.Override(identity("arn:aws:sts::111111111111:assumed-role/developer/me", account))
		}, want: []string{"check cluster-access: the deploying identity arn:aws:iam::111111111111:role/developer has no access to cluster phl-dev",
			"(fix: add arn:aws:iam::111111111111:role/developer to cluster.admin_principal_arns"}},
		"an admin role with a path (SSO)": {setup: func(w *world) {
			w.fake.Override(identity("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123/me@example.com", account))
		}},
		"the apply role": {setup: func(w *world) {
			w.env.CIApplyRoleArn = w.env.RoleArn(config.ApplyRoleName("dev")) // the bootstrap file serves dev
			w.fake.Override(identity("arn:aws:sts::111111111111:assumed-role/phl-dev-apply/GitHubActions", account))
		}},
		"the apply role of an environment no bootstrap serves": {setup: func(w *world) {
			w.fake.Override(identity("arn:aws:sts::111111111111:assumed-role/phl-dev-apply/GitHubActions", account))
		}, want: []string{"check cluster-access: the deploying identity arn:aws:iam::111111111111:role/phl-dev-apply has no access to cluster phl-dev: it is the bootstrap's apply role, but no account of environments/bootstrap/accounts.yaml serves dev",
			"(fix: add dev to an account's environments in environments/bootstrap/accounts.yaml and apply that bootstrap stack"}},
		"an IAM user": {setup: func(w *world) {
			w.fake.Override(identity("arn:aws:iam::111111111111:user/ops/alice", account))
		}, want: []string{"check cluster-access: the deploying identity arn:aws:iam::111111111111:user/alice has no access"}},
		"a fork deploying upstream's repository": {setup: func(w *world) {
			w.fake.Override(fakecli.Rule{Tool: "git", Args: []string{"remote get-url origin"}, Stdout: []string{"https://x-access-token:ghs_secret@github.com/someone/phl-platform.git\n"}})
		}, want: []string{`check gitops.repo_url: environments/dev.yaml gitops.repo_url "https://github.com/example/phl-platform.git" is not this checkout's origin "https://github.com/someone/phl-platform.git"`,
			"(fix: set gitops.repo_url: https://github.com/someone/phl-platform.git, or pass -allow-repo-mismatch"}},
		"no origin remote": {setup: func(w *world) {
			w.fake.Override(fakecli.Rule{Tool: "git", Args: []string{"remote get-url origin"}, Stderr: "error: No such remote 'origin'\n", Exit: []int{2}})
		}, want: []string{"check gitops.repo_url: this checkout has no origin remote"}},
		"teardown left on": {setup: func(w *world) { w.env.Teardown = true },
			want: []string{"check teardown: environments/dev.yaml has teardown: true", "(fix: remove teardown: true to deploy"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, devYAML)
			c.setup(w)
			o := w.options()
			if c.want == nil {
				// A passing case: the checks pass and the run goes on; stop it at synth.
				w.fake.Override(fakecli.Rule{Tool: "tools.sh", Exit: []int{7}, Stderr: "stop here\n"})
			}
			err := Deploy(context.Background(), o)
			if c.want == nil {
				if err == nil || !strings.Contains(err.Error(), "stop here") {
					t.Fatalf("checks did not pass: %v\n%s", err, w.out)
				}
				return
			}
			if err == nil {
				t.Fatalf("deploy passed")
			}
			// The check's own line, printed, with the fix.
			var line string
			for _, l := range strings.Split(w.out.String(), "\n") {
				if strings.HasPrefix(l, "FAIL "+c.want[0]) {
					line = l
				}
			}
			for _, want := range c.want {
				if !strings.Contains(line, want) {
					t.Errorf("no FAIL line with %q:\n%s", want, w.out)
				}
			}
			name := strings.TrimPrefix(strings.SplitN(c.want[0], ":", 2)[0], "check ")
			if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), name) {
				t.Errorf("error %q is not one line naming the check %s", err, name)
			}
			if strings.Contains(w.out.String(), "ghs_secret") {
				t.Error("the token in the origin URL was printed")
			}
			calls := w.fake.Calls()
			if has(calls, "tools.sh") || has(calls, "synth.sh") || has(calls, "terraform", "init") {
				t.Errorf("something ran after a failed check:\n%s", lines(calls))
			}
		})
	}
}

func TestAllowRepoMismatch(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "git", Args: []string{"remote get-url origin"}, Stdout: []string{"git@github.com:someone/phl-platform.git\n"}},
		fakecli.Rule{Tool: "tools.sh", Exit: []int{7}, Stderr: "stop here\n"})
	o := w.options()
	o.AllowRepoMismatch = true
	if err := Deploy(context.Background(), o); err == nil || !strings.Contains(err.Error(), "stop here") {
		t.Fatalf("the override did not let the checks pass: %v", err)
	}
	if !strings.Contains(w.out.String(), "ok   gitops.repo_url: https://github.com/example/phl-platform.git is not origin git@github.com:someone/phl-platform.git: deploying from it anyway") {
		t.Errorf("the override is not reported:\n%s", w.out)
	}
}

func TestRepoURLsCompare(t *testing.T) {
	t.Parallel()
	same := []string{
		"https://github.com/Example/phl-platform.git", "https://github.com/example/phl-platform", "git@github.com:example/phl-platform.git",
		"ssh://git@github.com:22/example/phl-platform.git", "https://user:token@github.com/example/phl-platform.git/",
	}
	for _, u := range same {
		if !sameRepo(repoURL, u) {
			t.Errorf("%s is not recognised as %s", u, repoURL)
		}
	}
	for _, u := range []string{"https://github.com/example/phl-platform-fork.git", "git@gitlab.com:example/phl-platform.git", "https://github.com/other/phl-platform"} {
		if sameRepo(repoURL, u) {
			t.Errorf("%s is taken for %s", u, repoURL)
		}
	}
	for origin, want := range map[string]string{
		"https://tok@github.com/Me/phl-platform.git":  "https://github.com/Me/phl-platform.git",
		"ssh://git@github.com:22/Me/phl-platform.git": "git@github.com:Me/phl-platform.git",
		"git@github.com:Me/phl-platform":              "git@github.com:Me/phl-platform.git",
	} {
		if got := suggestURL(origin); got != want {
			t.Errorf("suggestURL(%s) = %s; want %s", origin, got, want)
		}
	}
}

func TestAccessPrincipal(t *testing.T) {
	t.Parallel()
	for caller, want := range map[string]string{
		"arn:aws:sts::111111111111:assumed-role/platform-admin/session": "arn:aws:iam::111111111111:role/platform-admin",
		"arn:aws:iam::111111111111:role/a/b/deployer":                   "arn:aws:iam::111111111111:role/deployer",
		"arn:aws:iam::111111111111:user/alice":                          "arn:aws:iam::111111111111:user/alice",
		"arn:aws:sts::111111111111:federated-user/bob":                  "",
	} {
		got, _ := accessPrincipal(caller)
		if got != want {
			t.Errorf("accessPrincipal(%s) = %q; want %q", caller, got, want)
		}
	}
	if got := pathless("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123"); got != "arn:aws:iam::111111111111:role/AWSReservedSSO_Admin_0123" {
		t.Errorf("pathless = %s", got)
	}
	if config.ApplyRoleName("prod") != config.Project+"-prod-apply" {
		t.Errorf("apply role %s", config.ApplyRoleName("prod"))
	}
}

// prod requires a pinned app image (values-prod.yaml image.requireDigest): without a digest the
// deploy stops before anything runs, with one line saying how to pin it.
func TestDeployRefusesAnUnpinnedProdImage(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		values, want string
	}{
		"no digest": {"image:\n  requireDigest: true\n  digest: \"\"\n",
			"FAIL check phl-store.image: gitops/charts/phl-store/values-prod.yaml has image.requireDigest: true but no image.digest, so Argo CD cannot render phl-store for prod " +
				"(fix: pin the app image: go run ./cmd/ci release -env prod -tag <tag> (the app-release workflow) writes image.tag and image.digest into gitops/charts/phl-store/values-prod.yaml; merge that, then deploy)"},
		"a digest that is no digest": {"image:\n  requireDigest: true\n  digest: latest\n", `FAIL check phl-store.image: gitops/charts/phl-store/values-prod.yaml image.digest "latest" is not sha256:`},
		"no values file":             {"", "FAIL check phl-store.image: cannot read gitops/charts/phl-store/values-prod.yaml"},
		"pinned":                     {pinnedProdValues, "ok   phl-store.image: pinned at " + digest},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, prodYAML)
			if c.values == "" {
				os.Remove(filepath.Join(w.root, AppValuesFile("prod")))
			} else {
				w.appValues(c.values)
			}
			w.fake.Override(fakecli.Rule{Tool: "tools.sh", Exit: []int{7}, Stderr: "stop here\n"})
			err := Deploy(context.Background(), w.options())
			if !strings.Contains(w.out.String(), c.want) {
				t.Errorf("no line %q in:\n%s", c.want, w.out)
			}
			if strings.HasPrefix(c.want, "ok") {
				if err == nil || !strings.Contains(err.Error(), "stop here") {
					t.Errorf("the checks did not pass: %v", err)
				}
				return
			}
			if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "phl-store.image") {
				t.Errorf("error %v: want one line naming phl-store.image", err)
			}
			if has(w.fake.Calls(), "tools.sh") {
				t.Errorf("something ran after the failed check:\n%s", lines(w.fake.Calls()))
			}
		})
	}
}
