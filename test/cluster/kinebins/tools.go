//go:build tools

// Package tools pins kine, the vCluster's default backing store (SQLite behind an etcd API), which the real
// vCluster's pod gets from its init image as /binaries/kine; test/cluster/real/build.sh builds it from here.
package tools

import _ "github.com/k3s-io/kine"
