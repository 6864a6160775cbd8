#!/usr/bin/env bash
# The verification ladder: `make test`. Each rung prints what it checked and how long it took;
# any failing command fails its rung and the run. After its real check, every rung runs its
# self-tests: the same check on a throwaway copy of its real input with a defect planted,
# which must fail (so a rung that stops checking fails the ladder).
# Usage: scripts/ladder.sh [--only N]   (ONLY_RUNG=N: rung N alone, on the inputs already there)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/k8s.sh"
cd "$ROOT"
START=$SECONDS
[ "${1:-}" = --only ] && export ONLY_RUNG=${2:?--only takes a rung number}
case "${ONLY_RUNG:-}" in ""|1|2|3|4|5|6) ;; *) die "ONLY_RUNG=$ONLY_RUNG: rungs are 1 to 6" ;; esac

# Everything temporary of this run (ours, go's, jsii's) lives here and goes at exit.
mkdir -p "$WORK"
TMPDIR=$(mktemp -d "$WORK/tmp.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

echo "== setup: pinned tools"
"$ROOT/scripts/tools.sh" --scanner --k8s --mariadb --graphviz
tf_setup
note "terraform $TERRAFORM_VERSION, AWS provider from $TF_PROVIDER_SOURCE, node $(node --version), trivy $TRIVY_VERSION, kube-apiserver $KUBERNETES_VERSION, helm $HELM_VERSION"

# with VAR=VALUE... -- CMD...: CMD with those variables exported (used inside a self-test's
# subshell, so nothing leaks); OUT and PLAN_DIR follow CDKTF_OUTDIR and PHL_PLAN_DIR.
with() {
  while [ "$1" != -- ]; do export "${1?}"; shift; done
  shift
  OUT=${CDKTF_OUTDIR:-$OUT} PLAN_DIR=${PHL_PLAN_DIR:-$PLAN_DIR} "$@"
}

# repo_copy: the repository's files (tracked and untracked, not ignored) in a scratch folder,
# with .gen/ (the generated Helm binding, see scripts/tools.sh) linked in
# (files deleted in the work tree are skipped; GNU and BSD tar both take --null -T).
repo_copy() {
  local d; d=$(scratch_copy)
  git ls-files -co --exclude-standard -z | { while IFS= read -r -d '' f; do [ ! -e "$f" ] || printf '%s\0' "$f"; done; } |
    tar --null -T - -cf - | tar -xf - -C "$d"
  # The generated Helm binding is gitignored: link it, so packages that import it build there.
  if [ -d .gen ]; then ln -s "$PWD/.gen" "$d/.gen"; fi
  printf '%s\n' "$d"
}

# planted_stack DIR: the first selected environment's network stack, alone in DIR/out with a
# one-stack manifest (the smallest real input of rungs 3 and 4). Prints the stack's name.
planted_stack() {
  local d=$1 s; s="$(first_env)-network"
  mkdir -p "$d/out/stacks/$s"
  cp "$OUT/stacks/$s/cdk.tf.json" "$d/out/stacks/$s/"
  jq --arg s "$s" '.stacks |= {($s): .[$s]}' "$OUT/manifest.json" > "$d/out/manifest.json"
  printf '%s\n' "$s"
}

# plant FILE JQ-FILTER [ARGS...]: edits a synthesized stack in place with jq.
plant() {
  local f=$1; shift
  jq "$@" "$f" > "$f.planted" && mv "$f.planted" "$f"
}

# ---------------------------------------------------------------------------------------------
# Rung 1: lint + go test. Input: SRC (the repository), PKGS (./...).
rung1_check() {
  cd "${SRC:-$ROOT}"
  local unformatted pkgs
  # Every Go file, tracked or not (exit 2 on a syntax error fails the rung).
  unformatted=$(find . -name '*.go' -not -path './node_modules/*' -not -path './.work/*' -not -path './.gen/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
  [ -z "$unformatted" ] || { echo "gofmt would change: $unformatted"; return 1; }
  # node_modules holds third-party Go (npm packages ship some); it is not ours to vet or test.
  pkgs=$(go list "${PKGS:-./...}")
  pkgs=$(grep -v /node_modules/ <<<"$pkgs")
  go vet $pkgs
  go vet -tags offlineplan ./internal/planassert/
  actionlint .github/workflows/*.yml
  go test $pkgs
}
rung1_selftests() {
  local d; d=$(repo_copy)
  printf 'package config\n\nimport "fmt"\n\n// Planted is a defect planted by the ladder self-test.\nfunc Planted() string { return fmt.Sprintf("%%d", "x") }\n' > "$d/config/zz_planted.go"
  selftest "a go vet error in config/ (Printf verb)" "format %d has arg" with SRC="$d" PKGS=./config/ -- rung1_check
  printf 'package config\nfunc   Planted( ) {}\n' > "$d/config/zz_planted.go"
  selftest "an unformatted Go file that git does not track" "gofmt would change" with SRC="$d" PKGS=./config/ -- rung1_check
  rm "$d/config/zz_planted.go"
  cp "$d/README.md" "$TMPDIR/README.md.orig"
  printf '\nRun `scripts/planted-missing.sh` first.\n' >> "$d/README.md"
  selftest "a script path README.md names that does not exist (the docs test)" "planted-missing.sh names a path the repository does not have" \
    with SRC="$d" PKGS=./internal/docscheck/ -- rung1_check
  cp "$TMPDIR/README.md.orig" "$d/README.md"
  printf '  planted:\n    runs-on: ubuntu-24.04\n    stepz: []\n' >> "$d/.github/workflows/ci.yml"
  selftest "an invalid job in .github/workflows/ci.yml" 'unexpected key "stepz"' with SRC="$d" PKGS=./internal/netcalc/ -- rung1_check
}
rung1() { rung1_check; rung1_selftests; }
rung "1 lint + go test" "gofmt (every Go file), go vet, actionlint, config validation cases, subnet math, synth assertions, plan-rule mutation cases, the provider lock, the scripts' tests (provider mirror, app image check)" rung1

# ---------------------------------------------------------------------------------------------
# Rung 2: synth. Input: PHL_ENVIRONMENTS_DIR (environments/). Output: CDKTF_OUTDIR, .work/hcl.
rung2_check() {
  # Through `cdktf synth` (the pinned cdktf-cli, what `cdktf diff|deploy` run): every later rung
  # checks exactly what users deploy. The HCL for the scanner comes from the app binary.
  "$ROOT/scripts/synth.sh" --cli --hcl
  local want
  for want in $(selected_envs); do
    jq -e --arg s "$want-network" '.stacks[$s]' "$OUT/manifest.json" >/dev/null || { echo "stack $want-network missing"; return 1; }
  done
  # What rung 5 scans is what deploys: the same stacks, each declaring the same resources.
  local s n=0
  cmp -s <(stacks) <(OUT="$WORK/hcl" stacks) || { echo "the HCL synthesis ($WORK/hcl) holds other stacks than cdktf synth's"; return 1; }
  for s in $(stacks); do
    cmp -s <(jq -r '.resource // {} | to_entries[] | .key as $t | .value | keys[] | "\($t).\(.)"' "$OUT/stacks/$s/cdk.tf.json" | sort) \
      <(grep -oE '^resource "[^"]+" "[^"]+"' "$WORK/hcl/stacks/$s/cdk.tf" | awk -F'"' '{print $2 "." $4}' | sort) ||
      { echo "$s: the HCL synthesis declares other resources than cdktf synth's JSON"; return 1; }
    n=$((n + $(jq '[.resource // {} | .[] | length] | add // 0' "$OUT/stacks/$s/cdk.tf.json")))
  done
  note "cdktf-cli synth: $(stacks | wc -l) stacks; the app binary's HCL synthesis: the same stacks and the same $n resources"
  # Preflight reads exactly these stacks: they must pass every check against a healthy (fake)
  # account, and its committed test fixture must still be a trimmed copy of them.
  local pf
  pf=$(PHL_CDKTF_OUT="$OUT" go test -count=1 -run 'TestFixtureMatchesSynth|TestRealSynthPassesOnAHealthyAccount' -v ./internal/preflight/ 2>&1) ||
    { echo "$pf"; return 1; }
  grep -q -- '--- SKIP' <<<"$pf" && { echo "$pf"; echo "preflight's synth tests skipped"; return 1; }
  note "preflight: the synthesized stacks pass every check against a healthy fake account; its fixture matches this synth"
  # atlantis.yaml must plan exactly the stacks the shipped environments synthesize.
  # atlantis.yaml must plan exactly the stacks the shipped environments synthesize, the committed
  # architecture picture must be the one this synthesis draws, and the published cost table this
  # synthesis's estimate (all three need every stack).
  if [ -z "${PHL_ENVIRONMENTS:-}" ]; then rung2_atlantis; rung2_diagram; COST_DOCS=check rung2_cost; else rung2_cost; fi
}
# rung2_cost: `make cost` on COST_OUT (default the synthesis): every resource type is priced or
# listed as no-charge, every region has a price table, every environment its assumptions.
rung2_cost() {
  local res
  res=$(go run ./tools/cost -out "${COST_OUT:-$OUT}" ${COST_DOCS:+-docs "$COST_DOCS"} 2>&1) || { echo "$res"; return 1; }
  note "cost: $(sed -n '/^== totals/,/^$/p' <<<"$res" | sed '1d;/^$/d' | awk '{printf "%s%s %s", (NR>1?", ":""), $1, $2}') per month (estimate, docs/cost.md)"
}
# rung2_atlantis: ATLANTIS_YAML (default atlantis.yaml) against the manifest: a project per stack
# (bootstrap excepted) in its own directory, depends_on = the manifest's dependencies,
# execution_order_group = the stack's level in the deploy graph, then byte for byte what
# tools/atlantisgen writes (when_modified from go list -deps of the synthesis, autoplan from config).
rung2_atlantis() {
  local res
  res=$(go run ./tools/atlantisgen -check -manifest "$OUT/manifest.json" -file "${ATLANTIS_YAML:-atlantis.yaml}" 2>&1) || { echo "$res"; return 1; }
  note "$res"
}
# rung2_diagram: docs/architecture.dot and .svg are byte for byte what tools/diagram draws from
# the synthesis (dev's stacks and its account's bootstrap stack) and CHARTS_DIR (gitops/charts).
rung2_diagram() {
  local res
  res=$(go run ./tools/diagram -check -env dev -synth "$OUT" -charts "${CHARTS_DIR:-gitops/charts}" -dir docs 2>&1) || { echo "$res"; return 1; }
  note "$res"
}
rung2_selftests() {
  local d env s; d=$(scratch_copy); env=$(first_env)
  # A resource type tools/cost neither prices nor lists as no-charge (a new resource is never
  # silently free).
  s=$(planted_stack "$d")
  plant "$d/out/stacks/$s/cdk.tf.json" '.resource.aws_neptune_cluster = {"planted": {"engine": "neptune"}}'
  selftest "an unpriced resource type (aws_neptune_cluster) in $s" "aws_neptune_cluster (stack $s, address aws_neptune_cluster.planted)" \
    with COST_OUT="$d/out" -- rung2_cost
  d=$(scratch_copy)
  cp -r environments "$d/"
  sed -E 's#^([[:space:]]+pod_cidr:).*#\1 10.0.128.0/17#' environments/"$env".yaml > "$d/environments/$env.yaml"
  grep -q 'pod_cidr: 10.0.128.0/17' "$d/environments/$env.yaml" || die "self-test setup: no network.pod_cidr line in environments/$env.yaml to plant into"
  selftest "an overlapping network.pod_cidr in environments/$env.yaml" "network.pod_cidr" \
    with PHL_ENVIRONMENTS_DIR="$d/environments" CDKTF_OUTDIR="$d/out" -- rung2_check
  [ ! -e "$d/out/manifest.json" ] || { echo "self-test FAILED: synth wrote $d/out despite the config error"; return 1; }
  # atlantis.yaml with the cluster stack in the gateway's order group (applied together, before
  # the cluster it reads exists).
  [ -z "${PHL_ENVIRONMENTS:-}" ] || return 0
  d=$(scratch_copy)
  awk -v s="$env-cluster" '$0 ~ "- name: " s "$" {hit=1} hit && /execution_order_group:/ {sub(/[0-9]+$/, "2"); hit=0} {print}' atlantis.yaml > "$d/atlantis.yaml"
  grep -A3 -- "- name: $env-cluster\$" "$d/atlantis.yaml" | grep -q 'execution_order_group: 2' || die "self-test setup: no execution_order_group of $env-cluster in atlantis.yaml to plant into"
  selftest "$env-cluster in the gateway's execution_order_group in atlantis.yaml" "$env-cluster: execution_order_group 2, want 1" \
    with ATLANTIS_YAML="$d/atlantis.yaml" -- rung2_atlantis
  # The picture against a copy of the synthesis whose dev cluster has one more EKS add-on, then
  # against a copy of the charts with one more platform component.
  local s f
  d=$(scratch_copy); cp "$OUT/manifest.json" "$d/"
  for s in $(stacks); do mkdir -p "$d/stacks/$s"; cp "$OUT/stacks/$s/cdk.tf.json" "$d/stacks/$s/"; done
  f="$d/stacks/dev-cluster/cdk.tf.json"
  [ -f "$f" ] || die "self-test setup: no dev-cluster stack to plant an add-on into"
  plant "$f" '.resource.aws_eks_addon.planted = {addon_name: "planted-addon", cluster_name: "planted"}'
  selftest "one more EKS add-on in dev-cluster, docs/architecture.svg unchanged" "docs/architecture.svg is stale: run make diagram" \
    with CDKTF_OUTDIR="$d" -- rung2_diagram
  d=$(scratch_copy); cp -r gitops/charts/. "$d/"
  f="$d/platform/templates/components/reloader.yaml"
  [ -f "$f" ] || die "self-test setup: no reloader component in gitops/charts/platform to copy"
  sed 's/"name" "reloader"/"name" "planted"/' "$f" > "$d/platform/templates/components/planted.yaml"
  selftest "one more platform component in gitops/charts, docs/architecture.svg unchanged" "docs/architecture.svg is stale: run make diagram" \
    with CHARTS_DIR="$d" -- rung2_diagram
}
rung2() { rung2_check; rung2_selftests; }
rung "2 synth" "every stack of every environment synthesizes through cdktf-cli (JSON) and the app (HCL); an invalid environment writes nothing; atlantis.yaml is the generator's output for this synthesis (projects, depends_on, order groups); docs/architecture.svg is the picture of this synthesis and the charts" rung2

# ---------------------------------------------------------------------------------------------
# Rung 3: offline plan. Input: CDKTF_OUTDIR (the synthesized stacks). Output: PHL_PLAN_DIR.
# A plan initializes from the provider mirror with the committed lock and validates first, so
# this one pass is init, validate and plan.
rung3_check() { "$ROOT/scripts/plan.sh" plan; }
rung3_selftests() { selftests_at_once rung3_selftest_invalid rung3_selftest_unplannable; }
rung3_selftest_invalid() {
  local d s; d=$(scratch_copy); s=$(planted_stack "$d")
  plant "$d/out/stacks/$s/cdk.tf.json" '(.resource.aws_vpc[]).cidr_block = "10.0.0.0/33"'
  selftest "a /33 VPC CIDR in $s (invalid configuration)" "invalid CIDR address: 10.0.0.0/33" with CDKTF_OUTDIR="$d/out" PHL_PLAN_DIR="$d/plan" -- rung3_check
}
rung3_selftest_unplannable() {
  local d s vpc; d=$(scratch_copy); s=$(planted_stack "$d")
  vpc=$(jq -r '.resource.aws_vpc | keys[0]' "$d/out/stacks/$s/cdk.tf.json")
  plant "$d/out/stacks/$s/cdk.tf.json" '(.resource.aws_subnet | keys[0]) as $k | .resource.aws_subnet[$k].cidr_block = "${cidrsubnet(aws_vpc.\($vpc).cidr_block, 8, 300)}"' --arg vpc "$vpc"
  selftest "a subnet CIDR that only the plan can compute in $s (valid configuration, no plan)" 'Call to function "cidrsubnet" failed' \
    with CDKTF_OUTDIR="$d/out" PHL_PLAN_DIR="$d/plan" -- rung3_check
}
rung3() { rung3_check; rung3_selftests; }
rung "3 offline plan" "every AWS stack initializes from the provider mirror with the committed lock and plans offline (the plan validates first), in dependency order" rung3

# ---------------------------------------------------------------------------------------------
# Rung 4: plan assertions. Input: PHL_PLAN_DIR (rung 3's plans) and CDKTF_OUTDIR's manifest.
rung4_check() {
  PHL_PLAN_DIR="$PLAN_DIR" PHL_MANIFEST="$OUT/manifest.json" go test -count=1 -tags offlineplan -run TestOfflinePlans -v ./internal/planassert/
}
# planted_plan DIR STACK: STACK's synthesized config and its real plan JSON alone in DIR/out and
# DIR/plan, under a one-stack manifest (the plan written after it, as rung 3 would).
planted_plan() {
  local d=$1 s=$2
  mkdir -p "$d/out/stacks/$s" "$d/plan/$s"
  cp "$OUT/stacks/$s/cdk.tf.json" "$d/out/stacks/$s/"
  jq --arg s "$s" '.stacks |= {($s): .[$s]}' "$OUT/manifest.json" > "$d/out/manifest.json"
  [ -f "$PLAN_DIR/$s/plan.json" ] || die "self-test setup: no plan of $s in ${PLAN_DIR#"$ROOT"/}: rung 3 writes it"
  cp "$PLAN_DIR/$s/plan.json" "$d/plan/$s/plan.json"
  touch "$d/plan/$s/plan.json"
}
rung4_selftests() {
  local d s f db; d=$(scratch_copy); s="$(first_env)-network"; planted_plan "$d" "$s"; f="$d/plan/$s/plan.json"
  db=$(jq -r 'first(.resource_changes[] | select(.type == "aws_route_table" and .change.after.tags.tier == "database") | .address) // empty' "$f")
  [ -n "$db" ] || die "self-test setup: no database route table in the plan of $s"
  # A route out (one of the stack's 0.0.0.0/0 routes) pointed at the database route table, as
  # Terraform records a reference in the plan's configuration.
  plant "$f" '(first(.configuration.root_module.resources[] | select(.type == "aws_route")) | .expressions.route_table_id) =
    {constant_value: "${\($db).id}", references: ["\($db).id", $db]}' --arg db "$db"
  touch "$f"
  selftest "a 0.0.0.0/0 route on the database route table in the plan of $s" "to database table $db" \
    with CDKTF_OUTDIR="$d/out" PHL_PLAN_DIR="$d/plan" -- rung4_check
  d=$(scratch_copy); planted_plan "$d" "$s"; f="$d/plan/$s/plan.json"
  plant "$f" '(.resource_changes[] | select(.address == $db) | .change.after.route) = [{"cidr_block": "0.0.0.0/0"}]' --arg db "$db"
  touch "$f"
  selftest "an inline route on the database route table in the plan of $s" "$db has inline routes" \
    with CDKTF_OUTDIR="$d/out" PHL_PLAN_DIR="$d/plan" -- rung4_check
  # A bootstrap stack (synthesized when no PHL_ENVIRONMENTS selection is given) whose roles
  # trust GitHub subjects by pattern.
  s=$(jq -r 'first(.stacks | keys[] | select(startswith("bootstrap-"))) // empty' "$OUT/manifest.json")
  if [ -n "$s" ]; then
    d=$(scratch_copy); planted_plan "$d" "$s"; f="$d/plan/$s/plan.json"
    plant "$f" '(.resource_changes[] | select(.type == "aws_iam_role") | .change.after.assume_role_policy) |= sub("StringEquals"; "StringLike"; "g")'
    touch "$f"
    selftest "GitHub subjects matched by StringLike in the role trust in the plan of $s" "want only StringEquals on aud and sub" \
      with CDKTF_OUTDIR="$d/out" PHL_PLAN_DIR="$d/plan" -- rung4_check
  fi
}
rung4() { rung4_check; rung4_selftests; }
rung "4 plan assertions" "plan-JSON rules on every stack of the manifest (network isolation, NAT, flow logs, encryption, tags, cluster endpoint, nodes, IMDS, add-ons, Karpenter, database, gateway; the bootstrap stacks' CI role trust and state bucket)" rung4

# ---------------------------------------------------------------------------------------------
# Rung 5: IaC security scan. Input: HCL_DIR (.work/hcl/stacks, written by rung 2).
rung5_check() {
  local hcl=${HCL_DIR:-$WORK/hcl/stacks} n
  [ -d "$hcl" ] || die "no HCL synth at ${hcl#"$ROOT"/}: rung 2 writes it (scripts/ladder.sh --only 2)"
  n=$(find "$hcl" -name cdk.tf | wc -l)
  [ "$n" -gt 0 ] || die "no stacks (cdk.tf) under ${hcl#"$ROOT"/}"
  trivy config -q --skip-check-update --disable-telemetry --misconfig-scanners terraform \
    --severity HIGH,CRITICAL --exit-code 3 --ignorefile "$ROOT/security/trivy-allowlist.yaml" "$hcl"
  note "scanned $n stacks: no HIGH/CRITICAL finding beyond the allowlist"
}
rung5_selftests() {
  local d s; d=$(scratch_copy); s="$(first_env)-network"
  [ -f "$WORK/hcl/stacks/$s/cdk.tf" ] || die "self-test setup: no HCL of $s; rung 2 writes it for the selected environments (PHL_ENVIRONMENTS)"
  mkdir -p "$d/$s" && cp "$WORK/hcl/stacks/$s/cdk.tf" "$d/$s/"
  cat >> "$d/$s/cdk.tf" <<'HCL'

resource "aws_security_group" "planted" {
  description = "planted by the ladder self-test"
  ingress {
    description = "ssh from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
HCL
  selftest "SSH from 0.0.0.0/0 in the HCL of $s" "AWS-0107 (HIGH)" with HCL_DIR="$d" -- rung5_check
}
rung5() { rung5_check; rung5_selftests; }
rung "5 IaC security scan" "trivy on the synthesized HCL: no HIGH/CRITICAL findings beyond security/trivy-allowlist.yaml" rung5

# ---------------------------------------------------------------------------------------------
# Rung 6: Kubernetes manifests. Input: CHARTS_DIR (gitops/charts), each chart's ci/*-values.yaml.
rung6_check() {
  local charts chart
  charts=$(find "${CHARTS_DIR:-$ROOT/gitops/charts}" -mindepth 1 -maxdepth 1 -type d | sort)
  [ -n "$charts" ] || die "no charts under ${CHARTS_DIR:-gitops/charts}"
  for chart in $charts; do check_chart "$chart"; done
  chart_tests
}
# rung6_stack_values: what the gitops stacks pass, end to end (needs rung 4's offline outputs).
rung6_stack_values() {
  local env envs; envs=$(selected_envs)
  for env in $envs; do check_stack_values "$env"; done
}
# chart_tests: the Go tests of the rendered charts (gitops/*_test.go, build tag chartrung): bad
# values, the config DSN, what rolls pods. CHART_TESTS_RUN: only the tests it matches (-run), for
# a self-test that plants a defect one test is there to catch.
chart_tests() {
  local out
  out=$(cd "$ROOT/gitops" && PHL_HELM="$(command -v helm)" PHL_KUBE_VERSION="$KUBERNETES_VERSION" PHL_CHARTS_DIR="${CHARTS_DIR:-}" \
    go test -tags chartrung -count=1 ${CHART_TESTS_RUN:+-run "$CHART_TESTS_RUN"} ./... 2>&1) || { echo "$out"; return 1; }
  note "chart tests: $(grep -c '^ok' <<<"$out") package(s) passed (bad values rejected, config DSN with verified TLS, pods roll on config changes)"
}
rung6_selftests() {
  local d; d=$(scratch_copy)
  cp -r gitops/charts/cluster-manifests "$d/"
  cat > "$d/cluster-manifests/templates/planted-root-pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: planted-root
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        runAsUser: 0
YAML
  selftest "a pod running as root in a chart (Pod Security restricted)" 'violates PodSecurity "restricted' with CHARTS_DIR="$d" -- rung6_check
  d=$(scratch_copy)
  cp -r gitops/charts/phl-store "$d/"
  sed -i 's/?tls=true/?tls=skip-verify/' "$d/phl-store/templates/externalsecret.yaml"
  selftest "the app's DSN without certificate verification (tls=skip-verify)" 'TLSConfig:skip-verify' \
    with CHARTS_DIR="$d" CHART_TESTS_RUN=TestConfigIsTheAppsDSNWithVerifiedTLS -- chart_tests
  # Every chart (the placement test reads the platform and karpenter-nodes charts together), with
  # External Secrets' global nodeSelector taken out: its pods could then land on a Karpenter node.
  d=$(scratch_copy)
  cp -r gitops/charts/. "$d/"
  f="$d/platform/templates/components/external-secrets.yaml"
  sed -i '/^        global:$/{n;/^          nodeSelector:$/{N;d}}' "$f"
  ! grep -q '^          nodeSelector:' "$f" || die "self-test setup: External Secrets' global nodeSelector is still in $f"
  selftest "a platform controller (External Secrets) without the critical nodeSelector" 'may land on a Karpenter node' \
    with CHARTS_DIR="$d" CHART_TESTS_RUN=TestUpstreamControllersRunOnTheCriticalNodes -- chart_tests
  # A copy of the synthesized <env>-gitops stack whose target group value is a literal S3 ARN.
  local env f; env=$(first_env); d=$(scratch_copy)
  mkdir -p "$d/out/stacks/$env-gitops"; f="$d/out/stacks/$env-gitops/cdk.tf.json"
  jq '(.resource.helm_release[] | select(.name == "platform") | .values[0]) |=
      sub("\"targetGroupArn\" = [^,}]+"; "\"targetGroupArn\" = \"arn:aws:s3:::planted\"")' "$OUT/stacks/$env-gitops/cdk.tf.json" > "$f"
  grep -q 'arn:aws:s3:::planted' "$f" || die "self-test setup: no targetGroupArn in $env-gitops's root values"
  selftest "a literal S3 ARN as the target group in $env-gitops's root values" "/phlStore/targetGroupArn" with CDKTF_OUTDIR="$d/out" -- check_stack_values "$env"
}
rung6() {
  trap k8s_stop EXIT
  k8s_start
  k8s_crds
  rung6_check
  rung6_stack_values
  rung6_selftests
}
rung "6 Kubernetes manifests" "every chart in gitops/charts: helm lint --strict and template at the cluster's Kubernetes version, applied with --dry-run=server to a real kube-apiserver with the CRDs, under Pod Security restricted, no warnings" rung6

printf '\nladder: %d rungs and %d self-tests in %ds\n' "$RUNGS_PASSED" "$(cat "$TMPDIR/selftests" 2>/dev/null | wc -l)" $((SECONDS - START))
printf 'ladder: %d passed, 0 failed\n' "$RUNGS_PASSED"
