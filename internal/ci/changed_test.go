package ci

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// synthOut writes a cdktf output: stacks name -> (dependencies, Terraform JSON).
func synthOut(t *testing.T, stacks map[string]struct {
	deps []string
	doc  string
}) *Manifest {
	t.Helper()
	dir := t.TempDir()
	manifest := map[string]any{}
	for name, s := range stacks {
		path := filepath.Join("stacks", name, "cdk.tf.json")
		if err := os.MkdirAll(filepath.Join(dir, "stacks", name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(s.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		deps := s.deps
		if deps == nil {
			deps = []string{}
		}
		manifest[name] = map[string]any{"dependencies": deps, "synthesizedStackPath": path}
	}
	data, _ := json.Marshal(map[string]any{"stacks": manifest})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type stk = struct {
	deps []string
	doc  string
}

func graph(docs map[string]string) map[string]stk {
	deps := map[string][]string{
		"dev-network": nil, "dev-cluster": {"dev-network"}, "dev-database": {"dev-network"},
		"dev-gateway": {"dev-network", "dev-cluster"}, "dev-gitops": {"dev-cluster", "dev-database", "dev-gateway", "dev-network"},
		"prod-network": nil,
	}
	out := map[string]stk{}
	for name, d := range deps {
		doc := `{"resource":{"x":{"` + name + `":{}}}}`
		if v, ok := docs[name]; ok {
			doc = v
		}
		if v, ok := docs[name]; !ok || v != "" {
			out[name] = stk{d, doc}
		}
	}
	return out
}

func TestChanged(t *testing.T) {
	base := synthOut(t, graph(nil))
	for _, c := range []struct {
		name    string
		head    map[string]string
		plan    []string
		why     map[string]string
		removed []string
	}{
		{"nothing changed", nil, nil, map[string]string{}, nil},
		{"formatting only", map[string]string{"dev-network": "{\n  \"resource\": {\"x\": {\"dev-network\": {}}}\n}"}, nil, map[string]string{}, nil},
		{"the database: it and its dependents", map[string]string{"dev-database": `{"resource":{"y":{}}}`},
			[]string{"dev-database", "dev-gitops"}, map[string]string{"dev-database": "changed", "dev-gitops": "depends on dev-database"}, nil},
		{"the network: every dev stack, in graph order", map[string]string{"dev-network": `{}`},
			[]string{"dev-network", "dev-cluster", "dev-database", "dev-gateway", "dev-gitops"}, nil, nil},
		{"prod only", map[string]string{"prod-network": `{}`}, []string{"prod-network"}, map[string]string{"prod-network": "changed"}, nil},
		{"a stack removed", map[string]string{"prod-network": ""}, nil, map[string]string{}, []string{"prod-network"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Changed(base, synthOut(t, graph(c.head)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Plan, c.plan) || !reflect.DeepEqual(got.Removed, c.removed) {
				t.Errorf("plan %v removed %v; want %v and %v", got.Plan, got.Removed, c.plan, c.removed)
			}
			if c.why != nil && !reflect.DeepEqual(got.Why, c.why) {
				t.Errorf("why %v; want %v", got.Why, c.why)
			}
		})
	}
	t.Run("new stack", func(t *testing.T) {
		g := graph(nil)
		delete(g, "dev-gitops")
		got, err := Changed(synthOut(t, g), synthOut(t, graph(nil)))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Plan, []string{"dev-gitops"}) || got.Why["dev-gitops"] != "new" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("only", func(t *testing.T) {
		got, _ := Changed(base, synthOut(t, graph(map[string]string{"dev-network": `{}`})))
		if only := got.Only(func(s string) bool { return !strings.HasSuffix(s, "-gitops") }); !reflect.DeepEqual(only, []string{"dev-network", "dev-cluster", "dev-database", "dev-gateway"}) {
			t.Errorf("Only = %v", only)
		}
	})
}

func TestLevels(t *testing.T) {
	m := synthOut(t, graph(nil))
	got, err := m.Levels()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"dev-network", "prod-network"}, {"dev-cluster", "dev-database"}, {"dev-gateway"}, {"dev-gitops"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("levels %v; want %v", got, want)
	}
	cyc := synthOut(t, map[string]stk{"a": {[]string{"b"}, "{}"}, "b": {[]string{"a"}, "{}"}})
	if _, err := cyc.Levels(); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a cycle: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"stacks":{"a":{"dependencies":["zz"]}}}`), 0o644)
	if _, err := LoadManifest(dir); err == nil || !strings.Contains(err.Error(), "zz") {
		t.Errorf("unknown dependency: %v", err)
	}
}
