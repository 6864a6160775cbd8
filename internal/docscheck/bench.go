package docscheck

import (
	"fmt"
	"regexp"
	"strings"
)

// BenchFile is where `make bench` keeps its latest results (scripts/bench.sh): one line per
// measurement, label, wall time, peak memory and status separated by tabs (tools/treepeak), after
// "# key: value" lines saying when and where it ran.
const BenchFile = "docs/bench.tsv"

// Bench markers enclose the table rendered from BenchFile in a document; the docs test requires
// each such block to be exactly the rendering of the committed results.
const (
	BenchStart = "<!-- bench: generated from docs/bench.tsv by `make bench`; do not edit -->"
	BenchEnd   = "<!-- /bench -->"
)

// benchLabels describe the measurements scripts/bench.sh makes, in its order.
var benchLabels = map[string]string{
	"synth-floor":     "synth of a one-resource CDKTF Go app, the floor (median of 3)",
	"synth-app":       "synth, every stack, the app binary (median of 3)",
	"synth-cdktf-cli": "synth through `cdktf synth`",
	"rung-1":          "rung 1 lint + go test (uncached) + self-tests",
	"rung-2":          "rung 2 synth (cdktf-cli JSON, app HCL) + preflight, atlantis, diagram, cost + self-tests",
	"rung-3":          "rung 3 offline plan + self-tests",
	"rung-4":          "rung 4 plan assertions + self-tests",
	"rung-5":          "rung 5 security scan + self-test",
	"rung-6":          "rung 6 Kubernetes + self-tests",
	"make-test-warm":  "`make test`, warm",
	"make-test-cold":  "`make test`, cold (fresh clone, empty Go, npm and tool caches)",
}

// Bench is the parsed BenchFile.
type Bench struct {
	Meta map[string]string // from "# key: value" lines
	Rows [][4]string       // label, wall, peak, status
}

// ParseBench reads BenchFile's text.
func ParseBench(text string) (Bench, error) {
	b := Bench{Meta: map[string]string{}}
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(l, "# "), ": "); ok && strings.HasPrefix(l, "# ") {
			b.Meta[k] = v
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			return b, fmt.Errorf("%s line %d: %q is not label<TAB>wall<TAB>peak<TAB>status", BenchFile, i+1, l)
		}
		b.Rows = append(b.Rows, [4]string{f[0], f[1], f[2], f[3]})
	}
	if len(b.Rows) == 0 {
		return b, fmt.Errorf("%s holds no measurement", BenchFile)
	}
	return b, nil
}

// Table renders the results as the Markdown the documents carry between the markers.
func (b Bench) Table() string {
	var s strings.Builder
	s.WriteString(BenchStart + "\n")
	fmt.Fprintf(&s, "Measured %s on %s (`make bench`).\n\n", orDash(b.Meta["date"]), orDash(b.Meta["machine"]))
	s.WriteString("| measurement | wall | peak memory |\n|---|---|---|\n")
	for _, r := range b.Rows {
		name := benchLabels[r[0]]
		if name == "" {
			name = r[0]
		}
		if r[3] != "ok" {
			name += " (" + r[3] + ")"
		}
		fmt.Fprintf(&s, "| %s | %s | %s |\n", name, r[1], r[2])
	}
	if v := b.Meta["synth ratio"]; v != "" {
		fmt.Fprintf(&s, "\nSynth against the floor: %s.\n", v)
	}
	s.WriteString(BenchEnd)
	return s.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var benchBlock = regexp.MustCompile(`(?s)` + regexp.QuoteMeta(BenchStart) + `.*?` + regexp.QuoteMeta(BenchEnd))

// BenchBlocks are the rendered blocks a document holds.
func BenchBlocks(text string) []string { return benchBlock.FindAllString(text, -1) }

// ReplaceBench puts table in place of every block of text.
func ReplaceBench(text, table string) string {
	return benchBlock.ReplaceAllLiteralString(text, table)
}
