#!/usr/bin/env bash
# Builds (once) upstream's own CLIs for the interoperability tests and the benchmark, and prints the cache directory
# as the last line of stdout: `vcluster` (upstream's vclusterctl at the pinned release), `helm` (which upstream's
# `vcluster create` runs), `chart/` (the release's chart, for `vcluster create --local-chart-dir`: no internet) and
# `peerinit` (ours, peerinit/main.go: PID 1 of the loopback-only network namespace they run in, see peer.ts).
# Progress goes to stderr. Same rules as build.sh: everything from the wrapper module in this folder (go.mod/go.sum
# committed), cached outside the clone keyed by the pinned versions and a hash of go.mod/go.sum, one build at a time
# (flock), a progress line every 15 s.
#
# Version stamping follows upstream's release builds: vclusterctl as in .goreleaser.yaml (main.version and
# telemetry.SyncerVersion, without the leading v; no telemetry key, so it could not sign a report even if one got
# out), helm as in its Makefile (internal/version.version, empty metadata, k8s version from client-go). The chart is
# not embedded (upstream embeds a packaged chart made by hack/embed-chart.sh, which the module does not ship):
# `vcluster create` must be given --local-chart-dir.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
VCLUSTER_MODULE=github.com/loft-sh/vcluster
HELM_MODULE=helm.sh/helm/v3
VCLUSTER_VERSION=$(awk -v m="$VCLUSTER_MODULE" '$1 == m {print $2}' "$HERE/go.mod")
HELM_VERSION=$(awk -v m="$HELM_MODULE" '$1 == m {print $2}' "$HERE/go.mod")
SOURCE_HASH=$(cat "$HERE/go.mod" "$HERE/go.sum" "${BASH_SOURCE[0]}" "$HERE"/peerinit/*.go | sha256sum | cut -c1-12)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vcluster-ts/upstream"
KEY="cli_vcluster-${VCLUSTER_VERSION}_helm-${HELM_VERSION}_${SOURCE_HASH}"
OUT="$CACHE/$KEY"
START=$(date +%s)

log() { printf '[upstream-cli-build %4ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { printf '\n[upstream-cli-build] ERROR: %s\n' "$*" >&2; exit 1; }

[ -n "$VCLUSTER_VERSION" ] || die "no $VCLUSTER_MODULE in $HERE/go.mod"
[ -n "$HELM_VERSION" ] || die "no $HELM_MODULE in $HERE/go.mod"

# go build -v prints each package it compiles: turn that into a progress line every 15 s, also while one big
# package compiles silently (read's timeout).
progress() {
  local what=$1 total=$2 n=0 last rc; last=$(date +%s)
  while true; do
    if IFS= read -r -t 15 line; then
      case "$line" in *:*) echo "$line" >&2 ;; *) n=$((n + 1)) ;; esac
    else
      rc=$?; [ "$rc" -gt 128 ] || break
    fi
    if [ $(($(date +%s) - last)) -ge 15 ]; then log "$what: compiled $n of at most $total packages"; last=$(date +%s); fi
  done
}

compile() {
  local what=$1 pkg=$2 out=$3 ldflags=$4 total
  total=$(go list -deps "$pkg" | wc -l)
  log "compiling $what ($pkg)"
  CGO_ENABLED=0 go build -v -trimpath -ldflags "$ldflags" -o "$out" "$pkg" 2>&1 | progress "$what" "$total" \
    || die "go build of $what failed (see above)"
}

build() {
  command -v go >/dev/null || die "Go is needed to build upstream's CLI (go >= 1.26): install it so 'go' is on PATH, then retry"
  cd "$HERE"
  log "first run on this machine: building upstream's vcluster CLI $VCLUSTER_VERSION and helm $HELM_VERSION into $OUT"
  log "downloading Go modules (wrapper module test/upstream); expect 5-10 min on 2 cores when Go's build cache is cold"
  go mod download
  local tmp="$OUT.partial.$$"; rm -rf "$tmp"; mkdir -p "$tmp"
  local v=${VCLUSTER_VERSION#v}
  compile vcluster "$VCLUSTER_MODULE/cmd/vclusterctl" "$tmp/vcluster" \
    "-s -w -X main.version=$v -X $VCLUSTER_MODULE/pkg/telemetry.SyncerVersion=$v"
  # helm's Makefile: the Kubernetes version helm assumes without a cluster is client-go's, major + 1.
  local k8s major minor
  k8s=$(go list -m -f '{{.Version}}' k8s.io/client-go); k8s=${k8s#v}
  major=$((${k8s%%.*} + 1)); minor=$(echo "$k8s" | cut -d. -f2)
  local hv=helm.sh/helm/v3
  compile helm "$HELM_MODULE/cmd/helm" "$tmp/helm" \
    "-s -w -X $hv/internal/version.version=$HELM_VERSION -X $hv/internal/version.metadata= -X $hv/internal/version.gitTreeState=clean -X $hv/pkg/lint/rules.k8sVersionMajor=$major -X $hv/pkg/lint/rules.k8sVersionMinor=$minor -X $hv/pkg/chartutil.k8sVersionMajor=$major -X $hv/pkg/chartutil.k8sVersionMinor=$minor"
  compile peerinit ./peerinit "$tmp/peerinit" "-s -w"
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
  [ -x "$OUT/vcluster" ] && [ -x "$OUT/helm" ] && [ -x "$OUT/peerinit" ] && [ -f "$OUT/chart/values.yaml" ] || build
  echo "$OUT"
}

main "$@"
