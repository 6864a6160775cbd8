#!/usr/bin/env bash
# Commits the digest `go run ./cmd/ci release` pinned (app-release.yml): dev straight to main,
# prod as a pull request. Usage: scripts/app-release-commit.sh ENV TAG   (GH_TOKEN from Actions)
set -euo pipefail
env=${1:?environment}
tag=${2:?image tag}
[[ $env =~ ^[a-z][a-z0-9-]*$ ]] || { echo "error: environment \"$env\" is not an environment name" >&2; exit 2; }
values="gitops/charts/phl-store/values-$env.yaml"
if git diff --quiet -- "$values"; then
  echo "$values already pins this digest: nothing to release"
  exit 0
fi
[ -z "$(git status --porcelain -- . ":(exclude)$values")" ] || { echo "error: files other than $values changed:" >&2; git status --porcelain >&2; exit 1; }
digest=$(sed -n 's/^ *digest: "\(sha256:[0-9a-f]\{64\}\)".*/\1/p' "$values" | head -n1)
[ -n "$digest" ] || { echo "error: $values has no pinned digest" >&2; exit 1; }
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
message="phl-store $env: $tag at $digest"
case "$env" in
  dev)
    git commit -q -m "$message" -- "$values"
    git push -q origin HEAD:main
    echo "pushed to main: $message" ;;
  *)
    branch="app-release/$env-${digest#sha256:}"
    branch=${branch:0:40}
    git switch -q -c "$branch"
    git commit -q -m "$message" -- "$values"
    git push -q origin "$branch"
    gh pr create --base main --head "$branch" --title "$message" \
      --body "Pins the phl-store image for $env to \`$digest\` (tag \`$tag\` when released). Argo CD rolls it out after the merge."
    echo "pull request opened: $message" ;;
esac
