package database

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ekspodidentityassociation"
)

// BootstrapAccessProps links the bootstrap role to the cluster's bootstrap service account.
type BootstrapAccessProps struct {
	ClusterName *string // the EKS cluster (required)
	RoleArn     *string // Database.BootstrapRoleArn (required)
}

// NewBootstrapAccess creates the Pod Identity association of the database bootstrap. It needs
// both the EKS cluster and the role, so it belongs to a stack that follows both the cluster and
// the database stacks (the GitOps stack), which keeps those two deploying in parallel.
func NewBootstrapAccess(scope constructs.Construct, id string, props BootstrapAccessProps) ekspodidentityassociation.EksPodIdentityAssociation {
	if props.ClusterName == nil || props.RoleArn == nil {
		panic("database.NewBootstrapAccess(" + id + "): ClusterName and RoleArn are required")
	}
	return ekspodidentityassociation.NewEksPodIdentityAssociation(scope, jsii.String(id), &ekspodidentityassociation.EksPodIdentityAssociationConfig{
		ClusterName:    props.ClusterName,
		Namespace:      jsii.String(BootstrapServiceAccount.Namespace),
		ServiceAccount: jsii.String(BootstrapServiceAccount.Name),
		RoleArn:        props.RoleArn,
	})
}
