// Package bootstrap is what one AWS account needs before any environment is deployed from
// CI: the Terraform state bucket with its own key, the GitHub OIDC provider, and per
// environment a read-only plan role and an apply role that GitHub Actions assume with OIDC.
// It is applied once per account by a person with administrator credentials
// (scripts/bootstrap-state.sh), first with local state, then moved into its own bucket.
package bootstrap

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamopenidconnectprovider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/privatebucket"
)

// Props configures an account's bootstrap. Every field is required unless it says otherwise.
type Props struct {
	AccountID string
	Region    string
	Partition string // default "aws"

	// GitHubRepository (owner/repo) is the only repository the roles trust.
	GitHubRepository string
	// GitHubOIDCProviderArn: the account's existing GitHub provider (an account holds one per
	// URL, so creating a second fails); empty: one is created.
	GitHubOIDCProviderArn string

	StateBucket string // the bucket's name
	// StateKeyAlias names the state key (environments set it as state_backend.kms_key_id).
	StateKeyAlias string
	// StateKeyPrefix is the environments' state key prefix: each plan role reads and locks
	// only below <StateKeyPrefix>/<environment>/.
	StateKeyPrefix                  string
	NoncurrentVersionExpirationDays int

	// Environments are the environments this account runs, each with its CI roles.
	Environments []EnvironmentProps
}

// EnvironmentProps names one environment's roles.
type EnvironmentProps struct {
	Name          string
	PlanRoleName  string
	ApplyRoleName string
	// PlanPolicy is what the plan role may read beyond AWS's ReadOnlyAccess (the preflight's
	// policy, internal/preflight.Policy); optional.
	PlanPolicy *iampolicy.Document
}

// Bootstrap exposes what the stack outputs.
type Bootstrap struct {
	constructs.Construct

	StateKey        kmskey.KmsKey
	StateBucket     *privatebucket.Bucket
	OIDCProviderArn *string

	oidcProvider iamopenidconnectprovider.IamOpenidConnectProvider // nil when it exists already
}

// New creates the account's bootstrap resources.
func New(scope constructs.Construct, id string, p Props) *Bootstrap {
	if p.Partition == "" {
		p.Partition = "aws"
	}
	b := &Bootstrap{Construct: constructs.NewConstruct(scope, &id)}
	b.addState(p)
	b.addGitHubOIDCProvider(p)
	for _, e := range p.Environments {
		b.addRoles(p, e)
	}
	return b
}
