package planassert

import (
	"fmt"
	"sort"
	"strings"
)

// wantDependencies is the deploy graph per component: the database must not wait for the
// cluster (both take 10-15 minutes; in parallel an empty account reaches a running app in
// about 30), and GitOps follows everything (its Applications take values from every stack).
var wantDependencies = map[string][]string{
	"network":  {},
	"cluster":  {"network"},
	"database": {"network"},
	"gateway":  {"cluster", "network"},
	"gitops":   {"cluster", "database", "gateway", "network"},
}

// DeployGraph checks the stacks' dependencies in a cdktf manifest (stack -> dependencies).
func DeployGraph(deps map[string][]string) []string {
	var out []string
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, stack := range names {
		env, component, _ := strings.Cut(stack, "-")
		want, ok := wantDependencies[component]
		if !ok {
			out = append(out, fmt.Sprintf("%s: no expected dependencies for component %q", stack, component))
			continue
		}
		w := make([]string, len(want))
		for i, c := range want {
			w[i] = env + "-" + c
		}
		got := append([]string{}, deps[stack]...)
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			out = append(out, fmt.Sprintf("%s depends on %v; want %v", stack, got, w))
		}
	}
	return out
}
