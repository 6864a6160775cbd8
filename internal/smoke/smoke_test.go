package smoke

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/internal/smoke/fakeapi"
)

// newAPI is a client of the fake with its real credentials.
func newAPI(fake *fakeapi.Server, scope string, timeout time.Duration) *API {
	creds := Credentials{TokenURL: fake.TokenURL, ClientID: fakeapi.ClientID, ClientSecret: fakeapi.ClientSecret, Scope: scope}
	return &API{BaseURL: fake.APIURL, HTTP: &http.Client{}, Tokens: NewTokenSource(creds, &http.Client{}), Timeout: timeout}
}

// report runs the smoke check and returns the report and its text, which must never hold the secret.
func report(t *testing.T, api *API, opts Options) (Report, string) {
	t.Helper()
	r := Run(context.Background(), api, opts)
	var b bytes.Buffer
	r.Write(&b)
	if strings.Contains(b.String(), fakeapi.ClientSecret) {
		t.Fatalf("the report prints the client secret:\n%s", b.String())
	}
	return r, b.String()
}

func step(t *testing.T, r Report, name string) Step {
	t.Helper()
	for _, s := range r.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %q in %v", name, r.Steps)
	return Step{}
}

func TestHealthyEnvironmentPasses(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{})
	r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{})
	if !r.OK() {
		t.Fatalf("healthy run failed:\n%s", text)
	}
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name)
		if !strings.HasPrefix(s.String(), "PASS "+s.Name) || s.Latency <= 0 {
			t.Errorf("step line %q: want PASS with a latency", s)
		}
	}
	if got := strings.Join(names, ","); got != "token,create,list,get,update,delete,get-after-delete" {
		t.Errorf("steps %s", got)
	}
	for route, want := range map[string]int{"POST /products": 1, "GET /products": 1, "GET /products/{id}": 2, "PUT /products/{id}": 1, "DELETE /products/{id}": 1} {
		if got := fake.Count(route); got != want {
			t.Errorf("%s called %d times, want %d", route, got, want)
		}
	}
	if fake.Products() != 0 {
		t.Errorf("the run left %d products", fake.Products())
	}
	if !strings.Contains(text, "smoke PASS: 7 of 7 steps passed") {
		t.Errorf("summary line missing:\n%s", text)
	}
	if s := step(t, r, "create"); s.Status != 201 {
		t.Errorf("create status %d", s.Status)
	}
	if s := step(t, r, "delete"); s.Status != 204 {
		t.Errorf("delete status %d", s.Status)
	}
	if s := step(t, r, "get-after-delete"); s.Status != 404 {
		t.Errorf("get-after-delete status %d", s.Status)
	}
}

// Each planted defect fails the run, at the step that sees it, with a message naming it.
func TestViolationsFailTheRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  fakeapi.Faults
		scope   string
		timeout time.Duration
		step    string
		want    string
	}{
		{name: "create answers 200, not the gateway's 201", faults: fakeapi.Faults{Status: map[string]int{"POST /products": 200}},
			step: "create", want: "status 200, want 201"},
		{name: "delete answers 200, not the gateway's 204", faults: fakeapi.Faults{Status: map[string]int{"DELETE /products/{id}": 200}},
			step: "delete", want: "status 200, want 204"},
		{name: "get answers 500", faults: fakeapi.Faults{Status: map[string]int{"GET /products/{id}": 500}},
			step: "get", want: "status 500, want 200"},
		{name: "get without description", faults: fakeapi.Faults{Drop: map[string]string{"GET /products/{id}": "description"}},
			step: "get", want: "missing field description"},
		{name: "create without id", faults: fakeapi.Faults{Drop: map[string]string{"POST /products": "id"}},
			step: "create", want: "missing field id"},
		{name: "list element without price", faults: fakeapi.Faults{Drop: map[string]string{"GET /products": "price"}},
			step: "list", want: "missing field price"},
		{name: "update changes the id", faults: fakeapi.Faults{IDOffset: map[string]int64{"PUT /products/{id}": 1}},
			step: "update", want: "ids are stable across updates"},
		{name: "get answers another id", faults: fakeapi.Faults{IDOffset: map[string]int64{"GET /products/{id}": 7}},
			step: "get", want: "want 1 (the created product's)"},
		{name: "list lacks the created product", faults: fakeapi.Faults{IDOffset: map[string]int64{"GET /products": 100}},
			step: "list", want: "is not in the list"},
		{name: "expired token", faults: fakeapi.Faults{RejectTokens: true},
			step: "create", want: "status 401, want 201 (the gateway rejected the token"},
		{name: "token without the write scope", faults: fakeapi.Faults{GrantScopes: []string{fakeapi.ReadScope}},
			step: "create", want: "status 403, want 201 (the token lacks the route's scope phl-store/products.write)"},
		{name: "token without the read scope", faults: fakeapi.Faults{GrantScopes: []string{fakeapi.WriteScope}},
			step: "list", want: "status 403, want 200 (the token lacks the route's scope phl-store/products.read)"},
		{name: "scope not defined on the resource server", scope: "phl-store/products.admin",
			step: "token", want: "answered 400 (invalid_scope)"},
		{name: "list slower than the timeout", faults: fakeapi.Faults{Delay: map[string]time.Duration{"GET /products": 2 * time.Second}}, timeout: 200 * time.Millisecond,
			step: "list", want: "no answer within 200ms"},
		{name: "deleted product still served", faults: fakeapi.Faults{KeepDeleted: true},
			step: "get-after-delete", want: "is still there after its delete"},
		{name: "unknown id answers 500", faults: fakeapi.Faults{GoneStatus: 500},
			step: "get-after-delete", want: "status 500, want 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakeapi.Start(t, tc.faults)
			scope, timeout := DefaultScope, 5*time.Second
			if tc.scope != "" {
				scope = tc.scope
			}
			if tc.timeout != 0 {
				timeout = tc.timeout
			}
			r, text := report(t, newAPI(fake, scope, timeout), Options{})
			if r.OK() {
				t.Fatalf("run passed:\n%s", text)
			}
			s := step(t, r, tc.step)
			if s.OK() || !strings.Contains(strings.Join(s.Problems, "; "), tc.want) {
				t.Errorf("step %s: want a problem with %q, got %v\n%s", tc.step, tc.want, s.Problems, text)
			}
			if !strings.Contains(text, "FAIL "+tc.step) || !strings.Contains(text, "smoke FAIL") {
				t.Errorf("report does not show the failure:\n%s", text)
			}
			// A create that happened is undone whatever failed afterwards, except when the
			// planted fault is a delete that keeps it or a create answer without its id.
			if tc.faults.KeepDeleted || tc.faults.Status["DELETE /products/{id}"] != 0 || tc.faults.Drop["POST /products"] == "id" {
				return
			}
			if n := fake.Products(); n != 0 {
				t.Errorf("the failed run left %d products:\n%s", n, text)
			}
		})
	}
}

func TestGoneStatusesAreConfigurable(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{GoneStatus: 400})
	r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{GoneStatuses: []int{400, 404}})
	if !r.OK() {
		t.Fatalf("400 accepted by the options, yet:\n%s", text)
	}
	// Any client error when asked (make deploy), and still never 2xx.
	fake = fakeapi.Start(t, fakeapi.Faults{GoneStatus: 410})
	if r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{GoneAny4xx: true}); !r.OK() {
		t.Fatalf("410 with GoneAny4xx, yet:\n%s", text)
	}
	// A server error is not "gone".
	fake = fakeapi.Start(t, fakeapi.Faults{GoneStatus: 500})
	if r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{GoneAny4xx: true}); r.OK() || !strings.Contains(text, "want a client error (4xx)") {
		t.Fatalf("500 passed with GoneAny4xx:\n%s", text)
	}
	fake = fakeapi.Start(t, fakeapi.Faults{KeepDeleted: true})
	if r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{GoneAny4xx: true}); r.OK() || !strings.Contains(text, "status 200") {
		t.Fatalf("a product still there passed with GoneAny4xx:\n%s", text)
	}
	// 200 is never "gone", whatever the options say.
	fake = fakeapi.Start(t, fakeapi.Faults{KeepDeleted: true})
	if r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{GoneStatuses: []int{200}}); r.OK() {
		t.Fatalf("a product still there passed:\n%s", text)
	}
}

func TestLaterStepsAreSkippedWhenNothingWasCreated(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{Status: map[string]int{"POST /products": 500}})
	r, text := report(t, newAPI(fake, DefaultScope, 5*time.Second), Options{})
	if len(r.Steps) != 8 { // token, create, cleanup (the 500 still created one), five skipped
		t.Fatalf("steps:\n%s", text)
	}
	if !strings.Contains(text, "SKIP get ") || !strings.Contains(text, "smoke FAIL: 2 of 8 steps passed") {
		t.Errorf("report:\n%s", text)
	}
}

func TestWrongSecretIsReportedWithoutIt(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{})
	api := newAPI(fake, DefaultScope, 5*time.Second)
	api.Tokens = NewTokenSource(Credentials{TokenURL: fake.TokenURL, ClientID: fakeapi.ClientID, ClientSecret: "wrong-secret-value", Scope: DefaultScope}, &http.Client{})
	r, text := report(t, api, Options{})
	if r.OK() || step(t, r, "token").OK() || !strings.Contains(text, "answered 400 (invalid_client)") || !strings.Contains(text, "SKIP create") {
		t.Fatalf("report:\n%s", text)
	}
	if strings.Contains(text, "wrong-secret-value") {
		t.Fatalf("the report prints the secret:\n%s", text)
	}
}
