#!/usr/bin/env bash
# Builds (once) the binaries of the local host cluster and prints their directory as the last line of stdout.
# Progress goes to stderr. Binaries are cached outside the clone, keyed by every pinned version, so a fresh clone on
# the same machine only checks them; a new machine builds once (measured on 2 cores: 7.5 min idle, 12.5 min busy).
set -euo pipefail

# Pins. etcd is not built: Debian's etcd-server is used (checked below), so it is not part of the cache key.
K8S_VERSION=1.33.13      # k8s.io/kubernetes; v1.32.x staging modules are partly missing from the Go proxy (403)
KWOK_VERSION=0.8.0       # sigs.k8s.io/kwok (kwok + kwokctl)
ETCD_PACKAGE=etcd-server # Debian package, 3.4.23 on bookworm

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A CI runner may start us without HOME; go (its caches) and the cache path below need one.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vcluster-ts/rig"
KEY="k8s-v${K8S_VERSION}_kwok-v${KWOK_VERSION}"
BIN="$CACHE/$KEY/bin"
K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
START=$(date +%s)

log() { printf '[cluster-build %4ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { printf '\n[cluster-build] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else die "need root to run: $* (run it yourself once, then retry)"
  fi
}

apt_install() { # apt_install PACKAGE: installs a Debian package once, refreshing the lists only if needed
  command -v apt-get >/dev/null || die "no apt-get: install the Debian/Ubuntu package '$1' equivalent yourself"
  log "installing $1 with apt-get (one-off)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q "$1" >&2 \
    || { as_root apt-get update -q >&2 && as_root apt-get install -y -q "$1" >&2; } \
    || die "apt-get install $1 failed; install it yourself and retry"
}

ensure_system_tools() {
  command -v etcd >/dev/null || apt_install "$ETCD_PACKAGE"
  command -v openssl >/dev/null || apt_install openssl
  command -v flock >/dev/null || apt_install util-linux
  command -v strace >/dev/null || apt_install strace # the egress test records every connect() with it
}

need_go() {
  command -v go >/dev/null || die "Go is needed to build Kubernetes from Go modules (go >= 1.24): install it from
  https://go.dev/dl/ (or your package manager) so that 'go' is on PATH, then retry"
}

missing() { # prints the names among "$@" that are not built yet
  local b; for b in "$@"; do [ -x "$BIN/$b" ] || echo "$b"; done
}

# go build -v prints each package it compiles: turn that into a progress line every 15 s.
progress() {
  local total=$1 n=0 last; last=$(date +%s)
  while IFS= read -r line; do
    case "$line" in *:*) echo "$line" >&2 ;; *) n=$((n + 1)) ;; esac
    if [ $(($(date +%s) - last)) -ge 15 ]; then log "compiled $n of at most $total packages"; last=$(date +%s); fi
  done
}

build_k8s() {
  local todo=("$@") ld="-s -w" p minor=${K8S_VERSION#*.}
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  local pkgs=() b; for b in "${todo[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  cd "$HERE/k8sbins"
  log "downloading Go modules for Kubernetes v$K8S_VERSION (wrapper module test/cluster/k8sbins)"
  go mod download
  local total; total=$(go list -deps "${pkgs[@]}" | wc -l)
  log "compiling ${todo[*]} (expect 5-15 min on 2 cores when Go's build cache is cold)"
  local tmp="$BIN.partial.$$"; mkdir -p "$tmp"
  # Version stamp: unstamped binaries say v0.0.0, and kwokctl would then pass flags meant for the newest Kubernetes.
  CGO_ENABLED=0 go build -v -trimpath -ldflags "$ld" -o "$tmp/" "${pkgs[@]}" 2>&1 | progress "$total" \
    || die "go build failed (see above)"
  for b in "${todo[@]}"; do mv "$tmp/$b" "$BIN/$b"; done
  rmdir "$tmp"
  "$BIN/kube-apiserver" --version | grep -qx "Kubernetes v$K8S_VERSION" \
    || die "kube-apiserver is not stamped v$K8S_VERSION"
}

build_kwok() {
  log "building kwok and kwokctl v$KWOK_VERSION (expect ~2 min)"
  local tmp="$BIN.partial.$$"; mkdir -p "$tmp"
  CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwokctl@v$KWOK_VERSION" >&2 || die "go install kwok failed (see above)"
  mv "$tmp/kwok" "$tmp/kwokctl" "$BIN/"
  rmdir "$tmp"
}

main() {
  ensure_system_tools
  mkdir -p "$BIN"
  # One build at a time per cache key (e.g. `npm run cluster:up` and `npm test` started together).
  exec 9>"$CACHE/$KEY.lock"
  flock -n 9 || { log "another build holds $CACHE/$KEY.lock; waiting for it"; flock 9; }
  local todo; mapfile -t todo < <(missing "${K8S_CMDS[@]}")
  local kwok; mapfile -t kwok < <(missing kwok kwokctl)
  if [ "${#todo[@]}" -gt 0 ] || [ "${#kwok[@]}" -gt 0 ]; then
    need_go
    log "first run on this machine: building the host-cluster binaries into $BIN"
    log "this takes about 8-13 minutes on 2 cores (once; later runs reuse the cache)"
  fi
  [ "${#todo[@]}" -eq 0 ] || build_k8s "${todo[@]}"
  [ "${#kwok[@]}" -eq 0 ] || build_kwok
  [ "${#todo[@]}" -eq 0 ] && [ "${#kwok[@]}" -eq 0 ] || log "done; binaries cached in $BIN"
  echo "$BIN"
}

main "$@"
