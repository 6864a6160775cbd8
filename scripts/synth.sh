#!/usr/bin/env bash
# Synthesizes every stack of the selected environments (PHL_ENVIRONMENTS, default all):
# Terraform JSON into cdktf.out/ (what `cdktf synth` writes) and, with --hcl, HCL into
# .work/hcl/ for the security scanner. Inputs: PHL_ENVIRONMENTS_DIR (default environments/),
# CDKTF_OUTDIR (default cdktf.out).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mkdir -p "$WORK/bin"
go build -o "$WORK/bin/phl-platform" .
rm -rf "$OUT"
CDKTF_OUTDIR="$OUT" "$WORK/bin/phl-platform"
# Which commit this output is from (Atlantis steps refuse output of another commit).
git rev-parse HEAD > "$OUT/.commit" 2>/dev/null || echo unknown > "$OUT/.commit"
if [ "${1:-}" = "--hcl" ]; then
  rm -rf "$WORK/hcl"
  SYNTH_HCL_OUTPUT=true CDKTF_OUTDIR="$WORK/hcl" "$WORK/bin/phl-platform"
fi
list=$(stacks)
# The committed provider lock goes beside every stack: `terraform init` (cdktf deploy, Atlantis)
# then installs exactly the locked AWS provider and checks its checksum. cdktf synth, run again
# by cdktf deploy, leaves files it did not write in the stack folders.
for s in $list; do
  cp "$ROOT/.terraform.lock.hcl" "$OUT/stacks/$s/.terraform.lock.hcl"
  note "$s: $(jq '[.resource // {} | .[] | length] | add // 0' "$OUT/stacks/$s/cdk.tf.json") resources -> ${OUT#"$ROOT"/}/stacks/$s/cdk.tf.json"
done
