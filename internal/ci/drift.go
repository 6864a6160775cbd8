package ci

import (
	"fmt"
	"strings"
)

// DriftTitle is the title of an environment's drift issue; the workflow finds the open issue
// by it (one per environment).
func DriftTitle(env string) string { return "Drift in " + env }

// DriftReport is the body of an environment's drift issue and whether anything drifted: a
// stack drifted when its plan against the account is not empty (someone changed a resource
// outside Terraform, or the code on main was never applied) or when its plan failed.
func DriftReport(env, runURL string, plans []StackPlan) (body string, drifted bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nThe daily plan of every %s stack on main (%s) is not empty.\n\n", DriftMarker, env, runURL)
	b.WriteString("| stack | add | change | destroy |\n|---|---:|---:|---:|\n")
	var details strings.Builder
	for _, p := range plans {
		switch {
		case p.Failed:
			fmt.Fprintf(&b, "| %s | **plan failed** | | |\n", p.Stack)
		case p.Pending: // a stack it reads has no state: the environment is not deployed
			fmt.Fprintf(&b, "| %s | **not planned: a stack it reads has no state** | | |\n", p.Stack)
		case p.Counts != (Counts{}):
			fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", p.Stack, p.Counts.Add, p.Counts.Change, p.Counts.Destroy)
		default:
			continue
		}
		drifted = true
		fmt.Fprintf(&details, "\n<details><summary><b>%s</b></summary>\n\n```\n%s\n```\n</details>\n", p.Stack, fence(strings.TrimRight(p.Text, "\n")))
	}
	b.WriteString(details.String())
	b.WriteString("\nApply main (the deploy workflow) to bring the account back to the code, or change the code " +
		"to what the account should be. The next clean daily run closes this issue.\n")
	out := b.String()
	if len(out) > MaxCommentLength {
		out = out[:MaxCommentLength-len(truncatedNote)] + truncatedNote
	}
	return out, drifted
}

// DriftMarker opens a drift issue's body.
const DriftMarker = "<!-- phl-platform:drift -->"
