#!/usr/bin/env bash
# Offline `terraform plan` of every synthesized AWS stack, with no AWS account:
# each stack is copied to .work/plan/<stack>/ and an override file adds fake credentials and
# the provider's skip flags there, so cdktf.out/ (what users deploy) never carries them.
# The plan folder starts empty on every run, so no plan from an earlier run survives.
# Usage: scripts/plan.sh [validate|plan]   (validate: init + validate only)
# Inputs: CDKTF_OUTDIR (default cdktf.out) and PHL_PLAN_DIR (default .work/plan).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mode=${1:-plan}
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

# ordered_stacks prints the stacks level by level, one line each: a level's stacks depend only
# on earlier levels (the manifest's dependencies). A dependency on a stack the manifest does
# not list, or a cycle, is an error.
ordered_stacks() {
  local planned=" " remaining next s level
  remaining=$(stacks)
  local unknown; unknown=$(jq -r '.stacks as $all | [.stacks[].dependencies[]? | select($all[.] == null)] | unique | join(" ")' "$OUT/manifest.json")
  [ -z "$unknown" ] || die "the manifest names dependencies it does not list: $unknown"
  while [ -n "$remaining" ]; do
    next="" level=""
    for s in $remaining; do
      if jq -e --arg s "$s" --arg planned "$planned" \
          '.stacks[$s].dependencies | all(. as $d | $planned | contains(" " + $d + " "))' "$OUT/manifest.json" >/dev/null; then
        level="$level $s"
      else
        next="$next $s"
      fi
    done
    planned="$planned${level# } "
    echo "${level# }"
    [ "$(echo $next)" != "$(echo $remaining)" ] || die "stack dependencies form a cycle: $remaining"
    remaining=$(echo $next)
  done
}

mkdir -p "$WORK/bin"
go build -o "$WORK/bin/offlinestate" ./tools/offlinestate

# plan_one STACK: init, then validate or plan the stack in its own folder; output to its log.
plan_one() {
  local s=$1 wd="$PLAN_DIR/$1" account region counts others
  # Only the AWS provider is in the machine's mirror; a stack needing another (the gitops
  # stack's Helm provider) cannot be initialized here. Say so, loudly, and move on.
  others=$(jq -r '.terraform.required_providers // {} | keys - ["aws"] | join(", ")' "$OUT/stacks/$s/cdk.tf.json")
  if [ -n "$others" ]; then
    local done_word=planned; [ "$mode" = plan ] || done_word=validated
    note "$s: NOT $done_word offline: it needs the $others provider, which this machine cannot install; stacks/gitops_test.go asserts its synthesized JSON and rung 6 renders its charts"
    return 0
  fi
  mkdir -p "$wd"
  cp "$OUT/stacks/$s/cdk.tf.json" "$wd/"
  offline_override "$s" > "$wd/offline_override.tf.json"
  # The committed lock, read-only: init fails when the mirror's provider is not the locked
  # version or does not match its checksum, so what is planned here is what deploys install.
  cp "$ROOT/.terraform.lock.hcl" "$wd/"
  (cd "$wd" && terraform init -input=false -no-color -lockfile=readonly > init.log 2>&1) || { cat "$wd/init.log"; die "$s: terraform init failed"; }
  if [ "$mode" = validate ]; then
    (cd "$wd" && terraform validate -no-color) | sed "s/^/  $s: /"
    return 0
  fi
  if ! (cd "$wd" && terraform plan -refresh=false -lock=false -input=false -no-color -out=plan.bin > plan.log 2>&1); then
    cat "$wd/plan.log"; die "$s: offline plan failed"
  fi
  (cd "$wd" && terraform show -json plan.bin > plan.json)
  # What consumers of this stack read through terraform_remote_state during their plans.
  account=$(jq -er '.provider.aws[0].allowed_account_ids[0]' "$wd/cdk.tf.json")
  region=$(jq -er '.provider.aws[0].region' "$wd/cdk.tf.json")
  "$WORK/bin/offlinestate" -plan "$wd/plan.json" -o "$wd/offline-outputs.tfstate" -account "$account" -region "$region"
  counts=$(jq -r '[.resource_changes[].change.actions] | "\(map(select(. == ["create"])) | length) to add, \(map(select(. == ["update"])) | length) to change, \(map(select(index("delete"))) | length) to destroy"' "$wd/plan.json")
  note "$s: $counts; plan JSON: ${wd#"$ROOT"/}/plan.json"
}

# Stacks of one dependency level (all their producers planned) run PHL_PLAN_JOBS at a time
# (default 2, the machine's cores); each job's output is shown whole, in order, and any
# failure fails the run after its level.
jobs=${PHL_PLAN_JOBS:-2}
levels=$(ordered_stacks)
rm -rf "$PLAN_DIR"
mkdir -p "$PLAN_DIR"
while IFS= read -r level; do
  [ -n "$level" ] || continue
  set -- $level
  while [ $# -gt 0 ]; do
    batch=() pids=()
    while [ $# -gt 0 ] && [ ${#batch[@]} -lt "$jobs" ]; do
      batch+=("$1")
      (set -euo pipefail; plan_one "$1") > "$PLAN_DIR/$1.out" 2>&1 &
      pids+=($!)
      shift
    done
    failed=""
    for i in "${!batch[@]}"; do
      if ! wait "${pids[$i]}"; then failed="$failed ${batch[$i]}"; fi
      cat "$PLAN_DIR/${batch[$i]}.out"
    done
    [ -z "$failed" ] || die "offline $mode failed for:$failed"
  done
done <<<"$levels"
