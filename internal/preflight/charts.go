package preflight

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/config"
)

// ChartPin is a Helm chart the environment installs from a repository outside this one, at a
// pinned version.
type ChartPin struct {
	Chart, Version string
	// Repository as written: https://... (a Helm repository with an index.yaml), oci://host/path
	// or host/path (an OCI registry: Argo CD reads a repoURL without a scheme as one).
	Repository string
	// Source says where the pin is set, for the fix.
	Source string
}

// PinnedCharts lists the charts the environment installs from outside this repository: those
// of the synthesized gitops stack's helm_releases (Argo CD), and those of the platform chart's
// Applications (chartsDir/platform: each template of templates/components with a `chart:`,
// its repoURL and targetRevision read from values.yaml, where the gitops stack's values for
// the root release win, as Helm merges them).
func PinnedCharts(env *config.Environment, out *Output, chartsDir string) ([]ChartPin, error) {
	gitops := out.Stack(env.StackName("gitops"))
	if gitops == nil {
		return nil, fmt.Errorf("%s/manifest.json lacks %s", out.Dir, env.StackName("gitops"))
	}
	var pins []ChartPin
	var root Resource
	for _, rel := range gitops.Resources("helm_release") {
		repo, remote := rel.Literal("repository")
		if !remote {
			root = rel // the platform chart, a local asset
			continue
		}
		chart, ok1 := rel.Literal("chart")
		version, ok2 := rel.Literal("version")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: helm_release %s has no literal chart and version", gitops.Name, rel.Name)
		}
		pins = append(pins, ChartPin{Chart: chart, Version: version, Repository: repo, Source: "the " + gitops.Name + " stack's helm_release " + rel.Name})
	}
	platform := filepath.Join(chartsDir, "platform")
	valuesFile := filepath.Join(platform, "values.yaml")
	values, err := readValues(valuesFile)
	if err != nil {
		return nil, err
	}
	templates, err := filepath.Glob(filepath.Join(platform, "templates", "components", "*.yaml"))
	if err != nil || len(templates) == 0 {
		return nil, fmt.Errorf("%s: no templates/components/*.yaml", platform)
	}
	sort.Strings(templates)
	for _, tpl := range templates {
		src, err := templateSource(tpl)
		if err != nil {
			return nil, err
		}
		if src.chart == "" {
			continue // a chart of this repository (path:)
		}
		repo, _, err := value(values, root, src.repoURL, valuesFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tpl, err)
		}
		version, from, err := value(values, root, src.targetRevision, valuesFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tpl, err)
		}
		pins = append(pins, ChartPin{Chart: src.chart, Version: version, Repository: repo, Source: from})
	}
	return pins, nil
}

// source is what a component template installs: the chart and the values paths of its
// repoURL and targetRevision ("" chart: a path in this repository).
type source struct{ chart, repoURL, targetRevision string }

var (
	aliasPattern    = regexp.MustCompile(`\{\{-?\s*\$c\s*:=\s*\.Values\.([A-Za-z0-9_.]+)\s*-?\}\}`)
	chartPattern    = regexp.MustCompile(`(?m)^\s+chart:\s*"?([A-Za-z0-9._-]+)"?\s*$`)
	repoURLPattern  = regexp.MustCompile(`(?m)^\s+repoURL:\s*\{\{\s*([$.A-Za-z0-9_]+)\s*\|\s*quote\s*\}\}\s*$`)
	revisionPattern = regexp.MustCompile(`(?m)^\s+targetRevision:\s*\{\{\s*([$.A-Za-z0-9_]+)\s*\|\s*quote\s*\}\}\s*$`)
)

// templateSource reads an Application template's source. The templates name the chart
// literally and take repoURL and targetRevision from values ($c is .Values.components.X).
func templateSource(file string) (source, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return source{}, err
	}
	text := string(data)
	m := chartPattern.FindStringSubmatch(text)
	if m == nil {
		return source{}, nil
	}
	alias := ""
	if a := aliasPattern.FindStringSubmatch(text); a != nil {
		alias = a[1]
	}
	resolve := func(p *regexp.Regexp, key string) (string, error) {
		e := p.FindStringSubmatch(text)
		if e == nil {
			return "", fmt.Errorf("%s: chart %s without `%s: {{ <value> | quote }}`", file, m[1], key)
		}
		switch expr := e[1]; {
		case strings.HasPrefix(expr, "$c.") && alias != "":
			return alias + "." + strings.TrimPrefix(expr, "$c."), nil
		case strings.HasPrefix(expr, ".Values."):
			return strings.TrimPrefix(expr, ".Values."), nil
		default:
			return "", fmt.Errorf("%s: %s %s is not a value preflight can read", file, key, expr)
		}
	}
	repo, err := resolve(repoURLPattern, "repoURL")
	if err != nil {
		return source{}, err
	}
	rev, err := resolve(revisionPattern, "targetRevision")
	if err != nil {
		return source{}, err
	}
	return source{chart: m[1], repoURL: repo, targetRevision: rev}, nil
}

// value reads a dotted values path: from the root release's values when the gitops stack sets
// it there, else from values.yaml. It says where it found it.
func value(values map[string]any, root Resource, dotted, valuesFile string) (v, from string, err error) {
	keys := strings.Split(dotted, ".")
	if s, ok := releaseValue(root, keys); ok {
		return s, fmt.Sprintf("%s (set by the gitops stack's helm_release %s)", dotted, root.Name), nil
	}
	s, ok := path(values, keys...).(string)
	if !ok || s == "" {
		return "", "", fmt.Errorf("%s sets no %s", valuesFile, dotted)
	}
	return s, dotted + " in " + valuesFile, nil
}

// releaseValue reads a string the helm_release passes in values: a YAML document, or the
// Terraform expression `${jsonencode({"a" = {"b" = "v", ...}, ...})}` cdktf writes when values
// hold references to other stacks (two levels, literal strings only). The last document wins.
func releaseValue(rel Resource, keys []string) (string, bool) {
	list, _ := rel.Attrs["values"].([]any)
	found, value := false, ""
	for _, item := range list {
		doc, _ := item.(string)
		if isExpression(doc) {
			if len(keys) != 2 {
				continue
			}
			p := regexp.MustCompile(`"` + regexp.QuoteMeta(keys[0]) + `" = \{[^{}]*?"` + regexp.QuoteMeta(keys[1]) + `" = "([^"\\]*)"`)
			if m := p.FindStringSubmatch(doc); m != nil {
				found, value = true, m[1]
			}
			continue
		}
		var parsed map[string]any
		if yaml.Unmarshal([]byte(doc), &parsed) == nil {
			if s, ok := path(parsed, keys...).(string); ok {
				found, value = true, s
			}
		}
	}
	return value, found
}

// readValues reads a chart values file, and overlays such as values-<env>.yaml on it (maps
// merge, anything else replaces, as Helm does).
func readValues(files ...string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		merge(out, doc)
	}
	return out, nil
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		sub, isMap := v.(map[string]any)
		have, haveMap := dst[k].(map[string]any)
		if isMap && haveMap {
			merge(have, sub)
			continue
		}
		dst[k] = v
	}
}
