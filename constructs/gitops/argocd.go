package gitops

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v10/release"
	"gopkg.in/yaml.v3"
)

// applicationHealth makes Argo CD assess an Application by its own health, so the root
// Application's sync waves wait for each child to be Healthy (Argo CD 1.8 removed this by
// default). Documented: https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
const applicationHealth = `hs = {status = "Progressing", message = ""}
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
`

type resources map[string]map[string]string

func sized(cpu, memory, memoryLimit string) resources {
	return resources{"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memoryLimit}}
}

// argoCDValues are the argo-cd chart's values (chart 10.x keys: argo-helm
// charts/argo-cd/values.yaml). Every pod selects the managed node group's nodes: global.nodeSelector
// is each Argo CD component's default (server, repo server, controller, ApplicationSet controller,
// Redis, the Redis secret-init Job); Redis HA gets its own.
func (g *GitOps) argoCDValues() map[string]any {
	replicas := 1
	if g.props.HA {
		replicas = 2
	}
	nodeSelector := map[string]string{"eks.amazonaws.com/nodegroup": g.props.NodeGroupName}
	tolerations := []map[string]string{{"key": "CriticalAddonsOnly", "operator": "Exists"}}
	return map[string]any{
		"global": map[string]any{
			"nodeSelector": nodeSelector,
			"tolerations":  tolerations,
			// Chart 10 default, stated: only Argo CD's own components reach each other.
			"networkPolicy": map[string]any{"create": true},
		},
		"configs": map[string]any{
			// Two ApplicationSet controllers (HA) must elect a leader, or both act.
			"params": map[string]any{"applicationsetcontroller.enable.leader.election": g.props.HA},
			"cm": map[string]any{
				// The initial admin password is read once, changed, and its Secret deleted
				// (docs/gitops.md); no anonymous access, no web terminal.
				"admin.enabled":           true,
				"users.anonymous.enabled": false,
				"exec.enabled":            false,
				"statusbadge.enabled":     false,
				"resource.customizations.health.argoproj.io_Application": applicationHealth,
			},
		},
		// Reached only through `kubectl port-forward` (docs/gitops.md): no Service of type LoadBalancer, no Ingress.
		"server": map[string]any{
			"replicas":  replicas,
			"service":   map[string]any{"type": "ClusterIP"},
			"ingress":   map[string]any{"enabled": false},
			"resources": sized("50m", "128Mi", "256Mi"),
		},
		"controller": map[string]any{"replicas": 1, "resources": sized("250m", "512Mi", "1Gi")},
		"repoServer": map[string]any{
			"replicas": replicas, "resources": sized("100m", "256Mi", "512Mi"),
			// Its init container, which copies the argocd binary into a shared volume.
			"copyutil": map[string]any{"resources": sized("10m", "32Mi", "64Mi")},
		},
		"applicationSet": map[string]any{"replicas": replicas, "resources": sized("50m", "64Mi", "128Mi")},
		"redis":          map[string]any{"resources": sized("50m", "64Mi", "128Mi")},
		// The pre-install Job that generates the Redis password (global.nodeSelector applies).
		"redisSecretInit": map[string]any{"resources": sized("10m", "64Mi", "128Mi")},
		// Redis HA spreads three Redis and HAProxy pods over the nodes (prod: three critical nodes).
		// The subchart ignores global.*, so placement and every container's resources are set on
		// its own keys (DandyDeveloper/charts redis-ha values.yaml and templates: nodeSelector,
		// tolerations, init, redis, sentinel, splitBrainDetection, haproxy, haproxy.init).
		"redis-ha": map[string]any{
			"enabled":             g.props.HA,
			"nodeSelector":        nodeSelector,
			"tolerations":         tolerations,
			"init":                map[string]any{"resources": sized("10m", "16Mi", "64Mi")},
			"redis":               map[string]any{"resources": sized("50m", "64Mi", "256Mi")},
			"sentinel":            map[string]any{"resources": sized("10m", "32Mi", "64Mi")},
			"splitBrainDetection": map[string]any{"resources": sized("10m", "16Mi", "64Mi")},
			"haproxy": map[string]any{
				"nodeSelector": nodeSelector,
				"tolerations":  tolerations,
				"resources":    sized("25m", "64Mi", "128Mi"),
				"init":         map[string]any{"resources": sized("10m", "16Mi", "64Mi")},
			},
		},
		"dex":           map[string]any{"enabled": false},
		"notifications": map[string]any{"enabled": false},
	}
}

// addArgoCD installs Argo CD from its pinned chart; the chart installs its CRDs.
func (g *GitOps) addArgoCD() {
	values, err := yaml.Marshal(g.argoCDValues())
	if err != nil {
		panic(err)
	}
	g.ArgoCD = release.NewRelease(g.Construct, jsii.String("argocd"), &release.ReleaseConfig{
		Name:            jsii.String("argocd"),
		Repository:      jsii.String(g.props.ArgoCDChartRepository),
		Chart:           jsii.String("argo-cd"),
		Version:         jsii.String(g.props.ArgoCDChartVersion),
		Namespace:       jsii.String(g.props.Namespace),
		CreateNamespace: jsii.Bool(true),
		Values:          &[]*string{jsii.String(string(values))},
		Atomic:          jsii.Bool(true),
		Timeout:         jsii.Number(g.props.TimeoutSeconds),
	})
}
