// Package load is the load check, shaped like the reference k6 profile: one product is created,
// GET /products/{id} is requested at a constant arrival rate (vegeta's constant pacer, which
// starts more workers when responses are slow, so the rate does not drop with latency), the
// product is deleted, and the run passes when the p95 latency and the error rate are within
// their limits.
package load

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/phl-platform/phl-platform/internal/smoke"
)

// Config is one run.
type Config struct {
	Rate         int           // requests per second
	Duration     time.Duration // how long requests are started
	Timeout      time.Duration // per request; a request without an answer by then is an error
	MaxWorkers   uint64        // cap on concurrent requests (the rate drops when it is reached)
	MaxP95       time.Duration // threshold: p95 latency below this
	MaxErrorRate float64       // threshold: error fraction below this (0.01: 1%)
}

// Validate names the first setting out of range.
func (c Config) Validate() error {
	switch {
	case c.Rate < 1 || c.Rate > 10000:
		return fmt.Errorf("--rate %d: want 1 to 10000 requests per second", c.Rate)
	case c.Duration <= 0 || c.Duration > time.Hour:
		return fmt.Errorf("--duration %s: want more than 0 and at most 1h", c.Duration)
	case c.Timeout <= 0:
		return fmt.Errorf("--timeout %s: want a positive duration", c.Timeout)
	case c.MaxWorkers < 1:
		return fmt.Errorf("--max-workers %d: want at least 1", c.MaxWorkers)
	case c.MaxP95 <= 0:
		return fmt.Errorf("--max-p95 %s: want a positive duration", c.MaxP95)
	case c.MaxErrorRate <= 0 || c.MaxErrorRate > 1:
		return fmt.Errorf("--max-error-rate %v: want a fraction above 0 and at most 1 (0.01 is 1%%)", c.MaxErrorRate)
	}
	return nil
}

// Route is the route under load.
var Route = smoke.Get

// Sample is one request of the attack.
type Sample struct {
	Start   time.Duration // since the attack began
	Latency time.Duration
	Status  int    // 0: no answer
	Error   string // "" for a 200
}

// Result is a finished run: its samples and their summary.
type Result struct {
	Samples []Sample
	Summary Summary
}

// Run creates the product, attacks it, deletes it. An error means the run could not start
// (no token, the create failed); a failed delete is reported in the summary and fails it.
func Run(ctx context.Context, api *smoke.API, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	id, err := create(ctx, api)
	if err != nil {
		return nil, err
	}
	samples := attack(ctx, api, cfg, Route.PathFor(id))
	summary := Summarize(samples, cfg)
	if err := remove(context.WithoutCancel(ctx), api, id); err != nil {
		summary.Cleanup = err.Error()
		summary.Pass = false
	}
	return &Result{Samples: samples, Summary: summary}, nil
}

func create(ctx context.Context, api *smoke.API) (int64, error) {
	resp, err := api.Do(ctx, smoke.Create.Method, smoke.Create.Path, smoke.NewProduct{
		Name: fmt.Sprintf("loadcheck-%d", time.Now().UnixNano()), Description: "target of the load check", Price: 1,
	})
	if err != nil {
		return 0, fmt.Errorf("creating the product to load: %v", err)
	}
	if resp.Status != smoke.Create.Status {
		return 0, fmt.Errorf("creating the product to load: status %d, want %d", resp.Status, smoke.Create.Status)
	}
	p, err := smoke.ParseProduct(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("creating the product to load: %v", err)
	}
	return p.ID, nil
}

func remove(ctx context.Context, api *smoke.API, id int64) error {
	resp, err := api.Do(ctx, smoke.Delete.Method, smoke.Delete.PathFor(id), nil)
	if err == nil && resp.Status != smoke.Delete.Status {
		err = fmt.Errorf("status %d, want %d", resp.Status, smoke.Delete.Status)
	}
	if err != nil {
		return fmt.Errorf("deleting product %d after the load: %v", id, err)
	}
	return nil
}

// attack requests path at cfg.Rate for cfg.Duration; every request carries a current token.
func attack(ctx context.Context, api *smoke.API, cfg Config, path string) []Sample {
	url := strings.TrimRight(api.BaseURL, "/") + path
	targeter := func(t *vegeta.Target) error {
		tctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
		token, err := api.Tokens.Token(tctx)
		if err != nil {
			return err // stops the attack; the sample carries the error
		}
		t.Method, t.URL = Route.Method, url
		t.Header = http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}
		return nil
	}
	attacker := vegeta.NewAttacker(
		vegeta.Timeout(cfg.Timeout),
		vegeta.Workers(min(10, cfg.MaxWorkers)),
		vegeta.MaxWorkers(cfg.MaxWorkers),
		vegeta.KeepAlive(true),
		vegeta.Redirects(vegeta.NoFollow), // a redirect is not the product: counted as an error
		vegeta.MaxBody(0),                 // statuses only; bodies are read and dropped
	)
	pacer := vegeta.ConstantPacer{Freq: cfg.Rate, Per: time.Second}
	results := attacker.Attack(vegeta.Targeter(targeter), pacer, cfg.Duration, "loadcheck")
	samples := make([]Sample, 0, int(cfg.Duration.Seconds()+1)*cfg.Rate)
	var starts []time.Time
	stopped := false
	for r := range results {
		if !stopped && ctx.Err() != nil {
			attacker.Stop()
			stopped = true
		}
		s := Sample{Latency: r.Latency, Status: int(r.Code)}
		// vegeta sets Error for no answer (Code 0) and for statuses outside 200-399.
		if r.Code != uint16(Route.Status) {
			s.Error = r.Error
			if s.Error == "" {
				s.Error = fmt.Sprintf("status %d", r.Code)
			}
		}
		samples = append(samples, s)
		starts = append(starts, r.Timestamp)
	}
	// Results arrive in the order they finish; offsets are from the earliest start.
	if len(starts) > 0 {
		began := slices.MinFunc(starts, time.Time.Compare)
		for i := range samples {
			samples[i].Start = starts[i].Sub(began)
		}
	}
	return samples
}
