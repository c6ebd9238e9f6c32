//go:build tools

// Package tools pins the upstream commands the tests build from this module (see build.sh).
package tools

import (
	_ "github.com/loft-sh/vcluster/cmd/vcluster"
	_ "github.com/loft-sh/vcluster/cmd/vclusterctl"
	_ "helm.sh/helm/v3/cmd/helm"
)
