//go:build chartrung

package gitops_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// The phl-store Application retries longer than the others (its first sync waits on the database
// bootstrap; after the last retry Argo CD does not retry the same commit) and passes the
// configured database name on to the chart.
func TestPhlStoreApplicationRetriesLongerAndNamesTheDatabase(t *testing.T) {
	t.Parallel()
	platform := filepath.Join(chartsDir(), "platform")
	for _, env := range []string{"dev", "prod"} {
		args := []string{"template", "platform", platform, "--namespace", "argocd", "--kube-version", os.Getenv("PHL_KUBE_VERSION"),
			"-f", filepath.Join(platform, "ci", env+"-components-values.yaml"), "--set", "phlStore.databaseName=catalog_v2"}
		out, err := exec.Command(helmBinary(t), args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", env, err, out)
		}
		apps := map[string]map[string]any{}
		for _, o := range decodeAll(t, out) {
			if o["kind"] == "Application" {
				apps[at(o, "metadata", "name").(string)] = o
			}
		}
		store := apps["phl-store"]
		want := map[string]any{"limit": 10, "backoff": map[string]any{"duration": "30s", "factor": 2, "maxDuration": "10m"}}
		if got := at(store, "spec", "syncPolicy", "retry"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s phl-store retry = %v, want %v", env, got, want)
		}
		if got := at(apps["reloader"], "spec", "syncPolicy", "retry", "limit"); got != 5 {
			t.Errorf("%s reloader retry limit = %v: the others keep argocd.retry", env, got)
		}
		if got := at(store, "spec", "source", "helm", "valuesObject", "database", "name"); got != "catalog_v2" {
			t.Errorf("%s phl-store database.name = %v, want phlStore.databaseName catalog_v2", env, got)
		}
	}
}
