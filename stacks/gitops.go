package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/database"
)

// GitopsStack is "<env>-gitops", the last stack: what needs both the cluster and the database.
// Today that is the database bootstrap's Pod Identity association; Argo CD and the root
// Application come with the GitOps work.
type GitopsStack struct {
	cdktf.TerraformStack
}

// NewGitopsStack creates the environment's GitOps stack after its cluster and database.
func NewGitopsStack(scope constructs.Construct, env *config.Environment, c *cluster.Cluster, db *database.Database) *GitopsStack {
	stack := newStack(scope, env, "gitops")
	database.NewBootstrapAccess(stack, "db-bootstrap-pod-identity", database.BootstrapAccessProps{ClusterName: c.Name, RoleArn: db.BootstrapRoleArn})
	return &GitopsStack{TerraformStack: stack}
}
