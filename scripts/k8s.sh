# The Kubernetes rung's machinery: a real kube-apiserver and etcd on loopback, the CRDs of what
# the platform installs, namespaces under Pod Security "restricted", and the check that renders
# every chart of gitops/charts and applies it with --dry-run=server. Source it (after lib.sh).

K8S_DIR=""       # scratch of the running API server (certs, etcd data, kubeconfig)
K8S_PIDS=()

# k8s_stop stops the API server, then etcd; safe to call twice and on dead processes.
k8s_stop() {
  local pid
  for pid in "${K8S_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${K8S_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  K8S_PIDS=()
}

# free_port prints a TCP port nothing listens on (the kernel picks it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# k8s_start starts etcd and kube-apiserver on loopback and waits until the API is ready.
k8s_start() {
  K8S_DIR=$(mktemp -d "$TMPDIR/k8s.XXXXXX")
  local etcd_port peer_port api_port token=ladder-$RANDOM$RANDOM
  etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)
  etcd --data-dir "$K8S_DIR/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" --log-level error > "$K8S_DIR/etcd.log" 2>&1 &
  K8S_PIDS+=($!)
  openssl genrsa -out "$K8S_DIR/sa.key" 2048 2>/dev/null
  printf '%s,ci,ci,system:masters\n' "$token" > "$K8S_DIR/tokens.csv"
  kube-apiserver --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
    --secure-port "$api_port" --endpoint-reconciler-type none --cert-dir "$K8S_DIR/certs" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$K8S_DIR/sa.key" \
    --service-account-signing-key-file "$K8S_DIR/sa.key" --token-auth-file "$K8S_DIR/tokens.csv" \
    --authorization-mode RBAC --service-cluster-ip-range 10.96.0.0/24 > "$K8S_DIR/apiserver.log" 2>&1 &
  K8S_PIDS+=($!)
  cat > "$K8S_DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: ladder, cluster: {server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true}}]
users: [{name: ci, user: {token: "$token"}}]
contexts: [{name: ladder, context: {cluster: ladder, user: ci}}]
current-context: ladder
KC
  export KUBECONFIG="$K8S_DIR/kubeconfig"
  local i
  for i in $(seq 1 60); do
    if kubectl get --raw /readyz >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  tail -n 20 "$K8S_DIR/apiserver.log"; die "kube-apiserver did not become ready in 60 s"
}

# crd_files lists the CRDs of what the platform installs, from the projects' released sources.
crd_files() {
  local mods; mods=$(go env GOMODCACHE)
  ls "$mods/github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION"/manifests/crds/*-crd.yaml \
     "$mods/github.com/aws/karpenter-provider-aws@$KARPENTER_VERSION"/pkg/apis/crds/*.yaml \
     "$mods/github.com/external-secrets/external-secrets@$EXTERNAL_SECRETS_VERSION"/config/crds/bases/external-secrets.io_*.yaml
  local lbc="$mods/github.com/aws/eks-charts@$EKS_CHARTS_VERSION/stable/aws-load-balancer-controller"
  grep -q "^version: $AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION\$" "$lbc/Chart.yaml" ||
    die "eks-charts $EKS_CHARTS_VERSION does not hold aws-load-balancer-controller $AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION"
  echo "$lbc/crds/crds.yaml"
}

# k8s_crds applies the CRDs (server-side: the External Secrets ones exceed the client-side
# annotation limit) and waits until they are served.
k8s_crds() {
  local files f args=()
  files=$(crd_files)
  for f in $files; do args+=(-f "$f"); done
  kubectl apply --server-side "${args[@]}" > "$K8S_DIR/crds.log"
  # A CRD just created may have no status yet ("conditions accessor error"): retry briefly.
  local i
  for i in $(seq 1 20); do
    if kubectl wait --for condition=established --timeout=60s crd --all > "$K8S_DIR/crd-wait.log" 2>&1; then break; fi
    [ "$i" -lt 20 ] || { cat "$K8S_DIR/crd-wait.log"; die "the CRDs were not established"; }
    sleep 1
  done
  note "$(wc -w <<<"$files") CRDs established (Argo CD $ARGOCD_VERSION, Karpenter $KARPENTER_VERSION, External Secrets $EXTERNAL_SECRETS_VERSION, AWS Load Balancer Controller $AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION)"
}

# restricted_namespace NAME creates a namespace that enforces Pod Security "restricted", with
# the default service account a controller manager would add (none runs here).
K8S_NAMESPACES=" "  # created in this run (each costs four kubectl calls)
restricted_namespace() {
  [[ "$K8S_NAMESPACES" != *" $1 "* ]] || return 0
  K8S_NAMESPACES="$K8S_NAMESPACES$1 "
  # Explicit returns: callers may run this where errexit is off (after `||`).
  kubectl create namespace "$1" --dry-run=client -o yaml |
    kubectl label --local -f - -o yaml pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/warn=restricted \
      pod-security.kubernetes.io/audit=restricted | kubectl apply -f - > /dev/null || return 1
  kubectl create serviceaccount default -n "$1" --dry-run=client -o yaml | kubectl apply -f - > /dev/null || return 1
}

# check_chart DIR: helm lint --strict and template with each of the chart's ci/<env>-values.yaml
# (on top of values-<env>.yaml when the chart has one) at the cluster's Kubernetes version, then
# apply every rendered object with --dry-run=server; each namespace the objects name is created
# first under Pod Security "restricted". Any warning (deprecated API, Pod Security) fails. A chart's
# ci/<env>-pins.yaml (test stand-ins for what a release commits into values-<env>.yaml, e.g.
# phl-store's image.digest) is layered last; unpinned_render checks what happens without it.
check_chart() {
  local chart=$1 name values env n=0 layers
  name=$(basename "$chart")
  for values in "$chart"/ci/*-values.yaml; do
    [ -f "$values" ] || die "$chart has no ci/*-values.yaml to render with"
    env=$(basename "$values" -values.yaml)
    layers=()
    if [ -f "$chart/values-$env.yaml" ]; then layers+=(-f "$chart/values-$env.yaml"); fi
    layers+=(-f "$values")
    if [ -f "$chart/ci/$env-pins.yaml" ]; then layers+=(-f "$chart/ci/$env-pins.yaml"); fi
    helm lint --strict --kube-version "$KUBERNETES_VERSION" "${layers[@]}" "$chart" > "$K8S_DIR/lint.log" 2>&1 || { cat "$K8S_DIR/lint.log"; return 1; }
    helm template "$name" "$chart" --namespace "$name" --kube-version "$KUBERNETES_VERSION" "${layers[@]}" > "$K8S_DIR/rendered.yaml"
    restricted_namespace "$name"
    # Objects that name no namespace go to the chart's, as `helm install -n` would put them.
    kubectl config set-context --current --namespace "$name" > /dev/null
    apply_rendered "$K8S_DIR/rendered.yaml" "$chart ($(basename "$values"))" || return 1
    n=$((n + APPLIED))
  done
  [ "$n" -gt 0 ] || { echo "$chart: no object was applied"; return 1; }
  note "$chart: $n objects accepted by kube-apiserver $KUBERNETES_VERSION (lint --strict, dry-run=server, no warnings)"
}

# stack_values ENV FILE: the root chart's values exactly as the <env>-gitops stack passes them:
# its synthesized values expression, evaluated by terraform against the placeholder outputs the
# producers' offline plans left (rung 4), written as JSON.
stack_values() {
  local env=$1 out=$2 stack="$OUT/stacks/$1-gitops/cdk.tf.json" d p
  [ -f "$stack" ] || die "no $stack: synthesize first (rung 2)"
  d=$(mktemp -d "$TMPDIR/values.XXXXXX")
  jq --arg work "$PLAN_DIR" '{
      data: {terraform_remote_state: (.data.terraform_remote_state | with_entries(.value = {backend: "local",
        config: {path: "\($work)/\(.key | ltrimstr("cross-stack-reference-input-"))/offline-outputs.tfstate"}}))},
      output: {values: {value: ([.resource.helm_release[] | select(.name == "platform")] | if length == 1 then .[0].values[0]
        else error("want exactly one helm_release named platform") end)}}
    }' "$stack" > "$d/main.tf.json"
  for p in $(jq -r '.data.terraform_remote_state[].config.path' "$d/main.tf.json"); do
    [ -f "$p" ] || die "no $p: the producers' offline plans come from rung 4 (run it first)"
  done
  tf_setup
  (cd "$d" && terraform init -input=false -no-color > init.log && terraform apply -auto-approve -input=false -no-color > apply.log &&
    terraform output -raw values) > "$out" || { cat "$d"/*.log; return 1; }
}

# apply_rendered FILE LABEL: create every namespace the objects name (Pod Security restricted),
# apply with --dry-run=server; any warning fails. Sets APPLIED to the number of objects accepted
# (not a subshell, so the namespaces it creates are remembered).
apply_rendered() {
  local file=$1 label=$2 ns n_ out
  ns=$(sed -n 's/^  namespace: *//p' "$file" | sort -u) || return 1
  for n_ in $ns; do restricted_namespace "$n_" || return 1; done
  out=$(kubectl apply --dry-run=server -f "$file" 2>&1) || { echo "$out"; echo "$label: rejected"; return 1; }
  if grep -q '^Warning:' <<<"$out"; then echo "$out"; echo "$label: the API server warned"; return 1; fi
  APPLIED=$(grep -c ' (server dry run)$' <<<"$out") || return 1
}

# unpinned_render ENV NAME CHART NS LAYERS...: the Application rendered exactly as Argo CD would
# (the stack's values, values-<env>.yaml as committed). It must either render, because
# values-<env>.yaml pins what ci/<env>-pins.yaml stands in for, or be refused by the schema naming
# those keys only (prod without image.digest: Argo CD would refuse it the same way). Either way the
# checks that follow render with the pins.
unpinned_render() {
  local env=$1 name=$2 chart=$3 ns=$4 out keys key; shift 4
  if out=$(helm template "$name" "$chart" --namespace "$ns" --kube-version "$KUBERNETES_VERSION" "$@" 2>&1 >/dev/null); then
    note "$env Application $name: values-$env.yaml pins what ci/$env-pins.yaml stands in for; renders as committed"
    return 0
  fi
  # Every schema error must be at a key the pins file sets (its last path element is one of its keys).
  keys=$(grep -o "at '/[^']*'" <<<"$out" | sed "s/^at '//; s/'\$//" | sort -u)
  [ -n "$keys" ] || { echo "$out"; echo "$env Application $name: as committed it fails, and not on a schema key"; return 1; }
  for key in $keys; do
    grep -q "^ *${key##*/}:" "$chart/ci/$env-pins.yaml" || {
      echo "$out"; echo "$env Application $name: as committed the schema refuses $key, which ci/$env-pins.yaml does not stand in for"; return 1
    }
  done
  note "$env Application $name as committed: refused by the schema at $(tr '\n' ' ' <<<"$keys")(not pinned yet; rendered with ci/$env-pins.yaml from here on)"
}

# check_stack_values ENV: the root chart rendered with the stack's values and accepted by the API
# server (its Applications by the Argo CD CRD); then, level by level, every Application whose
# source is a chart of gitops/charts is rendered as Argo CD would (its valueFiles, then its
# valuesObject) and accepted, and the Applications that renders are followed in turn.
check_stack_values() {
  local env=$1 values="$K8S_DIR/$1-stack-values.json" level=0 files next app name chart ns vf n=0 objs=0 seen=" " layers f
  stack_values "$env" "$values"
  helm template platform "$ROOT/gitops/charts/platform" --namespace argocd --kube-version "$KUBERNETES_VERSION" -f "$values" > "$K8S_DIR/$env-root.yaml"
  kubectl config set-context --current --namespace argocd > /dev/null
  apply_rendered "$K8S_DIR/$env-root.yaml" "$env root chart" || return 1
  objs=$APPLIED
  files="$K8S_DIR/$env-root.yaml"
  while [ -n "$files" ]; do
    level=$((level + 1)); [ "$level" -le 4 ] || { echo "$env: Applications nest deeper than 4 levels"; return 1; }
    next=""
    for f in $files; do
      while IFS= read -r app; do
        [ -n "$app" ] || continue
        name=$(jq -r .metadata.name <<<"$app")
        [[ "$seen" != *" $name "* ]] || { echo "$env: Application $name is rendered twice (a cycle?)"; return 1; }
        seen="$seen$name "
        chart="$ROOT/$(jq -r .spec.source.path <<<"$app")"; ns=$(jq -r .spec.destination.namespace <<<"$app")
        [ -f "$chart/Chart.yaml" ] || { echo "Application $name points at $(jq -r .spec.source.path <<<"$app"), which is not a chart"; return 1; }
        jq '.spec.source.helm.valuesObject // {}' <<<"$app" > "$K8S_DIR/$env-$name-values.json"
        layers=()
        for vf in $(jq -r '.spec.source.helm.valueFiles // [] | .[]' <<<"$app"); do layers+=(-f "$chart/$vf"); done
        layers+=(-f "$K8S_DIR/$env-$name-values.json")
        if [ -f "$chart/ci/$env-pins.yaml" ]; then
          unpinned_render "$env" "$name" "$chart" "$ns" "${layers[@]}" || return 1
          layers+=(-f "$chart/ci/$env-pins.yaml")
        fi
        helm template "$name" "$chart" --namespace "$ns" --kube-version "$KUBERNETES_VERSION" "${layers[@]}" > "$K8S_DIR/$env-$name.yaml"
        kubectl config set-context --current --namespace "$ns" > /dev/null
        apply_rendered "$K8S_DIR/$env-$name.yaml" "$env Application $name" || return 1
        objs=$((objs + APPLIED)); n=$((n + 1)); next="$next $K8S_DIR/$env-$name.yaml"
      done < <(kubectl create --dry-run=client -o json -f "$f" | jq -c '(if .kind == "List" then .items[] else . end)
        | select(.kind == "Application") | select((.spec.source.path // "") | startswith("gitops/charts/"))')
    done
    files=${next# }
  done
  [ "$n" -gt 1 ] || { echo "$env: the root chart leads to $n local chart(s); expected the platform's Applications"; return 1; }
  note "$env-gitops: the root chart with the stack's own values, then the $n local charts its Applications deploy, rendered as Argo CD would: $objs objects accepted"
}
