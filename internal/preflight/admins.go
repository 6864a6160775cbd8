package preflight

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/phl-platform/phl-platform/internal/preflight/policy"
)

// Policy is the IAM policy preflight's calls need (package policy).
var Policy = policy.Preflight

// checkAdmins: each principal the cluster grants access (a STANDARD access entry with a
// literal ARN) exists. EKS rejects an access entry for a principal that does not exist.
func (r *runner) checkAdmins(st *Stack) {
	for _, e := range st.Resources("aws_eks_access_entry") {
		arn, ok := e.Literal("principal_arn")
		if !ok {
			continue // a role the stack creates itself
		}
		r.checkPrincipal(arn)
	}
}

func (r *runner) checkPrincipal(arn string) {
	kind, pathName, account, ok := policy.SplitIAMArn(arn)
	short := pathName[strings.LastIndex(pathName, "/")+1:]
	if !ok {
		short = "invalid"
	}
	name := "cluster.admin-principal." + short
	fix := "create it, or correct cluster.admin_principal_arns in " + r.env.SourceFile
	if arn == r.env.CIApplyRoleArn {
		name = "cluster.ci-apply-role"
		fix = "apply the bootstrap stack of this account first (docs/deploying.md \"Bootstrap (once per account)\"), which creates it"
	}
	switch {
	case !ok:
		r.fail(name, arn+" is not an IAM role or user ARN", "use an arn:aws:iam::ACCOUNT:role/NAME or user/NAME in cluster.admin_principal_arns")
		return
	case account != r.env.AccountID:
		r.skip(name, fmt.Sprintf("%s is in account %s: only principals of %s can be looked up", arn, account, r.env.AccountID))
		return
	}
	var err error
	if kind == "role" {
		_, err = r.aws.IAM.GetRole(r.ctx, &iam.GetRoleInput{RoleName: aws.String(short)})
	} else {
		_, err = r.aws.IAM.GetUser(r.ctx, &iam.GetUserInput{UserName: aws.String(short)})
	}
	switch {
	case err == nil:
		r.pass(name, arn+" exists")
	case errorCode(err) == "NoSuchEntity":
		r.fail(name, arn+" does not exist", fix)
	default:
		r.apiFail(name, "iam:Get"+strings.ToUpper(kind[:1])+kind[1:], err)
	}
}
