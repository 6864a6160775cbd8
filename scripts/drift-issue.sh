#!/usr/bin/env bash
# Keeps one open issue per environment about drift (drift.yml): DRIFTED=true opens it, or
# updates the open one, with FILE as its body; DRIFTED=false closes the open one, if any.
# Usage: scripts/drift-issue.sh ENV FILE DRIFTED   (GH_TOKEN and GITHUB_REPOSITORY from Actions)
set -euo pipefail
env=${1:?environment}
file=${2:?issue body file}
drifted=${3:?true or false}
: "${GITHUB_REPOSITORY:?set by GitHub Actions}"
[[ $env =~ ^[a-z][a-z0-9-]*$ ]] || { echo "error: environment \"$env\" is not an environment name" >&2; exit 2; }
title="Drift in $env" # internal/ci.DriftTitle
marker='<!-- phl-platform:drift -->' # internal/ci.DriftMarker
number=$(gh issue list --repo "$GITHUB_REPOSITORY" --state open --search "\"$title\" in:title" --json number,title,body \
  --jq ".[] | select(.title == \"$title\" and (.body | startswith(\"$marker\"))) | .number" | head -n1)
case "$drifted" in
  true)
    if [ -n "$number" ]; then
      gh issue edit "$number" --repo "$GITHUB_REPOSITORY" --body-file "$file" > /dev/null
      echo "drift issue #$number updated"
    else
      gh issue create --repo "$GITHUB_REPOSITORY" --title "$title" --body-file "$file" > /dev/null
      echo "drift issue created: $title"
    fi ;;
  false)
    if [ -n "$number" ]; then
      gh issue close "$number" --repo "$GITHUB_REPOSITORY" --comment "The daily plan of every $env stack is empty again." > /dev/null
      echo "drift issue #$number closed"
    else
      echo "no drift in $env"
    fi ;;
  *) echo "error: DRIFTED is \"$drifted\": true or false" >&2; exit 2 ;;
esac
