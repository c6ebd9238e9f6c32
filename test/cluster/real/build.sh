#!/usr/bin/env bash
# Builds (once) what the real vCluster's pod runs that the host cluster's own build does not: upstream's `vcluster`
# (the syncer, `vcluster start`) and `kine` (its default backing store; in a real pod it comes from the init image as
# /binaries/kine). Prints their directory as the last line of stdout; progress goes to stderr.
#
# vcluster comes from the wrapper module test/upstream (shared with the config conformance oracle), kine from
# test/cluster/kinebins; both go.mod/go.sum are committed. The cache key names the pinned versions and a hash of
# each wrapper module's go.mod/go.sum (Go's version selection can move a dependency when the module changes), not the
# oracle's source: changing the oracle does not rebuild vcluster. Each binary is built only when missing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UPSTREAM="$HERE/../../upstream"
KINEBINS="$HERE/../kinebins"
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
VCLUSTER_MODULE=github.com/loft-sh/vcluster
KINE_MODULE=github.com/k3s-io/kine
VCLUSTER_VERSION=$(awk -v m="$VCLUSTER_MODULE" '$1 == m {print $2}' "$UPSTREAM/go.mod")
KINE_VERSION=$(awk -v m="$KINE_MODULE" '$1 == m || ($1 == "require" && $2 == m) {print $NF}' "$KINEBINS/go.mod")
hash() { cat "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-12; }
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vcluster-ts/real"
KEY="vcluster-${VCLUSTER_VERSION}-$(hash "$UPSTREAM")_kine-${KINE_VERSION}-$(hash "$KINEBINS")"
BIN="$CACHE/$KEY/bin"
START=$(date +%s)

log() { printf '[real-vcluster-build %4ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { printf '\n[real-vcluster-build] ERROR: %s\n' "$*" >&2; exit 1; }

[ -n "$VCLUSTER_VERSION" ] || die "no $VCLUSTER_MODULE in $UPSTREAM/go.mod"
[ -n "$KINE_VERSION" ] || die "no $KINE_MODULE in $KINEBINS/go.mod"

# go build -v prints each package it compiles. A progress line every 15 s, also while one big package compiles or
# the linker runs and nothing is printed (hence the read timeout).
progress() {
  local what=$1 total=$2 n=0 last line rc; last=$(date +%s)
  while :; do
    if IFS= read -r -t 5 line; then
      case "$line" in *:*) echo "$line" >&2 ;; *) n=$((n + 1)) ;; esac
    else
      rc=$?; [ "$rc" -gt 128 ] || break # > 128: timed out, anything else: end of input
    fi
    if [ $(($(date +%s) - last)) -ge 15 ]; then log "$what: compiled $n of at most $total packages"; last=$(date +%s); fi
  done
}

need() {
  command -v go >/dev/null || die "Go is needed to build the real vCluster (go >= 1.26): install it so 'go' is on PATH, then retry"
  command -v "${1:-go}" >/dev/null || die "$1 is needed to build kine (SQLite through cgo): install it (Debian: gcc), then retry"
}

build_vcluster() {
  need
  cd "$UPSTREAM"
  log "downloading Go modules (wrapper module test/upstream)"
  go mod download
  local pkg="$VCLUSTER_MODULE/cmd/vcluster" total; total=$(go list -deps "$pkg" | wc -l)
  log "compiling vcluster $VCLUSTER_VERSION (expect ~6 min on 2 cores when Go's build cache is cold)"
  # As upstream's release build: static, version stamped (unstamped it reports "dev" and `list` shows no version).
  CGO_ENABLED=0 go build -v -trimpath -o "$BIN.partial.$$/vcluster" \
    -ldflags "-s -w -X $VCLUSTER_MODULE/pkg/telemetry.SyncerVersion=${VCLUSTER_VERSION#v}" "$pkg" 2>&1 \
    | progress vcluster "$total" || die "go build of vcluster failed (see above)"
  mv "$BIN.partial.$$/vcluster" "$BIN/vcluster"
}

build_kine() {
  need gcc
  cd "$KINEBINS"
  log "downloading Go modules (wrapper module test/cluster/kinebins)"
  go mod download
  local total; total=$(go list -deps "$KINE_MODULE" | wc -l)
  log "compiling kine $KINE_VERSION (cgo, SQLite; expect ~2 min on 2 cores when Go's build cache is cold)"
  # Upstream's scripts/build flags, minus -static and the nats tag (a dynamic glibc binary; the vCluster uses SQLite).
  CGO_ENABLED=1 CGO_CFLAGS="-DSQLITE_USE_ALLOCA=1" go build -v -trimpath -o "$BIN.partial.$$/kine" \
    -ldflags "-s -w -X $KINE_MODULE/pkg/version.Version=$KINE_VERSION" "$KINE_MODULE" 2>&1 \
    | progress kine "$total" || die "go build of kine failed (see above)"
  mv "$BIN.partial.$$/kine" "$BIN/kine"
}

main() {
  mkdir -p "$BIN"
  # One build at a time per cache key (two test runs started together wait for each other).
  exec 9>"$CACHE/$KEY.lock"
  flock -n 9 || { log "another build holds $CACHE/$KEY.lock; waiting for it"; flock 9; }
  local todo=()
  [ -x "$BIN/vcluster" ] || todo+=(vcluster)
  [ -x "$BIN/kine" ] || todo+=(kine)
  if [ "${#todo[@]}" -gt 0 ]; then
    log "first run on this machine: building ${todo[*]} into $BIN (once; later runs reuse the cache)"
    mkdir -p "$BIN.partial.$$"
    trap 'rm -rf "$BIN.partial.$$"' EXIT
    local b; for b in "${todo[@]}"; do "build_$b"; done
    log "done; cached in $BIN"
  fi
  echo "$BIN"
}

main "$@"
