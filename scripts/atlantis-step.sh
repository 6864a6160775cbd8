#!/usr/bin/env bash
# One Atlantis step on the synthesized output (see atlantis.yaml and docs/deploying.md "Atlantis").
# Usage: scripts/atlantis-step.sh synth        the server's pre-workflow hook: `make synth` unless
#                                              cdktf.out/ is already from this commit
#        scripts/atlantis-step.sh plan|apply   a project's step (Atlantis sets PROJECT_NAME and
#                                              PLANFILE; atlantis.yaml runs it from the project's
#                                              directory, cdktf.out/stacks/<stack>)
# Synthesis is not done in plan or apply: the hook runs it once per pull request commit, before
# any project plans, so no project's plan rewrites cdktf.out/ under another's feet. It is skipped
# when cdktf.out/ is already from HEAD, because synth.sh empties cdktf.out/ and Atlantis keeps
# each project's saved plan (PLANFILE, runatlantis.io/docs/custom-workflows.md) in the project's directory: `atlantis plan -p <stack>` must
# not delete the other projects' plans. CDKTF_OUTDIR and PHL_ENVIRONMENTS_DIR (tests) move
# cdktf.out/ and environments/.
set -euo pipefail
cd "$(dirname "$0")/.."
step=${1:?synth, plan or apply}
out=${CDKTF_OUTDIR:-cdktf.out}
head=$(git rev-parse HEAD)
if [ "$step" = synth ]; then
  if [ "$(cat "$out/.commit" 2>/dev/null)" = "$head" ] && [ -f "$out/manifest.json" ]; then
    echo "$out/ is from $head already: not synthesizing again (the saved plans stay)"
    exit 0
  fi
  exec make synth
fi
: "${PROJECT_NAME:?set by Atlantis}" "${PLANFILE:?set by Atlantis}"
dir="$out/stacks/$PROJECT_NAME"
env=${PROJECT_NAME%%-*}
[ -f "$dir/cdk.tf.json" ] || { echo "error: $dir/cdk.tf.json is missing: the pre-workflow hook (scripts/atlantis-step.sh synth) did not run or failed" >&2; exit 1; }
# A failed hook can leave output of an earlier commit behind: never plan or apply that.
[ "$(cat "$out/.commit" 2>/dev/null)" = "$head" ] ||
  { echo "error: $out/ is not from commit $(git rev-parse --short HEAD): the pre-workflow hook (scripts/atlantis-step.sh synth) failed" >&2; exit 1; }
# Atlantis's disk is not a state store: every environment it plans must keep state in S3.
jq -e '.terraform.backend.s3.bucket' "$dir/cdk.tf.json" >/dev/null ||
  { echo "error: $PROJECT_NAME has no S3 state backend: set state_backend in environments/$env.yaml" >&2; exit 1; }
case "$step" in
  plan) ;;
  apply)
    # One tool applies an environment (delivery.applies_by): the other only plans.
    owner=$(go run ./tools/atlantisgen -owner "$env")
    [ "$owner" = atlantis ] ||
      { echo "error: $PROJECT_NAME: environments/$env.yaml delivery.applies_by is $owner, so the deploy workflow applies $env, not Atlantis (plans are fine; set applies_by: atlantis to apply here)" >&2; exit 1; } ;;
  *) echo "error: unknown step $step (synth, plan or apply)" >&2; exit 2 ;;
esac
terraform -chdir="$dir" init -input=false -no-color
case "$step" in
  plan) terraform -chdir="$dir" plan -input=false -no-color -out="$PLANFILE" ;;
  apply) terraform -chdir="$dir" apply -input=false -no-color "$PLANFILE" ;;
esac
