#!/usr/bin/env bash
# The verification ladder: `make test`. Each rung prints what it checked and how long it took;
# any failure (or a canary that is not caught) fails the run.
# Usage: scripts/ladder.sh [--only N]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
START=$SECONDS
[ "${1:-}" = --only ] && export ONLY_RUNG=${2:?--only takes a rung number}

echo "== setup: pinned tools"
"$ROOT/scripts/tools.sh" --scanner
tf_setup
note "terraform $TERRAFORM_VERSION, AWS provider mirror at $(tf_mirror), node $(node --version), trivy $TRIVY_VERSION"

go_packages() { go list ./... | grep -v /node_modules/; }

rung1() {
  local unformatted; unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
  [ -z "$unformatted" ] || { echo "gofmt would change: $unformatted"; return 1; }
  go vet $(go_packages) && go vet -tags offlineplan ./internal/planassert/
  actionlint .github/workflows/*.yml
  go test $(go_packages)
}
rung "1 lint + go test" "gofmt, go vet, actionlint, config validation cases, subnet math, synth assertions, plan-rule mutation cases" rung1

rung2() {
  "$ROOT/scripts/synth.sh" --hcl
  local want
  for want in $(selected_envs); do
    jq -e --arg s "$want-network" '.stacks[$s]' "$OUT/manifest.json" >/dev/null || { echo "stack $want-network missing"; return 1; }
  done
  # The path users take (`cdktf synth`, pinned cdktf-cli) must produce exactly what we test.
  rm -rf "$WORK/cli-out"
  CI=true cdktf synth --output "$WORK/cli-out" > "$WORK/cli-synth.log" 2>&1 || { cat "$WORK/cli-synth.log"; return 1; }
  for want in $(stacks); do
    cmp -s "$OUT/stacks/$want/cdk.tf.json" "$WORK/cli-out/stacks/$want/cdk.tf.json" || { echo "cdktf synth differs for $want"; return 1; }
  done
  note "cdktf-cli synth: identical output for $(stacks | wc -l) stacks"
  # atlantis.yaml must plan exactly the stacks the shipped environments synthesize.
  if [ -z "${PHL_ENVIRONMENTS:-}" ]; then
    local projects; projects=$(grep -E '^\s+- name: ' atlantis.yaml | awk '{print $3}' | sort | tr '\n' ' ')
    [ "$projects" = "$(stacks | sort | tr '\n' ' ')" ] || { echo "atlantis.yaml projects ($projects) differ from the stacks ($(stacks | tr '\n' ' '))"; return 1; }
  fi
  # Canary: an invalid environment stops before anything is written.
  local c="$WORK/canary-config"; rm -rf "$c" && mkdir -p "$c/environments" && cp environments/*.yaml "$c/environments/"
  sed -i 's#pod_cidr: 100.64.0.0/16#pod_cidr: 10.0.128.0/17#' "$c/environments/dev.yaml"
  local err
  if err=$(cd "$c" && CDKTF_OUTDIR="$c/out" "$WORK/bin/phl-platform" 2>&1); then
    echo "canary: synth accepted an overlapping pod_cidr"; return 1
  fi
  [ ! -e "$c/out" ] || { echo "canary: synth wrote $c/out despite the config error"; return 1; }
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ $err == *"network.pod_cidr"* ]] || { echo "canary: error is not one line naming the key: $err"; return 1; }
  note "canary rejected: $err"
}
rung "2 synth" "every stack of every environment synthesizes (JSON, HCL, and via cdktf-cli); an invalid environment writes nothing" rung2

rung3() {
  "$ROOT/scripts/plan.sh" validate
  local wd="$WORK/canary-validate"; rm -rf "$wd" && cp -r test/canaries/invalid-terraform "$wd"
  (cd "$wd" && terraform init -input=false -no-color >/dev/null)
  local out
  if out=$(cd "$wd" && terraform validate -no-color 2>&1); then
    echo "canary: terraform validate accepted test/canaries/invalid-terraform"; return 1
  fi
  [[ $out == *internal-* ]] && [[ $out == *10.0.0.0/33* ]] || { echo "canary: validate failed for another reason: $out"; return 1; }
  note "canary rejected: an aws_lb named internal-* and a /33 VPC CIDR"
}
rung "3 terraform validate" "every stack initializes from the provider mirror and validates" rung3

rung4() {
  "$ROOT/scripts/plan.sh" plan
  PHL_PLAN_DIR="$WORK/plan" go test -count=1 -tags offlineplan -run TestOfflinePlans -v ./internal/planassert/
}
rung "4 offline plan + plan assertions" "offline terraform plan of every AWS stack in dependency order; plan-JSON rules (network isolation, NAT, flow logs, encryption, tags, cluster endpoint, nodes, IMDS, add-ons, Karpenter)" rung4

rung5() {
  local scan=(trivy config -q --skip-check-update --disable-telemetry --misconfig-scanners terraform
    --severity HIGH,CRITICAL --exit-code 3)
  "${scan[@]}" --ignorefile security/trivy-allowlist.yaml "$WORK/hcl/stacks"
  local rc=0
  "${scan[@]}" test/canaries/insecure-terraform >/dev/null 2>&1 || rc=$?
  [ "$rc" = 3 ] || { echo "canary: the scanner did not report test/canaries/insecure-terraform (exit $rc)"; return 1; }
  note "canary rejected: SSH from 0.0.0.0/0 and an unencrypted log group"
}
rung "5 IaC security scan" "trivy on the synthesized HCL: no HIGH/CRITICAL findings beyond security/trivy-allowlist.yaml" rung5

printf '\nladder: %d passed, 0 failed (%ds)\n' "$RUNGS_PASSED" $((SECONDS - START))
