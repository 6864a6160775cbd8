#!/usr/bin/env bash
# Posts FILE as a pull request's plan comment (plan.yml): updates this workflow's comment that
# starts with the marker, or creates it, so a pull request has one plan comment however often
# it is pushed. Usage: scripts/pr-comment.sh PR FILE   (GH_TOKEN and GITHUB_REPOSITORY from Actions)
set -euo pipefail
pr=${1:?pull request number}
file=${2:?comment file}
: "${GITHUB_REPOSITORY:?set by GitHub Actions}"
marker='<!-- phl-platform:plan -->' # internal/ci.CommentMarker
[[ $pr =~ ^[0-9]+$ ]] || { echo "error: pull request number \"$pr\" is not a number" >&2; exit 2; }
[ "$(head -n1 "$file")" = "$marker" ] || { echo "error: $file does not start with $marker (go run ./cmd/ci comment writes it)" >&2; exit 2; }
# Only the workflow's own comments: anyone can post a comment that starts with the marker.
id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$pr/comments" --paginate \
  --jq ".[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"$marker\"))) | .id" | head -n1)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$file" > /dev/null
  echo "plan comment $id updated"
else
  gh api -X POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$file" > /dev/null
  echo "plan comment created"
fi
