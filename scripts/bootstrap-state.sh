#!/usr/bin/env bash
# Applies one account's bootstrap stack (environments/bootstrap/accounts.yaml), and moves its
# state into the bucket it created. Run with that account's administrator credentials.
#   scripts/bootstrap-state.sh apply ACCOUNT     make bootstrap ACCOUNT=<name>
#     synth, then terraform init + apply in cdktf.out/stacks/bootstrap-ACCOUNT (local state in
#     state/ until migrated; Terraform asks before it changes anything), then prints the
#     GitHub variables to set.
#   scripts/bootstrap-state.sh migrate ACCOUNT   make bootstrap-migrate ACCOUNT=<name>
#     after `state_in_bucket: true` for the account: synth again (the stack's backend is now
#     the bucket) and copy the local state into it (terraform init -migrate-state -force-copy);
#     the local file is kept as state/bootstrap-ACCOUNT.tfstate.migrated.
# Inputs: PHL_BOOTSTRAP_FILE, CDKTF_OUTDIR; SYNTH (default scripts/synth.sh) builds the stacks.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
verb=${1:-} account=${2:-}
case "$verb" in apply|migrate) ;; *) die "usage: scripts/bootstrap-state.sh apply|migrate ACCOUNT (make bootstrap ACCOUNT=<name>, make bootstrap-migrate ACCOUNT=<name>)" ;; esac
[ -n "$account" ] || die "ACCOUNT is required: the name of an account in ${PHL_BOOTSTRAP_FILE:-environments/bootstrap/accounts.yaml} (make bootstrap ACCOUNT=<name>)"
command -v terraform >/dev/null || die "terraform is not on PATH: install Terraform >= 1.10 (docs/toolchain.md)"

stack="bootstrap-$account"
# Where the stack's local backend keeps it (stacks.LocalStateDir: ../../../state from the stack).
local_state="$(dirname "$OUT")/state/$stack.tfstate"
PHL_ENVIRONMENTS=bootstrap "${SYNTH:-$ROOT/scripts/synth.sh}"
dir="$OUT/stacks/$stack"
if [ ! -f "$dir/cdk.tf.json" ]; then
  have=$(cd "$OUT/stacks" 2>/dev/null && ls -d bootstrap-* 2>/dev/null | sed 's/^bootstrap-//' | tr '\n' ' ')
  die "ACCOUNT=$account: no such account in ${PHL_BOOTSTRAP_FILE:-environments/bootstrap/accounts.yaml} (accounts: ${have:-none})"
fi
backend=$(jq -r '.terraform.backend | keys[0]' "$dir/cdk.tf.json")

case "$verb" in
apply)
  (cd "$dir" && terraform init -input=false && terraform apply)
  echo
  echo "Set these in GitHub (docs/deploying.md \"GitHub Actions\" -> Settings):"
  (cd "$dir" && terraform output -json github_variables)
  if [ "$backend" = local ]; then
    echo "Next: set state_in_bucket: true for account $account, then make bootstrap-migrate ACCOUNT=$account"
  fi
  ;;
migrate)
  [ "$backend" = s3 ] || die "account $account: state_in_bucket is not true in ${PHL_BOOTSTRAP_FILE:-environments/bootstrap/accounts.yaml}: set it, then run this again"
  [ -f "$local_state" ] || die "no local state at ${local_state#"$(dirname "$OUT")"/}: nothing to migrate (already migrated, or make bootstrap ACCOUNT=$account first)"
  # A fresh working directory with the local state where Terraform looks for an earlier
  # default-local state: init copies it into the newly configured S3 backend.
  rm -rf "$dir/.terraform"
  cp "$local_state" "$dir/terraform.tfstate"
  (cd "$dir" && terraform init -input=false -migrate-state -force-copy)
  resources=$(cd "$dir" && terraform state list | wc -l)
  [ "$resources" -gt 0 ] || die "the bucket's state of $stack lists no resources after the migration; the local state is untouched at ${local_state#"$(dirname "$OUT")"/}"
  rm -f "$dir/terraform.tfstate" "$dir/terraform.tfstate.backup"
  mv "$local_state" "$local_state.migrated"
  echo "state of $stack ($resources resources) is now in the bucket; the local copy is ${local_state#"$(dirname "$OUT")"/}.migrated (delete it once you have checked)"
  ;;
esac
