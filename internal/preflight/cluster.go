package preflight

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

// checkCluster: the Kubernetes version is offered; each add-on's version exists for it and its
// configuration validates against the schema EKS publishes; the node instance types are
// offered in every AZ and fit the vCPU quota; a pinned Bottlerocket release exists for the
// version; the admin principals exist.
func (r *runner) checkCluster() {
	st := r.stack("cluster")
	cluster, found := r.only(st, "aws_eks_cluster", "cluster.version")
	if !found {
		return
	}
	version, ok := cluster.Literal("version")
	if !ok {
		r.skip("cluster.version", "the Kubernetes version is computed at apply")
	} else if r.checkVersion(version, cluster) {
		for _, a := range st.Resources("aws_eks_addon") {
			r.checkAddon(version, a)
		}
	} else {
		r.skip("cluster.addons", "not checked: Kubernetes "+version+" is not offered")
	}
	for _, ng := range st.Resources("aws_eks_node_group") {
		r.checkNodeGroup(ng)
		if ok {
			r.checkNodeGroupRelease(version, ng)
		}
	}
	r.checkAdmins(st)
}

func (r *runner) checkVersion(version string, cluster Resource) bool {
	const name = "cluster.version"
	out, err := r.aws.EKS.DescribeClusterVersions(r.ctx, &eks.DescribeClusterVersionsInput{
		ClusterVersions: []string{version}, IncludeAll: aws.Bool(true)})
	if err != nil {
		r.apiFail(name, "eks:DescribeClusterVersions", err)
		return false
	}
	fix := "set cluster.kubernetes_version in " + r.env.SourceFile + " to a version in standard support (aws eks describe-cluster-versions)"
	for _, v := range out.ClusterVersions {
		if aws.ToString(v.ClusterVersion) != version {
			continue
		}
		support := string(v.VersionStatus)
		if support == "" {
			support = string(v.Status)
		}
		until := ""
		if v.EndOfStandardSupportDate != nil {
			until = " until " + v.EndOfStandardSupportDate.UTC().Format("2006-01-02")
		}
		policy, _ := literal(cluster.Get("upgrade_policy", "support_type"))
		switch strings.ToUpper(strings.ReplaceAll(support, "-", "_")) {
		case "STANDARD_SUPPORT":
			r.pass(name, fmt.Sprintf("Kubernetes %s is offered by EKS in %s (standard support%s)", version, r.env.Region, until))
			return true
		case "EXTENDED_SUPPORT":
			if policy == "EXTENDED" {
				r.pass(name, fmt.Sprintf("Kubernetes %s is offered by EKS in %s (extended support)", version, r.env.Region))
				return true
			}
			r.fail(name, fmt.Sprintf("Kubernetes %s is in extended support; with upgrade_policy %s EKS would upgrade it on its own", version, policy), fix)
			return false
		default:
			r.fail(name, fmt.Sprintf("Kubernetes %s is %s on EKS", version, support), fix)
			return false
		}
	}
	r.fail(name, fmt.Sprintf("EKS does not offer Kubernetes %s in %s", version, r.env.Region), fix)
	return false
}

// checkAddon: the pinned version (or EKS's default) exists for the Kubernetes version, and the
// synthesized configuration_values validate against that version's schema.
func (r *runner) checkAddon(k8s string, a Resource) {
	addon, ok := a.Literal("addon_name")
	if !ok {
		r.skip("cluster.addon", a.Name+": the add-on name is computed at apply")
		return
	}
	name := "cluster.addon." + addon
	var offered []string
	defaultVersion := ""
	p := eks.NewDescribeAddonVersionsPaginator(r.aws.EKS, &eks.DescribeAddonVersionsInput{AddonName: aws.String(addon), KubernetesVersion: aws.String(k8s)})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			r.apiFail(name, "eks:DescribeAddonVersions", err)
			return
		}
		for _, info := range page.Addons {
			if aws.ToString(info.AddonName) != addon {
				continue
			}
			for _, v := range info.AddonVersions {
				for _, c := range v.Compatibilities {
					if aws.ToString(c.ClusterVersion) == k8s {
						offered = append(offered, aws.ToString(v.AddonVersion))
						if c.DefaultVersion {
							defaultVersion = aws.ToString(v.AddonVersion)
						}
					}
				}
			}
		}
	}
	version, pinned := a.Literal("addon_version")
	switch {
	case a.Attrs["addon_version"] != nil && !pinned:
		r.skip(name, "the add-on version is computed at apply")
		return
	case len(offered) == 0:
		r.fail(name, fmt.Sprintf("EKS offers no %s version for Kubernetes %s in %s", addon, k8s, r.env.Region),
			"choose another Kubernetes version, or remove the add-on")
		return
	case pinned && !contains(offered, version):
		r.fail(name, fmt.Sprintf("%s %s is not offered for Kubernetes %s (offered: %s)", addon, version, k8s, newest(offered, 3)),
			fmt.Sprintf("set cluster.addon_versions.%s in %s to an offered version, or remove it for EKS's default", addon, r.env.SourceFile))
		return
	case pinned:
		r.pass(name, fmt.Sprintf("%s %s (pinned) is offered for Kubernetes %s", addon, version, k8s))
	case defaultVersion == "":
		r.fail(name, fmt.Sprintf("%s has no default version for Kubernetes %s (offered: %s)", addon, k8s, newest(offered, 3)),
			fmt.Sprintf("pin cluster.addon_versions.%s in %s", addon, r.env.SourceFile))
		return
	default:
		version = defaultVersion
		r.pass(name, fmt.Sprintf("EKS's default %s for Kubernetes %s is %s", addon, k8s, version))
	}
	if raw, present := a.Attrs["configuration_values"]; present {
		r.checkAddonConfig(addon, version, raw)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// newest lists up to n versions, newest first (EKS add-on versions sort as text well enough
// within one major: v1.20.4-eksbuild.1).
func newest(versions []string, n int) string {
	v := append([]string(nil), versions...)
	sort.Sort(sort.Reverse(sort.StringSlice(v)))
	if len(v) > n {
		v = append(v[:n], "...")
	}
	return strings.Join(v, ", ")
}
