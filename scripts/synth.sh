#!/usr/bin/env bash
# Synthesizes every stack of the selected environments (PHL_ENVIRONMENTS, default all):
# Terraform JSON into cdktf.out/ and, with --hcl, HCL into .work/hcl/ for the security scanner.
# With --cli the JSON comes from `cdktf synth` (the pinned cdktf-cli running cdktf.json's app
# command: the path `cdktf diff|deploy` takes) instead of the app binary. Inputs:
# PHL_ENVIRONMENTS_DIR (default environments/), CDKTF_OUTDIR (default cdktf.out).
# Usage: scripts/synth.sh [--cli] [--hcl]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mkdir -p "$WORK/bin"
cli=false hcl=false
for a in "$@"; do
  case $a in
    --cli) cli=true ;;
    --hcl) hcl=true ;;
    *) die "usage: scripts/synth.sh [--cli] [--hcl]" ;;
  esac
done
go build -o "$WORK/bin/phl-platform" .
rm -rf "$OUT"
if $cli; then
  CI=true cdktf synth --output "$OUT" > "$WORK/cli-synth.log" 2>&1 || { cat "$WORK/cli-synth.log"; die "cdktf synth failed"; }
else
  CDKTF_OUTDIR="$OUT" "$WORK/bin/phl-platform"
fi
# Which commit this output is from (Atlantis steps refuse output of another commit).
git rev-parse HEAD > "$OUT/.commit" 2>/dev/null || echo unknown > "$OUT/.commit"
if $hcl; then
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
