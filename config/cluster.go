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
// reviewed (2026-11-28): 1.34 leaves standard support on 2026-12-02. Review it with every EKS
// release; the first entry is the default.
var KubernetesVersions = []string{"1.35", "1.36"}

// StandardSupportEnds is when EKS standard support ends for a version (EKS user guide,
// "Kubernetes versions on standard support"; `aws eks describe-cluster-versions` has the
// current dates). With upgrade_policy STANDARD, EKS upgrades the control plane itself on that
// day, and the next plan would try to downgrade it: config refuses a version from
// UpgradeNoticeDays before that date, so the upgrade is done deliberately (docs/cluster.md "Upgrading
// Kubernetes"). A version without a known date is not checked.
var StandardSupportEnds = map[string]string{"1.35": "2027-03-27"}

// UpgradeNoticeDays is how long before the end of standard support a version is refused.
const UpgradeNoticeDays = 30

// KarpenterVersion is the Karpenter release the platform deploys (the GitOps stack installs
// this chart version) and whose reference IAM policy the cluster's controller role follows
// (its getting-started CloudFormation template of the same version). Karpenter 1.14 supports
// Kubernetes 1.29 to 1.36 (karpenter.sh compatibility matrix: 1.35 needs >= 1.9, 1.36 >= 1.13).
const KarpenterVersion = "1.14.1"

// KarpenterKubernetesVersions are the Kubernetes minors KarpenterVersion supports; every entry
// of KubernetesVersions must be one of them (a test checks).
var KarpenterKubernetesVersions = []string{"1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36"}

// Addons are the EKS managed add-ons the cluster installs (their versions may be pinned).
var Addons = []string{"eks-pod-identity-agent", "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"}

// Defaults for the cluster section.
const (
	DefaultNodeInstanceType = "m6i.large"
	DefaultNodeCount        = 2
	DefaultNodeDiskGiB      = 50
	MaxNodeCount            = 20
)
