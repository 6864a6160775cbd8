package awsfake

import (
	"encoding/json"
	"net/http"
)

// eks answers EKS's REST-JSON protocol: GET paths with query parameters, JSON answers, and the
// error code in X-Amzn-Errortype.
func (q *request) eks() {
	v := q.r.URL.Query()
	switch q.r.URL.Path {
	case "/cluster-versions":
		if q.eksDenied("eks:DescribeClusterVersions") {
			return
		}
		var out []map[string]any
		for _, k := range sortedKeys(q.a.ClusterVersions) {
			if len(v["clusterVersions"]) > 0 && !contains(v["clusterVersions"], k) {
				continue
			}
			cv := q.a.ClusterVersions[k]
			m := map[string]any{"clusterVersion": k, "clusterType": "eks", "status": cv.Status,
				"versionStatus": map[string]string{"standard-support": "STANDARD_SUPPORT", "extended-support": "EXTENDED_SUPPORT", "unsupported": "UNSUPPORTED"}[cv.Status]}
			if !cv.EndOfStandard.IsZero() {
				m["endOfStandardSupportDate"] = cv.EndOfStandard.Unix()
			}
			out = append(out, m)
		}
		q.restJSON(map[string]any{"clusterVersions": out})
	case "/addons/supported-versions":
		if q.eksDenied("eks:DescribeAddonVersions") {
			return
		}
		name, k8s := v.Get("addonName"), v.Get("kubernetesVersion")
		var addons []map[string]any
		if versions, ok := q.a.Addons[name]; ok {
			var vs []map[string]any
			for _, av := range versions {
				var compat []map[string]any
				for _, cv := range av.ClusterVersions {
					if k8s == "" || cv == k8s {
						compat = append(compat, map[string]any{"clusterVersion": cv, "defaultVersion": av.Default, "platformVersions": []string{"*"}})
					}
				}
				if len(compat) > 0 {
					vs = append(vs, map[string]any{"addonVersion": av.Version, "architecture": []string{"amd64", "arm64"}, "compatibilities": compat})
				}
			}
			addons = append(addons, map[string]any{"addonName": name, "type": "networking", "owner": "aws", "addonVersions": vs})
		}
		q.restJSON(map[string]any{"addons": addons})
	case "/addons/configuration-schemas":
		if q.eksDenied("eks:DescribeAddonConfiguration") {
			return
		}
		name, version := v.Get("addonName"), v.Get("addonVersion")
		for _, av := range q.a.Addons[name] {
			if av.Version == version {
				q.restJSON(map[string]any{"addonName": name, "addonVersion": version, "configurationSchema": av.Schema})
				return
			}
		}
		q.restError(http.StatusNotFound, "ResourceNotFoundException", "No addon: "+name+" "+version)
	default:
		q.restError(http.StatusNotFound, "UnknownOperationException", q.r.URL.Path+" is not faked")
	}
}

func (q *request) eksDenied(action string) bool {
	if q.record(action, "*") {
		q.restError(http.StatusForbidden, "AccessDeniedException", "not authorized to perform "+action)
		return true
	}
	return false
}

func (q *request) restJSON(v any) {
	q.w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(q.w).Encode(v)
}

func (q *request) restError(status int, code, msg string) {
	q.w.Header().Set("Content-Type", "application/json")
	q.w.Header().Set("X-Amzn-Errortype", code)
	q.w.WriteHeader(status)
	_ = json.NewEncoder(q.w).Encode(map[string]string{"message": msg})
}
