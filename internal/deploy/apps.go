package deploy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Applications deleted one by one before the root, each with its resources (the Applications'
// resources finalizer): phl-store first, so its TargetGroupBinding deregisters the pods from
// the gateway's target group; then karpenter-nodes, whose NodePools going away makes Karpenter
// terminate its instances, which Terraform does not know and which would keep the VPC alive.
var applicationsFirst = []string{"phl-store", "karpenter-nodes"}

// deleteApplications stops the root Application from recreating its children, deletes the
// ones above in order, waits until Karpenter's instances are gone, then deletes the root,
// which removes every other component in reverse sync-wave order.
func (d *run) deleteApplications(ctx context.Context, k *kube) error {
	ns := []string{"-n", ArgoNamespace}
	if _, err := k.get(ctx, append(ns, "get", "applications.argoproj.io", RootApplication, "-o", "name")...); err == nil {
		// Automated sync with self-heal would put a deleted child straight back.
		if err := k.do(ctx, append(ns, "patch", "applications.argoproj.io", RootApplication, "--type", "merge",
			"-p", `{"spec":{"syncPolicy":{"automated":null}}}`)...); err != nil {
			return err
		}
	}
	wait := "--timeout=" + d.t.AppDelete.String()
	for _, app := range applicationsFirst {
		d.printf("argocd: deleting %s\n", app)
		if err := k.do(ctx, append(ns, "delete", "applications.argoproj.io", app, "--ignore-not-found", "--wait=true", wait)...); err != nil {
			return err
		}
		if app == "karpenter-nodes" {
			if err := d.waitKarpenterGone(ctx); err != nil {
				return err
			}
		}
	}
	d.printf("argocd: deleting %s and every remaining component\n", RootApplication)
	return k.do(ctx, append(ns, "delete", "applications.argoproj.io", RootApplication, "--ignore-not-found", "--wait=true", wait)...)
}

// karpenterInstanceStates are the states of an instance that is, or may again be, billed.
const karpenterInstanceStates = "pending,running,stopping,stopped,shutting-down"

// waitKarpenterGone waits until no instance Karpenter launched for the cluster is left
// (Karpenter tags them karpenter.sh/nodepool and kubernetes.io/cluster/<cluster>=owned).
func (d *run) waitKarpenterGone(ctx context.Context) error {
	deadline := time.Now().Add(d.t.Karpenter)
	cluster := d.env.ClusterName()
	last := ""
	for {
		var ids []string
		if err := d.awsJSON(ctx, &ids, "ec2", "describe-instances", "--filters",
			"Name=tag-key,Values=karpenter.sh/nodepool", "Name=tag:kubernetes.io/cluster/"+cluster+",Values=owned",
			"Name=instance-state-name,Values="+karpenterInstanceStates,
			"--query", "Reservations[].Instances[].InstanceId"); err != nil {
			return err
		}
		sort.Strings(ids)
		if len(ids) == 0 {
			d.printf("karpenter: no instance of %s left\n", cluster)
			return nil
		}
		if s := strings.Join(ids, " "); s != last {
			d.printf("karpenter: %d instance(s) left: %s\n", len(ids), s)
			last = s
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("karpenter: %d instance(s) of %s still there after %s: %s (fix: see why in the karpenter controller's logs, or terminate them: aws ec2 terminate-instances --region %s --instance-ids %s)",
				len(ids), cluster, d.t.Karpenter, strings.Join(ids, ", "), d.env.Region, strings.Join(ids, " "))
		}
		if err := d.sleep(ctx); err != nil {
			return fmt.Errorf("karpenter: %w", err)
		}
	}
}
