#!/usr/bin/env bash
# Installs what the main job and the ladder need, pinned, into gitignored folders:
#   node_modules/ (Node 22 LTS + cdktf-cli, from package-lock.json), bin/ (links to tools built
#   once per machine into the tool cache, ~/.cache/phl-platform/tools).
# Node 22 LTS comes from npm for Linux x64/arm64 and macOS x64; where npm has no build of it
# (macOS arm64), the Node 22 on your PATH is used.
# Usage: scripts/tools.sh [--scanner]   (--scanner also builds trivy; heavy the first time)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if ! command -v jq >/dev/null; then
  [ "$(id -u)" = 0 ] || die "jq is missing: install it (apt-get install jq)"
  apt-get update -qq && apt-get install -y -qq jq >/dev/null
fi
command -v go >/dev/null || die "go is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH (Node.js is needed to fetch the pinned Node 22 LTS)"

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "tools: npm ci (Node 22 LTS where npm has it for $(uname -s)/$(uname -m), cdktf-cli)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# Node 22 LTS: cdktf-cli's node-pty ships prebuilt binaries up to Node 22's ABI, not 24's.
node_version=$(node --version 2>/dev/null || true)
case "$node_version" in
  v22.*) ;;
  *) die "Node 22 LTS is needed (cdktf-cli 0.21 runs on it); found ${node_version:-no node} ($(command -v node || echo 'not on PATH')). npm has no Node 22 build for $(uname -s)/$(uname -m): install Node 22 (e.g. nvm install 22, or brew install node@22) and put it first on PATH" ;;
esac

mkdir -p bin
# go_tool NAME PACKAGE VERSION [ENV...]: go install a pinned tool once per machine into the
# tool cache and link it into bin/.
go_tool() {
  local name=$1 pkg=$2 version=$3; shift 3
  local dest="$TOOLS_CACHE/$name-$version"
  if [ ! -x "$dest/$name" ]; then
    echo "tools: building $name $version into $dest"
    env "$@" GOBIN="$dest" go install "$pkg@$version"
  fi
  ln -sf "$dest/$name" "bin/$name"
}
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
if [ "${1:-}" = "--scanner" ]; then
  # trivy >= 0.70 needs Go's json/v2 experiment; about 7 minutes the first time on a machine.
  go_tool trivy github.com/aquasecurity/trivy/cmd/trivy "$TRIVY_VERSION" GOEXPERIMENT=jsonv2
fi
