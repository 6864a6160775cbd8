package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Component is one Argo CD Application of the platform chart's "components" tier.
type Component struct {
	Name string
	Wave int
	// Chart is the chart it deploys; Local when it is one of gitops/charts.
	Chart string
	Local bool
	// Kinds are the kinds a local chart's templates define (sorted, unique).
	Kinds []string
}

// Charts is what the diagram reads from gitops/charts.
type Charts struct {
	Components []Component // by wave, then name
	// SecretStore is the ClusterSecretStore the app's ExternalSecret reads through, and
	// ConfigSecret the Kubernetes Secret it writes (phl-store values config.*).
	SecretStore  string
	ConfigSecret string
}

var (
	// include "platform.applicationMetadata" (dict "root" . "name" "karpenter" "wave" -2)
	appMetaRe = regexp.MustCompile(`"platform\.applicationMetadata" \(dict "root" \. "name" "([^"]+)" "wave" (-?\d+)\)`)
	// include "platform.localSource" (dict "root" . "chart" "phl-store")
	localRe    = regexp.MustCompile(`"platform\.localSource" \(dict "root" \. "chart" "([^"]+)"\)`)
	upstreamRe = regexp.MustCompile(`(?m)^\s+chart: ([a-z0-9-]+)\s*$`)
	kindRe     = regexp.MustCompile(`(?m)^kind: ([A-Za-z]+)\s*$`)
)

// ReadCharts reads the platform chart's component Applications (name, sync wave, chart) and
// the app chart's ExternalSecret settings from dir (gitops/charts).
func ReadCharts(dir string) (*Charts, error) {
	files, err := filepath.Glob(filepath.Join(dir, "platform", "templates", "components", "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no component Applications under %s", filepath.Join(dir, "platform/templates/components"))
	}
	c := &Charts{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m := appMetaRe.FindSubmatch(b)
		if m == nil {
			return nil, fmt.Errorf("%s: no platform.applicationMetadata include with a name and a wave", f)
		}
		wave, _ := strconv.Atoi(string(m[2]))
		comp := Component{Name: string(m[1]), Wave: wave}
		if l := localRe.FindSubmatch(b); l != nil {
			comp.Chart, comp.Local = string(l[1]), true
			if comp.Kinds, err = chartKinds(filepath.Join(dir, comp.Chart)); err != nil {
				return nil, err
			}
		} else if u := upstreamRe.FindSubmatch(b); u != nil {
			comp.Chart = string(u[1])
		} else {
			return nil, fmt.Errorf("%s: neither a platform.localSource include nor a chart: line", f)
		}
		c.Components = append(c.Components, comp)
	}
	sort.Slice(c.Components, func(i, j int) bool {
		a, b := c.Components[i], c.Components[j]
		if a.Wave != b.Wave {
			return a.Wave < b.Wave
		}
		return a.Name < b.Name
	})
	var values struct {
		Config struct {
			SecretName  string `yaml:"secretName"`
			SecretStore string `yaml:"secretStore"`
		} `yaml:"config"`
	}
	vf := filepath.Join(dir, "phl-store", "values.yaml")
	b, err := os.ReadFile(vf)
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(b, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", vf, err)
	}
	c.SecretStore, c.ConfigSecret = values.Config.SecretStore, values.Config.SecretName
	return c, nil
}

// chartKinds lists the kinds a chart's templates define (every templates/**.yaml, tests excepted).
func chartKinds(chart string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(chart, "templates"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "tests" {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(p) != ".yaml" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range kindRe.FindAllSubmatch(b, -1) {
			seen[string(m[1])] = true
		}
		return nil
	})
	return sortedKeys(seen), err
}

// Component returns the component whose local chart or name is name.
func (c *Charts) Component(name string) (Component, bool) {
	for _, comp := range c.Components {
		if comp.Name == name || comp.Chart == name {
			return comp, true
		}
	}
	return Component{}, false
}
