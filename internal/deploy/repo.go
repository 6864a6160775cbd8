package deploy

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// checkRepoURL refuses a gitops.repo_url that is not this checkout's origin: a fork that kept
// upstream's URL would have Argo CD deploy upstream's gitops/, not the fork's.
func (d *run) checkRepoURL(ctx context.Context) (string, error) {
	configured := d.env.Gitops.RepoURL
	out, err := d.r.run(ctx, command{name: "git", args: []string{"remote", "get-url", "origin"}, capture: true})
	origin := strings.TrimSpace(string(out))
	if err != nil || origin == "" {
		if d.o.AllowRepoMismatch {
			return "not compared (no origin remote; -allow-repo-mismatch)", nil
		}
		return "", fail("gitops.repo_url", fmt.Sprintf("this checkout has no origin remote to compare %s gitops.repo_url %q with", d.file(), configured),
			"git remote add origin <your repository>, or pass -allow-repo-mismatch")
	}
	if sameRepo(configured, origin) {
		return configured + " is this checkout's origin", nil
	}
	if d.o.AllowRepoMismatch {
		return fmt.Sprintf("%s is not origin %s: deploying from it anyway (-allow-repo-mismatch)", configured, redact(origin)), nil
	}
	return "", fail("gitops.repo_url", fmt.Sprintf("%s gitops.repo_url %q is not this checkout's origin %q: Argo CD would deploy that repository's gitops/, not yours", d.file(), configured, redact(origin)),
		fmt.Sprintf("set gitops.repo_url: %s, or pass -allow-repo-mismatch to deploy from %s on purpose", suggestURL(origin), configured))
}

var scpLike = regexp.MustCompile(`^(?:[^@/]+@)?([^:/]+):(.+)$`)

// splitRepo cuts a Git URL into host and path, without scheme, credentials, port or .git.
func splitRepo(u string) (host, path string) {
	u = strings.TrimSpace(u)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if at := strings.LastIndex(strings.SplitN(u, "/", 2)[0], "@"); at >= 0 {
			u = u[at+1:]
		}
		host, path, _ = strings.Cut(u, "/")
		host, _, _ = strings.Cut(host, ":")
	} else if m := scpLike.FindStringSubmatch(u); m != nil {
		host, path = m[1], m[2]
	} else {
		host, path, _ = strings.Cut(u, "/")
	}
	return host, strings.TrimSuffix(strings.TrimRight(path, "/"), ".git")
}

// normalizeRepo reduces a Git URL to host/path in lower case: https://github.com/O/R.git,
// git@github.com:O/R and ssh://git@github.com:22/O/R are all github.com/o/r.
func normalizeRepo(u string) string {
	host, path := splitRepo(u)
	return strings.ToLower(host + "/" + path)
}

func sameRepo(a, b string) bool { return normalizeRepo(a) == normalizeRepo(b) }

// redact drops credentials from an https URL (Atlantis and CI clone with a token in it).
func redact(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		host := strings.SplitN(rest, "/", 2)[0]
		if at := strings.LastIndex(host, "@"); at >= 0 {
			return u[:i+3] + rest[at+1:]
		}
	}
	return u
}

// suggestURL is origin in a form config accepts: https://host/path or git@host:path.
func suggestURL(origin string) string {
	host, path := splitRepo(origin)
	if strings.HasPrefix(origin, "https://") || strings.HasPrefix(origin, "http://") {
		return "https://" + host + "/" + path + ".git"
	}
	return "git@" + host + ":" + path + ".git"
}
