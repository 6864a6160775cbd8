package config

// Cluster is the EKS part of an environment.
type Cluster struct {
	KubernetesVersion    string
	EndpointPublicAccess bool
	PublicAccessCidrs    []string
	AdminPrincipalArns   []string
	LogRetentionDays     int
	NodeGroup            NodeGroup
	AddonVersions        map[string]string // add-on name -> pinned version; absent: EKS's default
}

// NodeGroup is the managed node group for critical workloads (Karpenter adds the rest).
type NodeGroup struct {
	InstanceTypes       []string
	Size                int
	DiskSizeGiB         int
	CriticalAddonsTaint bool // taint CriticalAddonsOnly=true:NoSchedule, so apps land on Karpenter nodes
}

// KubernetesVersions are the EKS versions in standard support when this list was last
// reviewed (2026-11-27): 1.34 leaves standard support on 2026-12-02, 1.35 on 2027-03-27.
// Review it with every EKS release; the first entry is the default.
var KubernetesVersions = []string{"1.35", "1.36"}

// Addons are the EKS managed add-ons the cluster installs (their versions may be pinned).
var Addons = []string{"eks-pod-identity-agent", "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"}

// Defaults for the cluster section.
const (
	DefaultNodeInstanceType = "m6i.large"
	DefaultNodeCount        = 2
	DefaultNodeDiskGiB      = 50
	MaxNodeCount            = 20
)
