package gitops

import (
	"fmt"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// argoCDValuesYAML is what the release passes: the values marshalled and read back.
func argoCDValuesYAML(t *testing.T, props Props) map[string]any {
	t.Helper()
	raw, err := yaml.Marshal((&GitOps{props: props.withDefaults()}).argoCDValues())
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func lookup(v any, path ...string) any {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// Every Argo CD pod (HA or not) selects the managed node group and tolerates its taint: the
// components through global.*, which none of them overrides, and Redis HA through its own keys.
func TestArgoCDRunsOnTheCriticalNodeGroup(t *testing.T) {
	for _, ha := range []bool{false, true} {
		v := argoCDValuesYAML(t, Props{HA: ha, NodeGroupName: "critical"})
		want := map[string]any{"eks.amazonaws.com/nodegroup": "critical"}
		for _, path := range [][]string{{"global"}, {"redis-ha"}, {"redis-ha", "haproxy"}} {
			if got := lookup(v, append(path, "nodeSelector")...); !reflect.DeepEqual(got, want) {
				t.Errorf("HA %v: %v.nodeSelector = %v, want %v", ha, path, got, want)
			}
			if tols := fmt.Sprint(lookup(v, append(path, "tolerations")...)); tols != "[map[key:CriticalAddonsOnly operator:Exists]]" {
				t.Errorf("HA %v: %v.tolerations = %s, want CriticalAddonsOnly Exists", ha, path, tols)
			}
		}
		for _, c := range []string{"server", "controller", "repoServer", "applicationSet", "redis", "redisSecretInit"} {
			for _, key := range []string{"nodeSelector", "tolerations", "affinity"} {
				if got := lookup(v, c, key); got != nil {
					t.Errorf("HA %v: %s.%s = %v overrides the global placement", ha, c, key, got)
				}
			}
		}
		for _, c := range []string{"dex", "notifications"} {
			if lookup(v, c, "enabled") != false {
				t.Errorf("HA %v: %s is enabled, without placement or resources", ha, c)
			}
		}
	}
}

// Every container of Argo CD has CPU and memory requests and a memory limit, Redis HA's included.
func TestArgoCDContainersHaveRequestsAndLimits(t *testing.T) {
	v := argoCDValuesYAML(t, Props{HA: true})
	for _, path := range [][]string{
		{"server"}, {"controller"}, {"repoServer"}, {"repoServer", "copyutil"}, {"applicationSet"}, {"redis"}, {"redisSecretInit"},
		{"redis-ha", "init"}, {"redis-ha", "redis"}, {"redis-ha", "sentinel"}, {"redis-ha", "splitBrainDetection"},
		{"redis-ha", "haproxy"}, {"redis-ha", "haproxy", "init"},
	} {
		res := lookup(v, append(path, "resources")...)
		for _, k := range [][]string{{"requests", "cpu"}, {"requests", "memory"}, {"limits", "memory"}} {
			if s, _ := lookup(res, k...).(string); s == "" {
				t.Errorf("%v.resources = %v: no %v", path, res, k)
			}
		}
	}
}
