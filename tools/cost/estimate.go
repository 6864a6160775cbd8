package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// StackCost is one stack's priced lines.
type StackCost struct {
	Name, Env, Region string
	Lines             []Line
	NoCharge          map[string]int // type -> how many resources of it the stack has
	USD               float64
}

// Report is every stack's cost, with the tables and assumptions it used.
type Report struct {
	Stacks      []StackCost
	Tables      map[string]*PriceTable // the regions used
	Assumptions *Assumptions
	Envs        []string // the environments used, sorted
}

// EnvUSD is an environment's monthly total.
func (r *Report) EnvUSD(env string) float64 {
	t := 0.0
	for _, s := range r.Stacks {
		if s.Env == env {
			t += s.USD
		}
	}
	return t
}

// USD is the monthly total of every stack.
func (r *Report) USD() float64 {
	t := 0.0
	for _, s := range r.Stacks {
		t += s.USD
	}
	return t
}

// estimate prices every stack. It refuses (with every offender named) a resource type that is
// neither priced nor no-charge, a region without a price table and an environment without
// assumptions.
func estimate(stacks []Stack, tables map[string]*PriceTable, as *Assumptions) (*Report, error) {
	rep := &Report{Tables: map[string]*PriceTable{}, Assumptions: as}
	var unpriced []string
	for i := range stacks {
		st := &stacks[i]
		t, ok := tables[st.Region]
		if !ok {
			return nil, fmt.Errorf("stack %s: region %s has no price table (have: %s); add tools/cost/prices/%s.json", st.Name, st.Region, regions(tables), st.Region)
		}
		a, ok := as.Environments[st.Env]
		if !ok {
			return nil, fmt.Errorf("stack %s: environment %s has no assumptions in tools/cost/assumptions.json", st.Name, st.Env)
		}
		rep.Tables[st.Region] = t
		if !slices.Contains(rep.Envs, st.Env) {
			rep.Envs = append(rep.Envs, st.Env)
		}
		sc := StackCost{Name: st.Name, Env: st.Env, Region: st.Region, NoCharge: map[string]int{}}
		for _, typ := range sortedKeys(st.Resources) {
			names := sortedKeys(st.Resources[typ])
			pr, priced := pricers[typ]
			if _, free := noCharge[typ]; free && !priced {
				sc.NoCharge[typ] += len(names)
				continue
			}
			if !priced {
				for _, n := range names {
					unpriced = append(unpriced, fmt.Sprintf("%s (stack %s, address %s.%s)", typ, st.Name, typ, n))
				}
				continue
			}
			for _, n := range names {
				c := &pctx{st: st, t: t, a: a, addr: typ + "." + n}
				pr(c, st.Resources[typ][n])
				if c.err != nil {
					return nil, c.err
				}
				sc.Lines = append(sc.Lines, c.lines...)
			}
		}
		for _, l := range sc.Lines {
			sc.USD += l.USD
		}
		rep.Stacks = append(rep.Stacks, sc)
	}
	if len(unpriced) > 0 {
		return nil, errors.New("resource types neither priced nor listed as no-charge (tools/cost/pricers.go):\n  " + strings.Join(unpriced, "\n  "))
	}
	slices.Sort(rep.Envs)
	return rep, nil
}

func sortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
