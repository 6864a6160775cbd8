package config

import "regexp"

var (
	// https://host/path(.git) or git@host:path(.git); no credentials in the URL.
	repoURLPattern  = regexp.MustCompile(`^(https://[a-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._/-]+|git@[a-z0-9.-]+:[A-Za-z0-9._/-]+)$`)
	gitRefPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$`)
	rotationPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{0,63}$`)
)

func (v validator) gitops(g fileGitops, prof profile) (Gitops, error) {
	out := Gitops{RepoURL: g.RepoURL, Revision: "main", ArgoCDHA: prof.argoCDHA, RotationID: g.PhlStoreRotationID}
	if g.RepoURL == "" {
		return out, v.fail("gitops.repo_url", "", "required: Argo CD syncs gitops/ from it", "the https or ssh URL of this repository, e.g. https://github.com/<org>/phl-platform.git")
	}
	if !repoURLPattern.MatchString(g.RepoURL) {
		return out, v.fail("gitops.repo_url", g.RepoURL, "not a Git repository URL (or it carries credentials)", "https://<host>/<path> or git@<host>:<path>; private repository credentials go in an Argo CD repository Secret, never in the URL")
	}
	set(&out.Revision, g.Revision)
	if !gitRefPattern.MatchString(out.Revision) || regexp.MustCompile(`\.\.|//|\.lock$|/$`).MatchString(out.Revision) {
		return out, v.fail("gitops.revision", out.Revision, "not a branch, tag or commit", "e.g. main, v1.2.0 or a commit SHA")
	}
	setBool(&out.ArgoCDHA, g.ArgoCDHA)
	if !out.ArgoCDHA && prof.argoCDHA {
		return out, v.fail("gitops.argocd_ha", "false", "this environment runs Argo CD highly available", "true (or leave it out)")
	}
	if !rotationPattern.MatchString(out.RotationID) {
		return out, v.fail("gitops.phl_store_rotation_id", out.RotationID, "not a rotation ID", "up to 63 letters, digits, '.', '_' or '-'; change it to rotate the app's database password")
	}
	return out, nil
}
