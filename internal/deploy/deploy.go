package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// Deploy takes the environment from its configuration to a running, smoke-checked app:
// checks → synth → preflight → network → cluster ∥ database → gateway → bootstrap image →
// tunnel → gitops → Argo CD Synced and Healthy → smoke. It stops at the first failure, naming
// it; the tunnel is closed on every path.
func Deploy(ctx context.Context, o Options) error {
	return execute(o, "deploy", func(d *run) error { return d.deploy(ctx) })
}

func (d *run) deploy(ctx context.Context) error {
	if err := d.phase("checks", func() error { return d.runChecks(ctx, d.deployChecks()) }); err != nil {
		return err
	}
	if err := d.phase("synth", func() error { return d.synth(ctx) }); err != nil {
		return err
	}
	if err := d.phase("preflight", func() error { return d.preflight(ctx) }); err != nil {
		return err
	}
	for _, stage := range awsStages {
		if err := d.phase(d.stageName(stage), func() error {
			return parallel(stage, func(c string) error {
				if d.o.Reviewed != "" {
					return d.applyReviewed(ctx, c)
				}
				return d.apply(ctx, c)
			})
		}); err != nil {
			return err
		}
	}
	if err := d.phase("bootstrap image", func() error {
		db, err := d.readOutputs(ctx, "database")
		if err != nil {
			return err
		}
		repo, err := db.str("bootstrap_repository_url")
		if err != nil {
			return err
		}
		_, err = d.pushBootstrapImage(ctx, repo)
		return err
	}); err != nil {
		return err
	}

	endpoint, caData, err := d.clusterAccess(ctx)
	if err != nil {
		return err
	}
	var t *tunnel
	if err := d.phase("tunnel", func() (err error) { t, err = d.openTunnel(ctx, endpoint); return err }); err != nil {
		return err
	}
	defer t.close()
	if err := d.phase(d.env.StackName("gitops"), func() error {
		return d.apply(ctx, "gitops", "TF_VAR_kube_api_host="+t.url())
	}); err != nil {
		return err
	}
	k, err := d.newKube(t, caData)
	if err != nil {
		return err
	}
	if err := d.phase("argocd", func() error { return d.waitForArgoCD(ctx, k) }); err != nil {
		return err
	}
	t.close() // the smoke check goes through the public API

	gw, err := d.readOutputs(ctx, "gateway")
	if err != nil {
		return err
	}
	if err := d.phase("smoke", func() error { return d.smoke(ctx, d.env, gw) }); err != nil {
		return err
	}
	return d.printAccess(gw)
}

func (d *run) stageName(stage []string) string {
	names := make([]string, len(stage))
	for i, c := range stage {
		names[i] = d.env.StackName(c)
	}
	return strings.Join(names, " ∥ ")
}

// synth writes cdktf.out for this environment with scripts/synth.sh, after scripts/tools.sh:
// exactly `make synth`, which CI and Atlantis's pre-workflow hook run. (`cdktf synth` would run
// the same app through the cdktf CLI, which the deploy does not otherwise need, and would not
// write cdktf.out/.commit, which the Atlantis steps check.)
func (d *run) synth(ctx context.Context, extraEnv ...string) error {
	if d.o.Synthesized {
		return d.checkSynthesized(ctx)
	}
	env := append([]string{config.SelectionVar + "=" + d.env.Name}, extraEnv...)
	for _, script := range []string{"scripts/tools.sh", "scripts/synth.sh"} {
		if _, err := d.r.run(ctx, command{name: script, env: env, label: "synth"}); err != nil {
			return err
		}
	}
	for _, c := range []string{"network", "cluster", "database", "gateway", "gitops"} {
		if _, err := os.Stat(filepath.Join(d.o.Root, d.stackDir(c), "cdk.tf.json")); err != nil {
			return fmt.Errorf("synth: %s was not synthesized (%s/cdk.tf.json missing)", d.env.StackName(c), d.stackDir(c))
		}
	}
	return nil
}

// preflight runs the read-only account checks (cmd/preflight) on what was synthesized.
func (d *run) preflight(ctx context.Context) error {
	_, err := d.r.run(ctx, command{name: "go", args: []string{"run", "./cmd/preflight"},
		env: []string{config.SelectionVar + "=" + d.env.Name}, label: "preflight"})
	return err
}

// apiScopes are the API's OAuth scopes (constructs/gateway/cognito.go: resource server
// phl-store, scopes products.read and products.write).
const apiScopes = "phl-store/products.read phl-store/products.write"

// printAccess tells where the API is and how to get a token for it.
func (d *run) printAccess(gw stackOutputs) error {
	v, err := gw.strs("api_url", "token_url", "client_id", "user_pool_id")
	if err != nil {
		return err
	}
	d.printf("\n%s is deployed.\n  API:   %s\n", d.env.Name, v["api_url"])
	d.printf("  token: CLIENT_SECRET=$(aws cognito-idp describe-user-pool-client --region %s --user-pool-id %s --client-id %s --query UserPoolClient.ClientSecret --output text)\n",
		d.env.Region, v["user_pool_id"], v["client_id"])
	// Secrets are handed to curl as a config on stdin (-K -), never as arguments that ps shows;
	// printf is a shell builtin, so the secret is not on any command line either.
	d.printf("         TOKEN=$(printf 'user = \"%s:%%s\"\\n' \"$CLIENT_SECRET\" | curl -s -K - -d grant_type=client_credentials --data-urlencode 'scope=%s' %s | jq -r .access_token)\n",
		v["client_id"], apiScopes, v["token_url"])
	d.printf("  call:  printf 'header = \"Authorization: Bearer %%s\"\\n' \"$TOKEN\" | curl -s -K - %s/products\n", strings.TrimSuffix(v["api_url"], "/"))
	return nil
}
