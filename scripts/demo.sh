#!/usr/bin/env bash
# `npm run demo`: a local host cluster (built on first use), then the main commands on a real vCluster (upstream's
# `vcluster start`, run by the local cluster for each vCluster pod), each shown as it runs: create, list, connect,
# a Deployment created inside and its pods synced to the host, their Running status seen inside.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f dist/commands/create.js ] || npm run build >/dev/null
# Its own cluster name, so the demo never reuses or tears down the cluster a developer or a test run keeps.
CLUSTER=demo
exports=$(npm run --silent cluster:up -- --name "$CLUSTER")   # fails the demo if the cluster cannot start
eval "$exports"
NS=vcluster-demo
show() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }
vc() { show "vcluster $*"; node "$PWD/bin/run.js" "$@"; }
host() { show "kubectl $*"; kubectl "$@"; }

# The local cluster runs the real vCluster in namespaces labelled so (the stand-in elsewhere; test/cluster/README.md).
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $NS, labels: {vcluster-ts.test/real: "true"}}
YAML

vc create demo -n "$NS"
vc list
vc connect demo -n "$NS" -- kubectl get namespaces
show "vcluster connect demo -n $NS -- kubectl apply -f - (Deployment web, 2 replicas)"
node "$PWD/bin/run.js" connect demo -n "$NS" -- kubectl apply -n default -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
YAML

# The vCluster's syncer creates the pods in the host namespace (named <pod>-x-default-x-demo); the host runs them.
running() { [ "$("$@" 2>/dev/null | tr ' ' '\n' | grep -c '^Running$')" -ge 2 ]; }
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 90); do "$@" && return 0; sleep 2; done
  printf 'demo: %s did not happen within 3 minutes\n' "$what" >&2
  return 1
}
wait_for 'the 2 web pods Running on the host' \
  running kubectl get pods -n "$NS" -l app=web -o 'jsonpath={.items[*].status.phase}'
host get pods -n "$NS" -l app=web
wait_for 'Running seen inside the vCluster' running node "$PWD/bin/run.js" connect demo -n "$NS" -- \
  kubectl get pods -n default -l app=web -o 'jsonpath={.items[*].status.phase}'
vc connect demo -n "$NS" -- kubectl get pods -n default -l app=web
cat >&2 <<MSG

Done. The vCluster "demo" is still running on the local host cluster, in namespace $NS.
$(printf '%s\n' "$exports" | sed 's/^/  /')
  node bin/run.js connect demo -n $NS      # a kubeconfig context for it, until Ctrl-C
Clean up:
  node bin/run.js delete demo -n $NS       # the vCluster
  kubectl delete namespace $NS            # its namespace (the demo made it, to label it)
  npm run cluster:down -- --name $CLUSTER  # the local host cluster
MSG
