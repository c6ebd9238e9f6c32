#!/usr/bin/env bash
# Builds (once) upstream's own code that the conformance tests use as their oracle, and prints the cache directory
# as the last line of stdout: `oracle` (our small Go program over the release's pkg/config and helm's install
# action, oracle/main.go) and `chart/` (the release's chart, copied from the Go module). Progress goes to stderr.
#
# Everything comes from the wrapper module in this folder (go.mod/go.sum committed): github.com/loft-sh/vcluster at
# the pinned release and helm.sh/helm/v3. `go install ...@version` is refused for loft-sh/vcluster (the proxy answers
# 403 for its version list); a module that requires the exact version works. Cached outside the clone, keyed by the
# pinned versions and a hash of our oracle's source, so a fresh clone on the same machine only checks the cache.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
VCLUSTER_MODULE=github.com/loft-sh/vcluster
VCLUSTER_VERSION=$(awk -v m="$VCLUSTER_MODULE" '$1 == m {print $2}' "$HERE/go.mod")
HELM_VERSION=$(awk '$1 == "helm.sh/helm/v3" {print $2}' "$HERE/go.mod")
SOURCE_HASH=$(cat "$HERE/go.mod" "$HERE/go.sum" "$HERE"/oracle/*.go | sha256sum | cut -c1-12)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vcluster-ts/upstream"
KEY="vcluster-${VCLUSTER_VERSION}_helm-${HELM_VERSION}_oracle-${SOURCE_HASH}"
OUT="$CACHE/$KEY"
START=$(date +%s)

log() { printf '[upstream-build %4ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { printf '\n[upstream-build] ERROR: %s\n' "$*" >&2; exit 1; }

[ -n "$VCLUSTER_VERSION" ] || die "no $VCLUSTER_MODULE in $HERE/go.mod"

# go build -v prints each package it compiles: turn that into a progress line every 15 s.
progress() {
  local total=$1 n=0 last; last=$(date +%s)
  while IFS= read -r line; do
    case "$line" in *:*) echo "$line" >&2 ;; *) n=$((n + 1)) ;; esac
    if [ $(($(date +%s) - last)) -ge 15 ]; then log "compiled $n of at most $total packages"; last=$(date +%s); fi
  done
}

build() {
  command -v go >/dev/null || die "Go is needed to build upstream's oracle (go >= 1.26): install it so 'go' is on PATH, then retry"
  cd "$HERE"
  log "first run on this machine: building upstream's config parser and helm ($VCLUSTER_MODULE $VCLUSTER_VERSION, helm $HELM_VERSION) into $OUT"
  log "downloading Go modules (wrapper module test/upstream)"
  go mod download
  local total; total=$(go list -deps ./oracle | wc -l)
  log "compiling the oracle (expect 4-8 min on 2 cores when Go's build cache is cold)"
  local tmp="$OUT.partial.$$"; rm -rf "$tmp"; mkdir -p "$tmp"
  CGO_ENABLED=0 go build -v -trimpath -ldflags "-s -w" -o "$tmp/oracle" ./oracle 2>&1 | progress "$total" \
    || die "go build of the oracle failed (see above)"
  local dir; dir=$(go list -m -f '{{.Dir}}' "$VCLUSTER_MODULE")
  [ -f "$dir/chart/values.yaml" ] || die "no chart/ in $dir"
  cp -r "$dir/chart" "$tmp/chart"
  chmod -R u+w "$tmp/chart"
  printf '%s\n' "$VCLUSTER_VERSION" > "$tmp/VERSION"
  rm -rf "$OUT"; mv "$tmp" "$OUT"
  log "done; cached in $OUT"
}

main() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/$KEY.lock"
  flock -n 9 || { log "another build holds $CACHE/$KEY.lock; waiting for it"; flock 9; }
  [ -x "$OUT/oracle" ] && [ -f "$OUT/chart/values.yaml" ] || build
  echo "$OUT"
}

main "$@"
