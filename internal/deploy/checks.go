package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// checkError is a failed check: one line, with the fix.
type checkError struct{ name, problem, fix string }

func (e *checkError) Error() string {
	return "check " + e.name + ": " + e.problem + " (fix: " + e.fix + ")"
}

func fail(name, problem, fix string) error {
	return &checkError{name: name, problem: problem, fix: fix}
}

// check is one precondition; ok describes what passed.
type check struct {
	name string
	fn   func(ctx context.Context) (ok string, err error)
}

// runChecks runs every check (one failure does not hide the next), prints one line each and
// returns the failures.
func (d *run) runChecks(ctx context.Context, checks []check) error {
	var errs []error
	for _, c := range checks {
		ok, err := c.fn(ctx)
		if err != nil {
			d.printf("FAIL %v\n", err)
			errs = append(errs, err)
			continue
		}
		d.printf("ok   %s: %s\n", c.name, ok)
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	var names []string
	for _, err := range errs {
		names = append(names, err.(*checkError).name)
	}
	return fmt.Errorf("%d checks failed (the FAIL lines above say why and how to fix each): %s", len(errs), strings.Join(names, ", "))
}

func (d *run) deployChecks() []check {
	return []check{
		{"teardown", d.checkNoTeardown},
		{"delivery.applies_by", d.checkAppliesBy},
		{"tools", d.checkTools},
		{"credentials", d.checkCredentials},
		{"cluster-access", d.checkClusterAccess},
		{"gitops.repo_url", d.checkRepoURL},
		{"phl-store.image", d.checkAppImage},
	}
}

func (d *run) destroyChecks() []check {
	return []check{
		{"confirm", d.checkConfirm},
		{"teardown", d.checkTeardownSet},
		{"tools", d.checkTools},
		{"credentials", d.checkCredentials},
		{"cluster-access", d.checkClusterAccess},
	}
}

func (d *run) file() string { return d.env.SourceFile }

func (d *run) checkNoTeardown(context.Context) (string, error) {
	if d.env.Teardown {
		return "", fail("teardown", d.file()+" has teardown: true, which lifts the database's deletion protection",
			"remove teardown: true to deploy; it is only for make destroy")
	}
	return "off", nil
}

// needsConfirm: destroying an environment that keeps data takes an explicit confirmation.
func (d *run) needsConfirm() bool {
	return d.env.Name == "prod" || d.env.Database.DeletionProtection
}

func (d *run) checkConfirm(context.Context) (string, error) {
	name := d.env.Name
	switch {
	case d.o.Confirm != "" && d.o.Confirm != name:
		return "", fail("confirm", fmt.Sprintf("--confirm=%s does not name the environment being destroyed (%s)", d.o.Confirm, name),
			fmt.Sprintf("make destroy ENV=%s CONFIRM=%s", name, name))
	case d.o.Confirm == "" && d.needsConfirm():
		return "", fail("confirm", fmt.Sprintf("destroying %s deletes its database (keeping only a final snapshot) and everything else; it takes an explicit confirmation", name),
			fmt.Sprintf("make destroy ENV=%s CONFIRM=%s", name, name))
	case d.o.Confirm == "":
		return "not needed for " + name, nil
	}
	return "--confirm=" + name, nil
}

func (d *run) checkTeardownSet(context.Context) (string, error) {
	if d.env.Database.DeletionProtection && !d.env.Teardown {
		return "", fail("teardown", fmt.Sprintf("%s's database has deletion protection (%s database.deletion_protection), so terraform destroy would stop at it", d.env.Name, d.file()),
			fmt.Sprintf("add the top-level line teardown: true to %s (config accepts it when %s=%s, which CONFIRM=%s sets)", d.file(), config.TeardownConfirmVar, d.env.Name, d.env.Name))
	}
	if d.env.Teardown {
		return "on: the database stack is applied without deletion protection first", nil
	}
	return "not needed: the database has no deletion protection", nil
}

var (
	awsVersionPattern = regexp.MustCompile(`aws-cli/(\d+)\.(\d+)\.(\d+)`)
	semverPattern     = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)`)
)

// MinTerraform: S3-native state locking (use_lockfile, stacks/base.go) needs Terraform 1.10.
var MinTerraform = [2]int{1, 10}

func (d *run) checkTools(ctx context.Context) (string, error) {
	var found, problems []string
	out, err := d.r.run(ctx, command{name: "aws", args: []string{"--version"}, capture: true, combined: true})
	switch m := awsVersionPattern.FindStringSubmatch(string(out)); {
	case err != nil && isNotFound(err):
		problems = append(problems, "the AWS CLI (aws) is not on PATH")
	case m == nil:
		problems = append(problems, fmt.Sprintf("aws --version printed %q, not aws-cli/<version>", firstLine(out)))
	case m[1] != "2":
		problems = append(problems, fmt.Sprintf("the AWS CLI is version %s.%s.%s; version 2 is needed", m[1], m[2], m[3]))
	default:
		found = append(found, "aws-cli/"+m[1]+"."+m[2]+"."+m[3])
	}
	if _, err := d.r.lookPath("session-manager-plugin"); err != nil {
		problems = append(problems, "session-manager-plugin is not on PATH (the tunnel to the private API endpoint needs it)")
	} else {
		found = append(found, "session-manager-plugin")
	}
	out, err = d.r.run(ctx, command{name: "terraform", args: []string{"version", "-json"}, capture: true})
	var tf struct {
		Version string `json:"terraform_version"`
	}
	switch {
	case err != nil && isNotFound(err):
		problems = append(problems, "terraform is not on PATH")
	case err != nil || json.Unmarshal(out, &tf) != nil:
		problems = append(problems, fmt.Sprintf("terraform version -json failed: %v", err))
	case !atLeast(tf.Version, MinTerraform):
		problems = append(problems, fmt.Sprintf("terraform is %s; %d.%d or newer is needed (S3 state locking with use_lockfile)", tf.Version, MinTerraform[0], MinTerraform[1]))
	default:
		found = append(found, "terraform "+tf.Version)
	}
	if _, err := d.r.lookPath("kubectl"); err != nil {
		problems = append(problems, "kubectl is not on PATH (the Argo CD wait and the teardown use it)")
	} else {
		found = append(found, "kubectl")
	}
	if len(problems) > 0 {
		return "", fail("tools", strings.Join(problems, "; "),
			"install what is missing: AWS CLI v2 (docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), the Session Manager plugin (docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html), Terraform >= 1.10 (docs/toolchain.md pins 1.11.4), kubectl")
	}
	return strings.Join(found, ", "), nil
}

func isNotFound(err error) bool {
	return errors.Is(err, exec.ErrNotFound) || strings.Contains(err.Error(), "executable file not found")
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func atLeast(version string, min [2]int) bool {
	m := semverPattern.FindStringSubmatch(version)
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > min[0] || major == min[0] && minor >= min[1]
}

// caller is the deploying identity (asked once).
func (d *run) caller(ctx context.Context) (account, arn string, err error) {
	if d.identity == nil {
		var id struct{ Account, Arn string }
		out, err := d.aws(ctx, "sts", "get-caller-identity")
		if err == nil && (json.Unmarshal(out, &id) != nil || id.Account == "") {
			err = fmt.Errorf("aws sts get-caller-identity: unexpected answer %q", firstLine(out))
		}
		d.identity = &callerIdentity{account: id.Account, arn: id.Arn, err: err}
	}
	return d.identity.account, d.identity.arn, d.identity.err
}

type callerIdentity struct {
	account, arn string
	err          error
}

func (d *run) checkCredentials(ctx context.Context) (string, error) {
	want := d.env.AccountID
	account, arn, err := d.caller(ctx)
	if err != nil {
		return "", fail("credentials", fmt.Sprintf("no usable AWS credentials: %v", err),
			fmt.Sprintf("log in to account %s (aws sso login --profile <its profile>, then export AWS_PROFILE), or set credentials for it", want))
	}
	if account != want {
		return "", fail("credentials", fmt.Sprintf("the credentials are for account %s (%s), but %s account_id is %s", account, arn, d.file(), want),
			fmt.Sprintf("use credentials for account %s (export AWS_PROFILE=<its profile>), or correct account_id", want))
	}
	return arn + " in account " + account, nil
}
