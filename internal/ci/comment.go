package ci

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// MaxCommentLength is GitHub's limit on a comment body (65,536 characters); the comment is
// kept under it with room to spare for what GitHub adds.
const MaxCommentLength = 65000

// CommentMarker opens the plan comment; the workflow finds the comment to update by it.
const CommentMarker = "<!-- phl-platform:plan -->"

// Counts are a plan's resource changes, counted as `terraform plan` does (a replacement is
// one to add and one to destroy), and its output changes: a plan that only adds an output (a
// new cross-stack reference of a consumer) must still be applied.
type Counts struct{ Add, Change, Destroy, Outputs int }

// CountPlan counts the resource changes of `terraform show -json <planfile>`.
func CountPlan(showJSON []byte) (Counts, error) {
	var p tfjson.Plan
	if err := json.Unmarshal(showJSON, &p); err != nil {
		return Counts{}, fmt.Errorf("not terraform show -json output: %w", err)
	}
	var c Counts
	for _, rc := range p.ResourceChanges {
		a := rc.Change.Actions
		switch {
		case a.Replace():
			c.Add++
			c.Destroy++
		case a.Create():
			c.Add++
		case a.Update():
			c.Change++
		case a.Delete():
			c.Destroy++
		}
	}
	for _, oc := range p.OutputChanges {
		if oc != nil && !oc.Actions.NoOp() {
			c.Outputs++
		}
	}
	return c, nil
}

// StackPlan is one stack's plan for the comment.
type StackPlan struct {
	Stack  string
	Why    string // why it was planned (Change.Why)
	Counts Counts
	Text   string // terraform show of the plan, or the error output of a failed plan
	Failed bool
	// Pending: not planned yet, because a stack it reads has no state (a first deploy); Text
	// says which.
	Pending bool
}

// CommentInput is everything the comment says.
type CommentInput struct {
	SHA      string
	Offline  bool   // a fork's pull request: no credentials, so an offline plan
	Artifact string // where the full plans are
	Plans    []StackPlan
	Removed  []string
	Skipped  map[string]string // stack -> why it is not planned here
}

// Comment renders the pull request comment: the marker, a table of counts per stack, then each
// stack's plan in a collapsed section. When the whole would pass limit, the longest plans are
// cut (from the end, at a line) until it fits, each saying how much was cut and where the full
// plan is.
func Comment(in CommentInput, limit int) string {
	full := make([]string, len(in.Plans))
	keep := make([]int, len(in.Plans))
	texts := make([]string, len(in.Plans))
	for i, p := range in.Plans {
		full[i] = strings.TrimRight(p.Text, "\n")
		keep[i], texts[i] = len(full[i]), full[i]
	}
	out := renderComment(in, texts)
	for len(out) > limit {
		// Cut the longest plan by what is over (at least a tenth of it, so this ends quickly).
		i := longest(texts)
		if i < 0 || keep[i] == 0 {
			break
		}
		keep[i] = max(0, keep[i]-max(len(out)-limit+200, keep[i]/10))
		texts[i] = cut(full[i], keep[i], in.Artifact)
		out = renderComment(in, texts)
	}
	if len(out) > limit { // only the table is left: it cannot be cut further without lying
		out = out[:limit-len(truncatedNote)] + truncatedNote
	}
	return out
}

const truncatedNote = "\n\n… (cut to fit GitHub's comment limit)\n"

func renderComment(in CommentInput, texts []string) string {
	var b strings.Builder
	b.WriteString(CommentMarker + "\n")
	fmt.Fprintf(&b, "### Terraform plans for %s\n\n", in.SHA)
	if in.Offline {
		b.WriteString("**Offline plan**: this pull request comes from a fork, which gets no OIDC token, so no " +
			"credentials; these are the offline plans (`make plan`: every resource as if the account were empty), " +
			"not a plan against the account. A maintainer's branch gets the real plan.\n\n")
	}
	if len(in.Plans) == 0 {
		b.WriteString("No stack's synthesized Terraform changes.\n")
	} else {
		b.WriteString("| stack | why | add | change | destroy | outputs |\n|---|---|---:|---:|---:|---:|\n")
		for _, p := range in.Plans {
			if p.Failed {
				fmt.Fprintf(&b, "| %s | %s | **plan failed** | | | |\n", p.Stack, p.Why)
				continue
			}
			if p.Pending {
				fmt.Fprintf(&b, "| %s | %s | not planned yet | | | |\n", p.Stack, p.Why)
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d |\n", p.Stack, p.Why, p.Counts.Add, p.Counts.Change, p.Counts.Destroy, p.Counts.Outputs)
		}
	}
	for _, s := range slices.Sorted(maps.Keys(in.Skipped)) {
		fmt.Fprintf(&b, "\n%s is not planned here: %s", s, in.Skipped[s])
	}
	for _, s := range in.Removed {
		fmt.Fprintf(&b, "\n%s is no longer synthesized: nothing destroys it; do that deliberately (docs/deploying.md \"make deploy and make destroy\").", s)
	}
	b.WriteString("\n")
	for i, p := range in.Plans {
		summary := fmt.Sprintf("+%d ~%d -%d", p.Counts.Add, p.Counts.Change, p.Counts.Destroy)
		if p.Failed {
			summary = "plan failed"
		}
		if p.Pending {
			summary = "not planned yet"
		}
		fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n```\n%s\n```\n</details>\n", p.Stack, summary, fence(texts[i]))
	}
	if in.Artifact != "" {
		fmt.Fprintf(&b, "\nFull plans: %s\n", in.Artifact)
	}
	return b.String()
}

// cut keeps the first keep bytes of text, ending at a line, and says what was cut.
func cut(text string, keep int, artifact string) string {
	if keep >= len(text) {
		return text
	}
	head := text[:keep]
	if i := strings.LastIndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	} else {
		head = ""
	}
	lines := strings.Count(text[len(head):], "\n") + 1
	where := "the workflow's artifacts"
	if artifact != "" {
		where = artifact
	}
	return head + fmt.Sprintf("\n… %d more lines cut to fit GitHub's comment limit: the full plan is in %s", lines, where)
}

// fence keeps a plan from closing the code block it is shown in.
func fence(s string) string { return strings.ReplaceAll(s, "```", "`\u200b``") }

func longest(texts []string) int {
	best := -1
	for i, t := range texts {
		if best < 0 || len(t) > len(texts[best]) {
			best = i
		}
	}
	return best
}
