package ci

import (
	"fmt"
	"strings"
	"testing"
)

func TestCountPlan(t *testing.T) {
	show := `{"format_version":"1.2","resource_changes":[
	 {"address":"a.x","change":{"actions":["create"]}},
	 {"address":"a.y","change":{"actions":["create"]}},
	 {"address":"b.x","change":{"actions":["update"]}},
	 {"address":"c.x","change":{"actions":["delete"]}},
	 {"address":"d.x","change":{"actions":["delete","create"]}},
	 {"address":"e.x","change":{"actions":["create","delete"]}},
	 {"address":"f.x","change":{"actions":["no-op"]}},
	 {"address":"g.x","change":{"actions":["read"]}}],
	 "output_changes":{"o1":{"actions":["create"]},"o2":{"actions":["no-op"]}}}`
	c, err := CountPlan([]byte(show))
	if err != nil {
		t.Fatal(err)
	}
	if c != (Counts{Add: 4, Change: 1, Destroy: 3, Outputs: 1}) {
		t.Errorf("counts %+v; want 4 to add (2 + 2 replacements), 1 to change, 3 to destroy, 1 output", c)
	}
	if _, err := CountPlan([]byte("Plan: 1 to add")); err == nil {
		t.Error("text accepted as plan JSON")
	}
}

func plans(sizes ...int) []StackPlan {
	var out []StackPlan
	for i, n := range sizes {
		var b strings.Builder
		for l := 0; b.Len() < n; l++ {
			fmt.Fprintf(&b, "  # aws_thing.r%d will be created\n", l)
		}
		out = append(out, StackPlan{Stack: fmt.Sprintf("dev-s%d", i), Why: "changed", Counts: Counts{Add: i + 1}, Text: b.String()})
	}
	return out
}

func TestCommentLayout(t *testing.T) {
	in := CommentInput{SHA: "abc123", Artifact: "artifact plans-abc123", Plans: plans(300, 300),
		Removed: []string{"dev-old"}, Skipped: map[string]string{"dev-gitops": "it talks to the cluster's private endpoint"}}
	in.Plans = append(in.Plans, StackPlan{Stack: "dev-bad", Why: "depends on dev-s0", Failed: true, Text: "Error: boom\n```\nx"},
		StackPlan{Stack: "dev-later", Why: "new", Pending: true, Text: "not planned yet: dev-s0 has no state yet"})
	out := Comment(in, MaxCommentLength)
	for _, want := range []string{
		CommentMarker + "\n### Terraform plans for abc123",
		"| stack | why | add | change | destroy | outputs |",
		"| dev-s0 | changed | 1 | 0 | 0 | 0 |", "| dev-later | new | not planned yet | | | |", "<b>dev-later</b>: not planned yet</summary>", "| dev-s1 | changed | 2 | 0 | 0 | 0 |", "| dev-bad | depends on dev-s0 | **plan failed** | | | |",
		"dev-gitops is not planned here: it talks to the cluster's private endpoint",
		"dev-old is no longer synthesized",
		"<details><summary><b>dev-s0</b>: +1 ~0 -0</summary>", "<details><summary><b>dev-bad</b>: plan failed</summary>",
		"Full plans: artifact plans-abc123",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("comment lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "| dev-s0 |") > strings.Index(out, "<details>") {
		t.Error("the table must come before the plans")
	}
	if strings.Count(out, "```") != 2*4 {
		t.Errorf("a plan's own ``` closes its code block:\n%s", out)
	}
	if strings.Contains(out, "Offline plan") || strings.Contains(out, "cut to fit") {
		t.Errorf("an online comment under the limit says it is offline or cut:\n%s", out)
	}
	if off := Comment(CommentInput{SHA: "abc", Offline: true}, MaxCommentLength); !strings.Contains(off, "**Offline plan**: this pull request comes from a fork") || !strings.Contains(off, "No stack's synthesized Terraform changes.") {
		t.Errorf("offline, empty comment:\n%s", off)
	}
}

func TestCommentFitsTheLimit(t *testing.T) {
	in := CommentInput{SHA: "abc123", Artifact: "artifact plans-abc123", Plans: plans(200_000, 1_000, 40_000)}
	out := Comment(in, MaxCommentLength)
	if len(out) > MaxCommentLength {
		t.Fatalf("comment is %d bytes, over %d", len(out), MaxCommentLength)
	}
	for _, p := range in.Plans {
		if !strings.Contains(out, "| "+p.Stack+" | changed |") || !strings.Contains(out, "<b>"+p.Stack+"</b>") {
			t.Errorf("%s lost its row or section", p.Stack)
		}
	}
	// The longest plan is cut first and says where the rest is; the short one is whole.
	if !strings.Contains(out, "more lines cut to fit GitHub's comment limit: the full plan is in artifact plans-abc123") {
		t.Error("no cut note")
	}
	if !strings.Contains(out, strings.TrimRight(in.Plans[1].Text, "\n")) {
		t.Error("the short plan was cut too")
	}
	// Cuts end at a line.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  # aws_thing") && !strings.HasSuffix(l, "will be created") {
			t.Errorf("a cut inside a line: %q", l)
		}
	}
	// A limit only the table can fill: still within it.
	if small := Comment(in, 400); len(small) > 400 || !strings.HasSuffix(small, truncatedNote) {
		t.Errorf("tiny limit: %d bytes, %q", len(small), small)
	}
}
