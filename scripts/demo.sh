#!/usr/bin/env bash
# `npm run demo`: a local host cluster (built on first use), then the main commands, each shown as it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f dist/commands/create.js ] || npm run build >/dev/null
exports=$(npm run --silent cluster:up)   # fails the demo if the cluster cannot start
eval "$exports"
vc() { printf '\n\033[1m$ vcluster %s\033[0m\n' "$*" >&2; node "$PWD/bin/run.js" "$@"; }

vc create demo
vc list
vc connect demo -- kubectl get namespaces
cat >&2 <<MSG

Done. The vCluster "demo" is still running on the local host cluster.
  export KUBECONFIG=$KUBECONFIG          # to use it yourself
  node bin/run.js connect demo            # a kubeconfig context for it, until Ctrl-C
Clean up:
  node bin/run.js delete demo             # the vCluster
  npm run cluster:down                    # the local host cluster
MSG
