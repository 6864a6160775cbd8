#!/usr/bin/env bash
# Offline `terraform plan` of every synthesized AWS stack, with no AWS account:
# each stack is copied to .work/plan/<stack>/ and an override file adds fake credentials and
# the provider's skip flags there, so cdktf.out/ (what users deploy) never carries them.
# The plan folder starts empty on every run, so no plan from an earlier run survives.
# A plan validates the configuration first, so there is no separate validate pass.
# Usage: scripts/plan.sh [plan]
# Inputs: CDKTF_OUTDIR (default cdktf.out) and PHL_PLAN_DIR (default .work/plan).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ "${1:-plan}" = plan ] || die "usage: scripts/plan.sh [plan] (a plan validates; there is no separate validate mode)"
tf_setup

# offline_override STACK: provider settings for a plan without AWS, a throwaway local backend,
# and each terraform_remote_state pointed at the placeholder state of its producer's plan.
offline_override() {
  jq --arg work "$PLAN_DIR" '
    {
      "//": "Written by scripts/plan.sh for offline plans only; never part of what is deployed.",
      terraform: {backend: {local: {path: "offline.tfstate"}}},
      provider: {aws: {
        access_key: "AKIAOFFLINEPLAN00000", secret_key: "offline-plan-not-a-secret",
        skip_credentials_validation: true, skip_requesting_account_id: true,
        skip_metadata_api_check: "true", skip_region_validation: true,
        allowed_account_ids: null, max_retries: 1
      }}
    }
    + (.data.terraform_remote_state // {} | if . == {} then {} else
        {data: {terraform_remote_state: with_entries(.value = {backend: "local", config: {path:
          "\($work)/\(.key | ltrimstr("cross-stack-reference-input-"))/offline-outputs.tfstate"}})}}
      end)' "$OUT/stacks/$1/cdk.tf.json"
}

mkdir -p "$WORK/bin"
# A binary of this run's own: two plan runs at once (the ladder's self-tests) never share one.
OFFLINESTATE="$WORK/bin/offlinestate.$$"
trap 'rm -f "$OFFLINESTATE"' EXIT
go build -o "$OFFLINESTATE" ./tools/offlinestate

# plan_one STACK: init and plan the stack in its own folder; output to its log.
plan_one() {
  local s=$1 wd="$PLAN_DIR/$1" account region counts others
  # Only the AWS provider is in the machine's mirror; a stack needing another (the gitops
  # stack's Helm provider) cannot be initialized here. Say so, loudly, and move on.
  others=$(jq -r '.terraform.required_providers // {} | keys - ["aws"] | join(", ")' "$OUT/stacks/$s/cdk.tf.json")
  if [ -n "$others" ]; then
    note "$s: NOT planned offline: it needs the $others provider, which this machine cannot install; stacks/gitops_test.go asserts its synthesized JSON and rung 6 renders its charts"
    return 0
  fi
  mkdir -p "$wd"
  cp "$OUT/stacks/$s/cdk.tf.json" "$wd/"
  offline_override "$s" > "$wd/offline_override.tf.json"
  # The committed lock, read-only: init fails when the mirror's provider is not the locked
  # version or does not match its checksum, so what is planned here is what deploys install.
  cp "$ROOT/.terraform.lock.hcl" "$wd/"
  (cd "$wd" && terraform init -input=false -no-color -lockfile=readonly > init.log 2>&1) || { cat "$wd/init.log"; die "$s: terraform init failed"; }
  if ! (cd "$wd" && terraform plan -refresh=false -lock=false -input=false -no-color -out=plan.bin > plan.log 2>&1); then
    cat "$wd/plan.log"; die "$s: offline plan failed"
  fi
  (cd "$wd" && terraform show -json plan.bin > plan.json)
  # What consumers of this stack read through terraform_remote_state during their plans.
  account=$(jq -er '.provider.aws[0].allowed_account_ids[0]' "$wd/cdk.tf.json")
  region=$(jq -er '.provider.aws[0].region' "$wd/cdk.tf.json")
  "$OFFLINESTATE" -plan "$wd/plan.json" -o "$wd/offline-outputs.tfstate" -account "$account" -region "$region"
  counts=$(jq -r '[.resource_changes[].change.actions] | "\(map(select(. == ["create"])) | length) to add, \(map(select(. == ["update"])) | length) to change, \(map(select(index("delete"))) | length) to destroy"' "$wd/plan.json")
  note "$s: $counts; plan JSON: ${wd#"$ROOT"/}/plan.json"
}

# The stacks run PHL_PLAN_JOBS at a time (default 2, the machine's cores), each as soon as all
# its producers are planned (the manifest's dependencies; a dependency on a stack the manifest
# does not list, or a cycle, is an error). Each job's output is shown whole when it ends, and a
# failure stops the run once the jobs already running have ended.
jobs=${PHL_PLAN_JOBS:-2}
unknown=$(jq -r '.stacks as $all | [.stacks[].dependencies[]? | select($all[.] == null)] | unique | join(" ")' "$OUT/manifest.json")
[ -z "$unknown" ] || die "the manifest names dependencies it does not list: $unknown"
# Stacks with the most dependents first (the critical path: networks before bootstrap stacks).
pending=$(jq -r '.stacks as $all | $all | keys[] as $s |
  "\([$all[] | select((.dependencies // []) | index($s))] | length) \($s)"' "$OUT/manifest.json" | sort -k1,1nr -k2 | cut -d' ' -f2)
rm -rf "$PLAN_DIR"
mkdir -p "$PLAN_DIR"
declare -A pid_of=() stack_of=()
done_list=" " failed=""
ready() { jq -e --arg s "$1" --arg done "$done_list" '.stacks[$s].dependencies // [] | all(. as $d | $done | contains(" " + $d + " "))' "$OUT/manifest.json" >/dev/null; }
while [ -n "$pending" ] || [ ${#pid_of[@]} -gt 0 ]; do
  if [ -z "$failed" ]; then
    next=""
    for s in $pending; do
      if [ ${#pid_of[@]} -lt "$jobs" ] && ready "$s"; then
        (set -euo pipefail; plan_one "$s") > "$PLAN_DIR/$s.out" 2>&1 &
        pid_of[$s]=$!; stack_of[$!]=$s
      else
        next="$next $s"
      fi
    done
    pending=$(echo $next)
  else
    pending=""
  fi
  if [ ${#pid_of[@]} -eq 0 ]; then
    [ -z "$pending" ] || die "stack dependencies form a cycle: $pending"
    break
  fi
  wait -n -p finished "${pid_of[@]}" && rc=0 || rc=$?
  s=${stack_of[$finished]}
  unset "pid_of[$s]" "stack_of[$finished]"
  cat "$PLAN_DIR/$s.out"
  if [ "$rc" = 0 ]; then done_list="$done_list$s "; else failed="$failed $s"; fi
done
[ -z "$failed" ] || die "offline plan failed for:$failed"
