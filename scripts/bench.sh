#!/usr/bin/env bash
# Measures wall time and peak memory of the whole process tree (Go + Node + terraform + trivy)
# with tools/treepeak: the synth against the floor any CDKTF Go app with the AWS provider pays
# (tools/benchfloor: one stack, one resource), three alternating runs each, medians and their
# ratio; `cdktf synth`; each ladder rung alone (rung 1 uncached); then a warm `make test`. With
# --cold also a fresh clone with empty Go, npm and tool caches running `make test`.
# Results: a table on stdout, docs/bench.tsv (committed), and the tables in README.md and
# docs/performance.md rendered from it (go run ./tools/docs bench).
# Usage: scripts/bench.sh [--cold]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/tools.sh" --scanner --k8s --mariadb --graphviz
mkdir -p "$WORK/bin"
go build -o "$WORK/bin/treepeak" ./tools/treepeak
results="$WORK/bench.tsv" runs="$WORK/bench-runs.tsv"
: > "$results"; : > "$runs"
measure() { local label=$1; shift; "$WORK/bin/treepeak" -label "$label" -o "$results" -- "$@" > "$WORK/bench-$label.log" 2>&1 || die "$label failed: see $WORK/bench-$label.log"; }
# median LABEL COLUMN: the median of COLUMN (2 wall, 3 peak) of LABEL's runs, as "N.N s" or "N MiB".
median() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l {split($c, a, " "); print a[1], a[2]}' "$runs" | sort -n |
  awk '{v[++n] = $1; u = $2} END {m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf (u == "s" ? "%.1f %s" : "%.0f %s"), m, u}'; }

go build -o "$WORK/bin/phl-platform" .
go build -o "$WORK/bin/benchfloor" ./tools/benchfloor
for i in 1 2 3; do
  "$WORK/bin/treepeak" -label synth-floor -o "$runs" -- env CDKTF_OUTDIR="$WORK/bench-floor" "$WORK/bin/benchfloor" > /dev/null 2>&1 || die "the floor app failed"
  "$WORK/bin/treepeak" -label synth-app -o "$runs" -- env CDKTF_OUTDIR="$WORK/bench-out" "$WORK/bin/phl-platform" > /dev/null 2>&1 || die "synth failed"
done
for l in synth-floor synth-app; do printf '%s\t%s\t%s\tok\n' "$l" "$(median "$l" 2)" "$(median "$l" 3)" >> "$results"; done
ratio=$(awk -v a="$(median synth-app 2)" -v f="$(median synth-floor 2)" 'BEGIN {printf "%.2f", a / f}')
measure synth-cdktf-cli env CI=true cdktf synth --output "$WORK/bench-cli-out"
rm -rf "$WORK/bench-out" "$WORK/bench-cli-out" "$WORK/bench-floor"
# Rung 1 uncached (Go's test cache would otherwise skip unchanged tests).
measure rung-1 env GOFLAGS="${GOFLAGS:-} -count=1" scripts/ladder.sh --only 1
for n in 2 3 4 5 6; do measure "rung-$n" scripts/ladder.sh --only "$n"; done
# Warm means a second run: rung 1 above ran its tests uncached, which leaves no cached results.
make test > "$WORK/bench-make-test-first.log" 2>&1 || die "make test failed: see $WORK/bench-make-test-first.log"
measure make-test-warm make test

if [ "${1:-}" = --cold ]; then
  cold=$(mktemp -d /tmp/phl-cold.XXXX)
  trap 'rm -rf "$cold"' EXIT
  git clone -q "$ROOT" "$cold/repo"
  measure make-test-cold env GOCACHE="$cold/gocache" GOMODCACHE="$cold/gomod" npm_config_cache="$cold/npm" \
    PHL_TOOLS_CACHE="$cold/tools" make -C "$cold/repo" test
  rm -rf "$cold"
fi

{
  printf '# date: %s\n' "$(date -u +%Y-%m-%d)"
  printf '# machine: %s cores, %s GiB, %s\n' "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" "$(uname -sm)"
  printf '# synth ratio: %s (median of 3 alternating runs: synth %s, floor %s)\n' "$ratio" "$(median synth-app 2)" "$(median synth-floor 2)"
  cat "$results"
} > docs/bench.tsv
go run ./tools/docs bench
printf '\n%-16s %9s %10s\n' measurement wall "peak RSS"
awk -F'\t' '!/^#/ {printf "%-16s %9s %10s  %s\n", $1, $2, $3, $4}' docs/bench.tsv
echo "synth / floor: $ratio"
