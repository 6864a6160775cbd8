package load

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/internal/smoke"
	"github.com/phl-platform/phl-platform/internal/smoke/fakeapi"
)

// short is a 50 req/s, 2 s run with the reference thresholds.
func short() Config {
	return Config{Rate: 50, Duration: 2 * time.Second, Timeout: 2 * time.Second, MaxWorkers: 200, MaxP95: 500 * time.Millisecond, MaxErrorRate: 0.01}
}

func runAgainst(t *testing.T, faults fakeapi.Faults, cfg Config) (*Result, *fakeapi.Server) {
	t.Helper()
	fake := fakeapi.Start(t, faults)
	creds := smoke.Credentials{TokenURL: fake.TokenURL, ClientID: fakeapi.ClientID, ClientSecret: fakeapi.ClientSecret, Scope: smoke.DefaultScope}
	api := &smoke.API{BaseURL: fake.APIURL, HTTP: &http.Client{}, Tokens: smoke.NewTokenSource(creds, &http.Client{}), Timeout: 5 * time.Second}
	res, err := Run(context.Background(), api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res, fake
}

func threshold(t *testing.T, s Summary, name string) Threshold {
	t.Helper()
	for _, th := range s.Thresholds {
		if th.Name == name {
			return th
		}
	}
	t.Fatalf("no threshold %s in %+v", name, s.Thresholds)
	return Threshold{}
}

func near(got, want, tolerance float64) bool { return math.Abs(got-want) <= tolerance }

func TestHealthyRunPasses(t *testing.T) {
	t.Parallel()
	res, fake := runAgainst(t, fakeapi.Faults{ItemLatency: func(int64) time.Duration { return 2 * time.Millisecond }}, short())
	s := res.Summary
	if !s.Pass || !threshold(t, s, "p95_ms").Pass || !threshold(t, s, "error_rate").Pass {
		t.Fatalf("healthy run failed: %+v", s)
	}
	if s.Requests < 98 || s.Requests > 101 || !near(s.Rate, 50, 1.5) {
		t.Errorf("%d requests at %.2f/s, want 100 at 50/s", s.Requests, s.Rate)
	}
	if got := fake.Count("GET /products/{id}"); got != s.Requests {
		t.Errorf("the API answered %d item requests, the summary counts %d", got, s.Requests)
	}
	if s.StatusCodes["200"] != s.Requests || s.Errors != 0 || s.ErrorRate != 0 {
		t.Errorf("statuses %v, errors %d", s.StatusCodes, s.Errors)
	}
	if s.LatencyMS.P50 < 2 || s.LatencyMS.P95 < s.LatencyMS.P50 || s.LatencyMS.P99 < s.LatencyMS.P95 || s.LatencyMS.Max < s.LatencyMS.P99 {
		t.Errorf("latencies %+v", s.LatencyMS)
	}
	// The arrival rate is constant: every second holds its 50 requests.
	for _, b := range Buckets(res.Samples, time.Second) {
		if b.Requests < 48 || b.Requests > 52 {
			t.Errorf("second %s: %d requests, want 50", b.Start, b.Requests)
		}
	}
	if fake.Products() != 0 {
		t.Errorf("the product under load was not deleted")
	}
}

// Slow answers fail the latency threshold only; the arrival rate holds although every
// request takes 300 ms (15 in flight at once, more than the 10 initial workers).
func TestLatencyThresholdFailsTheRun(t *testing.T) {
	t.Parallel()
	cfg := short()
	cfg.MaxP95 = 250 * time.Millisecond
	res, _ := runAgainst(t, fakeapi.Faults{ItemLatency: func(int64) time.Duration { return 300 * time.Millisecond }}, cfg)
	s := res.Summary
	if s.Pass || threshold(t, s, "p95_ms").Pass || !threshold(t, s, "error_rate").Pass {
		t.Fatalf("want only the latency threshold to fail: %+v", s)
	}
	if s.LatencyMS.P95 < 300 || !near(s.Rate, 50, 1.5) {
		t.Errorf("p95 %.1f ms at %.2f/s, want >= 300 ms at 50/s", s.LatencyMS.P95, s.Rate)
	}
}

// One request in ten failing (10% > 1%) fails the error threshold only.
func TestErrorThresholdFailsTheRun(t *testing.T) {
	t.Parallel()
	res, _ := runAgainst(t, fakeapi.Faults{ItemFails: func(n int64) bool { return n%10 == 0 }}, short())
	s := res.Summary
	if s.Pass || !threshold(t, s, "p95_ms").Pass || threshold(t, s, "error_rate").Pass {
		t.Fatalf("want only the error threshold to fail: %+v", s)
	}
	if !near(s.ErrorRate, 0.1, 0.02) || s.StatusCodes["500"] != s.Errors || !strings.Contains(strings.Join(s.ErrorSamples, "|"), "500 Internal Server Error") {
		t.Errorf("error rate %v, statuses %v, samples %q", s.ErrorRate, s.StatusCodes, s.ErrorSamples)
	}
}

// A request without an answer within the timeout is an error (status 0).
func TestTimeoutsAreErrors(t *testing.T) {
	t.Parallel()
	cfg := short()
	cfg.Duration, cfg.Timeout = time.Second, 150*time.Millisecond
	res, _ := runAgainst(t, fakeapi.Faults{ItemLatency: func(n int64) time.Duration {
		if n%4 == 0 {
			return time.Second
		}
		return time.Millisecond
	}}, cfg)
	s := res.Summary
	if s.Pass || threshold(t, s, "error_rate").Pass || !near(s.ErrorRate, 0.25, 0.05) || s.StatusCodes["0"] != s.Errors {
		t.Fatalf("want a quarter of timeouts failing the run: %+v", s)
	}
	if !strings.Contains(strings.Join(s.ErrorSamples, "|"), "Client.Timeout exceeded") {
		t.Errorf("error samples %q", s.ErrorSamples)
	}
}

func TestFailedDeleteFailsTheRun(t *testing.T) {
	t.Parallel()
	cfg := short()
	cfg.Duration = 500 * time.Millisecond
	res, _ := runAgainst(t, fakeapi.Faults{Status: map[string]int{"DELETE /products/{id}": 500}}, cfg)
	if res.Summary.Pass || !strings.Contains(res.Summary.Cleanup, "status 500, want 204") {
		t.Fatalf("summary %+v", res.Summary)
	}
}

func TestRunNeedsItsProduct(t *testing.T) {
	t.Parallel()
	fake := fakeapi.Start(t, fakeapi.Faults{GrantScopes: []string{fakeapi.ReadScope}})
	creds := smoke.Credentials{TokenURL: fake.TokenURL, ClientID: fakeapi.ClientID, ClientSecret: fakeapi.ClientSecret, Scope: smoke.DefaultScope}
	api := &smoke.API{BaseURL: fake.APIURL, HTTP: &http.Client{}, Tokens: smoke.NewTokenSource(creds, &http.Client{})}
	_, err := Run(context.Background(), api, short())
	if err == nil || !strings.Contains(err.Error(), "creating the product to load: status 403, want 201") {
		t.Fatalf("err %v", err)
	}
	if fake.Count("GET /products/{id}") != 0 {
		t.Error("the attack ran without a product")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Rate = 0 }, "--rate 0: want 1 to 10000"},
		{func(c *Config) { c.Duration = 2 * time.Hour }, "--duration 2h0m0s"},
		{func(c *Config) { c.Timeout = 0 }, "--timeout 0s"},
		{func(c *Config) { c.MaxWorkers = 0 }, "--max-workers 0"},
		{func(c *Config) { c.MaxP95 = 0 }, "--max-p95 0s"},
		{func(c *Config) { c.MaxErrorRate = 1.5 }, "--max-error-rate 1.5: want a fraction above 0 and at most 1"},
	} {
		c := short()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err %v, want %q", err, tc.want)
		}
	}
	if err := short().Validate(); err != nil {
		t.Errorf("short config: %v", err)
	}
}
