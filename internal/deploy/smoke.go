package deploy

import (
	"context"

	"github.com/phl-platform/phl-platform/config"
)

// smoke runs the smoke check (cmd/smoke) against the deployed API, with flags built from the
// gateway stack's outputs. The client secret is not an output: cmd/smoke reads it from Cognito.
func (d *run) smoke(ctx context.Context, env *config.Environment, gateway stackOutputs) error {
	v, err := gateway.strs("api_url", "token_url", "client_id", "user_pool_id")
	if err != nil {
		return err
	}
	_, err = d.r.run(ctx, command{name: "go", label: "smoke", args: []string{
		"run", "./cmd/smoke",
		"--api-url", v["api_url"], "--token-url", v["token_url"], "--client-id", v["client_id"],
		"--user-pool-id", v["user_pool_id"], "--region", env.Region,
	}})
	return err
}
