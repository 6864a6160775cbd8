package deploy

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// leftovers lists what of the environment is still in the account after the destroy: every
// resource carrying its tags (stacks/base.go default tags project and environment), and in
// its VPC the instances, network interfaces and load balancers something outside Terraform
// may have made, Elastic IPs with its tags, and the Container Insights log groups (the cluster
// stack owns them and destroys them after the add-on; the agent recreates any it still writes to). Empty, it prints so; otherwise it lists them and fails.
func (d *run) leftovers(ctx context.Context, vpcID string) error {
	var found []string
	add := func(format string, a ...any) {
		line := fmt.Sprintf(format, a...)
		found = append(found, line)
		d.printf("leftover: %s\n", line)
	}

	tagFilters := []string{"Key=project,Values=" + config.Project, "Key=environment,Values=" + d.env.Name}
	var tagged struct {
		ResourceTagMappingList []struct{ ResourceARN string }
	}
	if err := d.awsJSON(ctx, &tagged, append([]string{"resourcegroupstaggingapi", "get-resources", "--tag-filters"}, tagFilters...)...); err != nil {
		return err
	}
	arns := make([]string, 0, len(tagged.ResourceTagMappingList))
	for _, r := range tagged.ResourceTagMappingList {
		arns = append(arns, r.ResourceARN)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		if slices.Contains(d.keptKeys, arn) {
			continue // reported when it was kept
		}
		if kept := d.keptBackup(arn); kept != "" {
			d.printf("kept: %s (%s)\n", arn, kept)
			continue
		}
		if strings.Contains(arn, ":kms:") && strings.Contains(arn, ":key/") {
			var key struct {
				KeyMetadata struct{ KeyState, DeletionDate string }
			}
			if err := d.awsJSON(ctx, &key, "kms", "describe-key", "--key-id", arn); err == nil && key.KeyMetadata.KeyState == "PendingDeletion" {
				// Terraform schedules key deletion; the waiting period (7-30 days) cannot be skipped.
				d.printf("note: KMS key %s is scheduled for deletion on %s\n", arn, key.KeyMetadata.DeletionDate)
				continue
			}
		}
		add("tagged %s", arn)
	}

	if vpcID != "" {
		var ids []string
		if err := d.awsJSON(ctx, &ids, "ec2", "describe-instances", "--filters", "Name=vpc-id,Values="+vpcID,
			"Name=instance-state-name,Values="+karpenterInstanceStates, "--query", "Reservations[].Instances[].InstanceId"); err != nil {
			return err
		}
		for _, id := range ids {
			add("instance %s in %s", id, vpcID)
		}
		var enis [][]string
		if err := d.awsJSON(ctx, &enis, "ec2", "describe-network-interfaces", "--filters", "Name=vpc-id,Values="+vpcID,
			"--query", "NetworkInterfaces[].[NetworkInterfaceId,Description]"); err != nil {
			return err
		}
		for _, e := range enis {
			if len(e) == 2 {
				add("network interface %s in %s (%s)", e[0], vpcID, e[1])
			}
		}
		var lbs []string
		if err := d.awsJSON(ctx, &lbs, "elbv2", "describe-load-balancers",
			"--query", fmt.Sprintf("LoadBalancers[?VpcId=='%s'].LoadBalancerArn", vpcID)); err != nil {
			return err
		}
		for _, lb := range lbs {
			add("load balancer %s in %s", lb, vpcID)
		}
	}
	var eips []string
	if err := d.awsJSON(ctx, &eips, "ec2", "describe-addresses", "--filters",
		"Name=tag:project,Values="+config.Project, "Name=tag:environment,Values="+d.env.Name, "--query", "Addresses[].AllocationId"); err != nil {
		return err
	}
	for _, a := range eips {
		add("Elastic IP %s", a)
	}
	var groups []string
	if err := d.awsJSON(ctx, &groups, "logs", "describe-log-groups", "--log-group-name-prefix", "/aws/containerinsights/"+d.env.ClusterName()+"/",
		"--query", "logGroups[].logGroupName"); err != nil {
		return err
	}
	for _, g := range groups {
		add("log group %s (the cluster stack owns it: its destroy did not finish, or the agent wrote after it)", g)
	}

	if len(found) == 0 {
		d.printf("leftovers: none: nothing tagged project=%s environment=%s, no Elastic IP, no Container Insights log group", config.Project, d.env.Name)
		if vpcID != "" {
			d.printf(", nothing in %s", vpcID)
		}
		d.printf("\n")
		return nil
	}
	return fmt.Errorf("leftovers: %d resource(s) of %s remain (listed above; the Tagging API may list a resource deleted minutes ago: run make destroy ENV=%s again to check)",
		len(found), d.env.Name, d.env.Name)
}

// keptBackup says why a tagged database backup is kept on purpose, or "" when arn is none. The
// final snapshot inherits the cluster's tags (copy_tags_to_snapshot), and the automated backups are
// retained after the deletion (delete_automated_backups = false); both are what a teardown of an
// environment with a final snapshot is meant to leave.
func (d *run) keptBackup(arn string) string {
	switch {
	case strings.Contains(arn, ":cluster-snapshot:"+d.env.FinalSnapshotPrefix()):
		return "the final snapshot: delete it with aws rds delete-db-cluster-snapshot when no longer needed, then the database's KMS key"
	case strings.Contains(arn, ":cluster-auto-backup:"), strings.Contains(arn, ":cluster-snapshot:rds:"+d.env.DatabaseClusterID()+"-"):
		// Retained automated backups are the backup record and its system snapshots (rds:<cluster>-<date>),
		// listed one by one after the cluster is gone (Aurora user guide, "Retaining automated backups").
		return "retained automated backups, billed after one day: they expire with the backup retention period, or aws rds delete-db-cluster-automated-backup"
	}
	return ""
}
