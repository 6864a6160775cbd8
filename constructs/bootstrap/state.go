package bootstrap

import (
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/kmskeys"
	"github.com/phl-platform/phl-platform/internal/privatebucket"
)

// addState creates the state key and bucket: SSE-KMS with the account's own rotating key and
// an S3 Bucket Key, versioned (a bad apply's state can be restored), overwritten versions
// expired after the configured days. Locking is Terraform's S3 lock file (use_lockfile,
// Terraform >= 1.10), so no DynamoDB table.
func (b *Bootstrap) addState(p Props) {
	policy := iampolicy.New(
		// Use is granted by IAM policies: the plan roles (decrypt, lock files) and the apply
		// roles and administrators (AdministratorAccess).
		iampolicy.KeyAdministeredByAccount(p.Partition, p.AccountID),
	)
	b.StateKey = kmskeys.New(b.Construct, strings.TrimPrefix(p.StateKeyAlias, "alias/"),
		"Terraform state of account "+p.AccountID, policy)
	b.StateBucket = privatebucket.New(b.Construct, privatebucket.Props{
		ID: "state", Name: p.StateBucket, Partition: p.Partition, KmsKeyArn: b.StateKey.Arn(),
		LifecycleRuleID: "expire-old-state-versions", NoncurrentDays: p.NoncurrentVersionExpirationDays,
	})
	// Every environment's state lives here: Terraform refuses a plan that would destroy them.
	keep := &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
	b.StateKey.SetLifecycle(keep)
	b.StateBucket.Bucket.SetLifecycle(keep)
}
