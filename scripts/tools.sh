#!/usr/bin/env bash
# Installs what the main job and the ladder need, pinned, into gitignored folders:
#   node_modules/ (Node 22 LTS + cdktf-cli, from package-lock.json), bin/ (links to tools built
#   once per machine into the tool cache, ~/.cache/phl-platform/tools), .gen/helm (the Go binding
#   of the CDKTF Helm provider, generated from npm, see helm_binding below).
# Node 22 LTS comes from npm for Linux x64/arm64 and macOS x64; where npm has no build of it
# (macOS arm64), the Node 22 on your PATH is used.
# Usage: scripts/tools.sh [--scanner] [--k8s] [--mariadb] [--graphviz] | --binding-only
#   --scanner builds trivy, --k8s kube-apiserver, kubectl, etcd and helm from tools/k8s and
#   fetches the CRD sources (heavy the first time); --mariadb installs MariaDB from apt (as root
#   or with sudo) for the bootstrap tests; --graphviz installs Graphviz from apt (tools/diagram
#   renders docs/architecture.svg with its dot); --binding-only does just npm ci and the Helm
#   binding (what `go build` needs; cdktf.json's app runs it, ~0.1 s when nothing is stale).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
binding_only=false
[ "${1:-}" = --binding-only ] && { binding_only=true; shift; }

# apt_install PKG WHY: Debian packages, as root or through passwordless sudo (GitHub's runners).
apt_install() {
  local as_root=()
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || die "$1 is missing: install it (apt-get install $1): $2"
    as_root=(sudo -n)
  fi
  echo "tools: apt-get install $1"
  "${as_root[@]}" apt-get update -qq && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}
if ! $binding_only && ! command -v jq >/dev/null; then apt_install jq "the ladder reads plans and manifests with it"; fi
command -v go >/dev/null || die "go is not on PATH"
# MariaDB from Debian's packages: the database bootstrap's tests run against a real server.
# Only the ladder (--mariadb) needs it; synth and deploy do not.
if [[ " $* " == *" --mariadb "* ]] && ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
  apt_install mariadb-server "the database bootstrap's tests run against it"
fi
# Graphviz from Debian's packages: tools/diagram (make diagram, rung 2) lays out and renders the
# architecture picture with dot.
if [[ " $* " == *" --graphviz "* ]] && ! command -v dot >/dev/null; then
  apt_install graphviz "tools/diagram draws docs/architecture.svg with its dot"
fi
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

# The Go binding of the CDKTF Helm provider (github.com/cdktf/cdktf-provider-helm-go/helm/v10):
# the Go module proxy does not serve it, so jsii-pacmak generates it from the npm package
# @cdktf/provider-helm (pinned in package-lock.json) into .gen/helm, which go.mod's replace
# points at. Never committed. Regenerated when missing or when package-lock.json changed (the
# stamp holds its hash); the output is byte-identical on every run (~2 s).
helm_binding() {
  local dest=.gen/helm stamp want tmp
  stamp="$dest/.stamp"
  want="jsii-pacmak --target go --code-only; package-lock.json $(sha256sum package-lock.json | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$dest/go.mod" ] && return 0
  echo "tools: generating the Helm provider's Go binding into $dest (jsii-pacmak, from node_modules/@cdktf/provider-helm)"
  mkdir -p .gen
  tmp=$(mktemp -d .gen/helm.tmp.XXXXXX)
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$ROOT/$tmp'" EXIT
  jsii-pacmak --target go --code-only --no-npmignore --outdir "$tmp" node_modules/@cdktf/provider-helm
  grep -qx 'module github.com/cdktf/cdktf-provider-helm-go/helm/v10' "$tmp/go/helm/go.mod" ||
    die "jsii-pacmak wrote no module github.com/cdktf/cdktf-provider-helm-go/helm/v10 into $tmp/go/helm"
  printf '%s\n' "$want" > "$tmp/go/helm/.stamp"
  rm -rf "$dest"
  mv "$tmp/go/helm" "$dest"
  rm -rf "$tmp"
  trap - EXIT
}
helm_binding
$binding_only && exit 0

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
for arg in "$@"; do
  case "$arg" in
    --scanner)
      # trivy >= 0.70 needs Go's json/v2 experiment; about 7 minutes the first time on a machine.
      go_tool trivy github.com/aquasecurity/trivy/cmd/trivy "$TRIVY_VERSION" GOEXPERIMENT=jsonv2 ;;
    --k8s)
      # One build of the pinned tools/k8s module (about 10 minutes the first time on a machine).
      dest="$TOOLS_CACHE/k8s-$KUBERNETES_VERSION-$(sha256sum tools/k8s/go.mod | cut -c1-12)"
      if [ ! -x "$dest/kube-apiserver" ] || [ ! -x "$dest/kubectl" ] || [ ! -x "$dest/etcd" ] || [ ! -x "$dest/helm" ]; then
        echo "tools: building kube-apiserver, kubectl ($KUBERNETES_VERSION), etcd, helm into $dest"
        mkdir -p "$dest"
        minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
        (cd tools/k8s && go build -trimpath -o "$dest/" -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION \
          -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
          k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl helm.sh/helm/v3/cmd/helm &&
          go build -trimpath -ldflags "-s -w" -o "$dest/etcd" go.etcd.io/etcd/server/v3)
      fi
      for t in kube-apiserver kubectl etcd helm; do ln -sf "$dest/$t" "bin/$t"; done
      # CRD sources: the projects' released trees, from the Go module proxy.
      for m in "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" "github.com/aws/karpenter-provider-aws@$KARPENTER_VERSION" \
               "github.com/external-secrets/external-secrets@$EXTERNAL_SECRETS_VERSION" "github.com/aws/eks-charts@$EKS_CHARTS_VERSION"; do
        (cd / && go mod download "$m")
      done ;;
    --mariadb|--graphviz) ;;
    *) die "unknown option $arg (--scanner, --k8s, --mariadb, --graphviz; or --binding-only alone)" ;;
  esac
done
