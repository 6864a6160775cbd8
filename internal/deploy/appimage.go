package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"gopkg.in/yaml.v3"
)

// AppValuesFile is the phl-store chart's values file of an environment, relative to the repository:
// Argo CD renders the app with it (gitops/charts/platform, the phl-store Application's valueFiles).
func AppValuesFile(env string) string {
	return filepath.Join("gitops", "charts", "phl-store", "values-"+env+".yaml")
}

var appDigestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// checkAppImage refuses to deploy an environment whose phl-store values require a pinned image
// (image.requireDigest: true, prod) but pin none: the chart's schema would refuse to render, and
// Argo CD would leave phl-store unsynced after everything else was applied.
func (d *run) checkAppImage(context.Context) (string, error) {
	rel := AppValuesFile(d.env.Name)
	b, err := os.ReadFile(filepath.Join(d.o.Root, rel))
	if err != nil {
		return "", fail("phl-store.image", fmt.Sprintf("cannot read %s: %v", rel, err),
			fmt.Sprintf("run from the repository root; every environment needs its %s", rel))
	}
	var v struct {
		Image struct {
			Digest        string `yaml:"digest"`
			Tag           string `yaml:"tag"`
			RequireDigest bool   `yaml:"requireDigest"`
		} `yaml:"image"`
	}
	if err := yaml.Unmarshal(b, &v); err != nil {
		return "", fail("phl-store.image", fmt.Sprintf("%s is not YAML: %v", rel, err), "correct the file")
	}
	switch img := v.Image; {
	case img.Digest != "" && !appDigestPattern.MatchString(img.Digest):
		return "", fail("phl-store.image", fmt.Sprintf("%s image.digest %q is not sha256: and 64 lowercase hex digits", rel, img.Digest),
			fmt.Sprintf("go run ./cmd/ci release -env %s -tag <tag> writes image.tag and image.digest there", d.env.Name))
	case img.Digest != "":
		return "pinned at " + img.Digest, nil
	case img.RequireDigest:
		return "", fail("phl-store.image", fmt.Sprintf("%s has image.requireDigest: true but no image.digest, so Argo CD cannot render phl-store for %s", rel, d.env.Name),
			fmt.Sprintf("pin the app image: go run ./cmd/ci release -env %s -tag <tag> (the app-release workflow) writes image.tag and image.digest into %s; merge that, then deploy", d.env.Name, rel))
	}
	return "not pinned (" + d.env.Name + " does not require a digest; the tag is pulled)", nil
}
