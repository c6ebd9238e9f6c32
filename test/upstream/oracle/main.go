// Command oracle answers, for the conformance tests, what the pinned upstream release does with a config: it runs
// upstream's own code (helm's install dry run on the release's chart, and vCluster's pkg/config start-up parse), so
// our TypeScript CLI is compared with the real thing rather than with our reading of it.
//
// It reads one JSON request per line on stdin and writes one JSON answer per line on stdout, so one process serves
// thousands of cases. Requests:
//
//	{"id": "x", "op": "parse", "name": "vc", "config": "<config.yaml text>"}
//	    what `vcluster start` does with the Secret vc-config-NAME: ParseConfigBytes (strict decode, then
//	    ValidateConfigAndSetDefaults). Answers ok, error, and the parsed config as JSON.
//	{"id": "x", "op": "install", "name": "vc", "namespace": "ns", "values": "<user values YAML>", "kubeVersion": "v1.33.0"}
//	    what a user of upstream meets: helm's client-only install dry run of the chart (values coalesced with the
//	    chart's values.yaml, checked against values.schema.json, templates rendered), then the start-up parse of the
//	    config.yaml the chart put into its config Secret. Answers stage ("helm" or "parse") and error on failure; the
//	    rendered manifests and config.yaml on success.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	vconfig "github.com/loft-sh/vcluster/pkg/config"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"
)

type request struct {
	ID          string `json:"id"`
	Op          string `json:"op"`
	Name        string `json:"name"`
	Namespace   string `json:"namespace"`
	Config      string `json:"config"`
	Values      string `json:"values"`
	KubeVersion string `json:"kubeVersion"`
}

type answer struct {
	ID        string          `json:"id"`
	OK        bool            `json:"ok"`
	Stage     string          `json:"stage,omitempty"`
	Error     string          `json:"error,omitempty"`
	Parsed    json.RawMessage `json:"parsed,omitempty"`
	Manifests string          `json:"manifests,omitempty"`
	Config    string          `json:"config,omitempty"`
}

func main() {
	setReleaseKubeVersion()
	chartDir := flag.String("chart", "", "the release's chart directory")
	chartVersion := flag.String("chart-version", "", "version to package the chart as (the release pipeline sets it)")
	flag.Parse()

	var chrt *chart.Chart
	if *chartDir != "" {
		loaded, err := loader.Load(*chartDir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: loading chart %s: %v\n", *chartDir, err)
			os.Exit(2)
		}
		if *chartVersion != "" {
			loaded.Metadata.Version = *chartVersion
			loaded.Metadata.AppVersion = *chartVersion
		}
		chrt = loaded
	}

	// vCluster's parser prints to stdout on decode errors; keep our stdout for answers only.
	out := os.Stdout
	os.Stdout = os.Stderr
	writer := bufio.NewWriter(out)
	encoder := json.NewEncoder(writer)
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		var req request
		if err := json.Unmarshal(scanner.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "oracle: bad request: %v\n", err)
			os.Exit(2)
		}
		var ans answer
		switch req.Op {
		case "parse":
			ans = parse(req.Name, []byte(req.Config))
		case "install":
			ans = install(chrt, req)
		default:
			ans = answer{Error: "unknown op " + req.Op}
		}
		ans.ID = req.ID
		if err := encoder.Encode(ans); err != nil {
			fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
			os.Exit(2)
		}
		_ = writer.Flush()
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "oracle: reading stdin: %v\n", err)
		os.Exit(2)
	}
}

// setReleaseKubeVersion gives helm the default capabilities of its release binaries. helm's Makefile links them with
// -X chartutil.k8sVersionMajor/Minor taken from its client-go module (v0.36.x gives Kubernetes v1.36.0); a plain
// go build keeps the source default v1.20.0. Without --kube-version, `helm template` as users run it renders the
// chart's Capabilities checks (claim retention policy, pods/resize) for that version, so the oracle must too.
func setReleaseKubeVersion() {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, dep := range info.Deps {
		if dep.Path != "k8s.io/client-go" {
			continue
		}
		var major, minor, patch int
		if _, err := fmt.Sscanf(dep.Version, "v%d.%d.%d", &major, &minor, &patch); err != nil {
			fmt.Fprintf(os.Stderr, "oracle: client-go version %q: %v\n", dep.Version, err)
			os.Exit(2)
		}
		kv := chartutil.KubeVersion{Version: fmt.Sprintf("v%d.%d.0", major+1, minor), Major: fmt.Sprint(major + 1), Minor: fmt.Sprint(minor)}
		chartutil.DefaultCapabilities.KubeVersion = kv
		return
	}
}

// parse runs what `vcluster start` runs on /var/lib/vcluster/config.yaml.
func parse(name string, data []byte) (ans answer) {
	defer func() {
		if r := recover(); r != nil {
			ans = answer{Stage: "parse", Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	cfg, err := vconfig.ParseConfigBytes(data, name, nil)
	if err != nil {
		return answer{Stage: "parse", Error: err.Error()}
	}
	parsed, err := json.Marshal(cfg.Config)
	if err != nil {
		return answer{Stage: "parse", Error: "marshal parsed config: " + err.Error()}
	}
	return answer{OK: true, Parsed: parsed}
}

// install runs helm's client-only install dry run (what `helm template` and `helm install --dry-run` do), then the
// start-up parse of the config.yaml it rendered.
func install(chrt *chart.Chart, req request) answer {
	if chrt == nil {
		return answer{Error: "install needs -chart"}
	}
	values, err := chartutil.ReadValues([]byte(req.Values))
	if err != nil {
		return answer{Stage: "helm", Error: err.Error()}
	}
	client := action.NewInstall(&action.Configuration{})
	client.DryRun = true
	client.ClientOnly = true
	client.Replace = true
	client.ReleaseName = req.Name
	client.Namespace = req.Namespace
	if req.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(req.KubeVersion)
		if err != nil {
			return answer{Stage: "helm", Error: err.Error()}
		}
		client.KubeVersion = kv
	}
	rel, err := client.Run(chrt, values)
	if err != nil {
		return answer{Stage: "helm", Error: err.Error()}
	}
	configText, err := configFromManifests(rel.Manifest, "vc-config-"+req.Name)
	if err != nil {
		return answer{Stage: "helm", Error: err.Error(), Manifests: rel.Manifest}
	}
	parsed := parse(req.Name, []byte(configText))
	parsed.Manifests = rel.Manifest
	parsed.Config = configText
	return parsed
}

// configFromManifests finds the config Secret among the rendered documents and decodes its config.yaml.
func configFromManifests(manifests, secretName string) (string, error) {
	for _, doc := range strings.Split(manifests, "\n---") {
		var obj struct {
			Kind     string                `json:"kind"`
			Metadata struct{ Name string } `json:"metadata"`
			Data     map[string]string     `json:"data"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			continue
		}
		if obj.Kind != "Secret" || obj.Metadata.Name != secretName {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(obj.Data["config.yaml"])
		if err != nil {
			return "", fmt.Errorf("config Secret %s: %w", secretName, err)
		}
		return string(raw), nil
	}
	return "", fmt.Errorf("the chart rendered no Secret %s", secretName)
}
