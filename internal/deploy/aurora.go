package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// removeAutoscaledReaders deletes the Aurora readers that Application Auto Scaling added: they
// are not in Terraform's state, and the cluster cannot be deleted while they exist. First the
// scalable target is deregistered, which deletes its scaling policies (Application Auto Scaling
// API reference, DeregisterScalableTarget), so no new reader appears while the others go
// (Aurora Auto Scaling removes only replicas it created itself, and leaves them when its
// policy is removed: Aurora User Guide, "Amazon Aurora Auto Scaling with Aurora Replicas");
// then every member of the cluster that is not in the database stack's state is deleted
// (their identifiers start with application-autoscaling-), and waited for.
func (d *run) removeAutoscaledReaders(ctx context.Context, clusterID string) error {
	resource := "cluster:" + clusterID
	var targets struct {
		ScalableTargets []struct{ ResourceId string }
	}
	if err := d.awsJSON(ctx, &targets, "application-autoscaling", "describe-scalable-targets",
		"--service-namespace", "rds", "--resource-ids", resource); err != nil {
		return err
	}
	if len(targets.ScalableTargets) > 0 {
		d.printf("aurora: deregistering the scalable target %s (no more readers are added)\n", resource)
		if _, err := d.aws(ctx, "application-autoscaling", "deregister-scalable-target", "--service-namespace", "rds",
			"--resource-id", resource, "--scalable-dimension", "rds:cluster:ReadReplicaCount"); err != nil {
			return err
		}
	}
	managed, err := d.managedInstances(ctx)
	if err != nil {
		return err
	}
	members, found, err := d.clusterMembers(ctx, clusterID)
	if err != nil || !found {
		return err
	}
	if len(managed) == 0 && len(members) > 0 {
		// Never guess: without the state's instances every member would look extra.
		return fmt.Errorf("aurora: %s has %d instance(s) but the database stack's state lists none; not deleting any (check terraform -chdir=%s state list)",
			clusterID, len(members), d.stackDir("database"))
	}
	var extra []string
	for _, m := range members {
		if !slices.Contains(managed, m.ID) && !m.Writer {
			extra = append(extra, m.ID)
		}
	}
	if len(extra) == 0 {
		d.printf("aurora: no reader outside Terraform's state\n")
		return nil
	}
	for _, id := range extra {
		why := "not in Terraform's state"
		if strings.HasPrefix(id, "application-autoscaling-") {
			why = "added by Application Auto Scaling"
		}
		d.printf("aurora: deleting %s (%s)\n", id, why)
		if _, err := d.aws(ctx, "rds", "delete-db-instance", "--db-instance-identifier", id); err != nil && !strings.Contains(err.Error(), "DBInstanceNotFound") {
			return err
		}
	}
	deadline := time.Now().Add(d.t.Readers)
	for {
		members, found, err := d.clusterMembers(ctx, clusterID)
		if err != nil {
			return err
		}
		var left []string
		for _, m := range members {
			if slices.Contains(extra, m.ID) {
				left = append(left, m.ID)
			}
		}
		if !found || len(left) == 0 {
			d.printf("aurora: the extra readers are gone\n")
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("aurora: readers %s of %s were still being deleted after %s (aws rds describe-db-instances --region %s shows their state)",
				strings.Join(left, ", "), clusterID, d.t.Readers, d.env.Region)
		}
		if err := d.sleep(ctx); err != nil {
			return fmt.Errorf("aurora: %w", err)
		}
	}
}

type clusterMember struct {
	ID     string `json:"DBInstanceIdentifier"`
	Writer bool   `json:"IsClusterWriter"`
}

// clusterMembers lists the instances of the Aurora cluster; found is false when the cluster
// does not exist.
func (d *run) clusterMembers(ctx context.Context, clusterID string) (members []clusterMember, found bool, err error) {
	err = d.awsJSON(ctx, &members, "rds", "describe-db-clusters", "--db-cluster-identifier", clusterID,
		"--query", "DBClusters[0].DBClusterMembers")
	if err != nil && strings.Contains(err.Error(), "DBClusterNotFoundFault") {
		return nil, false, nil
	}
	sort.Slice(members, func(i, j int) bool { return members[i].ID < members[j].ID })
	return members, err == nil, err
}

// managedInstances are the identifiers of the Aurora instances in the database stack's state.
func (d *run) managedInstances(ctx context.Context) ([]string, error) {
	out, err := d.r.run(ctx, command{name: "terraform", args: []string{"-chdir=" + d.stackDir("database"), "show", "-json"},
		label: d.env.StackName("database"), capture: true})
	if err != nil {
		return nil, err
	}
	type module struct {
		Resources []struct {
			Type   string `json:"type"`
			Values struct {
				Identifier string `json:"identifier"`
			} `json:"values"`
		} `json:"resources"`
		ChildModules []json.RawMessage `json:"child_modules"`
	}
	var state struct {
		Values *struct {
			RootModule json.RawMessage `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &state); err != nil {
		return nil, fmt.Errorf("%s: terraform show -json: %v", d.env.StackName("database"), err)
	}
	var ids []string
	var walk func(raw json.RawMessage) error
	walk = func(raw json.RawMessage) error {
		var m module
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		for _, r := range m.Resources {
			if r.Type == "aws_rds_cluster_instance" && r.Values.Identifier != "" {
				ids = append(ids, r.Values.Identifier)
			}
		}
		for _, c := range m.ChildModules {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if state.Values != nil && len(state.Values.RootModule) > 0 {
		if err := walk(state.Values.RootModule); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
