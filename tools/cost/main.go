// Command cost prices each environment's synthesized stacks per month (README "Cost",
// docs/cost.md). It reads cdktf.out/manifest.json and every stack's cdk.tf.json, takes sizes
// from the synthesized configuration (instance types, counts, endpoints x subnets, WAF rules,
// log groups, keys, secrets, repositories), usage from a committed assumptions table per
// environment, and unit prices from a committed table per region. A resource type that is
// neither priced nor listed as no-charge (pricers.go) fails the run, naming type, stack and
// address, so a new resource is never silently free.
//
//	go run ./tools/cost [-out cdktf.out] [-prices tools/cost/prices]
//	                    [-assumptions tools/cost/assumptions.json] [-markdown] [-docs write|check]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	out := flag.String("out", "cdktf.out", "synthesized output folder (make synth)")
	prices := flag.String("prices", "tools/cost/prices", "folder of price tables, one <region>.json each")
	assumptions := flag.String("assumptions", "tools/cost/assumptions.json", "usage assumptions per environment")
	markdown := flag.Bool("markdown", false, "print Markdown tables (docs/cost.md) instead of the text report")
	docsMode := flag.String("docs", "", "write: put the estimate into README.md and docs/cost.md; check: fail when theirs differs")
	flag.Parse()
	if err := run(os.Stdout, *out, *prices, *assumptions, *markdown, *docsMode); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

// run loads the inputs, prices every stack and writes the report.
func run(w io.Writer, outDir, pricesDir, assumptionsPath string, markdown bool, docsMode string) error {
	stacks, err := loadStacks(outDir)
	if err != nil {
		return err
	}
	tables, err := loadPriceTables(pricesDir)
	if err != nil {
		return err
	}
	as, err := loadAssumptions(assumptionsPath)
	if err != nil {
		return err
	}
	rep, err := estimate(stacks, tables, as)
	if err != nil {
		return err
	}
	if docsMode != "" {
		if err := docs(docsMode, ".", rep); err != nil {
			return err
		}
	}
	if markdown {
		return writeMarkdown(w, rep)
	}
	return writeText(w, rep)
}
