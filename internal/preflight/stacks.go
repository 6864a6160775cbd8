package preflight

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Output is a cdktf synth output directory (cdktf.out): its manifest and every stack's
// Terraform JSON.
type Output struct {
	Dir          string
	Synthesized  time.Time // the manifest's modification time
	stacks       map[string]*Stack
	manifestPath string
}

// Stack is one synthesized stack's Terraform JSON.
type Stack struct {
	Name string
	Path string
	Doc  map[string]any
}

// Resource is one resource block of a stack.
type Resource struct {
	Type, Name string
	Attrs      map[string]any
}

// LoadOutput reads dir/manifest.json and every stack it lists.
func LoadOutput(dir string) (*Output, error) {
	manifestPath := filepath.Join(dir, "manifest.json")
	info, err := os.Stat(manifestPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (synthesize first: make synth)", manifestPath, err)
	}
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	var manifest struct {
		Stacks map[string]struct {
			SynthesizedStackPath string `json:"synthesizedStackPath"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("%s: not a cdktf manifest: %w", manifestPath, err)
	}
	out := &Output{Dir: dir, Synthesized: info.ModTime(), stacks: map[string]*Stack{}, manifestPath: manifestPath}
	for name, s := range manifest.Stacks {
		path := filepath.Join(dir, s.SynthesizedStackPath)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w (synthesize again: make synth)", name, err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: not Terraform JSON: %w", path, err)
		}
		out.stacks[name] = &Stack{Name: name, Path: path, Doc: doc}
	}
	return out, nil
}

// Stack returns a stack by name, nil when the manifest does not list it.
func (o *Output) Stack(name string) *Stack { return o.stacks[name] }

// Names lists the stacks, sorted.
func (o *Output) Names() []string {
	names := make([]string, 0, len(o.stacks))
	for n := range o.stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resources returns every resource of a type, sorted by name; none for a nil stack.
func (s *Stack) Resources(typ string) []Resource {
	if s == nil {
		return nil
	}
	all, _ := s.Doc["resource"].(map[string]any)
	byName, _ := all[typ].(map[string]any)
	out := make([]Resource, 0, len(byName))
	for name, body := range byName {
		attrs, _ := body.(map[string]any)
		out = append(out, Resource{Type: typ, Name: name, Attrs: attrs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Resource returns one resource by type and name.
func (s *Stack) Resource(typ, name string) (Resource, bool) {
	for _, r := range s.Resources(typ) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Backend is the stack's `terraform.backend`: its kind ("s3", "local") and settings.
func (s *Stack) Backend() (string, map[string]any) {
	if s == nil {
		return "", nil
	}
	backend, _ := path(s.Doc, "terraform", "backend").(map[string]any)
	for kind, v := range backend {
		attrs, _ := v.(map[string]any)
		return kind, attrs
	}
	return "", nil
}

// Provider is the stack's first aws provider block.
func (s *Stack) Provider() map[string]any {
	if s == nil {
		return nil
	}
	list, _ := path(s.Doc, "provider", "aws").([]any)
	if len(list) == 0 {
		return nil
	}
	p, _ := list[0].(map[string]any)
	return p
}

// Literal returns a string attribute; ok is false when it is absent, not a string, or a
// Terraform expression (`${...}`) whose value is known only at apply.
func (r Resource) Literal(key string) (string, bool) {
	return literal(r.Attrs[key])
}

// Get walks nested attributes: r.Get("scaling_config", "max_size").
func (r Resource) Get(keys ...string) any { return path(r.Attrs, keys...) }

// Strings returns a list attribute's literal strings, and whether every item was literal.
func (r Resource) Strings(key string) ([]string, bool) {
	list, _ := r.Attrs[key].([]any)
	out := make([]string, 0, len(list))
	all := true
	for _, v := range list {
		if s, ok := literal(v); ok {
			out = append(out, s)
		} else {
			all = false
		}
	}
	return out, all && r.Attrs[key] != nil
}

func literal(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || isExpression(s) {
		return "", false
	}
	return s, true
}

// isExpression tells whether a value holds a Terraform interpolation.
func isExpression(s string) bool { return strings.Contains(s, "${") }

var refPattern = regexp.MustCompile(`^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$`)

// reference splits "${aws_subnet.NAME.id}" into the resource type and name it points to.
func reference(v any) (typ, name string, ok bool) {
	s, _ := v.(string)
	m := refPattern.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// number reads a JSON number attribute.
func number(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

// only returns the stack's single resource of a type; otherwise it fails check and reports false.
func (r *runner) only(st *Stack, typ, check string) (Resource, bool) {
	rs := st.Resources(typ)
	if len(rs) != 1 {
		r.fail(check, fmt.Sprintf("%d %s resources in %s; want 1", len(rs), typ, st.Name), "synthesize again: make synth")
		return Resource{}, false
	}
	return rs[0], true
}
