package stacks

import (
	"fmt"
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
	if v := s.path("terraform", "required_providers", "aws", "version"); v != AwsProviderConstraint {
		t.Errorf("aws provider constraint = %v; want %s", v, AwsProviderConstraint)
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
