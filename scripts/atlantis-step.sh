#!/usr/bin/env bash
# One Atlantis project step on the synthesized output (see atlantis.yaml and README "Atlantis").
# Synthesis is not done here: the server's pre-workflow hook runs `make synth` once per pull
# request event, before any project plans, so no project's plan rewrites cdktf.out/ under
# another's feet.
# Usage: scripts/atlantis-step.sh plan|apply   (Atlantis sets PROJECT_NAME and PLANFILE)
set -euo pipefail
cd "$(dirname "$0")/.."
step=${1:?plan or apply}
: "${PROJECT_NAME:?set by Atlantis}" "${PLANFILE:?set by Atlantis}"
dir="cdktf.out/stacks/$PROJECT_NAME"
[ -f "$dir/cdk.tf.json" ] || { echo "error: $dir/cdk.tf.json is missing: the pre-workflow hook (make synth) did not run or failed" >&2; exit 1; }
# A failed hook can leave output of an earlier commit behind: never plan or apply that.
[ "$(cat cdktf.out/.commit 2>/dev/null)" = "$(git rev-parse HEAD)" ] ||
  { echo "error: cdktf.out/ is not from commit $(git rev-parse --short HEAD): the pre-workflow hook (make synth) failed" >&2; exit 1; }
# Atlantis's disk is not a state store: every environment it plans must keep state in S3.
jq -e '.terraform.backend.s3.bucket' "$dir/cdk.tf.json" >/dev/null ||
  { echo "error: $PROJECT_NAME has no S3 state backend: set state_backend in environments/${PROJECT_NAME%%-*}.yaml" >&2; exit 1; }
terraform -chdir="$dir" init -input=false -no-color
case "$step" in
  plan) terraform -chdir="$dir" plan -input=false -no-color -out="$PLANFILE" ;;
  apply) terraform -chdir="$dir" apply -input=false -no-color "$PLANFILE" ;;
  *) echo "error: unknown step $step (plan or apply)" >&2; exit 2 ;;
esac
