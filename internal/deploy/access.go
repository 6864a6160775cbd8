package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// accessPrincipal turns a caller ARN into the IAM principal an EKS access entry names: an
// assumed role's session is its role (arn:aws:sts::A:assumed-role/R/S → arn:aws:iam::A:role/R;
// the session ARN carries no path, so paths are ignored when comparing).
func accessPrincipal(callerArn string) (string, bool) {
	parts := strings.SplitN(callerArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", false
	}
	partition, service, account, resource := parts[1], parts[2], parts[4], parts[5]
	switch {
	case service == "sts" && strings.HasPrefix(resource, "assumed-role/"):
		role := strings.SplitN(strings.TrimPrefix(resource, "assumed-role/"), "/", 2)[0]
		return "arn:" + partition + ":iam::" + account + ":role/" + role, true
	case service == "iam" && (strings.HasPrefix(resource, "role/") || strings.HasPrefix(resource, "user/")):
		return pathless(callerArn), true
	}
	return "", false
}

// pathless drops the path of an IAM role or user ARN (arn:aws:iam::A:role/a/b/R → .../role/R).
func pathless(arn string) string {
	i := strings.LastIndex(arn, ":")
	if i < 0 {
		return arn
	}
	resource := arn[i+1:]
	kind, rest, ok := strings.Cut(resource, "/")
	if !ok {
		return arn
	}
	return arn[:i+1] + kind + "/" + rest[strings.LastIndex(rest, "/")+1:]
}

func (d *run) checkClusterAccess(ctx context.Context) (string, error) {
	_, arn, err := d.caller(ctx)
	if err != nil {
		return "", fail("cluster-access", "not checked without a caller identity", "fix the credentials first")
	}
	principal, ok := accessPrincipal(arn)
	if !ok {
		return "", fail("cluster-access", fmt.Sprintf("%s cannot be given an EKS access entry", arn),
			"deploy as an IAM role or user listed in cluster.admin_principal_arns")
	}
	for _, a := range d.env.Cluster.AdminPrincipalArns {
		if pathless(a) == principal {
			return principal + " is in cluster.admin_principal_arns", nil
		}
	}
	// The bootstrap's apply role has an access entry only when an account of the bootstrap
	// file serves this environment (config.LoadApp sets CIApplyRoleArn; the cluster stack
	// grants exactly that ARN).
	if ci := d.env.CIApplyRoleArn; ci != "" && pathless(ci) == principal {
		return principal + " is the environment's apply role (bootstrap stack)", nil
	}
	if principal == d.env.RoleArn(config.ApplyRoleName(d.env.Name)) {
		return "", fail("cluster-access", fmt.Sprintf("the deploying identity %s has no access to cluster %s: it is the bootstrap's apply role, but no account of %s serves %s, so the cluster grants it nothing",
			principal, d.env.ClusterName(), config.BootstrapFile(), d.env.Name),
			fmt.Sprintf("add %s to an account's environments in %s and apply that bootstrap stack (docs/deploying.md \"Bootstrap (once per account)\"), or deploy as a principal in cluster.admin_principal_arns", d.env.Name, config.BootstrapFile()))
	}
	return "", fail("cluster-access", fmt.Sprintf("the deploying identity %s has no access to cluster %s: it is not in %s cluster.admin_principal_arns (%s) nor the apply role %s",
		principal, d.env.ClusterName(), d.file(), strings.Join(d.env.Cluster.AdminPrincipalArns, ", "), config.ApplyRoleName(d.env.Name)),
		fmt.Sprintf("add %s to cluster.admin_principal_arns (the gitops apply and the Argo CD wait need cluster admin), or deploy as one of those principals", principal))
}
