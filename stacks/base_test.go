package stacks

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
)

// What users deploy must never carry the offline plan's fake credentials or skip flags: the
// ladder adds those in an override file outside cdktf.out.
func TestProviderCarriesNoOfflineSettings(t *testing.T) {
	env := shipped(t, "dev")
	s := synthNetwork(t, env)
	providers, _ := s.path("provider", "aws").([]any)
	if len(providers) != 1 {
		t.Fatalf("%d aws provider blocks; want 1", len(providers))
	}
	p := providers[0].(map[string]any)
	for key := range p {
		if strings.HasPrefix(key, "skip_") || key == "access_key" || key == "secret_key" || key == "token" || key == "max_retries" {
			t.Errorf("provider sets %s = %v", key, p[key])
		}
	}
	if p["region"] != env.Region || fmt.Sprint(p["allowed_account_ids"]) != "["+env.AccountID+"]" {
		t.Errorf("provider region/account = %v / %v", p["region"], p["allowed_account_ids"])
	}
	tags := fmt.Sprint(p["default_tags"])
	for _, want := range []string{"project:phl", "environment:dev", "managed-by:cdktf", "repository:" + config.Repository, "component:network", "owner:platform-team"} {
		if !strings.Contains(tags, want) {
			t.Errorf("default tags %s lack %s", tags, want)
		}
	}
	// Exactly the tested release: a range would let a deploy pick a newer, untested 5.x.
	if v := s.path("terraform", "required_providers", "aws", "version"); v != AwsProviderVersion {
		t.Errorf("aws provider version = %v; want exactly %s", v, AwsProviderVersion)
	}
}

func TestBackendLocalByDefault(t *testing.T) {
	s := synthNetwork(t, shipped(t, "dev"))
	if p := s.path("terraform", "backend", "local", "path"); p != "../../../state/dev-network.tfstate" {
		t.Errorf("local backend path = %v", p)
	}
	if s.path("terraform", "backend", "s3") != nil {
		t.Error("S3 backend without a configured bucket")
	}
}

func TestBackendS3WhenConfigured(t *testing.T) {
	env := shipped(t, "prod")
	env.StateBackend = &config.StateBackend{Bucket: "acme-tfstate", Region: "eu-west-1", KeyPrefix: "platform"}
	s := synthNetwork(t, env)
	b, _ := s.path("terraform", "backend", "s3").(map[string]any)
	if b == nil {
		t.Fatal("no S3 backend")
	}
	if b["bucket"] != "acme-tfstate" || b["key"] != "platform/prod/prod-network.tfstate" || b["region"] != "eu-west-1" ||
		b["encrypt"] != true || b["use_lockfile"] != true {
		t.Errorf("S3 backend = %v", b)
	}
	if s.path("terraform", "backend", "local") != nil {
		t.Error("local backend alongside S3")
	}
}

// lockProblems compares the committed lock file and scripts/versions.env with the version the
// stacks pin. Terraform refuses a lock whose version differs from the constraint only at init
// time (rungs 3 and 4 init with -lockfile=readonly); this names the mismatch in rung 1.
func lockProblems(lock, versionsEnv, pinned string) []string {
	var problems []string
	block := regexp.MustCompile(`(?s)provider "registry\.terraform\.io/hashicorp/aws" \{(.*?)\n\}`).FindStringSubmatch(lock)
	if block == nil {
		return []string{"the lock has no registry.terraform.io/hashicorp/aws entry"}
	}
	for _, key := range []string{"version", "constraints"} {
		if v := firstGroup(`(?m)^\s*`+key+`\s*=\s*"([^"]*)"`, block[1]); v != pinned {
			problems = append(problems, fmt.Sprintf("the lock's aws %s is %q; the stacks pin %s", key, v, pinned))
		}
	}
	if !regexp.MustCompile(`"h1:[A-Za-z0-9+/]{43}="`).MatchString(block[1]) {
		problems = append(problems, "the lock's aws entry has no h1: hash (terraform providers lock -platform=linux_amd64)")
	}
	if v := firstGroup(`(?m)^AWS_PROVIDER_VERSION=(\S+)`, versionsEnv); v != pinned {
		problems = append(problems, fmt.Sprintf("scripts/versions.env AWS_PROVIDER_VERSION is %q; the stacks pin %s", v, pinned))
	}
	return problems
}

// firstGroup returns the first capture group of the pattern's first match in s, or "".
func firstGroup(pattern, s string) string {
	if m := regexp.MustCompile(pattern).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// The committed lock holds the pinned version, as does the ladder's mirror lookup; a planted
// mismatch in either is reported.
func TestProviderLockMatchesPinnedVersion(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	lock, env := read("../.terraform.lock.hcl"), read("../scripts/versions.env")
	if p := lockProblems(lock, env, AwsProviderVersion); p != nil {
		t.Fatalf("committed lock or versions.env: %s", strings.Join(p, "; "))
	}
	planted := map[string]struct{ lock, env, want string }{
		"newer version in the lock":     {strings.Replace(lock, `version     = "5.100.0"`, `version     = "5.101.0"`, 1), env, `aws version is "5.101.0"`},
		"range constraint in the lock":  {strings.Replace(lock, `constraints = "5.100.0"`, `constraints = "~> 5.99"`, 1), env, `aws constraints is "~> 5.99"`},
		"no h1 hash":                    {regexp.MustCompile(`"h1:[^"]*",`).ReplaceAllString(lock, ""), env, "no h1: hash"},
		"no aws entry":                  {strings.Replace(lock, "hashicorp/aws", "hashicorp/awz", 1), env, "no registry.terraform.io/hashicorp/aws entry"},
		"older version in versions.env": {lock, strings.Replace(env, "AWS_PROVIDER_VERSION=5.100.0", "AWS_PROVIDER_VERSION=5.99.1", 1), `AWS_PROVIDER_VERSION is "5.99.1"`},
	}
	for name, c := range planted {
		if c.lock == lock && c.env == env {
			t.Fatalf("%s: the plant changed nothing", name)
		}
		if p := strings.Join(lockProblems(c.lock, c.env, AwsProviderVersion), "; "); !strings.Contains(p, c.want) {
			t.Errorf("%s: problems %q; want one containing %q", name, p, c.want)
		}
	}
}
