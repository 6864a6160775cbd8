package cluster

import (
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ekspodidentityassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// roleSpec describes one IAM role the cluster owns.
type roleSpec struct {
	id      string
	name    string
	trust   iampolicy.Document
	managed []string           // AWS managed policy names
	inline  iampolicy.Document // optional; Statement nil means none
}

// role creates a role with its managed policy attachments and inline policy; it returns the
// role and the resources that must exist before the role is usable.
func (c *Cluster) role(spec roleSpec) (iamrole.IamRole, []cdktf.ITerraformDependable) {
	r := iamrole.NewIamRole(c.Construct, jsii.String(spec.id+"-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(spec.name),
		AssumeRolePolicy: jsii.String(spec.trust.JSON()),
	})
	deps := []cdktf.ITerraformDependable{r}
	for _, p := range spec.managed {
		attachmentID := spec.id + "-" + strings.ReplaceAll(p, "/", "-")
		deps = append(deps, iamrolepolicyattachment.NewIamRolePolicyAttachment(c.Construct, jsii.String(attachmentID), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
			Role:      r.Name(),
			PolicyArn: jsii.String(c.managedPolicy(p)),
		}))
	}
	if spec.inline.Statement != nil {
		deps = append(deps, iamrolepolicy.NewIamRolePolicy(c.Construct, jsii.String(spec.id+"-policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String(spec.id),
			Role:   r.Id(),
			Policy: jsii.String(spec.inline.JSON()),
		}))
	}
	return r, deps
}

// podIdentityTrust lets EKS Pod Identity hand the role to one service account of this cluster.
func (c *Cluster) podIdentityTrust(sa ServiceAccount) iampolicy.Document {
	return iampolicy.PodIdentityTrust(c.props.AccountID, c.Arn, sa.Namespace, sa.Name)
}

// podIdentityRole creates a role for one service account and associates it through Pod
// Identity (a standalone association; add-ons use their own pod_identity_association).
func (c *Cluster) podIdentityRole(id string, sa ServiceAccount, managed []string, inline iampolicy.Document) iamrole.IamRole {
	r, _ := c.role(roleSpec{id: id, name: c.name(id), trust: c.podIdentityTrust(sa), managed: managed, inline: inline})
	ekspodidentityassociation.NewEksPodIdentityAssociation(c.Construct, jsii.String(id+"-pod-identity"), &ekspodidentityassociation.EksPodIdentityAssociationConfig{
		ClusterName:    c.Name,
		Namespace:      jsii.String(sa.Namespace),
		ServiceAccount: jsii.String(sa.Name),
		RoleArn:        r.Arn(),
	})
	return r
}

var ec2Trust = iampolicy.ServiceTrust("ec2.amazonaws.com", iampolicy.AssumeRole, nil)

// nodePolicies are what a node needs: join the cluster, pull images, SSM for the control
// container. No CNI policy: the VPC CNI has its own role through Pod Identity.
var nodePolicies = []string{"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"}
