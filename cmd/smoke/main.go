// Command smoke checks a deployed environment's public contract once (internal/smoke): a
// client-credentials token from Cognito, then create → list → get → update → delete → get
// again through the gateway, one line per step with its status and latency.
//
//	go run ./cmd/smoke --api-url URL --token-url URL --client-id ID --user-pool-id POOL
//
// The client secret comes from --client-secret-file, PHL_CLIENT_SECRET or, with --user-pool-id,
// from Cognito (the gateway stack keeps it there and in no output); it is never a flag value.
// Exit status: 0 every step passed, 1 a step failed, 2 a usage or configuration error.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/phl-platform/phl-platform/internal/cmdflags"
	"github.com/phl-platform/phl-platform/internal/smoke"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, smoke.NewCognito))
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, cognito smoke.CognitoFactory) int {
	fs := flag.NewFlagSet("smoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f smoke.Flags
	f.Register(fs, 10*time.Second)
	gone := fs.String("gone-status", "404", "statuses accepted for a get after delete, comma separated, or 4xx (the contract does not say; 200 is never accepted)")
	name := fs.String("name", "smoke", "prefix of the created product's name")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/smoke --api-url URL --token-url URL --client-id ID (--user-pool-id POOL | --client-secret-file FILE | PHL_CLIENT_SECRET)")
		fs.PrintDefaults()
	}
	if code, ok := cmdflags.Parse(fs, args); !ok {
		return code
	}
	opts := smoke.Options{Name: *name}
	if err := opts.SetGoneStatus(*gone); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	if err := f.Validate(getenv); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	api, err := f.API(ctx, &http.Client{}, cognito)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	fmt.Fprintf(stdout, "smoke %s (token from %s)\n", f.APIURL, f.TokenURL)
	report := smoke.Run(ctx, api, opts)
	report.Write(stdout)
	if !report.OK() {
		return 1
	}
	return 0
}
