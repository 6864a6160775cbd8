package ci

import (
	"reflect"
	"slices"
)

// Change is what a pull request changes in the synthesized stacks.
type Change struct {
	// Plan lists the stacks to plan, in graph order: each stack whose Terraform JSON differs
	// from the base's (or that the base does not have), and every stack that depends on one
	// of them, directly or not (a consumer reads its producer's outputs, which may change).
	Plan []string
	// Why says, for each stack to plan, "changed", "new" or "depends on <stack>".
	Why map[string]string
	// Removed lists the base's stacks the head no longer synthesizes (nothing plans them;
	// destroying one is a deliberate act, see docs/deploying.md "make deploy and make destroy").
	Removed []string
}

// Changed compares the head's synth output with the base's.
func Changed(base, head *Manifest) (Change, error) {
	c := Change{Why: map[string]string{}}
	levels, err := head.Levels()
	if err != nil {
		return c, err
	}
	for _, level := range levels {
		for _, name := range level {
			why, err := changeOf(base, head, name)
			if err != nil {
				return c, err
			}
			if why == "" {
				for _, d := range head.Stacks[name].Dependencies {
					if _, ok := c.Why[d]; ok {
						why = "depends on " + d
						break
					}
				}
			}
			if why != "" {
				c.Why[name] = why
				c.Plan = append(c.Plan, name)
			}
		}
	}
	for _, name := range base.Names() {
		if _, ok := head.Stacks[name]; !ok {
			c.Removed = append(c.Removed, name)
		}
	}
	return c, nil
}

func changeOf(base, head *Manifest, name string) (string, error) {
	if _, ok := base.Stacks[name]; !ok {
		return "new", nil
	}
	h, err := head.stackJSON(name)
	if err != nil {
		return "", err
	}
	b, err := base.stackJSON(name)
	if err != nil {
		return "", err
	}
	if !reflect.DeepEqual(h, b) {
		return "changed", nil
	}
	return "", nil
}

// Only keeps the stacks of c.Plan that keep says to, in order.
func (c Change) Only(keep func(stack string) bool) []string {
	return slices.DeleteFunc(slices.Clone(c.Plan), func(s string) bool { return !keep(s) })
}
