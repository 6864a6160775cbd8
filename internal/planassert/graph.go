package planassert

import (
	"fmt"
	"slices"
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
		if strings.HasPrefix(stack, "bootstrap-") {
			// An account's bootstrap stack stands alone: environments name what it makes by
			// fixed names, never by a dependency.
			if len(deps[stack]) > 0 {
				out = append(out, fmt.Sprintf("%s depends on %v; want nothing", stack, deps[stack]))
			}
			for _, other := range names {
				if slices.Contains(deps[other], stack) {
					out = append(out, fmt.Sprintf("%s depends on %s; no stack may", other, stack))
				}
			}
			continue
		}
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
