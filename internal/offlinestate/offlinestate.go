// Package offlinestate turns a producer stack's offline plan into the Terraform state file its
// consumers' terraform_remote_state reads during their offline plans. Values the plan knows
// are copied; values known only after apply (IDs, ARNs, endpoints) get well-formed
// placeholders derived from the resource attribute they come from, so the consumer's provider
// validation still runs. Shapes it cannot fill faithfully are errors, never guesses.
package offlinestate

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// State is the subset of a version 4 Terraform state that remote state reads.
type State struct {
	Version          int               `json:"version"`
	TerraformVersion string            `json:"terraform_version"`
	Serial           int               `json:"serial"`
	Lineage          string            `json:"lineage"`
	Outputs          map[string]Output `json:"outputs"`
	Resources        []any             `json:"resources"`
}

// Output is one root module output in a state file.
type Output struct {
	Value any `json:"value"`
	Type  any `json:"type"`
}

// FromPlan builds the state a successful apply of the plan would leave, as far as outputs go.
func FromPlan(p *tfjson.Plan, account, region string) (*State, error) {
	st := &State{Version: 4, TerraformVersion: p.TerraformVersion, Serial: 1, Lineage: "offline-plan", Outputs: map[string]Output{}, Resources: []any{}}
	var outputs map[string]*tfjson.ConfigOutput
	if p.Config != nil && p.Config.RootModule != nil {
		outputs = p.Config.RootModule.Outputs
	}
	names := make([]string, 0, len(p.OutputChanges))
	for name := range p.OutputChanges {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		change := p.OutputChanges[name]
		if change == nil {
			continue
		}
		var refs []string
		if o := outputs[name]; o != nil && o.Expression != nil {
			refs = leafReferences(o.Expression.References)
		}
		f := filler{account: account, region: region}
		value, err := f.fill(change.After, change.AfterUnknown, refs)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		st.Outputs[name] = Output{Value: value, Type: typeOf(value)}
	}
	return st, nil
}

// reference is "[data.]type.name[index].attribute[...]" as Terraform lists it in a plan.
var reference = regexp.MustCompile(`^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[[^\]]+\])?\.([a-z0-9_]+)((\[[^\]]+\]|\.[a-z0-9_]+)*)$`)

// leafReferences keeps the references to resource attributes, dropping the prefixes Terraform
// lists beside them ("aws_vpc.v" beside "aws_vpc.v.id"), in expression order.
func leafReferences(refs []string) []string {
	var out []string
	for i, r := range refs {
		if !reference.MatchString(r) {
			continue
		}
		prefix := false
		for j, other := range refs {
			if j != i && strings.HasPrefix(other, r) && len(other) > len(r) && strings.ContainsAny(other[len(r):len(r)+1], ".[") {
				prefix = true
				break
			}
		}
		if !prefix {
			out = append(out, r)
		}
	}
	return out
}

type filler struct{ account, region string }

// fill replaces the unknown parts of an output value with placeholders. A value with one
// reference takes it wherever it is unknown; a list with one reference per element takes them
// by position. Anything else with unknown parts is an error.
func (f filler) fill(after, unknown any, refs []string) (any, error) {
	switch u := unknown.(type) {
	case bool:
		if !u {
			return after, nil
		}
		if len(refs) != 1 {
			return nil, fmt.Errorf("unknown value with %d attribute references %v: cannot tell its shape", len(refs), refs)
		}
		return f.placeholder(refs[0], after)
	case []any:
		known, _ := after.([]any)
		out := make([]any, len(u))
		for i := range u {
			var elemAfter any
			if i < len(known) {
				elemAfter = known[i]
			}
			var elemRefs []string
			switch {
			case len(refs) == len(u):
				elemRefs = refs[i : i+1]
			case len(refs) == 1 && unknownCount(u) == 1:
				elemRefs = refs
			}
			if elemRefs == nil && hasUnknown(u[i]) {
				return nil, fmt.Errorf("list of %d elements with %d attribute references %v: cannot tell which element each belongs to", len(u), len(refs), refs)
			}
			v, err := f.fill(elemAfter, u[i], elemRefs)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case map[string]any:
		known, _ := after.(map[string]any)
		out := map[string]any{}
		for k, v := range known {
			out[k] = v
		}
		for _, k := range slices.Sorted(maps.Keys(u)) {
			if !hasUnknown(u[k]) {
				continue
			}
			if len(refs) != 1 {
				return nil, fmt.Errorf("map with unknown key %q and %d attribute references %v: cannot tell which key each belongs to", k, len(refs), refs)
			}
			v, err := f.fill(known[k], u[k], refs)
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	case nil:
		return after, nil
	}
	return nil, fmt.Errorf("unexpected after_unknown shape %T", unknown)
}

func unknownCount(list []any) int {
	n := 0
	for _, e := range list {
		if hasUnknown(e) {
			n++
		}
	}
	return n
}

func hasUnknown(u any) bool {
	switch x := u.(type) {
	case bool:
		return x
	case []any:
		for _, e := range x {
			if hasUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasUnknown(e) {
				return true
			}
		}
	}
	return false
}

// placeholder is the stand-in for an unknown value from ref. The plan may still know the
// value's shape (a list or object): those are errors, since a scalar would be wrong.
func (f filler) placeholder(ref string, after any) (any, error) {
	if after != nil {
		return nil, fmt.Errorf("%s: unknown value has a known shape %T", ref, after)
	}
	return Placeholder(ref, f.account, f.region), nil
}

var idPrefixes = map[string]string{
	"aws_vpc": "vpc-", "aws_subnet": "subnet-", "aws_security_group": "sg-", "aws_route_table": "rtb-",
	"aws_nat_gateway": "nat-", "aws_internet_gateway": "igw-", "aws_eip": "eipalloc-", "aws_vpc_endpoint": "vpce-",
}

// Placeholder is a stable, well-formed stand-in for a resource attribute reference such as
// "aws_vpc.v.id", "aws_subnet.s[0].id" or "aws_eks_cluster.c.certificate_authority[0].data".
func Placeholder(ref, account, region string) string {
	m := reference.FindStringSubmatch(ref)
	if m == nil {
		return "offline-value"
	}
	typ, attr, rest := m[2], m[5], m[6]
	if i := strings.LastIndex(rest, "."); i >= 0 {
		attr = rest[i+1:]
	}
	sum := sha256.Sum256([]byte(ref))
	h := hex.EncodeToString(sum[:])
	uuid := fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
	switch {
	case typ == "aws_kms_key" && (attr == "arn" || attr == "id" || attr == "key_id"):
		if attr == "arn" {
			return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, uuid)
		}
		return uuid
	case typ == "aws_lb_target_group" && attr == "arn":
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/offline-%s/%s", region, account, h[:8], h[8:24])
	case attr == "secret_arn" || (typ == "aws_secretsmanager_secret" && attr == "arn"):
		// RDS-managed master secrets are named rds!cluster-<uuid>; Secrets Manager adds 6 characters.
		return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:rds!cluster-%s-%s", region, account, uuid, h[32:38])
	case typ == "aws_ecr_repository" && attr == "repository_url":
		return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/offline-%s", account, region, h[:8])
	case attr == "arn" && strings.HasPrefix(typ, "aws_iam_"):
		return fmt.Sprintf("arn:aws:iam::%s:%s/offline-%s", account, strings.TrimPrefix(typ, "aws_iam_"), h[:8])
	case attr == "arn":
		service := strings.SplitN(strings.TrimPrefix(typ, "aws_"), "_", 2)[0]
		return fmt.Sprintf("arn:aws:%s:%s:%s:offline/%s", service, region, account, h[:12])
	case attr == "id" && idPrefixes[typ] != "":
		return idPrefixes[typ] + "0" + h[:16]
	case typ == "aws_eks_cluster" && attr == "endpoint":
		return fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", strings.ToUpper(h[:32]), region)
	case attr == "data" && strings.Contains(ref, ".certificate_authority"):
		der := base64.StdEncoding.EncodeToString(sum[:])
		return base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\n" + der + "\n-----END CERTIFICATE-----\n"))
	case attr == "endpoint" || attr == "reader_endpoint":
		return fmt.Sprintf("offline-%s.cluster-%s.%s.rds.amazonaws.com", h[:8], h[8:20], region)
	case attr == "url" || strings.HasSuffix(attr, "_url"):
		return fmt.Sprintf("https://offline-%s.example.com/", h[:8])
	}
	return "offline-" + strings.ReplaceAll(attr, "_", "-") + "-" + h[:8]
}

// typeOf is the JSON form of a value's Terraform type, as state files record it.
func typeOf(v any) any {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case float64, json.Number:
		return "number"
	case []any:
		if len(x) == 0 {
			return []any{"list", "string"}
		}
		types := make([]any, len(x))
		for i, e := range x {
			types[i] = typeOf(e)
		}
		if allSame(types) {
			return []any{"list", types[0]}
		}
		return []any{"tuple", types}
	case map[string]any:
		attrs := map[string]any{}
		var types []any
		for _, k := range slices.Sorted(maps.Keys(x)) {
			attrs[k] = typeOf(x[k])
			types = append(types, attrs[k])
		}
		if len(types) > 0 && allSame(types) {
			return []any{"map", types[0]}
		}
		return []any{"object", attrs}
	}
	return "string"
}

func allSame(types []any) bool {
	first, _ := json.Marshal(types[0])
	for _, t := range types[1:] {
		b, _ := json.Marshal(t)
		if string(b) != string(first) {
			return false
		}
	}
	return true
}
