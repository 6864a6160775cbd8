package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/rdsca"
)

// synthesized is one stack's Terraform JSON.
type synthesized struct {
	t   *testing.T
	doc map[string]any
}

// TestMain stops the jsii kernel after the tests, so it removes its scratch folder.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// synthStack builds a stack in a fresh test app and parses its Terraform JSON.
func synthStack(t *testing.T, build func(app constructs.Construct) cdktf.TerraformStack) *synthesized {
	t.Helper()
	app := cdktf.Testing_App(&cdktf.TestingAppConfig{Outdir: jsii.String(t.TempDir())})
	stack := build(app)
	var doc map[string]any
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(stack, nil)), &doc); err != nil {
		t.Fatalf("synthesized JSON does not parse: %v", err)
	}
	return &synthesized{t: t, doc: doc}
}

// shipped loads a shipped environment file.
func shipped(t *testing.T, name string) *config.Environment {
	t.Helper()
	env, err := config.LoadFile(filepath.Join("..", config.DefaultDir, name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// resources returns every resource of a type, keyed by its Terraform name, sorted access via names().
func (s *synthesized) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := s.doc["resource"].(map[string]any)
	byName, _ := all[typ].(map[string]any)
	for name, body := range byName {
		out[name] = body.(map[string]any)
	}
	return out
}

// only returns the single resource of a type, failing when there is not exactly one.
func (s *synthesized) only(typ string) (string, map[string]any) {
	s.t.Helper()
	rs := s.resources(typ)
	if len(rs) != 1 {
		s.t.Fatalf("%d %s resources; want exactly 1", len(rs), typ)
	}
	for n, r := range rs {
		return n, r
	}
	return "", nil
}

// path walks nested maps, e.g. s.path("terraform", "backend", "s3").
func (s *synthesized) path(keys ...string) any {
	var cur any = s.doc
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func ref(typ, name, attr string) string { return fmt.Sprintf("${%s.%s.%s}", typ, name, attr) }

func tagsOf(r map[string]any) map[string]any {
	t, _ := r["tags"].(map[string]any)
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// policyStatements decodes a policy JSON string held by a resource attribute.
func policyStatements(t *testing.T, policy any) []map[string]any {
	t.Helper()
	var doc struct{ Statement []map[string]any }
	s, _ := policy.(string)
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v: %s", err, s)
	}
	return doc.Statement
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return nil
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// assertOutputs checks that a stack declares the outputs later stacks and operators read, and
// that none is secret (secrets never go through Terraform outputs).
func assertOutputs(t *testing.T, s *synthesized, names ...string) {
	t.Helper()
	outputs, _ := s.doc["output"].(map[string]any)
	for _, name := range names {
		o, ok := outputs[name].(map[string]any)
		if !ok {
			t.Errorf("output %s missing", name)
			continue
		}
		if o["sensitive"] == true {
			t.Errorf("output %s is sensitive; outputs must carry no secrets", name)
		}
	}
}

// testArtifacts are the build's inputs for synth tests: a fixed image digest, the real RDS CA
// bundles (from node_modules) of every shipped environment's region.
func testArtifacts() Artifacts {
	bundles := map[string]string{}
	for _, region := range []string{"ap-southeast-1", "eu-west-1", "us-east-1"} {
		b, err := rdsca.Bundle("..", region)
		if err != nil {
			panic(err)
		}
		bundles[region] = b
	}
	return Artifacts{RepoRoot: "..", BootstrapImageDigest: "sha256:" + strings.Repeat("ab", 32), RDSCABundles: bundles}
}
