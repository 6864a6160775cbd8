// Package offlinestate turns a producer stack's offline plan into the Terraform state file its
// consumers' terraform_remote_state reads during their offline plans. Values the plan knows
// are copied; values known only after apply (IDs, ARNs) get well-formed placeholders derived
// from the resource they come from, so the consumer's provider validation still runs.
package offlinestate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	for name, change := range p.OutputChanges {
		if change == nil {
			continue
		}
		var refs []string
		if o := outputs[name]; o != nil && o.Expression != nil {
			for _, r := range o.Expression.References {
				if strings.Count(r, ".") == 2 { // type.name.attribute
					refs = append(refs, r)
				}
			}
		}
		value, err := fill(change.After, change.AfterUnknown, refs, account, region)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		st.Outputs[name] = Output{Value: value, Type: typeOf(value)}
	}
	return st, nil
}

// fill replaces unknown parts of a value with placeholders, taking references in order.
func fill(after, unknown any, refs []string, account, region string) (any, error) {
	next := func() string {
		if len(refs) == 0 {
			return "offline-value"
		}
		r := refs[0]
		refs = refs[1:]
		return Placeholder(r, account, region)
	}
	if u, ok := unknown.(bool); ok && u {
		return next(), nil
	}
	if list, ok := unknown.([]any); ok {
		known, _ := after.([]any)
		out := make([]any, len(list))
		for i, u := range list {
			if b, _ := u.(bool); b {
				out[i] = next()
			} else if i < len(known) {
				out[i] = known[i]
			}
		}
		return out, nil
	}
	return after, nil
}

var idPrefixes = map[string]string{
	"aws_vpc": "vpc-", "aws_subnet": "subnet-", "aws_security_group": "sg-", "aws_route_table": "rtb-",
	"aws_nat_gateway": "nat-", "aws_internet_gateway": "igw-", "aws_eip": "eipalloc-", "aws_vpc_endpoint": "vpce-",
}

// Placeholder is a stable, well-formed stand-in for "type.name.attribute".
func Placeholder(ref, account, region string) string {
	parts := strings.SplitN(ref, ".", 3)
	if len(parts) != 3 {
		return "offline-value"
	}
	typ, attr := parts[0], parts[2]
	sum := sha256.Sum256([]byte(ref))
	h := hex.EncodeToString(sum[:])
	switch {
	case attr == "arn" && typ == "aws_kms_key":
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s-%s-%s-%s-%s", region, account, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
	case attr == "arn" && strings.HasPrefix(typ, "aws_iam_"):
		return fmt.Sprintf("arn:aws:iam::%s:%s/offline-%s", account, strings.TrimPrefix(typ, "aws_iam_"), h[:8])
	case attr == "arn":
		service := strings.SplitN(strings.TrimPrefix(typ, "aws_"), "_", 2)[0]
		return fmt.Sprintf("arn:aws:%s:%s:%s:offline/%s", service, region, account, h[:12])
	case attr == "id" && idPrefixes[typ] != "":
		return idPrefixes[typ] + "0" + h[:16]
	}
	return "offline-" + attr + "-" + h[:8]
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
		return []any{"list", typeOf(x[0])}
	case map[string]any:
		return []any{"map", "string"}
	}
	return "string"
}
