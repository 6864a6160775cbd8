package config

// Gitops is what the <env>-gitops stack needs: where Argo CD finds this repository's gitops/
// folder, and how Argo CD itself runs.
type Gitops struct {
	RepoURL  string // the Git repository Argo CD syncs gitops/ from (https or ssh)
	Revision string // branch, tag or commit of that repository
	// ArgoCDHA runs Argo CD highly available (Redis HA, two API servers and repo servers).
	ArgoCDHA bool
	// RotationID, when changed, makes the database bootstrap rotate the app's password.
	RotationID string
}

// RootChartDir is the root chart the gitops stack installs (Argo CD's Applications), relative to
// the repository root. The synthesis copies it into the stack, so its files change that stack
// (internal/atlantisgen); the other charts reach the cluster through Git and Argo CD only.
const RootChartDir = "gitops/charts/platform"

// Pinned versions of what the gitops stack installs with Terraform (the Applications pin the
// rest in gitops/charts/platform). scripts/versions.env holds the same Argo CD version for the
// Kubernetes rung's CRDs; a test keeps them equal.
const (
	ArgoCDChartRepository = "https://argoproj.github.io/argo-helm"
	ArgoCDChartVersion    = "10.9.5" // Argo CD v3.5.3
	ArgoCDVersion         = "v3.5.3"
)
