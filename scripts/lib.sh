# Shared by the ladder scripts: paths, logging, timing and tool lookup. Source it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="$ROOT/.work"                      # scratch: built binaries, HCL synth, plan workdirs
OUT="${CDKTF_OUTDIR:-$ROOT/cdktf.out}"  # what `cdktf synth` would write
TOOLS_CACHE="${PHL_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phl-platform/tools}"
# shellcheck source=versions.env
source "$ROOT/scripts/versions.env"

# The pinned Node (package-lock.json) runs the jsii kernel and the cdktf CLI.
export PATH="$ROOT/node_modules/.bin:$ROOT/bin:$PATH"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
note() { printf '  %s\n' "$*"; }

# rung NAME WHAT CMD...: runs a rung, prints its name, what it checked and how long it took.
# Set ONLY_RUNG=N to run just rung N (the benchmark measures rungs one by one).
rung() {
  local name=$1 what=$2; shift 2
  if [ -n "${ONLY_RUNG:-}" ] && [ "${name%% *}" != "$ONLY_RUNG" ]; then return 0; fi
  local start=$SECONDS
  printf '\n== %s\n' "$name"
  if "$@"; then
    printf '   PASS %s: %s (%ds)\n' "$name" "$what" $((SECONDS - start))
    RUNGS_PASSED=$((${RUNGS_PASSED:-0} + 1))
  else
    printf '   FAIL %s: %s (%ds)\n' "$name" "$what" $((SECONDS - start))
    exit 1
  fi
}

# stacks lists the synthesized stacks, from the manifest cdktf writes.
stacks() {
  [ -f "$OUT/manifest.json" ] || die "no $OUT/manifest.json: synthesize first (make synth)"
  jq -r '.stacks | keys[]' "$OUT/manifest.json"
}

# selected_envs lists the environments PHL_ENVIRONMENTS selects (default: every file).
selected_envs() {
  if [ -n "${PHL_ENVIRONMENTS:-}" ]; then tr ',' '\n' <<<"$PHL_ENVIRONMENTS"
  else for f in "$ROOT"/environments/*.yaml; do basename "$f" .yaml; done; fi
}

# tf_mirror prints the provider mirror root or fails saying what is missing.
tf_mirror() {
  local dir="${PHL_PROVIDER_MIRROR:-}" bin
  if [ -z "$dir" ]; then
    for cand in /opt/tf-plugins /usr/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
      [ -d "$cand/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION" ] && dir=$cand && break
    done
  fi
  if [ -z "$dir" ]; then
    bin=$(find / -xdev -path "*/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/*" -name 'terraform-provider-aws_*' -print -quit 2>/dev/null || true)
    [ -n "$bin" ] && dir=${bin%%/registry.terraform.io/*}
  fi
  [ -n "$dir" ] || die "the AWS provider $AWS_PROVIDER_VERSION is not in any filesystem mirror on this machine (set PHL_PROVIDER_MIRROR to a directory holding registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64/); it cannot be downloaded here"
  printf '%s\n' "$dir"
}

# tf_setup checks terraform and writes a CLI config that installs providers from the mirror only.
tf_setup() {
  command -v terraform >/dev/null || die "terraform is not on PATH; install Terraform $TERRAFORM_VERSION (it cannot be downloaded on our machines)"
  local have; have=$(terraform version -json 2>/dev/null | jq -r .terraform_version)
  [ "$have" = "$TERRAFORM_VERSION" ] || die "terraform $have is on PATH; this project is tested with $TERRAFORM_VERSION"
  local mirror; mirror=$(tf_mirror)
  mkdir -p "$WORK"
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
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
}
