package ci

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// PlanDigest identifies what a plan would do, from `terraform show -json <planfile>`: every
// resource and output change (address, actions, planned values; values only known after apply
// stay unknown), sensitive values left out. Two plans with the same digest make the same
// changes, so the apply job can plan again, compare with the digest of the plan a reviewer saw,
// and apply only when they are equal: no plan file (which holds state values, secrets
// included) ever leaves the job that made it, and a plan made stale by an apply in between, or
// by a producer stack applied earlier in the same run, is refused rather than applied.
func PlanDigest(showJSON []byte) (string, error) {
	var p tfjson.Plan
	if err := json.Unmarshal(showJSON, &p); err != nil {
		return "", fmt.Errorf("not terraform show -json output: %w", err)
	}
	type entry struct {
		Address string         `json:"a"`
		Actions tfjson.Actions `json:"x"`
		After   any            `json:"v"`
	}
	var entries []entry
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil || rc.Change.Actions.NoOp() || rc.Change.Actions.Read() {
			continue
		}
		entries = append(entries, entry{rc.Address, rc.Change.Actions, masked(rc.Change.After, rc.Change.AfterSensitive, rc.Change.AfterUnknown)})
	}
	for name, oc := range p.OutputChanges {
		if oc == nil || oc.Actions.NoOp() {
			continue
		}
		entries = append(entries, entry{"output." + name, oc.Actions, masked(oc.After, oc.AfterSensitive, oc.AfterUnknown)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Address < entries[j].Address })
	b, err := json.Marshal(entries)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// masked is a planned value with sensitive parts replaced by a marker and unknown parts by
// another (the after_sensitive and after_unknown trees mirror the value's shape, with true
// where a part is sensitive or unknown).
func masked(v, sensitive, unknown any) any {
	if sensitive == true {
		return "(sensitive)"
	}
	if unknown == true {
		return "(known after apply)"
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = masked(e, field(sensitive, k), field(unknown, k))
		}
		for k, u := range asMap(unknown) { // unknown attributes are absent from the value
			if _, ok := x[k]; !ok && u == true {
				out[k] = "(known after apply)"
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = masked(e, index(sensitive, i), index(unknown, i))
		}
		return out
	}
	return v
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func field(v any, k string) any { return asMap(v)[k] }

func index(v any, i int) any {
	if l, ok := v.([]any); ok && i < len(l) {
		return l[i]
	}
	return nil
}
