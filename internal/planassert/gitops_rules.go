package planassert

import "fmt"

// Gitops rules hold for "<env>-gitops" (its AWS resources).
func Gitops(bootstrap ServiceAccount) []Rule {
	return []Rule{
		{fmt.Sprintf("the only Pod Identity association is the database bootstrap's (%s/%s), with the database stack's role", bootstrap.Namespace, bootstrap.Name), gitopsAssociation(bootstrap)},
	}
}

func gitopsAssociation(sa ServiceAccount) func(p *Plan) []string {
	return func(p *Plan) []string {
		a, out := p.only("aws_eks_pod_identity_association")
		if a == nil {
			return out
		}
		if After(a, "namespace") != sa.Namespace || After(a, "service_account") != sa.Name {
			out = append(out, fmt.Sprintf("%s is for %v/%v", a.Address, After(a, "namespace"), After(a, "service_account")))
		}
		if !refersTo(p.References(a, "role_arn"), "data.terraform_remote_state") {
			out = append(out, a.Address+": the role does not come from another stack's outputs")
		}
		return out
	}
}
