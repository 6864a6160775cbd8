package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// ChartRepos asks Helm chart repositories whether a chart version is published: an HTTPS
// repository by its index.yaml (Helm, "The Chart Repository Guide": the index file lists every
// chart's versions under entries), an OCI registry by the distribution API (OCI Distribution
// Spec: HEAD /v2/<name>/manifests/<reference>, GET /v2/<name>/tags/list), with an anonymous
// bearer token when the registry asks for one (distribution "Token Authentication
// Specification": the WWW-Authenticate challenge names the realm, service and scope; public.ecr.aws
// answers so). It caches each index for the run, as several environments pin the same charts.
type ChartRepos struct {
	client   *http.Client
	endpoint string
	mu       sync.Mutex
	indexes  map[string]indexResult
}

type indexResult struct {
	entries map[string][]string // chart -> versions
	err     error
}

// NewChartRepos builds the client. endpoint "" asks the repositories themselves; otherwise
// every URL is asked below it, its host the first path segment
// (https://aws.github.io/eks-charts/index.yaml -> <endpoint>/aws.github.io/eks-charts/index.yaml):
// a fake or a mirror. client nil is an HTTP client with a 60 s timeout and the environment's proxy.
func NewChartRepos(client *http.Client, endpoint string) *ChartRepos {
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	return &ChartRepos{client: client, endpoint: strings.TrimSuffix(endpoint, "/"), indexes: map[string]indexResult{}}
}

// Lookup tells whether repo publishes chart at version, and the versions it does publish
// (newest first; none when it cannot tell). err means the repository could not be asked.
func (c *ChartRepos) Lookup(ctx context.Context, repo, chart, version string) (found bool, published []string, err error) {
	if isOCI(repo) {
		return c.lookupOCI(ctx, repo, chart, version)
	}
	index := c.index(ctx, strings.TrimSuffix(repo, "/")+"/index.yaml")
	if index.err != nil {
		return false, nil, index.err
	}
	versions := index.entries[chart]
	return contains(versions, version), newestFirst(versions), nil
}

// isOCI: oci://host/path, or a repoURL without a scheme (Argo CD's OCI form).
func isOCI(repo string) bool {
	return strings.HasPrefix(repo, "oci://") || !strings.Contains(repo, "://")
}

func (c *ChartRepos) index(ctx context.Context, u string) indexResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.indexes[u]; ok {
		return r
	}
	r := indexResult{}
	resp, err := c.get(ctx, http.MethodGet, u, "", "")
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: HTTP %d (not a Helm repository?)", u, resp.StatusCode)
		}
	}
	if err == nil {
		var doc struct {
			Entries map[string][]struct {
				Version string `yaml:"version"`
			} `yaml:"entries"`
		}
		// Large repositories' indexes are tens of MiB; 256 MiB bounds a wrong URL.
		if err = yaml.NewDecoder(io.LimitReader(resp.Body, 256<<20)).Decode(&doc); err != nil {
			err = fmt.Errorf("GET %s: not a Helm repository index: %w", u, err)
		} else {
			r.entries = map[string][]string{}
			for chart, list := range doc.Entries {
				for _, e := range list {
					r.entries[chart] = append(r.entries[chart], e.Version)
				}
			}
		}
	}
	r.err = err
	c.indexes[u] = r
	return r
}

// manifestTypes are the manifests a Helm chart is pushed as (an OCI image manifest; Helm,
// "Use OCI-based registries"), and the index and Docker types registries may also answer.
var manifestTypes = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json"

func (c *ChartRepos) lookupOCI(ctx context.Context, repo, chart, version string) (bool, []string, error) {
	ref := strings.Trim(strings.TrimPrefix(repo, "oci://"), "/")
	host, namespace, _ := strings.Cut(ref, "/")
	name := strings.Trim(namespace+"/"+chart, "/")
	base := "https://" + host + "/v2/" + name
	token := ""
	status, header, err := c.status(ctx, http.MethodHead, base+"/manifests/"+url.PathEscape(version), manifestTypes, token)
	if err == nil && status == http.StatusUnauthorized {
		if token, err = c.token(ctx, header.Get("Www-Authenticate"), name); err == nil {
			status, _, err = c.status(ctx, http.MethodHead, base+"/manifests/"+url.PathEscape(version), manifestTypes, token)
		}
	}
	if err != nil {
		return false, nil, err
	}
	switch status {
	case http.StatusOK:
		return true, nil, nil
	case http.StatusNotFound:
		return false, c.tags(ctx, base+"/tags/list", token), nil
	default:
		return false, nil, fmt.Errorf("HEAD %s/manifests/%s: HTTP %d", base, version, status)
	}
}

// token gets an anonymous pull token from the realm of a Bearer challenge.
func (c *ChartRepos) token(ctx context.Context, challenge, name string) (string, error) {
	params, ok := bearerParams(challenge)
	if !ok || params["realm"] == "" {
		return "", fmt.Errorf("the registry asks for credentials (%q), not an anonymous token", challenge)
	}
	q := url.Values{"scope": {"repository:" + name + ":pull"}}
	if s := params["service"]; s != "" {
		q.Set("service", s)
	}
	resp, err := c.get(ctx, http.MethodGet, params["realm"]+"?"+q.Encode(), "", "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body) != nil {
		return "", fmt.Errorf("GET %s: HTTP %d, no anonymous token", params["realm"], resp.StatusCode)
	}
	if body.Token != "" {
		return body.Token, nil
	}
	return body.AccessToken, nil
}

// bearerParams parses `Bearer realm="...",service="...",scope="..."`.
func bearerParams(challenge string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(challenge), "Bearer ")
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			out[strings.ToLower(k)] = strings.Trim(v, `"`)
		}
	}
	return out, true
}

// tags lists a repository's tags, newest first; none when they cannot be read (they only
// improve the fix).
func (c *ChartRepos) tags(ctx context.Context, u, token string) []string {
	resp, err := c.get(ctx, http.MethodGet, u, "", token)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var body struct {
		Tags []string `json:"tags"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&body) != nil {
		return nil
	}
	return newestFirst(body.Tags)
}

func (c *ChartRepos) status(ctx context.Context, method, u, accept, token string) (int, http.Header, error) {
	resp, err := c.get(ctx, method, u, accept, token)
	if err != nil {
		return 0, nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, resp.Header, nil
}

func (c *ChartRepos) get(ctx context.Context, method, u, accept, token string) (*http.Response, error) {
	target, err := c.rewrite(u)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, unwrapURLError(err))
	}
	return resp, nil
}

// rewrite puts a URL below the endpoint, when there is one.
func (c *ChartRepos) rewrite(u string) (string, error) {
	if c.endpoint == "" {
		return u, nil
	}
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	out := c.endpoint + "/" + p.Host + p.EscapedPath()
	if p.RawQuery != "" {
		out += "?" + p.RawQuery
	}
	return out, nil
}

// unwrapURLError drops url.Error's repetition of method and URL (the caller names them).
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// newestFirst sorts versions newest first: numerically by dot-separated release numbers
// (a leading v ignored), a pre-release (-rc.1) before its release.
func newestFirst(versions []string) []string {
	out := append([]string(nil), versions...)
	sort.SliceStable(out, func(i, j int) bool { return versionLess(out[j], out[i]) })
	return out
}

func versionLess(a, b string) bool {
	ra, pa, _ := strings.Cut(strings.TrimPrefix(a, "v"), "-")
	rb, pb, _ := strings.Cut(strings.TrimPrefix(b, "v"), "-")
	na, nb := strings.Split(ra, "."), strings.Split(rb, ".")
	for i := 0; i < len(na) || i < len(nb); i++ {
		x, y := -1, -1
		if i < len(na) {
			x, _ = strconv.Atoi(na[i])
		}
		if i < len(nb) {
			y, _ = strconv.Atoi(nb[i])
		}
		if x != y {
			return x < y
		}
	}
	switch {
	case pa == pb:
		return a < b
	case pa == "":
		return false // a is the release, b its pre-release
	case pb == "":
		return true
	}
	return pa < pb
}
