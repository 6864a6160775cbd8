package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// Destroy removes the environment, leaving nothing billable: what Argo CD created goes first
// (through the tunnel, while Argo CD still runs: the app's target registrations, Karpenter's
// instances, then everything else), then the Aurora readers Terraform does not know, then the
// stacks in reverse graph order; a report lists anything of the environment still in the
// account and fails when there is. A run that stopped half-way can be run again: stacks
// without state are skipped.
func Destroy(ctx context.Context, o Options) error {
	return execute(o, "destroy", func(d *run) error { return d.destroyAll(ctx) })
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
	if d.env.Database.FinalSnapshot && d.outputs["database"].applied() {
		if err := d.phase("keep the final snapshot's key", func() error { return d.keepSnapshotKey(ctx) }); err != nil {
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
	return nil
}

// keepSnapshotKey takes the database's KMS key out of Terraform's state, so the destroy leaves
// it: the final snapshot stays encrypted with that key, and a key Terraform destroys is deleted
// after its waiting period, leaving the snapshot unrestorable (RDS user guide, "Encrypting Amazon
// Aurora resources": a snapshot is encrypted with the cluster's key). The key (about 1 USD a
// month) is reported as kept, not as a leftover; its alias goes, so a new deploy makes its own.
func (d *run) keepSnapshotKey(ctx context.Context) error {
	out, err := d.r.run(ctx, command{name: "terraform", args: []string{"-chdir=" + d.stackDir("database"), "state", "list"},
		capture: true, label: d.env.StackName("database")})
	if err != nil {
		return err
	}
	var keys []string
	for _, addr := range strings.Fields(string(out)) {
		if strings.HasPrefix(addr, "aws_kms_key.") {
			keys = append(keys, addr)
		}
	}
	if len(keys) == 0 {
		return nil // a destroy run again after this phase
	}
	if err := d.terraform(ctx, "database", nil, append([]string{"state", "rm"}, keys...)...); err != nil {
		return err
	}
	key, _ := d.outputs["database"].str("kms_key_arn")
	d.keptKeys = append(d.keptKeys, key)
	d.printf("kept: %s, which encrypts the final snapshot of %s; schedule its deletion (aws kms schedule-key-deletion --region %s --key-id %s) only after deleting the snapshot\n",
		key, d.env.DatabaseClusterID(), d.env.Region, key)
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
