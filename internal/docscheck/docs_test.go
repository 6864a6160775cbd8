package docscheck

// The docs test: every make target, path, config key, environment variable and link that
// README.md and docs/*.md name exists; every shell block is run by a named test or marked as
// needing an AWS account; the benchmark figures are the committed `make bench` results.
// PHL_DOCS_ROOT points it at a planted copy of the repository (rung 1's self-test).

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/phl-platform/phl-platform/config"
)

func root() string {
	if r := os.Getenv("PHL_DOCS_ROOT"); r != "" {
		return r
	}
	return filepath.Join("..", "..")
}

func load(t *testing.T) []*Doc {
	t.Helper()
	docs, err := Load(root())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("only %d documents under %s", len(docs), root())
	}
	return docs
}

// commands are the shell lines of the documents' sh blocks and their code spans.
func codeTexts(docs []*Doc) []Span {
	var out []Span
	for _, d := range docs {
		out = append(out, d.CodeSpans()...)
		for _, b := range d.Blocks() {
			if isShell(b.Info) {
				out = append(out, b)
			}
		}
	}
	return out
}

func isShell(info string) bool { return info == "sh" || info == "bash" || info == "shell" }

var makeTarget = regexp.MustCompile(`(?:^|[\s(;&|])make +([a-z][a-z0-9-]*)`)

func TestMakeTargetsExist(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(root(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = true
	}
	n := 0
	for _, s := range codeTexts(load(t)) {
		for _, m := range makeTarget.FindAllStringSubmatch(s.Text, -1) {
			n++
			if !targets[m[1]] {
				t.Errorf("%s: make %s: the Makefile has no target %q", s.Where(), m[1], m[1])
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d make commands found: the parser lost them", n)
	}
}

// topLevel are the repository's top-level names a path may start with; generated or per-machine
// folders (cdktf.out, .work, state, bin, .gen, node_modules) are not checked.
var topLevel = []string{".ci", ".github", "cmd", "config", "constructs", "docs", "environments", "gitops", "internal",
	"scripts", "security", "stacks", "tools", "Makefile", "main.go", "cdktf.json", "go.mod", "go.sum", "atlantis.yaml",
	".terraform.lock.hcl", "package.json", "package-lock.json", "README.md"}

var (
	placeholder = regexp.MustCompile(`<[^>]*>`)
	lineSuffix  = regexp.MustCompile(`:\d+(-\d+)?(,\d+)*$`)
)

// pathIn returns the repository path a token names, or "" when it names none.
func pathIn(token string) string {
	p := strings.Trim(token, "\"'(),;[]")
	p, _, _ = strings.Cut(p, "::") // FILE::TestName
	p = strings.TrimPrefix(p, "./")
	p = lineSuffix.ReplaceAllString(p, "")
	if p == "" || strings.Contains(p, "://") || strings.Contains(p, "…") || strings.Contains(p, "...") || strings.Contains(p, "$") {
		return ""
	}
	first, _, _ := strings.Cut(p, "/")
	if !slices.Contains(topLevel, first) || (first == p && !strings.Contains(p, ".")) {
		return ""
	}
	return placeholder.ReplaceAllString(p, "*")
}

func TestPathsExist(t *testing.T) {
	n := 0
	check := func(s Span, token string) {
		p := pathIn(token)
		if p == "" {
			return
		}
		n++
		if pkg, sym, ok := goSymbol(p); ok { // internal/ci.PlanDigest
			if !declares(pkg, sym) {
				t.Errorf("%s: %s: package %s declares no %s", s.Where(), token, pkg, sym)
			}
			return
		}
		matches, err := filepath.Glob(filepath.Join(root(), strings.TrimSuffix(p, "/")))
		if err != nil || len(matches) == 0 {
			t.Errorf("%s: %s names a path the repository does not have", s.Where(), token)
			return
		}
		if _, name, ok := strings.Cut(strings.Trim(token, "\"'(),;[]"), "::"); ok { // FILE::TestName
			if _, err := testBody(strings.TrimPrefix(p, "./") + "::" + name); err != nil {
				t.Errorf("%s: %s: %v", s.Where(), token, err)
			}
		}
	}
	for _, s := range codeTexts(load(t)) {
		for _, tok := range strings.Fields(s.Text) {
			check(s, tok)
		}
	}
	for _, d := range load(t) {
		for _, b := range d.Blocks() { // the layout listing: a path first on each line
			if b.Info == "text" {
				for _, l := range strings.Split(b.Text, "\n") {
					if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(l, " ") {
						check(b, f[0])
					}
				}
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d paths found: the parser lost them", n)
	}
}

// Relative links lead to a file of the repository, and a #fragment to one of its headings.
func TestLinksResolve(t *testing.T) {
	docs := load(t)
	anchors := map[string]map[string]bool{}
	for _, d := range docs {
		anchors[d.Path] = d.Anchors()
	}
	for _, d := range docs {
		for _, l := range d.Links() {
			target := l.Text
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			path := d.Path
			if file != "" {
				path = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(d.Path), file)))
				if _, err := os.Stat(filepath.Join(root(), path)); err != nil {
					t.Errorf("%s: link %s: no file %s", l.Where(), target, path)
					continue
				}
			}
			if frag != "" {
				a, ok := anchors[path]
				if !ok {
					continue // a fragment into a non-Markdown file (a line anchor): not ours to parse
				}
				if !a[frag] {
					t.Errorf("%s: link %s: %s has no heading #%s", l.Where(), target, path, frag)
				}
			}
		}
	}
}

// The configuration reference lists exactly the keys config accepts, and every dotted key the
// documents name is a key of config or of a chart's values.
func TestConfigKeys(t *testing.T) {
	docs := load(t)
	var ref *Doc
	for _, d := range docs {
		if d.Path == "docs/configuration.md" {
			ref = d
		}
	}
	if ref == nil {
		t.Fatal("no docs/configuration.md")
	}
	documented := map[string]bool{}
	for _, l := range ref.Prose() {
		if !strings.HasPrefix(l.Text, "| `") {
			continue
		}
		cell := strings.Split(l.Text, "|")[1]
		prefix := ""
		for _, m := range codeSpan.FindAllStringSubmatch(cell, -1) {
			k := m[1]
			if i := strings.LastIndex(k, "."); i >= 0 {
				prefix = k[:i+1]
			} else if prefix != "" && !strings.Contains(k, ".") {
				k = prefix + k
			}
			documented[k] = true
		}
	}
	keys := append(config.Keys(), config.BootstrapKeys()...)
	for _, k := range keys {
		if !documented[k] {
			t.Errorf("docs/configuration.md: config key %s is not in the reference tables", k)
		}
	}
	for k := range documented {
		if !slices.Contains(keys, k) {
			t.Errorf("docs/configuration.md: %s is documented but config has no such key", k)
		}
	}

	sections := map[string]bool{}
	for _, k := range config.Keys() {
		if s, _, ok := strings.Cut(k, "."); ok {
			sections[s] = true
		}
	}
	values := chartValues(t)
	dotted := regexp.MustCompile(`^([a-z][A-Za-z0-9_]*)(\.[A-Za-z0-9_]+)+$`)
	for _, s := range codeTexts(docs) {
		if s.Info != "" {
			continue
		}
		k, _, _ := strings.Cut(s.Text, ":")
		m := dotted.FindStringSubmatch(k)
		if m == nil || (!sections[m[1]] && !values.top[m[1]]) || fileName.MatchString(k) {
			continue
		}
		if pkg, sym, ok := goSymbol(k); ok { // config.KubernetesVersions
			if !declares(pkg, sym) {
				t.Errorf("%s: %s: package %s declares no %s", s.Where(), k, pkg, sym)
			}
			continue
		}
		if !isKeyOrPrefix(k, config.Keys()) && !values.paths[k] {
			t.Errorf("%s: %s is neither a config key nor a chart value", s.Where(), k)
		}
	}
}

func isKeyOrPrefix(k string, keys []string) bool {
	for _, key := range keys {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

type valuePaths struct{ top, paths map[string]bool }

// chartValues are the dotted paths of every chart's values files.
func chartValues(t *testing.T) valuePaths {
	t.Helper()
	v := valuePaths{top: map[string]bool{}, paths: map[string]bool{}}
	files, _ := filepath.Glob(filepath.Join(root(), "gitops", "charts", "*", "values*.yaml"))
	if len(files) == 0 {
		t.Fatal("no chart values files")
	}
	var walk func(prefix string, n any)
	walk = func(prefix string, n any) {
		if m, ok := n.(map[string]any); ok {
			for k, c := range m {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				} else {
					v.top[k] = true
				}
				v.paths[p] = true
				walk(p, c)
			}
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk("", doc)
	}
	return v
}

// generated are folders of the work tree that are not the repository's own text.
var generated = map[string]bool{"node_modules": true, "cdktf.out": true, "bin": true, "state": true}

var envVar = regexp.MustCompile(`\b(PHL_[A-Z0-9_]+|TF_VAR_[a-z0-9_]+|CDKTF_[A-Z0-9_]+|ONLY_RUNG|SYNTH_HCL_OUTPUT)\b`)

// Every environment variable of ours the documents name is read somewhere outside them.
func TestEnvironmentVariablesExist(t *testing.T) {
	var code strings.Builder
	err := filepath.WalkDir(root(), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && path != root() && (strings.HasPrefix(e.Name(), ".") && e.Name() != ".github" && e.Name() != ".ci" || generated[e.Name()]) {
			return filepath.SkipDir
		}
		if !e.IsDir() && !strings.HasSuffix(path, ".md") {
			if b, err := os.ReadFile(path); err == nil {
				code.Write(b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range load(t) {
		for _, s := range d.Prose() {
			for _, v := range envVar.FindAllString(s.Text, -1) {
				seen[v] = true
				if !strings.Contains(code.String(), v) {
					t.Errorf("%s: %s is read by nothing in the repository", s.Where(), v)
				}
			}
		}
	}
	if len(seen) < 3 {
		t.Errorf("only %d environment variables found: %v", len(seen), seen)
	}
}

var testedBy = regexp.MustCompile(`^# tested by: (.+)$`)

// Every shell block starts with "# needs an AWS account" (or "# needs internet", for what only
// the Terraform registry can give) or "# tested by: FILE[::TestName][, ...]"; each named test
// exists and mentions what each command of the block runs.
func TestShellBlocksAreTestedOrNeedAWS(t *testing.T) {
	n := 0
	for _, d := range load(t) {
		for _, b := range d.Blocks() {
			if !isShell(b.Info) {
				continue
			}
			n++
			first, rest, _ := strings.Cut(b.Text, "\n")
			first = strings.TrimSpace(first)
			if strings.HasPrefix(first, "# needs an AWS account") || strings.HasPrefix(first, "# needs internet") {
				continue
			}
			m := testedBy.FindStringSubmatch(first)
			if m == nil {
				t.Errorf("%s: a shell block must start with \"# needs an AWS account\" or \"# tested by: FILE::TestName\"; it starts %q", b.Where(), first)
				continue
			}
			var bodies []string
			for _, ref := range strings.Split(m[1], ",") {
				ref, _, _ = strings.Cut(strings.TrimSpace(ref), " ")
				body, err := testBody(ref)
				if err != nil {
					t.Errorf("%s: %v", b.Where(), err)
				}
				bodies = append(bodies, body)
			}
			for _, cmd := range commands(rest) {
				key := commandKey(cmd)
				if !slices.ContainsFunc(bodies, func(body string) bool { return strings.Contains(body, key) }) {
					t.Errorf("%s: %q: no test named in %q mentions %q", b.Where(), cmd, m[1], key)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d shell blocks found", n)
	}
}

// testBody is a Go test function's source (FILE::TestName) or a script's whole text (FILE).
func testBody(ref string) (string, error) {
	file, name, _ := strings.Cut(ref, "::")
	b, err := os.ReadFile(filepath.Join(root(), file))
	if err != nil {
		return "", err
	}
	src := string(b)
	if name == "" {
		return src, nil
	}
	i := strings.Index(src, "func "+name+"(")
	if i < 0 {
		return "", &missingTest{file, name}
	}
	body := src[i:]
	if j := strings.Index(body[1:], "\nfunc "); j >= 0 {
		body = body[:j+1]
	}
	return body, nil
}

type missingTest struct{ file, name string }

func (e *missingTest) Error() string { return e.file + " has no func " + e.name }

// commands are a block's command lines: no comments, continuations joined.
func commands(text string) []string {
	var out []string
	cont := false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		wasCont := cont
		cont = strings.HasSuffix(t, "\\")
		if t == "" || strings.HasPrefix(t, "#") || wasCont {
			continue
		}
		if i := strings.Index(t, " #"); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		out = append(out, t)
	}
	return out
}

// commandKey is what a test running cmd must mention: the make target, the script or the
// command's package.
func commandKey(cmd string) string {
	if m := makeTarget.FindStringSubmatch(cmd); m != nil {
		return `"` + m[1] + `"`
	}
	for _, f := range strings.Fields(cmd) {
		if strings.HasPrefix(f, "scripts/") || strings.HasPrefix(f, "./cmd/") || strings.HasPrefix(f, "./tools/") {
			return filepath.Base(f)
		}
	}
	return strings.Fields(cmd)[0]
}

// The benchmark tables are the committed `make bench` results, rendered.
func TestBenchFiguresAreTheLatestRun(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root(), BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseBench(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := b.Table()
	n := 0
	for _, d := range load(t) {
		for _, got := range BenchBlocks(strings.Join(d.Lines, "\n")) {
			n++
			if got != want {
				t.Errorf("%s: the benchmark table is not %s rendered: run go run ./tools/docs bench (make bench does)", d.Path, BenchFile)
			}
		}
	}
	if n == 0 {
		t.Error("no document carries the benchmark table")
	}
}

var fileName = regexp.MustCompile(`\.(json|ya?ml|go|md|sh|tsv|svg|png|tf|hcl|txt)$`)

// goSymbol splits a reference to a Go declaration, pkg.Name with Name exported, into the
// package's folder and the name. pkg is a folder of the repository (internal/ci) or the last
// element of one (config, database).
func goSymbol(ref string) (dir, name string, ok bool) {
	i := strings.LastIndex(ref, ".")
	if i < 0 || i == len(ref)-1 || ref[i+1] < 'A' || ref[i+1] > 'Z' {
		return "", "", false
	}
	pkg, name := ref[:i], ref[i+1:]
	if fi, err := os.Stat(filepath.Join(root(), pkg)); err == nil && fi.IsDir() {
		return pkg, name, true
	}
	for _, parent := range []string{".", "constructs", "internal", "stacks"} {
		if fi, err := os.Stat(filepath.Join(root(), parent, pkg)); err == nil && fi.IsDir() {
			return filepath.ToSlash(filepath.Join(parent, pkg)), name, true
		}
	}
	return "", "", false
}

// declares says whether a Go file of the package in dir declares name at top level.
func declares(dir, name string) bool {
	files, _ := filepath.Glob(filepath.Join(root(), dir, "*.go"))
	decl := regexp.MustCompile(`(?m)^(func|type|var|const) (\([^)]*\) )?` + regexp.QuoteMeta(name) + `\b|^\t` + regexp.QuoteMeta(name) + `\b.*=`)
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && decl.Match(b) {
			return true
		}
	}
	return false
}
