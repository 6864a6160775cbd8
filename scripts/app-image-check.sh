#!/usr/bin/env bash
# Runs the phl-store image the chart pins under the chart's hardened runtime (its UID, read-only
# root, no capabilities, no privilege escalation, its memory limit, and only /tmp writable, a
# tmpfs as the pod's emptyDir) against a MySQL 8 that requires TLS, with config.json as the chart's ExternalSecret
# renders it (tls=true: the server's certificate is verified against SSL_CERT_FILE), then calls
# the app's API contract. One line per step; containers, network and files go on every exit.
# Needs a Docker engine, openssl, curl and jq. Usage: scripts/app-image-check.sh [ENV]
# ENV picks values-<ENV>.yaml (default dev). Inputs: PHL_CHART_DIR (default
# gitops/charts/phl-store), PHL_CHECK_MYSQL_IMAGE (default mysql:8.0, what Aurora MySQL 3 is
# compatible with), PHL_CHECK_TIMEOUT (seconds to wait for MySQL and for the app, default 120).
source "$(dirname "$0")/lib.sh"

command -v docker >/dev/null || die "Docker is needed: this check runs the app image and MySQL in containers, and docker is not on PATH"
docker info >/dev/null 2>&1 || die "Docker is needed: this check runs the app image and MySQL in containers, and the Docker engine does not answer (docker info)"
for tool in openssl curl jq; do command -v "$tool" >/dev/null || die "$tool is needed (not on PATH)"; done

env=${1:-dev}
chart=${PHL_CHART_DIR:-$ROOT/gitops/charts/phl-store}
mysql_image=${PHL_CHECK_MYSQL_IMAGE:-mysql:8.0}
timeout=${PHL_CHECK_TIMEOUT:-120}
[ -f "$chart/values.yaml" ] || die "PHL_CHART_DIR=$chart has no values.yaml"
[ -f "$chart/values-$env.yaml" ] || die "environment $env: $chart has no values-$env.yaml"

ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; exit 1; }

# value KEY: a scalar of the chart's values, values-<env>.yaml over values.yaml (as Argo CD
# passes them), e.g. value image.tag. Reads the block-style YAML of those files.
value() {
  local f v="" found=false got
  for f in "$chart/values.yaml" "$chart/values-$env.yaml"; do
    if got=$(awk -v key="$1" '
      function unquote(s) { if (s ~ /^".*"$/ || s ~ /^\047.*\047$/) return substr(s, 2, length(s) - 2); return s }
      { line = $0; sub(/[ \t]+#.*$/, "", line) }
      line ~ /^[ \t]*(#|$)/ || line ~ /^[ \t]*- / || line !~ /^ *[A-Za-z0-9_.-]+:( |$)/ { next }
      {
        match(line, /^ */); ind = RLENGTH
        k = line; sub(/^ */, "", k); sub(/:.*/, "", k)
        rest = line; sub(/^ *[A-Za-z0-9_.-]+:[ ]*/, "", rest)
        while (n > 0 && ind <= indents[n]) n--
        n++; indents[n] = ind; keys[n] = k
        p = keys[1]; for (i = 2; i <= n; i++) p = p "." keys[i]
        if (p == key && rest != "") { v = unquote(rest); found = 1 }
      }
      END { if (found) print v; exit !found }' "$f"); then
      v=$got found=true
    fi
  done
  [ "$found" = true ] || die "$1 is in neither values.yaml nor values-$env.yaml of $chart"
  printf '%s\n' "$v"
}

# One assignment each: errexit sees only the last command substitution of a line.
registry=$(value image.registry)
repository=$(value image.repository)
tag=$(value image.tag)
digest=$(value image.digest)
uid=$(value runAsUser)
port=$(value port)
memory=$(value resources.limits.memory)
tmp_size=$(value tmpSizeLimit)
image="$registry/$repository:$tag"
[ -z "$digest" ] || image="$registry/$repository@$digest"
case "$tmp_size" in
  *Mi) tmp_size="${tmp_size%Mi}m" ;;
  *Gi) tmp_size="${tmp_size%Gi}g" ;;
  *) die "tmpSizeLimit=$tmp_size: this check understands Mi and Gi" ;;
esac
case "$memory" in
  *Mi) memory="${memory%Mi}m" ;;
  *Gi) memory="${memory%Gi}g" ;;
  *) die "resources.limits.memory=$memory: this check understands Mi and Gi" ;;
esac
# The chart's helper phl-store.caBundlePath: where the pod mounts the CA bundle.
ca_path=/etc/ssl/rds/ca.pem

run_id="phl-check-$$-$RANDOM"
net=$run_id db="$run_id-mysql" app="$run_id-app"
dir=$(mktemp -d "${TMPDIR:-/tmp}/phl-app-image-check.XXXXXX")
created_net=false created=()
cleanup() {
  local rc=$? c removed=""
  for c in "${created[@]}"; do
    if docker rm -f "$c" >/dev/null 2>&1; then removed="$removed $c"; else printf 'cleanup: could not remove container %s\n' "$c" >&2; fi
  done
  if [ "$created_net" = true ]; then
    if docker network rm "$net" >/dev/null 2>&1; then removed="$removed network $net"; else printf 'cleanup: could not remove network %s\n' "$net" >&2; fi
  fi
  rm -rf "$dir"
  ok "cleanup: removed${removed:- nothing}"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Containers run as other users: they need to read the mounted files. Everything here is a
# throwaway made for this run (CA, keys, passwords) and is deleted at exit.
chmod 755 "$dir"

ok "docker: engine $(docker version --format '{{.Server.Version}}')"
docker pull -q "$image" >/dev/null || fail "pull $image"
docker pull -q "$mysql_image" >/dev/null || fail "pull $mysql_image"
ok "pull: $image ($(docker image inspect -f '{{join .RepoDigests " "}}' "$image")) from values.yaml + values-$env.yaml; $mysql_image"

# A CA and a server certificate for the MySQL container's name, which the app's DSN names.
mkdir -m 755 "$dir/tls"
cat > "$dir/tls/openssl.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$db
CNF
(
  cd "$dir/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 1 -subj "/CN=phl app-image-check CA" \
    -config openssl.cnf -extensions ca
  openssl req -new -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj "/CN=$db" -config openssl.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -out server-cert.pem \
    -extfile openssl.cnf -extensions server
  rm ca-key.pem server.csr
  chmod 644 ca.pem server-cert.pem server-key.pem
) > "$dir/tls/openssl.log" 2>&1 || { cat "$dir/tls/openssl.log" >&2; fail "tls: openssl could not make the certificates"; }
ok "tls: a throwaway CA and a server certificate for $db"

docker network create "$net" >/dev/null || fail "network: docker network create $net"
created_net=true
ok "network: $net"

db_password=$(openssl rand -hex 16)
root_password=$(openssl rand -hex 16)
(umask 077 && printf 'MYSQL_ROOT_PASSWORD=%s\n' "$root_password" > "$dir/mysql.env")
created+=("$db")
docker run -d --name "$db" --network "$net" --env-file "$dir/mysql.env" -v "$dir/tls:/etc/mysql/tls:ro" "$mysql_image" \
  --require-secure-transport=ON --ssl-cert=/etc/mysql/tls/server-cert.pem --ssl-key=/etc/mysql/tls/server-key.pem >/dev/null ||
  fail "mysql: docker run $mysql_image"
# mysql SQL...: as root over TCP (the entrypoint's first, temporary server has no TCP, so
# this only answers once the real server is up), password from the container's environment.
mysql() { docker exec -i "$db" sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql -h127.0.0.1 -uroot --ssl-mode=REQUIRED -N -B'; }
deadline=$((SECONDS + timeout))
until mysql <<<'SELECT 1' >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    docker logs --tail 20 "$db" 2>&1 | sed 's/^/  | /' >&2
    fail "mysql: $mysql_image did not accept TLS connections within ${timeout}s"
  fi
  sleep 2
done
ok "mysql: $mysql_image up with require_secure_transport=ON"

# What the database bootstrap (internal/dbbootstrap) creates: the database, and a user with
# exactly the app's grants on it.
mysql >/dev/null <<SQL || fail "database: creating products and phl_app_a"
CREATE DATABASE IF NOT EXISTS \`products\`;
CREATE USER 'phl_app_a'@'%' IDENTIFIED BY '$db_password';
GRANT CREATE, SELECT, INSERT, UPDATE, DELETE ON \`products\`.* TO 'phl_app_a'@'%';
SQL
ok "database: products, user phl_app_a with CREATE, SELECT, INSERT, UPDATE, DELETE on it only"

# config.json exactly as the chart's ExternalSecret template renders it.
jq -cn --arg dsn "phl_app_a:$db_password@tcp($db:3306)/products?tls=true" --arg port "$port" \
  '{connection_string: $dsn, port: $port}' > "$dir/config.json"
cp "$dir/tls/ca.pem" "$dir/ca.pem"
chmod 644 "$dir/config.json" "$dir/ca.pem"
ok "config: config.json with tls=true; SSL_CERT_FILE=$ca_path holds the CA"

created+=("$app")
docker run -d --name "$app" --network "$net" \
  --user "$uid:$uid" --read-only --tmpfs "/tmp:rw,size=$tmp_size,mode=1777" --cap-drop ALL --security-opt no-new-privileges --memory "$memory" \
  -v "$dir/config.json:/config/config.json:ro" -v "$dir/ca.pem:$ca_path:ro" -e "SSL_CERT_FILE=$ca_path" \
  -p "127.0.0.1::$port" "$image" >/dev/null || fail "app: docker run $image"
hostport=$(docker port "$app" "$port/tcp") || fail "app: docker port $app $port/tcp"
base="http://${hostport%%$'\n'*}"

# call METHOD PATH [BODY]: the status into $status, the body into $body.
call() {
  local args=(-sS -o "$dir/body" -w '%{http_code}' -X "$1" --max-time 10)
  [ $# -lt 3 ] || args+=(-H 'content-type: application/json' --data "$3")
  status=$(curl "${args[@]}" "$base$2" 2>"$dir/curl.err") || status="none ($(cat "$dir/curl.err"))"
  body=$(cat "$dir/body" 2>/dev/null || true)
}
# expect WHAT STATUS [JQ-TEST [ARGS...]]: the last call returned STATUS and its body passes JQ-TEST.
expect() {
  local what=$1 want=$2; shift 2
  [ "$status" = "$want" ] || fail "$what: status $status, want $want; body: ${body:0:300}"
  [ $# = 0 ] || jq -e "$@" <<<"$body" >/dev/null 2>&1 || fail "$what: unexpected body: ${body:0:300}"
}

# As the startup probe: GET /api/products answers 200 once the app reached the database.
start=$SECONDS
while :; do
  [ "$(docker inspect -f '{{.State.Running}}' "$app")" = true ] || {
    docker logs --tail 20 "$app" 2>&1 | sed 's/^/  | /' >&2
    fail "app: the container stopped (exit $(docker inspect -f '{{.State.ExitCode}}' "$app")); its last log lines are above"
  }
  call GET /api/products
  [ "$status" != 200 ] || break
  if [ $((SECONDS - start)) -ge "$timeout" ]; then
    docker logs --tail 20 "$app" 2>&1 | sed 's/^/  | /' >&2
    fail "app: GET /api/products did not answer 200 within ${timeout}s (last: $status)"
  fi
  sleep 2
done
ok "app: serving on $base as $uid:$uid, read-only root with a $tmp_size tmpfs at /tmp, no capabilities, memory $memory ($((SECONDS - start))s)"

product='{"name":"app-image-check","description":"hardened runtime","price":99.99}'
call POST /api/products "$product"
expect "POST /api/products" 200 '(.id | type == "number") and .name == "app-image-check" and .description == "hardened runtime" and .price == 99.99'
id=$(jq -r .id <<<"$body")
ok "POST /api/products: 200, id $id"
call GET /api/products
expect "GET /api/products" 200 --argjson id "$id" 'type == "array" and any(.[]; .id == $id)'
ok "GET /api/products: 200, lists $id"
call GET "/api/products/$id"
expect "GET /api/products/$id" 200 --argjson id "$id" '.id == $id and .name == "app-image-check" and .price == 99.99'
ok "GET /api/products/$id: 200"
call PUT "/api/products/$id" '{"name":"app-image-check 2","price":199.99}'
expect "PUT /api/products/$id" 200 --argjson id "$id" '.id == $id and .name == "app-image-check 2" and .price == 199.99'
ok "PUT /api/products/$id: 200, updated"
call DELETE "/api/products/$id"
expect "DELETE /api/products/$id" 200
call GET /api/products
expect "GET /api/products after DELETE" 200 --argjson id "$id" 'type == "array" and all(.[]; .id != $id)'
ok "DELETE /api/products/$id: 200, gone from the list"
ok "$image runs as $uid:$uid with a read-only root (only /tmp writable) and verified TLS to MySQL; the API contract holds"
