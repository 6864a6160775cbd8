package main

import (
	"fmt"
	"io"
	"strings"
)

func usd(f float64) string { return fmt.Sprintf("$%.2f", f) }

// writeText prints every stack's lines, the totals per environment and overall, then the
// assumptions and the price tables' dates and sources.
func writeText(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "Monthly cost estimate (USD, %g h month, on-demand list prices; lines marked * use assumed usage)\n", HoursPerMonth)
	for _, env := range r.Envs {
		fmt.Fprintf(w, "\n== environment %s\n", env)
		for _, s := range r.Stacks {
			if s.Env != env {
				continue
			}
			fmt.Fprintf(w, "\n-- stack %s (%s): %s\n", s.Name, s.Region, usd(s.USD))
			for _, l := range s.Lines {
				mark := " "
				if l.Assumed {
					mark = "*"
				}
				fmt.Fprintf(w, "  %10s %s %s  [%s]\n", usd(l.USD), mark, l.Item, l.Address)
			}
			if len(s.NoCharge) > 0 {
				var parts []string
				for _, t := range sortedKeys(s.NoCharge) {
					parts = append(parts, fmt.Sprintf("%s x%d", t, s.NoCharge[t]))
				}
				fmt.Fprintf(w, "  no charge: %s\n", strings.Join(parts, ", "))
			}
		}
		fmt.Fprintf(w, "\n  environment %s total: %s per month\n", env, usd(r.EnvUSD(env)))
	}
	fmt.Fprintf(w, "\n== totals\n")
	for _, env := range r.Envs {
		fmt.Fprintf(w, "  %-20s %12s\n", env, usd(r.EnvUSD(env)))
	}
	fmt.Fprintf(w, "  %-20s %12s\n", "all", usd(r.USD()))
	writeAssumptions(w, r)
	fmt.Fprintf(w, "\n== prices\n")
	for _, reg := range sortedKeys(r.Tables) {
		t := r.Tables[reg]
		fmt.Fprintf(w, "  %s: table written %s. %s\n", reg, t.Read, t.Note)
		for _, k := range sortedKeys(t.Prices) {
			p := t.Prices[k]
			fmt.Fprintf(w, "    %-40s $%-9g %s; %s (%s)\n", k, p.USD, p.Unit, p.Source, p.Basis)
		}
	}
	return nil
}

func writeAssumptions(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\n== assumptions (tools/cost/assumptions.json: estimates, not measurements)\n")
	for _, n := range r.Assumptions.Note {
		fmt.Fprintf(w, "  %s\n", n)
	}
	for _, env := range r.Envs {
		a := r.Assumptions.Environments[env]
		fmt.Fprintf(w, "  %s: %s\n", env, a.Why)
		for _, kv := range assumptionRows(a) {
			fmt.Fprintf(w, "    %-34s %s\n", kv[0], kv[1])
		}
	}
}

// assumptionRows lists an environment's figures that are set, as key/value pairs.
func assumptionRows(a *EnvAssumptions) [][2]string {
	var rows [][2]string
	f := func(k string, v *float64) {
		if v != nil {
			rows = append(rows, [2]string{k, fmt.Sprintf("%g", *v)})
		}
	}
	f("nat_processed_gb", a.NATProcessedGB)
	f("interface_endpoint_processed_gb", a.InterfaceEndpointGB)
	f("aurora_storage_gb", a.AuroraStorageGB)
	f("aurora_io_millions", a.AuroraIOMillions)
	f("aurora_billed_backup_gb", a.AuroraBackupGB)
	f("alb_lcu_per_hour", a.ALBLCU)
	f("api_requests_millions", a.APIRequestsMillions)
	f("waf_requests_millions", a.WAFRequestsMillions)
	f("cognito_m2m_tokens", a.CognitoM2MTokens)
	f("ecr_gb_per_repository", a.ECRGBPerRepository)
	f("s3_gb_per_bucket", a.S3GBPerBucket)
	for _, p := range sortedKeys(a.LogIngestGB) {
		rows = append(rows, [2]string{"log_ingest_gb " + p, fmt.Sprintf("%g", a.LogIngestGB[p])})
	}
	if k := a.Karpenter; k != nil {
		rows = append(rows, [2]string{"karpenter_nodes", fmt.Sprintf("%g x %s, %g GB gp3 each (%s)", k.Count, k.InstanceType, k.DiskGB, k.Why)})
	}
	return rows
}

// writeMarkdown prints the tables docs/cost.md shows: totals per environment and stack, then
// each environment's lines grouped by stack.
func writeMarkdown(w io.Writer, r *Report) error {
	writeSummary(w, r)
	return writeDetails(w, r)
}

// writeSummary prints the totals per environment and stack (the README's table).
func writeSummary(w io.Writer, r *Report) {
	fmt.Fprintf(w, "| Environment | Stack | Region | Monthly USD |\n|---|---|---|---:|\n")
	for _, env := range r.Envs {
		for _, s := range r.Stacks {
			if s.Env == env {
				fmt.Fprintf(w, "| %s | %s | %s | %s |\n", env, s.Name, s.Region, usd(s.USD))
			}
		}
		fmt.Fprintf(w, "| **%s** | **total** | | **%s** |\n", env, usd(r.EnvUSD(env)))
	}
	fmt.Fprintf(w, "| **all** | | | **%s** |\n", usd(r.USD()))
}

// writeDetails prints each environment's lines grouped by stack, the assumptions and the
// price tables' dates (docs/cost.md).
func writeDetails(w io.Writer, r *Report) error {
	for _, env := range r.Envs {
		fmt.Fprintf(w, "\n#### %s\n\n| Stack | Item (* assumed usage) | Monthly USD |\n|---|---|---:|\n", env)
		for _, s := range r.Stacks {
			if s.Env != env {
				continue
			}
			for _, l := range s.Lines {
				mark := ""
				if l.Assumed {
					mark = "\\* "
				}
				fmt.Fprintf(w, "| %s | %s%s | %s |\n", s.Name, mark, strings.ReplaceAll(l.Item, "|", "\\|"), usd(l.USD))
			}
		}
	}
	fmt.Fprintf(w, "\n#### Assumptions (estimates, not measurements)\n\n| Environment | Figure | Value |\n|---|---|---|\n")
	for _, env := range r.Envs {
		for _, kv := range assumptionRows(r.Assumptions.Environments[env]) {
			fmt.Fprintf(w, "| %s | %s | %s |\n", env, kv[0], kv[1])
		}
	}
	fmt.Fprintf(w, "\n")
	for _, reg := range sortedKeys(r.Tables) {
		fmt.Fprintf(w, "Prices: tools/cost/prices/%s.json, written %s.\n", reg, r.Tables[reg].Read)
	}
	return nil
}
