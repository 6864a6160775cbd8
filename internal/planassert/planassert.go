// Package planassert checks offline `terraform show -json` plans for properties the platform
// promises: encryption, isolation of the database tier, NAT layout, flow logs, tagging.
// Each rule returns human-readable findings; an empty result means the rule holds.
package planassert

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Plan is one stack's plan with lookups by address.
type Plan struct {
	Stack   string
	changes map[string]*tfjson.ResourceChange
	config  map[string]*tfjson.ConfigResource
	raw     *tfjson.Plan
}

// Load reads a plan JSON file.
func Load(stack, path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return New(stack, &p), nil
}

// New indexes a parsed plan.
func New(stack string, p *tfjson.Plan) *Plan {
	out := &Plan{Stack: stack, changes: map[string]*tfjson.ResourceChange{}, config: map[string]*tfjson.ConfigResource{}, raw: p}
	for _, rc := range p.ResourceChanges {
		out.changes[rc.Address] = rc
	}
	if p.Config != nil && p.Config.RootModule != nil {
		for _, r := range p.Config.RootModule.Resources {
			out.config[r.Address] = r
		}
	}
	return out
}

// Of returns the planned resource changes of a type, sorted by address.
func (p *Plan) Of(typ string) []*tfjson.ResourceChange {
	var out []*tfjson.ResourceChange
	for _, rc := range p.changes {
		if rc.Type == typ && rc.Mode == tfjson.ManagedResourceMode {
			out = append(out, rc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// After returns an attribute's planned value (nil when unknown or unset).
func After(rc *tfjson.ResourceChange, attr string) any {
	m, _ := rc.Change.After.(map[string]any)
	return m[attr]
}

// References returns the addresses an attribute's configuration expression refers to,
// e.g. ["aws_kms_key.k.arn", "aws_kms_key.k"].
func (p *Plan) References(rc *tfjson.ResourceChange, attr string) []string {
	cr := p.config[rc.Address]
	if cr == nil || cr.Expressions[attr] == nil {
		return nil
	}
	return cr.Expressions[attr].References
}

// DeepReferences returns the references of an attribute or nested block, at any depth
// (e.g. encryption_config.provider.key_arn), in order.
func (p *Plan) DeepReferences(rc *tfjson.ResourceChange, attr string) []string {
	cr := p.config[rc.Address]
	if cr == nil {
		return nil
	}
	return expressionRefs(cr.Expressions[attr])
}

func expressionRefs(e *tfjson.Expression) []string {
	if e == nil || e.ExpressionData == nil {
		return nil
	}
	refs := append([]string{}, e.References...)
	for _, block := range e.NestedBlocks {
		keys := make([]string, 0, len(block))
		for k := range block {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			refs = append(refs, expressionRefs(block[k])...)
		}
	}
	return refs
}

// referencedResource returns the planned resource an attribute refers to, if any.
func (p *Plan) referencedResource(rc *tfjson.ResourceChange, attr string) *tfjson.ResourceChange {
	for _, ref := range p.References(rc, attr) {
		if target, ok := p.changes[ref]; ok {
			return target
		}
	}
	return nil
}

func tag(rc *tfjson.ResourceChange, key string) string {
	tags, _ := After(rc, "tags").(map[string]any)
	s, _ := tags[key].(string)
	return s
}

// Summary counts planned actions, like the last line of `terraform plan`.
func (p *Plan) Summary() (add, change, destroy int) {
	for _, rc := range p.raw.ResourceChanges {
		switch {
		case rc.Change.Actions.Create():
			add++
		case rc.Change.Actions.Update():
			change++
		case rc.Change.Actions.Delete():
			destroy++
		case rc.Change.Actions.Replace():
			add++
			destroy++
		}
	}
	return
}

func refersTo(refs []string, typ string) bool {
	for _, r := range refs {
		if strings.HasPrefix(r, typ+".") {
			return true
		}
	}
	return false
}
