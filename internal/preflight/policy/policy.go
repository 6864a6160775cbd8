// Package policy is the least-privilege IAM policy of preflight's read-only calls. It is its own
// package because the bootstrap stack gives it to each environment's plan role: the synthesis
// imports it, not the rest of preflight.
package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// UnscopedActions are the read-only calls whose IAM actions take no resource-level permissions
// (the Service Authorization Reference lists no resource type for them, or none preflight
// could name before the resources exist): "Resource": "*" is unavoidable, so the statement
// is limited to the environments' regions instead. Service Quotas' Get calls are here too: a
// quota ARN is documented for tagging, not verified here for reads.
var UnscopedActions = []string{
	"cognito-idp:DescribeUserPoolDomain",
	"ec2:DescribeAddresses",
	"ec2:DescribeAvailabilityZones",
	"ec2:DescribeInstanceTypeOfferings",
	"ec2:DescribeInstanceTypes",
	"ec2:DescribeInstances",
	"ec2:DescribeNatGateways",
	"ec2:DescribeSubnets",
	"ec2:DescribeVpcs",
	"eks:DescribeAddonConfiguration",
	"eks:DescribeAddonVersions",
	"eks:DescribeClusterVersions",
	"rds:DescribeDBEngineVersions",
	"rds:DescribeOrderableDBInstanceOptions",
	"servicequotas:GetAWSDefaultServiceQuota",
	"servicequotas:GetServiceQuota",
}

// Preflight is the least-privilege IAM policy preflight needs for the environments: read-only,
// no wildcard actions, and every action that takes a resource scoped to the one it reads
// (admin principals, ALB certificate, hosted zone, state bucket, the account's user pools, the
// Bottlerocket AMI parameters of the Kubernetes version). sts:GetCallerIdentity needs
// no permission. ec2:DescribeRegions is asked in the partition's home region (a disabled
// region refuses calls), so it has no region condition.
func Preflight(envs []*config.Environment) iampolicy.Document {
	regions, roles, users, certs, zones, buckets, dbClusters := set{}, set{}, set{}, set{}, set{}, set{}, set{}
	userPools, amiParameters := set{}, set{}
	for _, e := range envs {
		regions.add(e.Region)
		for _, arn := range e.ClusterAdmins() {
			kind, _, account, ok := SplitIAMArn(arn)
			if !ok || account != e.AccountID {
				continue // not looked up
			}
			if kind == "role" {
				roles.add(arn)
			} else {
				users.add(arn)
			}
		}
		if e.Gateway.AlbCertificateArn != "" {
			certs.add(e.Gateway.AlbCertificateArn)
		}
		if d := e.Gateway.CustomDomain; d != nil {
			zones.add("arn:" + e.Partition + ":route53:::hostedzone/" + strings.TrimPrefix(d.HostedZoneID, "/hostedzone/"))
		}
		if b := e.StateBackend; b != nil {
			buckets.add("arn:" + e.Partition + ":s3:::" + b.Bucket)
		}
		dbClusters.add(fmt.Sprintf("arn:%s:rds:%s:%s:cluster:%s", e.Partition, e.Region, e.AccountID, e.DatabaseClusterID()))
		// The pool's ID is AWS's, known only once created: any pool of the account in the region.
		userPools.add(fmt.Sprintf("arn:%s:cognito-idp:%s:%s:userpool/*", e.Partition, e.Region, e.AccountID))
		// Public parameters have no account in their ARN; any release and architecture of the
		// standard aws-k8s variant of the environment's Kubernetes version (the node group's and
		// Karpenter's AMI type), image_id only.
		amiParameters.add(fmt.Sprintf("arn:%s:ssm:%s::parameter/aws/service/bottlerocket/aws-k8s-%s/*/image_id", e.Partition, e.Region, e.Cluster.KubernetesVersion))
	}
	statements := []iampolicy.Statement{
		iampolicy.Allow("PreflightDescribe", UnscopedActions, []string{"*"}).
			When("StringEquals", map[string]any{"aws:RequestedRegion": regions.list()}),
		iampolicy.Allow("PreflightRegions", []string{"ec2:DescribeRegions"}, []string{"*"}),
	}
	scoped := []struct {
		sid       string
		actions   []string
		resources set
	}{
		{"PreflightAdminRoles", []string{"iam:GetRole"}, roles},
		{"PreflightAdminUsers", []string{"iam:GetUser"}, users},
		{"PreflightAlbCertificate", []string{"acm:DescribeCertificate"}, certs},
		{"PreflightHostedZone", []string{"route53:GetHostedZone"}, zones},
		{"PreflightStateBucket", []string{"s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"}, buckets},
		// Only when the engine version is deprecated: does the environment's cluster already run it?
		{"PreflightDatabaseCluster", []string{"rds:DescribeDBClusters"}, dbClusters},
		// Only when a taken Cognito prefix is described without its account: is its pool ours?
		{"PreflightUserPools", []string{"cognito-idp:DescribeUserPool"}, userPools},
		{"PreflightBottlerocketAMIs", []string{"ssm:GetParameter"}, amiParameters},
	}
	for _, s := range scoped {
		if len(s.resources) > 0 {
			statements = append(statements, iampolicy.Allow(s.sid, s.actions, s.resources.list()))
		}
	}
	return iampolicy.New(statements...)
}

type set map[string]bool

func (s set) add(v string) { s[v] = true }

func (s set) list() []string {
	out := make([]string, 0, len(s))
	for v := range s {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// SplitIAMArn splits arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (or user/...).
func SplitIAMArn(arn string) (kind, pathName, account string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "", "", "", false
	}
	kind, pathName, found := strings.Cut(parts[5], "/")
	if !found || (kind != "role" && kind != "user") || pathName == "" {
		return "", "", "", false
	}
	return kind, pathName, parts[4], true
}
