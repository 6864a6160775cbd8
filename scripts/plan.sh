#!/usr/bin/env bash
# Offline `terraform plan` of every synthesized AWS stack, with no AWS account:
# each stack is copied to .work/plan/<stack>/ and an override file adds fake credentials and
# the provider's skip flags there, so cdktf.out/ (what users deploy) never carries them.
# Usage: scripts/plan.sh [validate|plan]   (validate: init + validate only)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mode=${1:-plan}
tf_setup

offline_override() {
  cat <<'JSON'
{
  "//": "Written by scripts/plan.sh for offline plans only; never part of what is deployed.",
  "terraform": { "backend": { "local": { "path": "offline.tfstate" } } },
  "provider": { "aws": {
    "access_key": "AKIAOFFLINEPLAN00000", "secret_key": "offline-plan-not-a-secret",
    "skip_credentials_validation": true, "skip_requesting_account_id": true,
    "skip_metadata_api_check": "true", "skip_region_validation": true,
    "allowed_account_ids": null, "max_retries": 1
  } }
}
JSON
}

for s in $(stacks); do
  wd="$WORK/plan/$s"
  rm -rf "$wd" && mkdir -p "$wd"
  cp "$OUT/stacks/$s/cdk.tf.json" "$wd/"
  offline_override > "$wd/offline_override.tf.json"
  (cd "$wd" && terraform init -input=false -no-color > init.log 2>&1) || { cat "$wd/init.log"; die "$s: terraform init failed"; }
  if [ "$mode" = validate ]; then
    (cd "$wd" && terraform validate -no-color) | sed "s/^/  $s: /"
    continue
  fi
  if ! (cd "$wd" && terraform plan -refresh=false -lock=false -input=false -no-color -out=plan.bin > plan.log 2>&1); then
    cat "$wd/plan.log"; die "$s: offline plan failed"
  fi
  (cd "$wd" && terraform show -json plan.bin > plan.json)
  counts=$(jq -r '[.resource_changes[].change.actions] | "\(map(select(. == ["create"])) | length) to add, \(map(select(. == ["update"])) | length) to change, \(map(select(index("delete"))) | length) to destroy"' "$wd/plan.json")
  note "$s: $counts; plan JSON: ${wd#"$ROOT"/}/plan.json"
done
