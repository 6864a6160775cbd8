package preflight

import (
	"fmt"
	"path/filepath"
	"strings"
)

// checkGitops: every chart the environment installs from outside this repository is published
// at its pinned version (otherwise Argo CD's sync wave, or the Helm release, waits for it
// forever), and Karpenter's Bottlerocket AMI alias resolves for the cluster's Kubernetes version.
func (r *runner) checkGitops() {
	pins, err := PinnedCharts(r.env, r.out, r.opts.Charts)
	if err != nil {
		r.fail("gitops.charts", "cannot read the pinned charts: "+err.Error(),
			"run from the repository root, or point -charts at gitops/charts; synthesize again: make synth")
	}
	for _, p := range pins {
		r.checkChart(p)
	}
	r.checkKarpenterAMI()
}

func (r *runner) checkChart(p ChartPin) {
	name := "gitops.chart." + p.Chart
	found, published, err := r.opts.Repos.Lookup(r.ctx, p.Repository, p.Chart, p.Version)
	if err != nil {
		r.fail(name, fmt.Sprintf("cannot read %s: %v", p.Repository, err),
			"check the repository URL ("+p.Source+") and this machine's network or proxy (HTTPS_PROXY); Argo CD in the cluster must reach it too")
		return
	}
	if !found {
		offered := "it publishes no version of " + p.Chart
		if len(published) > 0 {
			offered = "newest: " + newest(published, 3)
		}
		r.fail(name, fmt.Sprintf("%s %s is not in %s (%s)", p.Chart, p.Version, p.Repository, offered),
			"pin a published version: "+p.Source)
		return
	}
	r.pass(name, fmt.Sprintf("%s %s is in %s", p.Chart, p.Version, p.Repository))
}

// karpenterNodes are the karpenter-nodes chart's values for the environment (values.yaml under
// values-<env>.yaml, the file it is set in): its AMI alias and the architectures its NodePools
// allow.
func karpenterNodes(chartsDir, env string) (alias string, archs []string, envFile string, err error) {
	dir := filepath.Join(chartsDir, "karpenter-nodes")
	envFile = filepath.Join(dir, "values-"+env+".yaml")
	values, err := readValues(filepath.Join(dir, "values.yaml"), envFile)
	if err != nil {
		return "", nil, "", err
	}
	alias, _ = path(values, "nodeClass", "amiAlias").(string)
	for _, a := range anyList(path(values, "nodePools", "architectures")) {
		if s, ok := a.(string); ok {
			archs = append(archs, s)
		}
	}
	return alias, archs, envFile, nil
}

func anyList(v any) []any { l, _ := v.([]any); return l }

// ec2Arch is the architecture name of Bottlerocket's SSM parameters for a Kubernetes one.
var ec2Arch = map[string]string{"amd64": "x86_64", "arm64": "arm64"}

// bottlerocketParameter is the public SSM parameter of a Bottlerocket release's AMI for a
// Kubernetes version: the one Karpenter reads for an alias bottlerocket@<release>, the v
// dropped (karpenter-provider-aws pkg/providers/amifamily/bottlerocket.go DescribeImageQuery),
// and Bottlerocket publishes as {variant}/{arch}/{image_version}/image_id (bottlerocket
// tools/pubsys/policies/ssm), "latest" included.
func bottlerocketParameter(k8s, arch, release string) string {
	return fmt.Sprintf("/aws/service/bottlerocket/aws-k8s-%s/%s/%s/image_id", k8s, arch, strings.TrimPrefix(release, "v"))
}

// checkKarpenterAMI: the AMI alias of the karpenter-nodes chart resolves to a Bottlerocket AMI
// for the cluster's Kubernetes version in every architecture the NodePools allow; an alias that
// does not resolve leaves the EC2NodeClass not ready and Karpenter launches nothing.
func (r *runner) checkKarpenterAMI() {
	const name = "gitops.karpenter-ami"
	k8s, ok := r.kubernetesVersion()
	if !ok {
		r.skip(name, "the cluster's Kubernetes version is computed at apply")
		return
	}
	alias, archs, file, err := karpenterNodes(r.opts.Charts, r.env.Name)
	if err != nil {
		r.fail(name, "cannot read the karpenter-nodes values: "+err.Error(), "run from the repository root, or point -charts at gitops/charts")
		return
	}
	family, release, _ := strings.Cut(alias, "@")
	if family != "bottlerocket" || release == "" {
		r.skip(name, fmt.Sprintf("amiAlias %q is not a Bottlerocket alias (only those are checked)", alias))
		return
	}
	fix := fmt.Sprintf("set nodeClass.amiAlias in %s to a Bottlerocket release published for Kubernetes %s (newest: aws ssm get-parameter --name /aws/service/bottlerocket/aws-k8s-%s/x86_64/latest/image_version --region %s)",
		file, k8s, k8s, r.env.Region)
	if len(archs) == 0 {
		r.fail(name, "nodePools.architectures is empty for "+file, "list amd64 and/or arm64")
		return
	}
	var amis []string
	for _, a := range archs {
		arch, known := ec2Arch[a]
		if !known {
			r.fail(name, fmt.Sprintf("nodePools.architectures %q: Bottlerocket has amd64 and arm64", a), "list amd64 and/or arm64 in "+file)
			return
		}
		p := bottlerocketParameter(k8s, arch, release)
		ami, found, err := r.publicParameter(p)
		if err != nil {
			r.apiFail(name, "ssm:GetParameter "+p, err)
			return
		}
		if !found {
			r.fail(name, fmt.Sprintf("%s has no aws-k8s-%s %s AMI in %s (no %s)", alias, k8s, arch, r.env.Region, p), fix)
			return
		}
		amis = append(amis, arch+" "+ami)
	}
	r.pass(name, fmt.Sprintf("%s resolves for Kubernetes %s in %s: %s", alias, k8s, r.env.Region, strings.Join(amis, ", ")))
}

// checkNodeGroupRelease: a node group that pins a Bottlerocket release (release_version) pins
// one published for the Kubernetes version; without a pin EKS takes the newest.
func (r *runner) checkNodeGroupRelease(k8s string, ng Resource) {
	const name = "cluster.node-group-release"
	group, ok := ng.Literal("node_group_name")
	if !ok {
		group = ng.Name
	}
	amiType, _ := ng.Literal("ami_type")
	release, pinned := ng.Literal("release_version")
	switch {
	case ng.Attrs["release_version"] == nil:
		r.skip(name, fmt.Sprintf("node group %s pins no release_version: EKS takes the newest %s AMI for Kubernetes %s", group, amiType, k8s))
		return
	case !pinned:
		r.skip(name, "node group "+group+": release_version is computed at apply")
		return
	case !strings.HasPrefix(amiType, "BOTTLEROCKET_"):
		r.skip(name, fmt.Sprintf("node group %s: %s releases are not checked (only Bottlerocket)", group, amiType))
		return
	}
	arch := "x86_64"
	if strings.Contains(amiType, "ARM_64") {
		arch = "arm64"
	}
	variant := k8s
	if strings.Contains(amiType, "NVIDIA") {
		variant += "-nvidia"
	}
	p := bottlerocketParameter(variant, arch, release)
	ami, found, err := r.publicParameter(p)
	switch {
	case err != nil:
		r.apiFail(name, "ssm:GetParameter "+p, err)
	case !found:
		r.fail(name, fmt.Sprintf("node group %s pins Bottlerocket %s, which has no aws-k8s-%s %s AMI in %s (no %s)", group, release, variant, arch, r.env.Region, p),
			"pin a release published for Kubernetes "+k8s+", or none (EKS takes the newest)")
	default:
		r.pass(name, fmt.Sprintf("node group %s pins Bottlerocket %s: %s for Kubernetes %s in %s", group, release, ami, k8s, r.env.Region))
	}
}

// publicParameter reads an AWS public parameter; found is false when it does not exist.
func (r *runner) publicParameter(name string) (value string, found bool, err error) {
	p, err := r.aws.SSM.GetParameter(r.ctx, name)
	if errorCode(err) == "ParameterNotFound" {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return p.Value, true, nil
}

// kubernetesVersion is the cluster stack's literal Kubernetes version.
func (r *runner) kubernetesVersion() (string, bool) {
	rs := r.stack("cluster").Resources("aws_eks_cluster")
	if len(rs) != 1 {
		return "", false
	}
	return rs[0].Literal("version")
}
