#!/usr/bin/env bash
# Measures wall time and peak memory of the whole process tree (Go + Node + terraform + trivy)
# for synth and each ladder rung, warm; with --cold also a fresh clone with empty Go, npm and
# tool caches running `make test`. Results: a table on stdout and .work/bench.tsv.
# Usage: scripts/bench.sh [--cold]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/tools.sh" --scanner --k8s --mariadb --graphviz
mkdir -p "$WORK/bin"
go build -o "$WORK/bin/treepeak" ./tools/treepeak
results="$WORK/bench.tsv"
: > "$results"
measure() { local label=$1; shift; "$WORK/bin/treepeak" -label "$label" -o "$results" -- "$@" > "$WORK/bench-$label.log" 2>&1 || die "$label failed: see $WORK/bench-$label.log"; }

go build -o "$WORK/bin/phl-platform" .
measure synth-app env CDKTF_OUTDIR="$WORK/bench-out" "$WORK/bin/phl-platform"
measure synth-app-2 env CDKTF_OUTDIR="$WORK/bench-out" "$WORK/bin/phl-platform"
measure synth-cdktf-cli env CI=true cdktf synth --output "$WORK/bench-cli-out"
rm -rf "$WORK/bench-out" "$WORK/bench-cli-out"
# Rung 1 uncached (Go's test cache would otherwise skip unchanged tests).
measure rung-1 env GOFLAGS="${GOFLAGS:-} -count=1" scripts/ladder.sh --only 1
for n in 2 3 4 5 6; do measure "rung-$n" scripts/ladder.sh --only "$n"; done
measure make-test-warm make test

if [ "${1:-}" = --cold ]; then
  cold=$(mktemp -d /tmp/phl-cold.XXXX)
  trap 'rm -rf "$cold"' EXIT
  git clone -q "$ROOT" "$cold/repo"
  measure make-test-cold env GOCACHE="$cold/gocache" GOMODCACHE="$cold/gomod" npm_config_cache="$cold/npm" \
    PHL_TOOLS_CACHE="$cold/tools" make -C "$cold/repo" test
  rm -rf "$cold"
fi

printf '\n%-16s %9s %10s\n' measurement wall "peak RSS"
awk -F'\t' '{printf "%-16s %9s %10s  %s\n", $1, $2, $3, $4}' "$results"
