package config

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	principalArnPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]{1,512}$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[0-9]*(nano|micro|small|medium|large|xlarge|metal[a-z0-9-]*)$`)
	addonVersionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$`)
	// A "g" after the generation digit marks a Graviton (arm64) family: m7g, c6gn, r8gd.
	gravitonFamily = regexp.MustCompile(`^[a-z]+[0-9]+[a-z]*g[a-z]*$`)
)

func (v validator) cluster(c fileCluster, prof profile) (Cluster, error) {
	out := Cluster{
		KubernetesVersion:    KubernetesVersions[0],
		EndpointPublicAccess: c.EndpointPublicAccess,
		LogRetentionDays:     max(DefaultFlowLogRetentionDays, prof.minLogRetDays),
		AddonVersions:        map[string]string{},
	}
	if c.KubernetesVersion != nil {
		if !slices.Contains(KubernetesVersions, *c.KubernetesVersion) {
			return out, v.fail("cluster.kubernetes_version", *c.KubernetesVersion, "not an EKS version in standard support", strings.Join(KubernetesVersions, ", ")+" (quoted)")
		}
		out.KubernetesVersion = *c.KubernetesVersion
	}
	if err := v.standardSupport(out.KubernetesVersion); err != nil {
		return out, err
	}

	for i, s := range c.PublicAccessCidrs {
		key := fmt.Sprintf("cluster.public_access_cidrs[%d]", i)
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil || !p.Addr().Is4() || p.Masked() != p:
			return out, v.fail(key, s, "not an IPv4 CIDR", "e.g. 203.0.113.0/24")
		case p.Bits() == 0:
			return out, v.fail(key, s, "opens the API endpoint to the whole internet", "your office or VPN ranges")
		}
		out.PublicAccessCidrs = append(out.PublicAccessCidrs, s)
	}
	if c.EndpointPublicAccess && len(out.PublicAccessCidrs) == 0 {
		return out, v.fail("cluster.public_access_cidrs", "", "empty while endpoint_public_access is true", "at least one CIDR, or endpoint_public_access: false")
	}
	if !c.EndpointPublicAccess && len(out.PublicAccessCidrs) > 0 {
		return out, v.fail("cluster.public_access_cidrs", strings.Join(out.PublicAccessCidrs, ","), "set while endpoint_public_access is false", "an empty list, or endpoint_public_access: true")
	}

	seen := map[string]bool{}
	for i, a := range c.AdminPrincipalArns {
		key := fmt.Sprintf("cluster.admin_principal_arns[%d]", i)
		if !principalArnPattern.MatchString(a) {
			return out, v.fail(key, a, "not an IAM role or user ARN", "arn:aws:iam::<account>:role/<name>")
		}
		if seen[a] {
			return out, v.fail(key, a, "listed twice", "distinct ARNs")
		}
		seen[a] = true
		out.AdminPrincipalArns = append(out.AdminPrincipalArns, a)
	}

	if c.LogRetentionDays != nil {
		d := *c.LogRetentionDays
		if !slices.Contains(logRetentionDays, d) || d < prof.minLogRetDays {
			return out, v.fail("cluster.control_plane_log_retention_days", strconv.Itoa(d), "not a CloudWatch Logs retention period for this environment", retentionChoices(prof.minLogRetDays))
		}
		out.LogRetentionDays = d
	}

	var err error
	if out.NodeGroup, err = v.nodeGroup(c.NodeGroup); err != nil {
		return out, err
	}

	names := make([]string, 0, len(c.AddonVersions))
	for n := range c.AddonVersions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ver := c.AddonVersions[n]
		switch {
		case !slices.Contains(Addons, n):
			return out, v.fail("cluster.addon_versions."+n, ver, "unknown add-on", strings.Join(Addons, ", "))
		case !addonVersionPattern.MatchString(ver):
			return out, v.fail("cluster.addon_versions."+n, ver, "not an EKS add-on version", "e.g. v1.19.2-eksbuild.1")
		}
		out.AddonVersions[n] = ver
	}
	return out, nil
}

// now is the validator's clock (tests set it).
var now = time.Now

// AllowEndingSupportVar, set to "true", lets a version near its end of standard support
// through (a hotfix must not wait for the upgrade); the upgrade stays due.
const AllowEndingSupportVar = "PHL_ALLOW_ENDING_KUBERNETES_SUPPORT"

// standardSupport refuses a version whose standard support ends within UpgradeNoticeDays.
func (v validator) standardSupport(version string) error {
	end, ok := StandardSupportEnds[version]
	if !ok || os.Getenv(AllowEndingSupportVar) == "true" {
		return nil
	}
	day, err := time.Parse(time.DateOnly, end)
	if err != nil {
		panic("config: StandardSupportEnds[" + version + "] = " + end + ": " + err.Error())
	}
	if now().Before(day.AddDate(0, 0, -UpgradeNoticeDays)) {
		return nil
	}
	var newer []string
	for _, k := range KubernetesVersions {
		if minorOf(k) > minorOf(version) {
			newer = append(newer, k)
		}
	}
	return v.fail("cluster.kubernetes_version", version,
		fmt.Sprintf("EKS standard support ends on %s; with upgrade policy STANDARD, EKS then upgrades the cluster itself and the next plan would try to downgrade it (docs/cluster.md: Upgrading Kubernetes)", end),
		"a newer version: "+strings.Join(newer, ", ")+"; "+AllowEndingSupportVar+"=true lets a hotfix through")
}

// minorOf is the minor of a "1.N" version, for numeric comparison ("1.10" > "1.9").
func minorOf(version string) int {
	_, minor, _ := strings.Cut(version, ".")
	n, _ := strconv.Atoi(minor)
	return n
}

func (v validator) nodeGroup(n fileNodeGroup) (NodeGroup, error) {
	out := NodeGroup{InstanceTypes: []string{DefaultNodeInstanceType}, Size: DefaultNodeCount, DiskSizeGiB: DefaultNodeDiskGiB, CriticalAddonsTaint: n.CriticalAddonsTaint}
	if len(n.InstanceTypes) > 0 {
		out.InstanceTypes = nil
		for i, t := range n.InstanceTypes {
			if !instanceTypePattern.MatchString(t) || gravitonFamily.MatchString(strings.Split(t, ".")[0]) {
				return out, v.fail(fmt.Sprintf("cluster.node_group.instance_types[%d]", i), t, "not an x86_64 EC2 instance type (the node group runs BOTTLEROCKET_x86_64)", "e.g. m6i.large, m7i.xlarge")
			}
			out.InstanceTypes = append(out.InstanceTypes, t)
		}
	}
	if n.Size != nil {
		if *n.Size < 1 || *n.Size > MaxNodeCount {
			return out, v.fail("cluster.node_group.size", strconv.Itoa(*n.Size), "out of range", fmt.Sprintf("1 to %d nodes (Karpenter adds capacity beyond these)", MaxNodeCount))
		}
		out.Size = *n.Size
	}
	if n.DiskSizeGiB != nil {
		if *n.DiskSizeGiB < 20 || *n.DiskSizeGiB > 1000 {
			return out, v.fail("cluster.node_group.disk_size_gib", strconv.Itoa(*n.DiskSizeGiB), "out of range", "20 to 1000")
		}
		out.DiskSizeGiB = *n.DiskSizeGiB
	}
	return out, nil
}
