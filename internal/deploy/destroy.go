package deploy

import (
	"context"
	"fmt"

	"github.com/phl-platform/phl-platform/config"
)

// Destroy removes the environment, leaving nothing billable: what Argo CD created goes first
// (through the tunnel, while Argo CD still runs: the app's target registrations, Karpenter's
// instances, then everything else), then the Aurora readers Terraform does not know, then the
// stacks in reverse graph order; a report lists anything of the environment still in the
// account and fails when there is. A run that stopped half-way can be run again: stacks
// without state are skipped.
func Destroy(ctx context.Context, o Options) (err error) {
	d, err := newRun(o)
	if err != nil {
		return err
	}
	defer d.close()
	defer func() { d.printPhases("destroy", err) }()
	return d.destroyAll(ctx)
}

func (d *run) destroyAll(ctx context.Context) error {
	if err := d.phase("checks", func() error { return d.runChecks(ctx, d.destroyChecks()) }); err != nil {
		return err
	}
	var teardown []string
	if d.env.Teardown {
		teardown = append(teardown, config.TeardownConfirmVar+"="+d.env.Name)
	}
	if err := d.phase("synth", func() error { return d.synth(ctx, teardown...) }); err != nil {
		return err
	}
	// What later phases need is read before anything is destroyed.
	if err := d.phase("state", func() error {
		return parallel(components, func(c string) error {
			if err := d.init(ctx, c); err != nil {
				return err
			}
			_, err := d.readOutputs(ctx, c)
			return err
		})
	}); err != nil {
		return err
	}
	vpcID, _ := d.outputs["network"].str("vpc_id")

	err := d.destroyStacks(ctx)
	if ctx.Err() != nil {
		return err
	}
	// The report runs after a failed destroy too: what is left is what blocked it.
	lerr := d.phase("leftovers", func() error { return d.leftovers(ctx, vpcID) })
	switch {
	case err != nil && lerr != nil:
		return fmt.Errorf("%v; %v", err, lerr)
	case err != nil:
		return err
	}
	return lerr
}

var components = []string{"network", "cluster", "database", "gateway", "gitops"}

func (d *run) destroyStacks(ctx context.Context) error {
	if d.outputs["cluster"].applied() && d.outputs["gitops"].applied() {
		if err := d.destroyThroughTunnel(ctx); err != nil {
			return err
		}
	} else if err := d.phase("destroy "+d.env.StackName("gitops"), func() error { return d.destroy(ctx, "gitops") }); err != nil {
		return err
	}
	if db := d.outputs["database"]; db.applied() {
		// Apply first: the apply would otherwise recreate the scalable target deregistered below.
		if d.env.Teardown {
			if err := d.phase("database protection off", func() error { return d.apply(ctx, "database") }); err != nil {
				return err
			}
		}
		id, err := db.str("cluster_identifier")
		if err != nil {
			return err
		}
		if err := d.phase("aurora readers", func() error { return d.removeAutoscaledReaders(ctx, id) }); err != nil {
			return err
		}
	}
	for _, stage := range [][]string{{"gateway"}, {"cluster", "database"}, {"network"}} {
		if err := d.phase("destroy "+d.stageName(stage), func() error {
			return parallel(stage, func(c string) error { return d.destroy(ctx, c) })
		}); err != nil {
			return err
		}
	}
	if key, err := d.outputs["database"].str("kms_key_arn"); err == nil && d.env.Database.FinalSnapshot {
		// The snapshot stays encrypted with the database's key, which the destroy scheduled for
		// deletion: once it is deleted, the snapshot cannot be restored.
		d.printf("note: the final snapshot of %s is encrypted with %s, now scheduled for deletion: to keep the snapshot restorable, cancel it (aws kms cancel-key-deletion --region %s --key-id %s) or copy the snapshot with another key within the waiting period\n",
			d.env.DatabaseClusterID(), key, d.env.Region, key)
	}
	return nil
}

// destroyThroughTunnel removes what Argo CD deployed, then the gitops stack (its Helm provider
// reaches the API through the same tunnel). The tunnel is closed before the slow database and
// cluster phases: an idle SSM session ends after the account's idle timeout (20 minutes by
// default) anyway.
func (d *run) destroyThroughTunnel(ctx context.Context) error {
	endpoint, caData, err := d.clusterAccess(ctx)
	if err != nil {
		return err
	}
	var t *tunnel
	if err := d.phase("tunnel", func() (err error) { t, err = d.openTunnel(ctx, endpoint); return err }); err != nil {
		return err
	}
	defer t.close()
	k, err := d.newKube(t, caData)
	if err != nil {
		return err
	}
	if err := d.phase("argocd applications", func() error { return d.deleteApplications(ctx, k) }); err != nil {
		return err
	}
	return d.phase("destroy "+d.env.StackName("gitops"), func() error {
		return d.destroy(ctx, "gitops", "TF_VAR_kube_api_host="+t.url())
	})
}
