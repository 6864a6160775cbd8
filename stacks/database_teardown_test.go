package stacks

import "testing"

// A confirmed teardown (config/teardown.go) synthesizes prod's database so `make destroy` can
// remove it: no deletion protection, and what the protection also kept (the image repository
// with images, the secret's recovery window) goes too, while the final snapshot is still taken.
func TestTeardownLiftsDatabaseDeletionProtection(t *testing.T) {
	env := shipped(t, "prod")
	for _, teardown := range []bool{false, true} {
		env.Teardown = teardown
		s := synthDatabase(t, env)
		_, c := s.only("aws_rds_cluster")
		if c["deletion_protection"] != !teardown {
			t.Errorf("teardown %v: deletion_protection = %v", teardown, c["deletion_protection"])
		}
		if c["skip_final_snapshot"] != false || c["final_snapshot_identifier"] == nil {
			t.Errorf("teardown %v: prod's final snapshot is not taken: skip_final_snapshot = %v, final_snapshot_identifier = %v",
				teardown, c["skip_final_snapshot"], c["final_snapshot_identifier"])
		}
		_, repo := s.only("aws_ecr_repository")
		if repo["force_delete"] != teardown {
			t.Errorf("teardown %v: image repository force_delete = %v", teardown, repo["force_delete"])
		}
	}
}
