package deploy

import (
	"context"

	"github.com/phl-platform/phl-platform/config"
)

// smoke runs the smoke check (cmd/smoke) against the deployed API, with flags built from the
// gateway stack's outputs. The client secret is not an output: cmd/smoke reads it from Cognito.
func (d *run) smoke(ctx context.Context, _ *config.Environment, gateway stackOutputs) error {
	flags, err := smokeFlags(gateway)
	if err != nil {
		return err
	}
	_, err = d.r.run(ctx, command{name: "go", label: "smoke", args: append([]string{"run", "./cmd/smoke"}, flags...)})
	return err
}

// smokeFlags are cmd/smoke's flags for the gateway stack's outputs.
func smokeFlags(gateway stackOutputs) ([]string, error) {
	v, err := gateway.strs("api_url", "token_url", "client_id", "user_pool_id")
	if err != nil {
		return nil, err
	}
	// The contract does not say what the app answers for a deleted id: the deploy accepts any
	// client error (a 200 or a 5xx still fails); cmd/smoke's default stays a strict 404.
	return []string{"--api-url", v["api_url"], "--token-url", v["token_url"], "--client-id", v["client_id"],
		"--user-pool-id", v["user_pool_id"], "--gone-status", "4xx"}, nil
}
