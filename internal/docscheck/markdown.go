// Package docscheck reads the user's documents (README.md and docs/*.md) the way the docs test
// needs them: code spans, fenced blocks, links and headings, with their file and line, so a
// test can hold every name they mention to the repository.
package docscheck

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Doc is one Markdown file.
type Doc struct {
	Path  string // relative to the repository root, slash-separated
	Lines []string
}

// Span is a piece of a document: an inline code span, a link target or a fenced block.
type Span struct {
	Doc  *Doc
	Line int // 1-based
	Text string
	Info string // a fenced block's info string (sh, text, ...)
}

// Where names the span's place for an error message.
func (s Span) Where() string { return s.Doc.Path + ":" + itoa(s.Line) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Load reads README.md and every docs/*.md under root, sorted.
func Load(root string) ([]*Doc, error) {
	paths, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	paths = append([]string{filepath.Join(root, "README.md")}, paths...)
	var docs []*Doc
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, p)
		docs = append(docs, &Doc{Path: filepath.ToSlash(rel), Lines: strings.Split(string(b), "\n")})
	}
	return docs, nil
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	link     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading  = regexp.MustCompile(`^(#{1,6}) +(.*)$`)
)

// walk calls prose for each line outside fenced blocks and block for each fenced block.
func (d *Doc) walk(prose func(line int, text string), block func(Span)) {
	for i := 0; i < len(d.Lines); i++ {
		l := d.Lines[i]
		if fence, ok := strings.CutPrefix(strings.TrimLeft(l, " "), "```"); ok {
			start := i
			var body []string
			for i++; i < len(d.Lines) && !strings.HasPrefix(strings.TrimLeft(d.Lines[i], " "), "```"); i++ {
				body = append(body, d.Lines[i])
			}
			if block != nil {
				block(Span{Doc: d, Line: start + 1, Text: strings.Join(body, "\n"), Info: strings.TrimSpace(fence)})
			}
			continue
		}
		if prose != nil {
			prose(i+1, l)
		}
	}
}

// CodeSpans are the inline code spans outside fenced blocks.
func (d *Doc) CodeSpans() []Span {
	var out []Span
	d.walk(func(n int, l string) {
		for _, m := range codeSpan.FindAllStringSubmatch(l, -1) {
			out = append(out, Span{Doc: d, Line: n, Text: m[1]})
		}
	}, nil)
	return out
}

// Blocks are the fenced blocks.
func (d *Doc) Blocks() []Span {
	var out []Span
	d.walk(nil, func(s Span) { out = append(out, s) })
	return out
}

// Links are the targets of Markdown links outside fenced blocks and code spans.
func (d *Doc) Links() []Span {
	var out []Span
	d.walk(func(n int, l string) {
		for _, m := range link.FindAllStringSubmatch(codeSpan.ReplaceAllString(l, ""), -1) {
			out = append(out, Span{Doc: d, Line: n, Text: m[1]})
		}
	}, nil)
	return out
}

// Prose is the text outside fenced blocks, a span per line.
func (d *Doc) Prose() []Span {
	var out []Span
	d.walk(func(n int, l string) { out = append(out, Span{Doc: d, Line: n, Text: l}) }, nil)
	return out
}

// Anchors are the fragment names GitHub gives the document's headings.
func (d *Doc) Anchors() map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	d.walk(func(_ int, l string) {
		m := heading.FindStringSubmatch(l)
		if m == nil {
			return
		}
		a := Slug(m[2])
		if n := seen[a]; n > 0 {
			out[a+"-"+itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}, nil)
	return out
}

// Slug is GitHub's heading anchor: lower case, punctuation other than '-' and '_' dropped,
// spaces turned into '-'.
func Slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
