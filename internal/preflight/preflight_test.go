package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

// Every check of the shipped environments passes against an account that has what they need,
// and the checks that do not apply say why they were skipped.
func TestShippedEnvironmentsPassOnAHealthyAccount(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		t.Run(name, func(t *testing.T) {
			checks := newHarness(t, name).run()
			noFailures(t, checks)
			expect(t, checks, "identity.account", Pass, "is in account")
			expect(t, checks, "network.azs", Pass, "ap-southeast-1a (apse1-az1)")
			expect(t, checks, "cluster.addon-config.vpc-cni", Pass, "values computed at apply not checked")
			expect(t, checks, "gateway.cognito-domain", Pass, "is free")
			expect(t, checks, "gateway.alb-certificate", Skip, "HTTP inside the VPC")
			expect(t, checks, "database.log-exports", Pass)
			expect(t, checks, "database.ca-certificate", Pass)
			expect(t, checks, "cluster.node-group-release", Skip, "node group critical pins no release_version")
			expect(t, checks, "gitops.karpenter-ami", Pass, healthyAMI)
			expect(t, checks, "gitops.chart.argo-cd", Pass)
			if name == "dev" {
				expect(t, checks, "backend.bucket", Skip, "local state")
				expect(t, checks, "database.performance-insights", Skip, "off")
			} else {
				expect(t, checks, "backend.bucket", Pass, "phl-tfstate-222222222222 exists in ap-southeast-1")
				expect(t, checks, "database.performance-insights", Pass)
			}
			for _, addon := range []string{"coredns", "kube-proxy", "vpc-cni", "eks-pod-identity-agent", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"} {
				expect(t, checks, "cluster.addon."+addon, Pass, awsfake.DefaultAddonVersion)
			}
		})
	}
}

// With PHL_CDKTF_OUT pointing at a real synth (the ladder's, after make synth), every
// environment in it passes on an account built from its file: the fixture is no substitute
// for the real thing.
func TestRealSynthPassesOnAHealthyAccount(t *testing.T) {
	dir := os.Getenv(cdktfOutVar)
	if dir == "" {
		t.Skip(cdktfOutVar + " is not set")
	}
	out, err := LoadOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	envDir := filepath.Join("..", "..", config.DefaultDir)
	if d := os.Getenv(config.DirVar); d != "" {
		envDir = d
	}
	checked := 0
	for _, stack := range out.Names() {
		name, ok := strings.CutSuffix(stack, "-network")
		if !ok {
			continue
		}
		env, err := config.LoadFile(filepath.Join(envDir, name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		h := &harness{t: t, env: env, out: out}
		if info, err := os.Stat(env.SourceFile); err == nil && info.ModTime().After(out.Synthesized) {
			t.Fatalf("%s is older than %s: synthesize again", dir, env.SourceFile)
		}
		noFailures(t, h.run())
		checked++
	}
	if checked == 0 {
		t.Fatalf("%s holds no environment's network stack", dir)
	}
}

func TestWrongAccountStopsEverythingElse(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.ID = "999999999999"
		a.CallerArn = "arn:aws:sts::999999999999:assumed-role/someone/else"
	})
	checks := h.run()
	expect(t, checks, "identity.account", Fail, "is in account 999999999999, not 111111111111", "use credentials of account 111111111111")
	expect(t, checks, "network", Skip, "not in account 111111111111")
	expect(t, checks, "backend", Skip)
	expect(t, checks, "gitops", Skip)
	if asked := h.charts.Asked(); len(asked) > 0 {
		t.Errorf("chart repositories asked for the wrong account: %v", asked)
	}
	for _, c := range h.fake.Calls() {
		if c.Action != "sts:GetCallerIdentity" {
			t.Errorf("called %s in the wrong account", c.Action)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Deny["sts:GetCallerIdentity"] = true })
	checks := h.run()
	expect(t, checks, "identity.account", Fail, "sts:GetCallerIdentity", "configure AWS credentials")
}

func TestRegionNotEnabled(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Regions["ap-southeast-1"] = "not-opted-in" })
	checks := h.run()
	expect(t, checks, "identity.account", Pass)
	expect(t, checks, "identity.region", Fail, "ap-southeast-1 is not enabled", "enable-region")
	expect(t, checks, "cluster", Skip)
	// Asked in us-east-1: a disabled region's endpoint refuses the caller.
	for _, c := range h.fake.Calls() {
		if c.Action == "ec2:DescribeRegions" && c.Region != "us-east-1" {
			t.Errorf("DescribeRegions asked in %s", c.Region)
		}
	}
}

// An organization whose SCP denies us-east-1: the region is asked about in its own endpoint.
func TestRegionAskedInPlaceWhenHomeRegionIsDenied(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Deny["ec2:DescribeRegions@us-east-1"] = true })
	expect(t, h.run(), "identity.region", Pass, "ap-southeast-1 is enabled")
	h.account(func(a *awsfake.Account) { a.Deny["ec2:DescribeRegions@ap-southeast-1"] = true })
	expect(t, h.run(), "identity.region", Fail, "ec2:DescribeRegions: UnauthorizedOperation", "preflight policy")
}

func TestRegionUnknown(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { delete(a.Regions, "ap-southeast-1") })
	expect(t, h.run(), "identity.region", Fail, "not a region of partition aws")
}

func TestStacksMissing(t *testing.T) {
	h := newHarness(t, "dev")
	delete(h.out.stacks, "dev-cluster")
	checks := h.run()
	expect(t, checks, "stacks.synthesized", Fail, "lacks dev-cluster", "make synth")
	expect(t, checks, "cluster", Skip, "not synthesized")
}

func TestStacksOlderThanTheEnvironmentFile(t *testing.T) {
	h := newHarness(t, "dev")
	copyFile := filepath.Join(t.TempDir(), "dev.yaml")
	data, _ := os.ReadFile(h.env.SourceFile)
	if err := os.WriteFile(copyFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	later := h.out.Synthesized.Add(time.Minute)
	if err := os.Chtimes(copyFile, later, later); err != nil {
		t.Fatal(err)
	}
	h.env.SourceFile = copyFile
	expect(t, h.run(), "stacks.synthesized", Fail, "changed after the last synth")
}

func TestStacksForAnotherRegion(t *testing.T) {
	h := newHarness(t, "dev")
	h.stack("network").Provider()["region"] = "eu-west-1"
	expect(t, h.run(), "stacks.synthesized", Fail, `targets region "eu-west-1"`)
}

func TestCheckLine(t *testing.T) {
	c := Check{Environment: "dev", Name: "network.quota-eips", Status: Fail, Detail: "6 of 5", Fix: "ask"}
	if got := c.String(); got != "FAIL dev network.quota-eips: 6 of 5 (fix: ask)" {
		t.Errorf("line = %q", got)
	}
	p, f, s := Summary([]Check{c, {Status: Pass}, {Status: Skip}, {Status: Pass}})
	if p != 2 || f != 1 || s != 1 {
		t.Errorf("summary = %d %d %d", p, f, s)
	}
	if strings.Contains(Check{Status: Pass, Detail: "x"}.String(), "fix") {
		t.Error("a pass prints a fix")
	}
}
