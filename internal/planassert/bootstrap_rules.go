package planassert

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// BootstrapExpectations are what environments/bootstrap/accounts.yaml promises about one
// account's bootstrap stack.
type BootstrapExpectations struct {
	AccountID      string
	Repository     string // owner/repo
	Environments   []string
	PlanRole       func(env string) string // role names
	ApplyRole      func(env string) string
	PlanSubjects   []string                  // exact sub claims of every plan role
	ApplySubjects  func(env string) []string // exact sub claims of an environment's apply role
	NoncurrentDays int
	StateBucket    string   // the state bucket's name
	StateKeyPrefix string   // the environments' state_backend.key_prefix
	ApplySession   int      // seconds
	ReadOnlyPolicy []string // AWS managed policies a plan role may have attached
}

// Bootstrap rules hold for "bootstrap-<account>". Its trust and state policies are written
// without references, so the plan knows them and these rules read them.
func Bootstrap(want BootstrapExpectations) []Rule {
	return []Rule{
		{"only creates on an empty account", onlyCreates},
		{"every KMS key rotates", kmsKeysRotate},
		{"every role is assumable only by GitHub's OIDC provider, StringEquals on aud (sts.amazonaws.com) and on sub of this repository, no wildcard", bsTrust(want)},
		{"plan roles trust pull requests and main; apply roles only their GitHub environment", bsSubjects(want)},
		{"a plan role writes nothing but its environment's state lock files", bsPlanReadOnly(want)},
		{"a plan role denies reading the other environments' and the bootstrap's state", bsPlanOwnStateOnly(want)},
		{fmt.Sprintf("apply roles allow %d-second sessions (the deploy workflow asks for them)", want.ApplySession), bsApplySession(want)},
		{"the state bucket denies every request not over TLS", bsTLSOnly},
		{"the state bucket is encrypted with the stack's KMS key and an S3 Bucket Key", bsEncrypted},
		{"the state bucket is versioned", bsVersioned},
		{"the state bucket blocks all four kinds of public access and enforces bucket-owner objects", bsPrivate},
		{fmt.Sprintf("overwritten state versions expire after %d days", want.NoncurrentDays), bsNoncurrent(want.NoncurrentDays)},
	}
}

// policyStatement is a statement of a policy document as IAM accepts it (a string or a list).
type policyStatement struct {
	Effect       string
	Principal    any
	Action       any
	NotAction    any
	Resource     any
	NotResource  any
	Condition    map[string]map[string]any
	actions, res []string
}

// policyOf parses a policy attribute; ok is false when the plan does not know it.
func policyOf(rc *tfjson.ResourceChange, attr string) ([]policyStatement, bool) {
	s, isString := After(rc, attr).(string)
	if !isString {
		return nil, false
	}
	return parsePolicy(s)
}

// parsePolicy parses a policy document's JSON text.
func parsePolicy(s string) ([]policyStatement, bool) {
	var doc struct{ Statement []policyStatement }
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return nil, false
	}
	for i := range doc.Statement {
		doc.Statement[i].actions, doc.Statement[i].res = iampolicy.Strings(doc.Statement[i].Action), iampolicy.Strings(doc.Statement[i].Resource)
	}
	return doc.Statement, true
}

func roleName(rc *tfjson.ResourceChange) string { s, _ := After(rc, "name").(string); return s }

func bsTrust(want BootstrapExpectations) func(p *Plan) []string {
	provider := "arn:aws:iam::" + want.AccountID + ":oidc-provider/token.actions.githubusercontent.com"
	return func(p *Plan) []string {
		var out []string
		roles := p.Of("aws_iam_role")
		if len(roles) == 0 {
			return []string{"no role planned"}
		}
		for _, r := range roles {
			stmts, ok := policyOf(r, "assume_role_policy")
			if !ok || len(stmts) != 1 {
				out = append(out, fmt.Sprintf("%s: trust policy unknown at plan time or not one statement", r.Address))
				continue
			}
			s := stmts[0]
			principal, _ := s.Principal.(map[string]any)
			fed := iampolicy.Strings(principal["Federated"])
			if s.Effect != "Allow" || len(principal) != 1 || len(fed) != 1 || fed[0] != provider ||
				!slices.Equal(s.actions, []string{"sts:AssumeRoleWithWebIdentity"}) {
				out = append(out, fmt.Sprintf("%s: trusts %v for %v; want %s for sts:AssumeRoleWithWebIdentity", r.Address, s.Principal, s.actions, provider))
				continue
			}
			var ops []string
			for op := range s.Condition {
				ops = append(ops, op)
			}
			eq := s.Condition["StringEquals"]
			aud, sub := iampolicy.Strings(eq["token.actions.githubusercontent.com:aud"]), iampolicy.Strings(eq["token.actions.githubusercontent.com:sub"])
			switch {
			case len(ops) != 1 || len(eq) != 2:
				sort.Strings(ops)
				out = append(out, fmt.Sprintf("%s: conditions %v %v; want only StringEquals on aud and sub", r.Address, ops, eq))
			case !slices.Equal(aud, []string{"sts.amazonaws.com"}):
				out = append(out, fmt.Sprintf("%s: aud %v; want [sts.amazonaws.com]", r.Address, aud))
			case len(sub) == 0:
				out = append(out, r.Address+": no sub condition (any repository could assume it)")
			}
			for _, v := range sub {
				if strings.ContainsAny(v, "*?") || !strings.HasPrefix(v, "repo:"+want.Repository+":") {
					out = append(out, fmt.Sprintf("%s: sub %q is not an exact subject of %s", r.Address, v, want.Repository))
				}
			}
		}
		return out
	}
}

func bsSubjects(want BootstrapExpectations) func(p *Plan) []string {
	return func(p *Plan) []string {
		byName := map[string]*tfjson.ResourceChange{}
		for _, r := range p.Of("aws_iam_role") {
			byName[roleName(r)] = r
		}
		var out []string
		check := func(name string, subjects []string) {
			r := byName[name]
			if r == nil {
				out = append(out, "no role "+name)
				return
			}
			stmts, _ := policyOf(r, "assume_role_policy")
			var got []string
			if len(stmts) == 1 {
				got = iampolicy.Strings(stmts[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"])
			}
			g, w := slices.Clone(got), slices.Clone(subjects)
			sort.Strings(g)
			sort.Strings(w)
			if !slices.Equal(g, w) {
				out = append(out, fmt.Sprintf("%s trusts sub %v; want %v", name, got, subjects))
			}
		}
		for _, env := range want.Environments {
			check(want.PlanRole(env), want.PlanSubjects)
			check(want.ApplyRole(env), want.ApplySubjects(env))
		}
		if len(byName) != 2*len(want.Environments) {
			out = append(out, fmt.Sprintf("%d roles planned; want a plan and an apply role for each of %v", len(byName), want.Environments))
		}
		return out
	}
}

// readAction: an action that changes nothing. kms:GenerateDataKey is what writing an SSE-KMS
// lock file needs (it creates no resource).
func readAction(a string) bool {
	_, verb, _ := strings.Cut(a, ":")
	for _, prefix := range []string{"Get", "List", "Describe", "Head"} {
		if strings.HasPrefix(verb, prefix) && !strings.Contains(verb, "*") {
			return true
		}
	}
	return a == "kms:Decrypt" || a == "kms:GenerateDataKey"
}

// rolesNamed returns the names of the roles a resource's attr names: by reference to a
// planned role, by name or by ARN (a list too).
func (p *Plan) rolesNamed(rc *tfjson.ResourceChange, attr string) []string {
	var out []string
	for _, ref := range p.References(rc, attr) {
		if t, ok := p.changes[ref]; ok && t.Type == "aws_iam_role" {
			out = append(out, roleName(t))
		}
	}
	for _, v := range iampolicy.Strings(After(rc, attr)) {
		out = append(out, v[strings.LastIndex(v, "/")+1:])
	}
	return out
}

// planRoleNames maps the planned plan roles' names to their addresses.
func (p *Plan) planRoleNames(want BootstrapExpectations) map[string]string {
	out := map[string]string{}
	for _, r := range p.Of("aws_iam_role") {
		for _, env := range want.Environments {
			if roleName(r) == want.PlanRole(env) {
				out[roleName(r)] = r.Address
			}
		}
	}
	return out
}

// inlinePolicies calls f with every inline policy of the named roles: the role's own
// inline_policy blocks and each aws_iam_role_policy naming it (ok false: unknown at plan).
func (p *Plan) inlinePolicies(roles map[string]string, f func(role, addr string, stmts []policyStatement, ok bool)) {
	for _, r := range p.Of("aws_iam_role") {
		if roles[roleName(r)] != r.Address {
			continue
		}
		blocks, _ := After(r, "inline_policy").([]any)
		for _, b := range blocks {
			m, _ := b.(map[string]any)
			if doc, _ := m["policy"].(string); doc != "" || m["name"] != nil {
				stmts, ok := parsePolicy(doc)
				f(roleName(r), r.Address+" inline_policy", stmts, ok)
			}
		}
	}
	for _, rp := range p.Of("aws_iam_role_policy") {
		for _, name := range p.rolesNamed(rp, "role") {
			if _, ok := roles[name]; ok {
				stmts, ok := policyOf(rp, "policy")
				f(name, rp.Address, stmts, ok)
			}
		}
	}
}

// bsPlanReadOnly inspects every way a policy reaches a plan role: the role's own
// inline_policy blocks and managed_policy_arns, aws_iam_role_policy,
// aws_iam_role_policy_attachment, aws_iam_policy_attachment (roles) and
// aws_iam_role_policy_attachments_exclusive, whether they name the role by reference or by
// its literal name. Attached policies must be AWS managed ones on want.ReadOnlyPolicy; inline
// ones may allow only reads, the state key and lock-file writes.
func bsPlanReadOnly(want BootstrapExpectations) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		planRoles := p.planRoleNames(want)
		if len(planRoles) == 0 {
			return []string{"no plan role planned"}
		}
		onPlanRole := func(rc *tfjson.ResourceChange, attr string) bool {
			for _, name := range p.rolesNamed(rc, attr) {
				if _, ok := planRoles[name]; ok {
					return true
				}
			}
			return false
		}
		managed := func(addr string, arn any) {
			s, _ := arn.(string)
			name := s[strings.LastIndex(s, "/")+1:]
			if s == "" {
				s = "a policy unknown at plan time"
			}
			if !strings.HasPrefix(s, "arn:aws:iam::aws:policy/") || !slices.Contains(want.ReadOnlyPolicy, name) {
				out = append(out, fmt.Sprintf("%s attaches %s to a plan role; allowed: %v", addr, s, want.ReadOnlyPolicy))
			}
		}
		for _, r := range p.Of("aws_iam_role") {
			if planRoles[roleName(r)] == r.Address {
				for _, arn := range iampolicy.Strings(After(r, "managed_policy_arns")) {
					managed(r.Address+" managed_policy_arns", arn)
				}
			}
		}
		for _, a := range p.Of("aws_iam_role_policy_attachment") {
			if onPlanRole(a, "role") {
				managed(a.Address, After(a, "policy_arn"))
			}
		}
		for _, a := range p.Of("aws_iam_policy_attachment") {
			if onPlanRole(a, "roles") {
				managed(a.Address, After(a, "policy_arn"))
			}
		}
		for _, a := range p.Of("aws_iam_role_policy_attachments_exclusive") {
			if onPlanRole(a, "role_name") {
				for _, arn := range iampolicy.Strings(After(a, "policy_arns")) {
					managed(a.Address, arn)
				}
			}
		}
		p.inlinePolicies(planRoles, func(_, addr string, stmts []policyStatement, ok bool) {
			if !ok {
				out = append(out, addr+": policy unknown at plan time")
				return
			}
			out = append(out, planStatementFindings(addr, stmts)...)
		})
		return out
	}
}

// stateReads are the S3 actions that read a state object: ReadOnlyAccess allows them on every
// object (s3:Get*), so a plan role must deny them on state that is not its environment's.
var stateReads = []string{"s3:GetObject", "s3:GetObjectVersion"}

// bsPlanOwnStateOnly: each plan role denies reading the other served environments' state and
// the bootstrap stack's (which would otherwise be readable through ReadOnlyAccess and the
// shared state key: in one account, dev's plan role reading prod's Cognito client secret).
func bsPlanOwnStateOnly(want BootstrapExpectations) func(p *Plan) []string {
	return func(p *Plan) []string {
		planRoles := p.planRoleNames(want)
		denies := map[string][]policyStatement{}
		p.inlinePolicies(planRoles, func(role, _ string, stmts []policyStatement, ok bool) {
			for _, s := range stmts {
				if ok && s.Effect == "Deny" && s.Condition == nil && s.NotAction == nil && s.NotResource == nil {
					denies[role] = append(denies[role], s)
				}
			}
		})
		var out []string
		for _, env := range want.Environments {
			role := want.PlanRole(env)
			if planRoles[role] == "" {
				continue // bsSubjects names a missing role
			}
			others := []string{"bootstrap"}
			for _, o := range want.Environments {
				if o != env {
					others = append(others, o)
				}
			}
			for _, other := range others {
				object := "arn:aws:s3:::" + want.StateBucket + "/" + want.StateKeyPrefix + "/" + other + "/x.tfstate"
				for _, action := range stateReads {
					if !deniedBy(denies[role], action, object) {
						out = append(out, fmt.Sprintf("%s may %s %s's state (%s): no unconditional Deny", role, action, other, object))
					}
				}
			}
		}
		return out
	}
}

// deniedBy: some statement denies action on resource (IAM wildcards in either list).
func deniedBy(stmts []policyStatement, action, resource string) bool {
	for _, s := range stmts {
		if slices.ContainsFunc(s.actions, func(a string) bool { return globMatch(strings.ToLower(a), strings.ToLower(action)) }) &&
			slices.ContainsFunc(s.res, func(r string) bool { return globMatch(r, resource) }) {
			return true
		}
	}
	return false
}

// globMatch matches an IAM pattern (* any run, ? one character) against s.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && pattern[0] == s[0] && globMatch(pattern[1:], s[1:])
}

// planStatementFindings: the Allow statements of a plan role's inline policy may allow reads,
// the state key and S3 writes of lock files only.
func planStatementFindings(addr string, stmts []policyStatement) []string {
	var out []string
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		if s.NotAction != nil || s.NotResource != nil {
			out = append(out, addr+": an Allow with NotAction or NotResource")
		}
		for _, a := range s.actions {
			switch {
			case readAction(a):
			case a == "s3:PutObject" || a == "s3:DeleteObject":
				for _, res := range s.res {
					if !strings.HasSuffix(res, ".tflock") {
						out = append(out, fmt.Sprintf("%s: %s on %s, not a lock file", addr, a, res))
					}
				}
			default:
				out = append(out, fmt.Sprintf("%s: allows %s, which writes", addr, a))
			}
		}
	}
	return out
}

func bsApplySession(want BootstrapExpectations) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		for _, r := range p.Of("aws_iam_role") {
			for _, env := range want.Environments {
				if roleName(r) == want.ApplyRole(env) && After(r, "max_session_duration") != float64(want.ApplySession) {
					out = append(out, fmt.Sprintf("%s max_session_duration = %v", r.Address, After(r, "max_session_duration")))
				}
			}
		}
		return out
	}
}

// stateBucket returns the one bucket of the stack.
func (p *Plan) stateBucket() (*tfjson.ResourceChange, []string) {
	return p.only("aws_s3_bucket")
}

// ofBucket returns the resources of typ that configure the bucket.
func (p *Plan) ofBucket(typ string, bucket *tfjson.ResourceChange) []*tfjson.ResourceChange {
	var out []*tfjson.ResourceChange
	for _, rc := range p.Of(typ) {
		if t := p.referencedResource(rc, "bucket"); t != nil && t.Address == bucket.Address {
			out = append(out, rc)
		}
	}
	return out
}

// bucketCheck runs f on the one resource of typ configuring the state bucket.
func bucketCheck(typ string, f func(p *Plan, rc *tfjson.ResourceChange) []string) func(p *Plan) []string {
	return func(p *Plan) []string {
		b, out := p.stateBucket()
		if b == nil {
			return out
		}
		rcs := p.ofBucket(typ, b)
		if len(rcs) != 1 {
			return []string{fmt.Sprintf("%d %s for %s; want 1", len(rcs), typ, b.Address)}
		}
		return f(p, rcs[0])
	}
}

var bsTLSOnly = bucketCheck("aws_s3_bucket_policy", func(p *Plan, rc *tfjson.ResourceChange) []string {
	stmts, ok := policyOf(rc, "policy")
	if !ok {
		return []string{rc.Address + ": policy unknown at plan time"}
	}
	for _, s := range stmts {
		principal, _ := s.Principal.(map[string]any)
		if s.Effect == "Deny" && slices.Equal(iampolicy.Strings(principal["AWS"]), []string{"*"}) && slices.Equal(s.actions, []string{"s3:*"}) &&
			len(s.res) == 2 && s.Condition["Bool"]["aws:SecureTransport"] == false {
			return nil
		}
	}
	return []string{rc.Address + " has no Deny of s3:* for everyone on the bucket and its objects when aws:SecureTransport is false"}
})

var bsEncrypted = bucketCheck("aws_s3_bucket_server_side_encryption_configuration", func(p *Plan, rc *tfjson.ResourceChange) []string {
	rules, _ := After(rc, "rule").([]any)
	if len(rules) == 1 {
		rule, _ := rules[0].(map[string]any)
		def, _ := rule["apply_server_side_encryption_by_default"].([]any)
		if len(def) == 1 && def[0].(map[string]any)["sse_algorithm"] == "aws:kms" && rule["bucket_key_enabled"] == true &&
			refersTo(p.DeepReferences(rc, "rule"), "aws_kms_key") {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: %v; want aws:kms with a key of this stack and bucket_key_enabled", rc.Address, After(rc, "rule"))}
})

var bsVersioned = bucketCheck("aws_s3_bucket_versioning", func(p *Plan, rc *tfjson.ResourceChange) []string {
	v, _ := After(rc, "versioning_configuration").([]any)
	if len(v) == 1 && v[0].(map[string]any)["status"] == "Enabled" {
		return nil
	}
	return []string{fmt.Sprintf("%s: %v", rc.Address, After(rc, "versioning_configuration"))}
})

func bsPrivate(p *Plan) []string {
	out := bucketCheck("aws_s3_bucket_public_access_block", func(p *Plan, rc *tfjson.ResourceChange) []string {
		for _, a := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if After(rc, a) != true {
				return []string{fmt.Sprintf("%s: %s = %v", rc.Address, a, After(rc, a))}
			}
		}
		return nil
	})(p)
	return append(out, bucketCheck("aws_s3_bucket_ownership_controls", func(p *Plan, rc *tfjson.ResourceChange) []string {
		rule, _ := After(rc, "rule").([]any)
		if len(rule) == 1 && rule[0].(map[string]any)["object_ownership"] == "BucketOwnerEnforced" {
			return nil
		}
		return []string{fmt.Sprintf("%s: %v; want BucketOwnerEnforced", rc.Address, After(rc, "rule"))}
	})(p)...)
}

func bsNoncurrent(days int) func(p *Plan) []string {
	return bucketCheck("aws_s3_bucket_lifecycle_configuration", func(p *Plan, rc *tfjson.ResourceChange) []string {
		rules, _ := After(rc, "rule").([]any)
		for _, r := range rules {
			rule, _ := r.(map[string]any)
			exp, _ := rule["noncurrent_version_expiration"].([]any)
			if rule["status"] == "Enabled" && len(exp) == 1 && exp[0].(map[string]any)["noncurrent_days"] == float64(days) {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: no enabled rule expiring noncurrent versions after %d days", rc.Address, days)}
	})
}
