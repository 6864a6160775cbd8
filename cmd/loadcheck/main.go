// Command loadcheck runs the reference load profile against a deployed environment
// (internal/load): it creates a product, requests GET /products/{id} at a constant arrival rate
// (default 100 req/s for 2 minutes), deletes the product, and checks p95 latency and error rate.
//
//	go run ./cmd/loadcheck --api-url URL --token-url URL --client-id ID --user-pool-id POOL \
//	  [--rate 100] [--duration 2m] [--max-p95 500ms] [--max-error-rate 0.01] \
//	  [--summary FILE] [--svg FILE]
//
// The JSON summary goes to --summary (default stdout), one line per threshold to stderr, and
// --svg draws latency and errors over time. The client secret is read as by cmd/smoke.
// Exit status: 0 both thresholds passed, 1 a threshold failed or the run could not start or
// clean up, 2 a usage or configuration error.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/phl-platform/phl-platform/internal/cmdflags"
	"github.com/phl-platform/phl-platform/internal/load"
	"github.com/phl-platform/phl-platform/internal/smoke"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, smoke.NewCognito))
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, cognito smoke.CognitoFactory) int {
	fs := flag.NewFlagSet("loadcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f smoke.Flags
	f.Register(fs, 10*time.Second)
	var cfg load.Config
	fs.IntVar(&cfg.Rate, "rate", 100, "requests per second (constant arrival rate)")
	fs.DurationVar(&cfg.Duration, "duration", 2*time.Minute, "how long requests are started")
	var maxWorkers uint
	fs.UintVar(&maxWorkers, "max-workers", 1000, "most requests in flight at once (the rate drops when it is reached)")
	fs.DurationVar(&cfg.MaxP95, "max-p95", 500*time.Millisecond, "threshold: the p95 latency must be below this")
	fs.Float64Var(&cfg.MaxErrorRate, "max-error-rate", 0.01, "threshold: the fraction of requests without a 200 must be below this")
	summaryPath := fs.String("summary", "", "write the JSON summary to this file (default: stdout)")
	svgPath := fs.String("svg", "", "write latency and errors over time to this SVG file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/loadcheck --api-url URL --token-url URL --client-id ID (--user-pool-id POOL | --client-secret-file FILE | PHL_CLIENT_SECRET) [--rate N] [--duration D] [--summary FILE] [--svg FILE]")
		fs.PrintDefaults()
	}
	if code, ok := cmdflags.Parse(fs, args); !ok {
		return code
	}
	cfg.Timeout, cfg.MaxWorkers = f.Timeout, uint64(maxWorkers)
	if err := f.Validate(getenv); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	api, err := f.API(ctx, &http.Client{}, cognito)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	fmt.Fprintf(stderr, "loadcheck: %s %s%s at %d req/s for %s\n", load.Route.Method, f.APIURL, load.Route.Path, cfg.Rate, cfg.Duration)
	res, err := load.Run(ctx, api, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "FAIL", err)
		return 1
	}
	out, _ := json.MarshalIndent(res.Summary, "", "  ")
	out = append(out, '\n')
	if *summaryPath == "" {
		_, err = stdout.Write(out)
	} else {
		err = os.WriteFile(*summaryPath, out, 0o644)
	}
	if err == nil && *svgPath != "" {
		var svg bytes.Buffer
		if err = load.WriteSVG(&svg, res.Samples, res.Summary, cfg); err == nil {
			err = os.WriteFile(*svgPath, svg.Bytes(), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	s := res.Summary
	fmt.Fprintf(stderr, "%d requests at %.1f req/s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %d errors\n", s.Requests, s.Rate, s.LatencyMS.P50, s.LatencyMS.P95, s.LatencyMS.P99, s.Errors)
	for _, t := range s.Thresholds {
		fmt.Fprintln(stderr, t)
	}
	if s.Cleanup != "" {
		fmt.Fprintln(stderr, "FAIL cleanup:", s.Cleanup)
	}
	verdict := map[bool]string{true: "PASS", false: "FAIL"}[s.Pass]
	fmt.Fprintln(stderr, "loadcheck", verdict)
	if !s.Pass {
		return 1
	}
	return 0
}
