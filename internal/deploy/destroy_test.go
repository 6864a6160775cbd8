package deploy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

// A whole destroy of dev against the fakes, in order: what Argo CD made (phl-store, then
// karpenter-nodes and its instances, then the root), the gitops stack through the tunnel, the
// autoscaled reader, the stacks in reverse graph order, and an empty leftover report.
func TestDestroyOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	if err := Destroy(context.Background(), w.options()); err != nil {
		t.Fatalf("destroy failed: %v\n%s", err, w.out)
	}
	calls := w.fake.Calls()
	order := [][]string{
		{"aws", "sts get-caller-identity"},
		{"synth.sh"},
		{"terraform", chdir("dev", "gitops"), "output -json"},
		{"aws", "ssm start-session"},
		{"kubectl", "patch applications.argoproj.io platform", `{"spec":{"syncPolicy":{"automated":null}}}`},
		{"kubectl", "delete applications.argoproj.io phl-store", "--wait=true"},
		{"kubectl", "delete applications.argoproj.io karpenter-nodes", "--wait=true"},
		{"aws", "ec2 describe-instances", "karpenter.sh/nodepool"},
		{"kubectl", "delete applications.argoproj.io platform", "--wait=true"},
		{"terraform", chdir("dev", "gitops"), "destroy"},
		{"aws", "application-autoscaling deregister-scalable-target"},
		{"terraform", chdir("dev", "database"), "show -json"},
		{"aws", "rds delete-db-instance", "application-autoscaling-0a1b"},
		{"terraform", chdir("dev", "gateway"), "destroy"},
		{"terraform", chdir("dev", "cluster"), "destroy"},
		{"terraform", chdir("dev", "network"), "destroy"},
		{"aws", "resourcegroupstaggingapi get-resources"},
	}
	last := -1
	for _, o := range order {
		i := index(t, calls, o[0], o[1:]...)
		if i <= last {
			t.Errorf("%v ran at position %d, before the step above it (%d):\n%s", o, i, last, lines(calls))
		}
		last = i
	}
	// The root Application is deleted only once Karpenter's instances are gone.
	karp := w.fake.Find("aws", "ec2 describe-instances", "karpenter.sh/nodepool")
	if len(karp) != 3 || index(t, calls, "kubectl", "delete applications.argoproj.io platform") < index(t, calls, "aws", "ec2 describe-instances", "karpenter.sh/nodepool", "instance-state-name,Values=pending,running,stopping,stopped,shutting-down")+2 {
		t.Errorf("the root was deleted before Karpenter's instances were gone (%d looks)", len(karp))
	}
	cl := w.fake.Find("terraform", chdir("dev", "cluster"), "destroy")[0]
	db := w.fake.Find("terraform", chdir("dev", "database"), "destroy")[0]
	if cl.Note["met"] != "true" || db.Note["met"] != "true" {
		t.Error("cluster and database were not destroyed in parallel")
	}
	if g := w.fake.Find("terraform", chdir("dev", "gitops"), "destroy")[0]; g.Exit != 0 || !strings.HasPrefix(g.Env["TF_VAR_kube_api_host"], "https://127.0.0.1:") {
		t.Errorf("gitops destroyed without the tunnel: %s %v %v", g.Line(), g.Env, g.Note)
	}
	if has(calls, "aws", "rds delete-db-instance", "phl-dev-1") {
		t.Error("the writer, in Terraform's state, was deleted outside Terraform")
	}
	if has(calls, "terraform", chdir("dev", "database"), "apply") {
		t.Error("dev's database, without deletion protection, was applied before the destroy")
	}
	out := w.out.String()
	for _, want := range []string{
		"karpenter: 2 instance(s) left: i-0karp1 i-0karp2", "karpenter: 1 instance(s) left: i-0karp1", "karpenter: no instance of phl-dev left",
		"aurora: deleting application-autoscaling-0a1b (added by Application Auto Scaling)", "aurora: the extra readers are gone",
		"leftovers: none: nothing tagged project=phl environment=dev, no Elastic IP, no Container Insights log group, nothing in vpc-0abc",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "tunnel: closed") > strings.Index(out, "== aurora readers") {
		t.Error("the tunnel stayed open into the database phases")
	}
	w.assertTunnelClosed()
}

func TestDestroyRefusals(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		yaml, confirm string
		teardown      bool
		want          string
	}{
		"prod without confirmation": {prodYAML, "", true, "check confirm: destroying prod deletes its database (keeping only a final snapshot) and everything else; it takes an explicit confirmation (fix: make destroy ENV=prod CONFIRM=prod)"},
		"prod confirmed as dev":     {prodYAML, "dev", true, "check confirm: --confirm=dev does not name the environment being destroyed (prod) (fix: make destroy ENV=prod CONFIRM=prod)"},
		"prod without teardown": {prodYAML, "prod", false, "check teardown: prod's database has deletion protection (environments/prod.yaml database.deletion_protection), so terraform destroy would stop at it (fix: add the top-level line teardown: true to environments/prod.yaml (config accepts it when " +
			config.TeardownConfirmVar + "=prod, which CONFIRM=prod sets))"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, c.yaml)
			w.env.Teardown = c.teardown
			o := w.options()
			o.Confirm = c.confirm
			err := Destroy(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant %q", err, c.want)
			}
			for _, call := range w.fake.Calls() {
				if call.Tool == "terraform" && !strings.HasPrefix(strings.Join(call.Args, " "), "version") || call.Tool == "synth.sh" || call.Tool == "kubectl" {
					t.Errorf("%s ran although the destroy was refused", call.Line())
				}
			}
		})
	}
}

// prod, confirmed and with teardown on: config is accepted (PHL_CONFIRM_TEARDOWN), the database
// stack is applied without deletion protection before the scalable target is deregistered
// (the apply would bring it back) and before anything is destroyed.
func TestProdTeardown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, prodYAML)
	w.env.Teardown = true
	// The database is applied alone here: no rendezvous with the cluster.
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("prod", "database"), "apply -input=false"}, Stdout: []string{"Apply complete! Resources: 0 added, 1 changed, 0 destroyed.\n"}})
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("prod", "database"), "state list"},
		Stdout: []string{"aws_kms_alias.database_kms-alias_1\naws_kms_key.database_kms-key_2\naws_rds_cluster.database_cluster_3\n"}})
	// The kept key is still tagged for the environment: reported as kept, not as a leftover.
	w.fake.Override(fakecli.Rule{Tool: "aws", Args: []string{"resourcegroupstaggingapi get-resources"},
		Stdout: []string{`{"ResourceTagMappingList":[{"ResourceARN":"arn:aws:kms:ap-southeast-1:111111111111:key/db"},` +
			`{"ResourceARN":"arn:aws:rds:ap-southeast-1:111111111111:cluster-snapshot:phl-prod-final-20261204051700"},` +
			`{"ResourceARN":"arn:aws:rds:ap-southeast-1:111111111111:cluster-auto-backup:cluster-backup-0a1b2c"},` +
			`{"ResourceARN":"arn:aws:rds:ap-southeast-1:111111111111:cluster-snapshot:rds:phl-prod-2026-12-03-18-05"}]}`}})
	o := w.options()
	o.Confirm = "prod"
	if err := Destroy(context.Background(), o); err != nil {
		t.Fatalf("destroy failed: %v\n%s", err, w.out)
	}
	calls := w.fake.Calls()
	// The final snapshot is encrypted with the database's key: the destroy must not delete it.
	rm := index(t, calls, "terraform", chdir("prod", "database"), "state rm")
	if got := strings.Join(calls[rm].Args, " "); !strings.HasSuffix(got, "state rm aws_kms_key.database_kms-key_2") {
		t.Errorf("state rm = %q, want only the database's key", got)
	}
	if d := index(t, calls, "terraform", chdir("prod", "database"), "destroy"); rm > d {
		t.Error("the database's key left the state after the destroy: it is scheduled for deletion with the snapshot still needing it")
	}
	if s := w.fake.Find("synth.sh"); len(s) != 1 || s[0].Env[config.TeardownConfirmVar] != "prod" {
		t.Errorf("synth ran without %s=prod: %v", config.TeardownConfirmVar, s)
	}
	apply := index(t, calls, "terraform", chdir("prod", "database"), "apply")
	if d := index(t, calls, "aws", "application-autoscaling deregister-scalable-target"); apply > d {
		t.Error("the database apply ran after the scalable target was deregistered: it recreates the target")
	}
	if d := index(t, calls, "terraform", chdir("prod", "database"), "destroy"); apply > d {
		t.Error("the database was destroyed before its deletion protection was lifted")
	}
	if !strings.Contains(w.out.String(), "kept: arn:aws:kms:ap-southeast-1:111111111111:key/db, which encrypts the final snapshot of phl-prod") {
		t.Errorf("the kept key is not reported:\n%s", w.out)
	}
	if strings.Contains(w.out.String(), "leftover: tagged arn:aws:kms:ap-southeast-1:111111111111:key/db") {
		t.Errorf("the key kept on purpose is reported as a leftover:\n%s", w.out)
	}
	// The final snapshot (tagged like its cluster) and the retained automated backups are kept.
	for _, want := range []string{"kept: arn:aws:rds:ap-southeast-1:111111111111:cluster-snapshot:phl-prod-final-20261204051700 (the final snapshot",
		"kept: arn:aws:rds:ap-southeast-1:111111111111:cluster-auto-backup:cluster-backup-0a1b2c (retained automated backups",
		"kept: arn:aws:rds:ap-southeast-1:111111111111:cluster-snapshot:rds:phl-prod-2026-12-03-18-05 (retained automated backups"} {
		if !strings.Contains(w.out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, w.out)
		}
	}
}

// What remains after the destroy is listed, and fails the run; a KMS key waiting out its
// deletion window is not a leftover. The report also runs when a stack's destroy failed.
func TestLeftoverReport(t *testing.T) {
	t.Parallel()
	leftovers := []fakecli.Rule{
		{Tool: "aws", Args: []string{"resourcegroupstaggingapi get-resources"}, Stdout: []string{`{"ResourceTagMappingList":[` +
			`{"ResourceARN":"arn:aws:s3:::phl-dev-alb-logs-111111111111"},{"ResourceARN":"arn:aws:kms:ap-southeast-1:111111111111:key/0a1b"},` +
			`{"ResourceARN":"arn:aws:rds:ap-southeast-1:111111111111:cluster-snapshot:phl-dev-before-upgrade"}]}`}},
		{Tool: "aws", Args: []string{"kms describe-key", "key/0a1b"}, Stdout: []string{`{"KeyMetadata":{"KeyState":"PendingDeletion","DeletionDate":"2026-12-31T00:00:00Z"}}`}},
		{Tool: "aws", Args: []string{"ec2 describe-network-interfaces"}, Stdout: []string{`[["eni-0leftover","aws-K8S-i-0karp1"]]`}},
		{Tool: "aws", Args: []string{"logs describe-log-groups"}, Stdout: []string{`["/aws/containerinsights/phl-dev/application"]`}},
	}
	check := func(t *testing.T, w *world, err error) {
		t.Helper()
		if want := "leftovers: 4 resource(s) of dev remain"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v; want %q", err, want)
		}
		out := w.out.String()
		for _, want := range []string{
			"leftover: tagged arn:aws:s3:::phl-dev-alb-logs-111111111111",
			// A manual snapshot is not the final one: it is listed.
			"leftover: tagged arn:aws:rds:ap-southeast-1:111111111111:cluster-snapshot:phl-dev-before-upgrade",
			"leftover: network interface eni-0leftover in vpc-0abc (aws-K8S-i-0karp1)",
			"leftover: log group /aws/containerinsights/phl-dev/application (the cluster stack owns it: its destroy did not finish, or the agent wrote after it)",
			"note: KMS key arn:aws:kms:ap-southeast-1:111111111111:key/0a1b is scheduled for deletion on 2026-12-31T00:00:00Z",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "leftover: tagged arn:aws:kms") {
			t.Error("a key pending deletion is reported as a leftover")
		}
	}
	t.Run("alone", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, devYAML)
		w.fake.Override(leftovers...)
		check(t, w, w.run(w.options()).leftovers(context.Background(), "vpc-0abc"))
	})
	t.Run("after a failed destroy", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, devYAML)
		w.fake.Override(leftovers...)
		w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "network"), "destroy"}, Exit: []int{1},
			Stderr: "Error: deleting EC2 Subnet (subnet-0a): DependencyViolation: The subnet has dependencies and cannot be deleted.\n"})
		err := Destroy(context.Background(), w.options())
		check(t, w, err)
		if err == nil || !strings.Contains(err.Error(), "dev-network") || !strings.Contains(err.Error(), "DependencyViolation") {
			t.Errorf("error = %v; the failed stack is not named", err)
		}
	})
}

// A destroy that stopped half-way runs again: stacks without state skip what needs them.
func TestDestroyWithoutClusterState(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(
		fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "cluster"), "output -json"}, Stdout: []string{"{}"}},
		fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "gitops"), "output -json"}, Stdout: []string{"{}"}},
		fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "gitops"), "destroy"}},
	)
	if err := Destroy(context.Background(), w.options()); err != nil {
		t.Fatalf("destroy failed: %v\n%s", err, w.out)
	}
	calls := w.fake.Calls()
	if has(calls, "aws", "ssm start-session") || has(calls, "kubectl") {
		t.Errorf("a tunnel or kubectl was used without a cluster:\n%s", lines(calls))
	}
	if !has(calls, "terraform", chdir("dev", "network"), "destroy") {
		t.Error("the network was not destroyed")
	}
}

func TestKarpenterInstancesThatStay(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "aws", Args: []string{"ec2 describe-instances", "karpenter.sh/nodepool"}, Stdout: []string{`["i-0karp2","i-0karp1"]`}})
	o := w.options()
	o.Timeouts.Karpenter = 200 * time.Millisecond
	err := w.run(o).waitKarpenterGone(context.Background())
	want := "karpenter: 2 instance(s) of phl-dev still there after 200ms: i-0karp1, i-0karp2 (fix: see why in the karpenter controller's logs, or terminate them: aws ec2 terminate-instances --region ap-southeast-1 --instance-ids i-0karp1 i-0karp2)"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %q", err, want)
	}
}

// Without the state's instances every member would look autoscaled: nothing is deleted.
func TestReadersNotGuessedWithoutState(t *testing.T) {
	t.Parallel()
	w := newWorld(t, devYAML)
	w.fake.Override(fakecli.Rule{Tool: "terraform", Args: []string{chdir("dev", "database"), "show -json"}, Stdout: []string{`{"format_version":"1.0"}`}})
	err := w.run(w.options()).removeAutoscaledReaders(context.Background(), "phl-dev")
	if err == nil || !strings.Contains(err.Error(), "aurora: phl-dev has 2 instance(s) but the database stack's state lists none; not deleting any") {
		t.Fatalf("error = %v", err)
	}
	if has(w.fake.Calls(), "aws", "rds delete-db-instance") {
		t.Error("an instance was deleted")
	}
}
