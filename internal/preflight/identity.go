package preflight

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// checkStacks: the environment's stacks are in the synth output, were synthesized from its
// current file, and target its account and region.
func (r *runner) checkStacks() bool {
	const name = "stacks.synthesized"
	fix := "synthesize again: PHL_ENVIRONMENTS=" + r.env.Name + " make synth"
	var missing, names []string
	for _, c := range Components {
		s := r.stack(c)
		if s == nil {
			missing = append(missing, r.env.StackName(c))
			continue
		}
		names = append(names, s.Name)
		p := s.Provider()
		if region, _ := p["region"].(string); region != r.env.Region {
			r.fail(name, fmt.Sprintf("stack %s targets region %q; %s says %s", s.Name, region, r.env.SourceFile, r.env.Region), fix)
			return false
		}
		if accounts := fmt.Sprint(p["allowed_account_ids"]); accounts != "["+r.env.AccountID+"]" {
			r.fail(name, fmt.Sprintf("stack %s is for account %s; %s says %s", s.Name, accounts, r.env.SourceFile, r.env.AccountID), fix)
			return false
		}
	}
	if len(missing) > 0 {
		r.fail(name, fmt.Sprintf("%s/manifest.json lacks %s", r.out.Dir, strings.Join(missing, ", ")), fix)
		return false
	}
	if info, err := os.Stat(r.env.SourceFile); err == nil && info.ModTime().After(r.out.Synthesized) {
		r.fail(name, fmt.Sprintf("%s changed after the last synth (%s)", r.env.SourceFile, r.out.Synthesized.UTC().Format("2006-01-02 15:04 UTC")), fix)
		return false
	}
	r.pass(name, strings.Join(names, ", ")+" in "+r.out.Dir)
	return true
}

// checkIdentity: the caller's account is account_id, and the region is enabled in it.
func (r *runner) checkIdentity() bool {
	// Asked in the partition's home region: STS refuses callers in a region the account has not
	// enabled, which would read as bad credentials; the region check below reports that case.
	id, err := NewClients(r.cfg, homeRegion(r.env.Partition)).STS.GetCallerIdentity(r.ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		r.fail("identity.account", "sts:GetCallerIdentity: "+describe(err),
			"configure AWS credentials for account "+r.env.AccountID+" (AWS_PROFILE, aws sso login, or the deploy role) and run again")
		return false
	}
	account, arn := aws.ToString(id.Account), aws.ToString(id.Arn)
	if account != r.env.AccountID {
		r.fail("identity.account", fmt.Sprintf("the caller %s is in account %s, not %s (account_id of %s)", arn, account, r.env.AccountID, r.env.SourceFile),
			"use credentials of account "+r.env.AccountID+" (another AWS_PROFILE), or correct account_id")
		return false
	}
	r.pass("identity.account", fmt.Sprintf("the caller %s is in account %s", arn, account))

	// Asked in a region every account has: a disabled region's own endpoint refuses the caller.
	// An organization that denies the home region (a region-restricting SCP) is asked in the
	// environment's region instead.
	in := &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true), RegionNames: []string{r.env.Region}}
	out, err := NewClients(r.cfg, homeRegion(r.env.Partition)).EC2.DescribeRegions(r.ctx, in)
	if err != nil && denied(err) {
		out, err = r.aws.EC2.DescribeRegions(r.ctx, in)
	}
	if err != nil {
		if errorCode(err) == "InvalidParameterValue" {
			r.fail("identity.region", fmt.Sprintf("%s is not a region of partition %s: %s", r.env.Region, r.env.Partition, describe(err)), "correct region in "+r.env.SourceFile)
		} else {
			r.apiFail("identity.region", "ec2:DescribeRegions", err)
		}
		return false
	}
	if len(out.Regions) == 0 {
		r.fail("identity.region", r.env.Region+" is not a region of this account's partition", "correct region in "+r.env.SourceFile)
		return false
	}
	switch status := aws.ToString(out.Regions[0].OptInStatus); status {
	case "opt-in-not-required", "opted-in":
		r.pass("identity.region", fmt.Sprintf("%s is enabled (%s)", r.env.Region, status))
		return true
	default:
		r.fail("identity.region", fmt.Sprintf("%s is not enabled in account %s (%s)", r.env.Region, account, status),
			"enable it: aws account enable-region --region-name "+r.env.Region+" (then wait until it is ENABLED)")
		return false
	}
}
