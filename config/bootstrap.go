package config

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The bootstrap configuration (environments/bootstrap/accounts.yaml) describes what is made
// once per AWS account before any environment: the state bucket, the GitHub OIDC provider and
// each environment's CI roles (constructs/bootstrap). It is not an environment file, so it
// lives below environments/ where Load's *.yaml glob does not reach.
const (
	DefaultBootstrapFile = "environments/bootstrap/accounts.yaml"
	// BootstrapFileVar points the app at another bootstrap file (tests use a planted copy).
	BootstrapFileVar = "PHL_BOOTSTRAP_FILE"
	// BootstrapSelection, in PHL_ENVIRONMENTS, selects the bootstrap stacks (alone, or beside
	// environments); an empty selection synthesizes them with every environment.
	BootstrapSelection = "bootstrap"
	// StateKeyAlias is the alias of each account's state key: environments name it in
	// state_backend.kms_key_id (Terraform's S3 backend, with encrypt = true and no key, writes
	// SSE-S3 objects whatever the bucket's default is).
	StateKeyAlias = "alias/" + Project + "-tfstate"

	DefaultNoncurrentVersionExpirationDays = 90
	githubOIDCHost                         = "token.actions.githubusercontent.com"
)

// BootstrapFile is BootstrapFileVar if set, else DefaultBootstrapFile.
func BootstrapFile() string {
	if f := os.Getenv(BootstrapFileVar); f != "" {
		return f
	}
	return DefaultBootstrapFile
}

// Bootstrap is the validated bootstrap configuration: one GitHub repository, one or more
// accounts.
type Bootstrap struct {
	GitHubRepository string // owner/repo, the only repository the roles trust
	Accounts         []*BootstrapAccount
	SourceFile       string
}

// BootstrapAccount is one AWS account's bootstrap stack.
type BootstrapAccount struct {
	Name         string // names the stack: bootstrap-<name>
	AccountID    string
	Region       string
	Partition    string
	Environments []string // the environments whose CI roles it creates
	StateBucket  string
	// StateKeyPrefix is the environments' state_backend.key_prefix; the plan role may write
	// lock files only below <prefix>/<environment>/.
	StateKeyPrefix                  string
	NoncurrentVersionExpirationDays int
	// GitHubOIDCProviderArn: an existing provider of this account (there is one per URL);
	// empty: the stack creates it.
	GitHubOIDCProviderArn string
	// StateInBucket: the stack's own state has been moved into its bucket
	// (scripts/bootstrap-state.sh migrate); false: local state under state/.
	StateInBucket bool
}

// StackName is the account's bootstrap stack, e.g. "bootstrap-main".
func (a *BootstrapAccount) StackName() string { return BootstrapSelection + "-" + a.Name }

// StateKey is where the bootstrap stack keeps its own state once migrated into the bucket.
func (a *BootstrapAccount) StateKey() string {
	return a.StateKeyPrefix + "/" + BootstrapSelection + "/" + a.Name + ".tfstate"
}

// IsBootstrapStack tells a bootstrap stack from an environment's by its name.
func IsBootstrapStack(stack string) bool { return strings.HasPrefix(stack, BootstrapSelection+"-") }

// PlanRoleName is the read-only role an environment's plans run as (pull requests, the deploy
// workflow's plan job, drift); ApplyRoleName the role its applies run as (the deploy
// workflow's apply job, in the GitHub environment). Fixed names, so other stacks and the
// deploy check know their ARNs without reading the bootstrap stack.
func PlanRoleName(env string) string  { return Project + "-" + env + "-plan" }
func ApplyRoleName(env string) string { return Project + "-" + env + "-apply" }

// PlanRoleVar is the GitHub repository variable that holds an environment's plan role ARN;
// the apply role's ARN is the GitHub environment's ApplyRoleVar.
func PlanRoleVar(env string) string {
	return "AWS_PLAN_ROLE_ARN_" + strings.ToUpper(strings.ReplaceAll(env, "-", "_"))
}

// ApplyRoleVar and RegionVar are variables of each GitHub environment (deploy-environment.yml).
const (
	ApplyRoleVar = "AWS_DEPLOY_ROLE_ARN"
	RegionVar    = "AWS_REGION"
)

type fileBootstrap struct {
	GitHubRepository string                 `yaml:"github_repository"`
	Accounts         []fileBootstrapAccount `yaml:"accounts"`
}

type fileBootstrapAccount struct {
	Name                            string   `yaml:"name"`
	AccountID                       string   `yaml:"account_id"`
	Region                          string   `yaml:"region"`
	Environments                    []string `yaml:"environments"`
	StateBucket                     string   `yaml:"state_bucket"`
	StateKeyPrefix                  string   `yaml:"state_key_prefix"`
	NoncurrentVersionExpirationDays *int     `yaml:"noncurrent_version_expiration_days"`
	GitHubOIDCProviderArn           string   `yaml:"github_oidc_provider_arn"`
	StateInBucket                   bool     `yaml:"state_in_bucket"`
}

var (
	// GitHub: an owner is 1-39 letters, digits and single hyphens, neither first nor last; a
	// repository letters, digits, ., - and _ (not "." or "..", checked below).
	githubRepoPattern   = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$`)
	accountNamePattern  = regexp.MustCompile(`^[a-z][a-z0-9]{0,15}$`)
	oidcProviderPattern = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):oidc-provider/` + regexp.QuoteMeta(githubOIDCHost) + `$`)
)

// LoadBootstrap reads and validates the bootstrap file against every environment (all, not a
// selection: an account's roles serve environments that may not be synthesized now). A missing
// file is no error: the platform then has no bootstrap stack (nil).
func LoadBootstrap(path string, all []*Environment) (*Bootstrap, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && path == DefaultBootstrapFile {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseBootstrap(path, data, all)
}

// ParseBootstrap validates the YAML text of a bootstrap file.
func ParseBootstrap(file string, data []byte, all []*Environment) (*Bootstrap, error) {
	var doc fileBootstrap
	if err := decodeStrict(file, data, &doc); err != nil {
		return nil, err
	}
	v := validator{file: file}
	_, repo, _ := strings.Cut(doc.GitHubRepository, "/")
	switch {
	case !githubRepoPattern.MatchString(doc.GitHubRepository) || len(strings.SplitN(doc.GitHubRepository, "/", 2)[0]) > 39 || repo == "." || repo == "..":
		return nil, v.fail("github_repository", doc.GitHubRepository, "not a GitHub repository", "owner/repo, e.g. my-org/phl-platform")
	case strings.HasSuffix(strings.ToLower(repo), ".git"):
		// The OIDC token's sub names the repository without .git: no role would ever match.
		return nil, v.fail("github_repository", doc.GitHubRepository, "ends in .git", "the repository's name as GitHub shows it: "+doc.GitHubRepository[:len(doc.GitHubRepository)-4])
	}
	if len(doc.Accounts) == 0 {
		return nil, v.fail("accounts", "", "required", "one entry per AWS account (name, account_id, region, environments)")
	}
	envs := map[string]*Environment{}
	var names []string
	for _, e := range all {
		envs[e.Name] = e
		names = append(names, e.Name)
	}
	b := &Bootstrap{GitHubRepository: doc.GitHubRepository, SourceFile: file}
	served := map[string]string{}
	for i, fa := range doc.Accounts {
		at := "accounts[" + strconv.Itoa(i) + "]."
		for _, other := range b.Accounts {
			switch {
			case other.Name == fa.Name:
				return nil, v.fail(at+"name", fa.Name, "used twice", "one name per account")
			case other.AccountID == fa.AccountID:
				return nil, v.fail(at+"account_id", fa.AccountID, "listed twice", "one entry per AWS account, with all its environments")
			}
		}
		a, err := v.bootstrapAccount(fa, at, envs, names, served)
		if err != nil {
			return nil, err
		}
		b.Accounts = append(b.Accounts, a)
	}
	return b, nil
}

func (v validator) bootstrapAccount(f fileBootstrapAccount, at string, envs map[string]*Environment, names []string, served map[string]string) (*BootstrapAccount, error) {
	if !accountNamePattern.MatchString(f.Name) {
		return nil, v.fail(at+"name", f.Name, "not an account name", "1-16 lowercase letters and digits, starting with a letter, e.g. nonprod")
	}
	if !accountIDPattern.MatchString(f.AccountID) {
		return nil, v.fail(at+"account_id", f.AccountID, "not an AWS account ID", "12 digits, quoted")
	}
	if !regionPattern.MatchString(f.Region) || partitionOf(f.Region) != "aws" {
		return nil, v.fail(at+"region", f.Region, "not an AWS region of the aws partition", "e.g. ap-southeast-1")
	}
	a := &BootstrapAccount{Name: f.Name, AccountID: f.AccountID, Region: f.Region, Partition: partitionOf(f.Region),
		StateBucket: f.StateBucket, StateKeyPrefix: f.StateKeyPrefix, GitHubOIDCProviderArn: f.GitHubOIDCProviderArn,
		StateInBucket: f.StateInBucket, NoncurrentVersionExpirationDays: DefaultNoncurrentVersionExpirationDays}
	if a.StateBucket == "" {
		a.StateBucket = Project + "-tfstate-" + a.AccountID
	} else if !bucketPattern.MatchString(a.StateBucket) || strings.Contains(a.StateBucket, "..") {
		return nil, v.fail(at+"state_bucket", f.StateBucket, "not an S3 bucket name", "3-63 lowercase letters, digits, dots and hyphens")
	}
	if a.StateKeyPrefix == "" {
		a.StateKeyPrefix = DefaultStateKeyPrefix
	} else if strings.HasPrefix(a.StateKeyPrefix, "/") || strings.HasSuffix(a.StateKeyPrefix, "/") {
		return nil, v.fail(at+"state_key_prefix", f.StateKeyPrefix, "must not start or end with /", "e.g. teams/platform")
	}
	if d := f.NoncurrentVersionExpirationDays; d != nil {
		if *d < 1 || *d > 3650 {
			return nil, v.fail(at+"noncurrent_version_expiration_days", strconv.Itoa(*d), "out of range", "1 to 3650 days an old state version is kept")
		}
		a.NoncurrentVersionExpirationDays = *d
	}
	if arn := f.GitHubOIDCProviderArn; arn != "" {
		if m := oidcProviderPattern.FindStringSubmatch(arn); m == nil || m[1] != a.AccountID {
			return nil, v.fail(at+"github_oidc_provider_arn", arn, "not this account's GitHub OIDC provider",
				"arn:aws:iam::"+a.AccountID+":oidc-provider/"+githubOIDCHost+", or empty to create it")
		}
	}
	if len(f.Environments) == 0 {
		return nil, v.fail(at+"environments", "", "required", strings.Join(names, ", "))
	}
	for j, name := range f.Environments {
		key := at + "environments[" + strconv.Itoa(j) + "]"
		env, ok := envs[name]
		switch {
		case !ok:
			return nil, v.fail(key, name, "no such environment file", strings.Join(names, ", "))
		case served[name] != "":
			return nil, v.fail(key, name, "already served by account "+served[name], "each environment in one account's list")
		case env.AccountID != a.AccountID:
			return nil, v.fail(key, name, "its account_id is "+env.AccountID+", not "+a.AccountID, "the environments of account "+a.AccountID)
		}
		if err := v.servedStateBackend(env, a); err != nil {
			return nil, err
		}
		served[name] = a.Name
		a.Environments = append(a.Environments, name)
	}
	slices.Sort(a.Environments)
	return a, nil
}

// servedStateBackend: an environment served by an account keeps its state in that account's
// bucket, under its prefix, encrypted with its key (the plan role may read nothing else), or
// locally (dev before its first CI run).
func (v validator) servedStateBackend(env *Environment, a *BootstrapAccount) error {
	b := env.StateBackend
	if b == nil {
		return nil
	}
	wrong := func(key, got, want string) error {
		return &Error{File: env.SourceFile, Key: "state_backend." + key, Value: got,
			Problem: "not what " + v.file + " makes for account " + a.Name, Allowed: want}
	}
	switch {
	case b.Bucket != a.StateBucket:
		return wrong("bucket", b.Bucket, a.StateBucket)
	case b.KeyPrefix != a.StateKeyPrefix:
		return wrong("key_prefix", b.KeyPrefix, a.StateKeyPrefix)
	case b.Region != a.Region:
		return wrong("region", b.Region, a.Region)
	case b.KmsKeyID != StateKeyAlias:
		return wrong("kms_key_id", b.KmsKeyID, StateKeyAlias+" (else state objects are SSE-S3, not the bucket's key)")
	}
	return nil
}

// Serving returns the account that serves env, or nil.
func (b *Bootstrap) Serving(env string) *BootstrapAccount {
	if b == nil {
		return nil
	}
	for _, a := range b.Accounts {
		if slices.Contains(a.Environments, env) {
			return a
		}
	}
	return nil
}

// App is what one synthesis builds: the selected environments and, when selected, every
// account's bootstrap stack.
type App struct {
	Environments []*Environment // the selected ones
	All          []*Environment // every environment file (the bootstrap stacks serve any)
	Bootstrap    *Bootstrap     // nil without a bootstrap file
	// WithBootstrap: synthesize the bootstrap stacks (an empty selection, or one naming
	// BootstrapSelection).
	WithBootstrap bool
}

// LoadApp validates the environments of dir and the bootstrap file, and selects what to
// synthesize: selection is PHL_ENVIRONMENTS (environment names and/or "bootstrap"; empty:
// everything). Each selected environment an account serves gets its CI apply role's ARN.
func LoadApp(dir, selection, bootstrapFile string) (*App, error) {
	var names []string
	app := &App{WithBootstrap: strings.TrimSpace(selection) == ""}
	for _, s := range strings.Split(selection, ",") {
		switch s = strings.TrimSpace(s); s {
		case "":
		case BootstrapSelection:
			app.WithBootstrap = true
		default:
			names = append(names, s)
		}
	}
	all, err := Load(dir, "")
	if err != nil {
		return nil, err
	}
	if len(names) > 0 {
		if app.Environments, err = Load(dir, strings.Join(names, ",")); err != nil {
			return nil, err
		}
	} else if !app.WithBootstrap || strings.TrimSpace(selection) == "" {
		app.Environments = all
	}
	app.All = all
	if app.Bootstrap, err = LoadBootstrap(bootstrapFile, all); err != nil {
		return nil, err
	}
	for _, e := range append(append([]*Environment{}, all...), app.Environments...) {
		if app.Bootstrap.Serving(e.Name) != nil {
			e.CIApplyRoleArn = e.RoleArn(ApplyRoleName(e.Name))
		}
	}
	return app, nil
}
