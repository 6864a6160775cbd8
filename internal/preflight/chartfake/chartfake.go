// Package chartfake is an in-process fake of Helm chart repositories, on loopback: HTTPS
// repositories answer GET <repository>/index.yaml (Helm's index format), OCI registries the
// distribution API with anonymous bearer tokens as public.ecr.aws does (a 401 challenge naming
// https://<host>/token, then HEAD /v2/<name>/manifests/<tag> and GET /v2/<name>/tags/list with
// the token). Every repository is served below its host: point preflight.NewChartRepos at URL.
package chartfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Server is the fake.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	charts map[string]map[string][]string // repository key (host/path) -> chart -> versions
	asked  []string
}

// New starts a fake that publishes nothing yet.
func New() *Server {
	s := &Server{charts: map[string]map[string][]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// key is a repository URL without scheme and trailing slash: aws.github.io/eks-charts,
// public.ecr.aws/karpenter (from oci://public.ecr.aws/karpenter or public.ecr.aws/karpenter).
func key(repo string) string {
	if _, rest, ok := strings.Cut(repo, "://"); ok {
		repo = rest
	}
	return strings.Trim(repo, "/")
}

// Publish adds versions of a chart to a repository.
func (s *Server) Publish(repo, chart string, versions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(repo)
	if s.charts[k] == nil {
		s.charts[k] = map[string][]string{}
	}
	s.charts[k][chart] = append(s.charts[k][chart], versions...)
}

// Withdraw removes a version of a chart from a repository.
func (s *Server) Withdraw(repo, chart, version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.charts[key(repo)][chart]
	out := list[:0]
	for _, v := range list {
		if v != version {
			out = append(out, v)
		}
	}
	s.charts[key(repo)][chart] = out
}

// Asked lists the requests answered: "GET /aws.github.io/eks-charts/index.yaml".
func (s *Server) Asked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, r.Method+" "+r.URL.Path)
	host, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case strings.HasSuffix(rest, "/index.yaml") || rest == "index.yaml":
		s.index(w, host+"/"+strings.TrimSuffix(strings.TrimSuffix(rest, "index.yaml"), "/"))
	case rest == "token":
		s.token(w, r)
	case strings.HasPrefix(rest, "v2/"):
		s.registry(w, r, host, strings.TrimPrefix(rest, "v2/"))
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) index(w http.ResponseWriter, repo string) {
	charts, ok := s.charts[strings.Trim(repo, "/")]
	if !ok {
		http.Error(w, "no repository "+repo, http.StatusNotFound)
		return
	}
	entries := map[string][]map[string]any{}
	for chart, versions := range charts {
		for _, v := range versions {
			entries[chart] = append(entries[chart], map[string]any{
				"name": chart, "version": v, "apiVersion": "v2",
				"urls": []string{"https://" + repo + "/" + chart + "-" + v + ".tgz"}, "digest": "0000"})
		}
	}
	out, _ := yaml.Marshal(map[string]any{"apiVersion": "v1", "entries": entries, "generated": "2026-01-01T00:00:00Z"})
	w.Header().Set("Content-Type", "application/x-yaml")
	_, _ = w.Write(out)
}

// token hands out an anonymous pull token for the scope asked.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	scope := r.URL.Query().Get("scope")
	if !strings.HasPrefix(scope, "repository:") || !strings.HasSuffix(scope, ":pull") {
		http.Error(w, `{"errors":[{"code":"DENIED"}]}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tokenFor(scope)})
}

func tokenFor(scope string) string { return "anonymous:" + url.QueryEscape(scope) }

func (s *Server) registry(w http.ResponseWriter, r *http.Request, host, rest string) {
	var name, ref, op string
	if i := strings.LastIndex(rest, "/manifests/"); i >= 0 {
		name, op, ref = rest[:i], "manifests", rest[i+len("/manifests/"):]
	} else if n, ok := strings.CutSuffix(rest, "/tags/list"); ok {
		name, op = n, "tags"
	} else {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+tokenFor("repository:"+name+":pull") {
		w.Header().Set("Www-Authenticate", fmt.Sprintf(`Bearer realm="https://%s/token",service="%s",scope="aws"`, host, host))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	i := strings.LastIndexByte(name, '/')
	repo, chart := host, name
	if i >= 0 {
		repo, chart = host+"/"+name[:i], name[i+1:]
	}
	versions, known := s.charts[repo][chart]
	if op == "tags" {
		if !known {
			registryError(w, http.StatusNotFound, "NAME_UNKNOWN")
			return
		}
		sorted := append([]string(nil), versions...)
		sort.Strings(sorted)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"name": name, "tags": sorted})
		return
	}
	for _, v := range versions {
		if v == ref {
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			w.Header().Set("Docker-Content-Digest", "sha256:0000")
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	registryError(w, http.StatusNotFound, "MANIFEST_UNKNOWN")
}

func registryError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code}}})
}
