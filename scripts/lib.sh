# Shared by the ladder scripts: paths, logging, timing and tool lookup. Source it.
# Every script runs with errexit, nounset and pipefail, and command substitutions inherit
# errexit, so a failing command anywhere fails the script.
set -euo pipefail
# Bash 5.1 or newer: the plan scheduler waits for whichever job ends first (wait -n -p).
if [ "${BASH_VERSINFO[0]}" -lt 5 ] || { [ "${BASH_VERSINFO[0]}" -eq 5 ] && [ "${BASH_VERSINFO[1]}" -lt 1 ]; }; then
  echo "error: bash $BASH_VERSION: these scripts need bash 5.1 or newer (macOS: brew install bash)" >&2
  exit 1
fi
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="$ROOT/.work"                      # scratch: built binaries, HCL synth, plan workdirs
OUT="${CDKTF_OUTDIR:-$ROOT/cdktf.out}"  # what `cdktf synth` would write
PLAN_DIR="${PHL_PLAN_DIR:-$WORK/plan}"  # offline plan workdirs, one per stack
TOOLS_CACHE="${PHL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phl-platform/tools}"
# shellcheck source=versions.env
source "$ROOT/scripts/versions.env"

# The pinned Node (package-lock.json) runs the jsii kernel and the cdktf CLI.
export PATH="$ROOT/node_modules/.bin:$ROOT/bin:$PATH"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
note() { printf '  %s\n' "$*"; }

# rung NAME WHAT FN: runs a rung, prints its name, what it checked and how long it took.
# FN runs in a subshell with errexit and pipefail on, outside any `if` or `||` (where bash
# would ignore errexit), so any failing command in it fails the rung.
# Set ONLY_RUNG=N to run just rung N on the inputs already there (how people debug a rung).
rung() {
  local name=$1 what=$2; shift 2
  if [ -n "${ONLY_RUNG:-}" ] && [ "${name%% *}" != "$ONLY_RUNG" ]; then return 0; fi
  local start=$SECONDS rc
  printf '\n== %s\n' "$name"
  set +e
  (set -euo pipefail; "$@")
  rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    printf '   PASS %s: %s (%ds)\n' "$name" "$what" $((SECONDS - start))
    RUNGS_PASSED=$((${RUNGS_PASSED:-0} + 1))
  else
    printf '   FAIL %s: %s (%ds, exit %d)\n' "$name" "$what" $((SECONDS - start)) "$rc"
    exit 1
  fi
}

# selftest WHAT EXPECT CMD...: CMD is a rung's own check run on a copy of its input with a
# defect planted; it must fail, and its output must contain EXPECT (so it failed because of
# the defect, not for another reason). Output goes to a log, shown when the self-test fails.
selftest() {
  local what=$1 expect=$2; shift 2
  local log start=$SECONDS rc
  log=$(mktemp "$TMPDIR/selftest.XXXXXX")
  set +e
  (set -euo pipefail; "$@") > "$log" 2>&1
  rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    printf 'self-test FAILED: the rung passed with a planted defect: %s\n' "$what"; tail -n 20 "$log"; return 1
  fi
  if ! grep -qF -- "$expect" "$log"; then
    printf 'self-test FAILED: the rung failed, but not because of the planted defect (%s): no "%s" in its output\n' "$what" "$expect"
    tail -n 30 "$log"; return 1
  fi
  echo "$what" >> "$TMPDIR/selftests"
  note "self-test: planted $what -> rung failed as it must ($((SECONDS - start))s)"
}

# selftests_at_once FN...: runs the functions (each one or more self-tests) at the same time,
# then prints each one's output whole, in the order given; fails if any failed.
selftests_at_once() {
  local i rc=0 pids=()
  for i in $(seq 0 $(($# - 1))); do
    (set -euo pipefail; "${@:$((i + 1)):1}") > "$TMPDIR/at-once.$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || rc=1
    cat "$TMPDIR/at-once.$i.out"
  done
  return "$rc"
}

# scratch_copy prints a fresh throwaway directory under the run's scratch space.
scratch_copy() {
  local d; d=$(mktemp -d "$TMPDIR/planted.XXXXXX")
  printf '%s\n' "$d"
}

# stacks lists the synthesized stacks, from the manifest cdktf writes.
stacks() {
  [ -f "$OUT/manifest.json" ] || die "no $OUT/manifest.json: synthesize first (make synth)"
  local list; list=$(jq -r '.stacks | keys[]' "$OUT/manifest.json")
  [ -n "$list" ] || die "$OUT/manifest.json lists no stacks"
  printf '%s\n' "$list"
}

# selected_envs lists the environments PHL_ENVIRONMENTS selects (default: every file).
selected_envs() {
  if [ -n "${PHL_ENVIRONMENTS:-}" ]; then tr ',' '\n' <<<"$PHL_ENVIRONMENTS"
  else for f in "$ROOT"/environments/*.yaml; do basename "$f" .yaml; done; fi
}

# first_env prints the first selected environment (no `| head`: under pipefail, the writer's
# SIGPIPE would fail the pipeline).
first_env() {
  local envs; envs=$(selected_envs)
  printf '%s\n' "${envs%%$'\n'*}"
}

# The provider mirror our machine images ship (docs/toolchain.md). Nothing else on the disk
# is ever searched: a provider binary found elsewhere would run with the deploy's credentials.
TF_DEFAULT_MIRROR=/opt/tf-plugins

# tf_mirror prints the provider mirror root: PHL_PROVIDER_MIRROR when set (it must hold the
# pinned provider), else TF_DEFAULT_MIRROR when it holds it, else nothing.
tf_mirror() {
  local dir="${PHL_PROVIDER_MIRROR:-}" want="registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION"
  if [ -n "$dir" ]; then
    [ -d "$dir/$want" ] || die "PHL_PROVIDER_MIRROR=$dir holds no $want/ (a filesystem mirror of the AWS provider $AWS_PROVIDER_VERSION; build one with: terraform providers mirror)"
    printf '%s\n' "$dir"
  elif [ -d "$TF_DEFAULT_MIRROR/$want" ]; then
    printf '%s\n' "$TF_DEFAULT_MIRROR"
  fi
}

# tf_setup checks terraform and writes a CLI config: providers from the filesystem mirror when
# this machine has one (ours: no internet), else from the Terraform registry (a laptop). Either
# way `terraform init` checks the package against the committed .terraform.lock.hcl.
# PHL_OFFLINE=true makes a missing mirror an error instead (for machines without internet).
tf_setup() {
  command -v terraform >/dev/null || die "terraform is not on PATH; install Terraform $TERRAFORM_VERSION (it cannot be downloaded on our machines)"
  local have; have=$(terraform version -json 2>/dev/null | jq -r .terraform_version)
  [ "$have" = "$TERRAFORM_VERSION" ] || die "terraform $have is on PATH; this project is tested with $TERRAFORM_VERSION"
  local mirror; mirror=$(tf_mirror)
  mkdir -p "$WORK"
  if [ -z "$mirror" ]; then
    [ "${PHL_OFFLINE:-}" != true ] || die "PHL_OFFLINE=true and no provider mirror: PHL_PROVIDER_MIRROR is unset and $TF_DEFAULT_MIRROR holds no registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/ (set PHL_PROVIDER_MIRROR to a directory holding registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/<os>_<arch>/; build one with: terraform providers mirror)"
    note "no provider mirror on this machine: terraform installs the AWS provider from the Terraform registry (cached in $TOOLS_CACHE/terraform-plugins)"
    mkdir -p "$TOOLS_CACHE/terraform-plugins"
    printf 'plugin_cache_dir = "%s"\nprovider_installation {\n  direct {}\n}\n' "$TOOLS_CACHE/terraform-plugins" > "$WORK/terraformrc"
  else
    cat > "$WORK/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
  fi
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
  TF_PROVIDER_SOURCE=${mirror:-the Terraform registry}
}
