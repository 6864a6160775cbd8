package iampolicy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// accountRoot is the principal of AWS's default key policy statement ("Enable IAM User
// Permissions"): it delegates the key to the account's IAM policies and prevents a key that
// nobody can administer. It is the one principal a resource policy may give a service-wide
// wildcard ("kms:*").
var accountRoot = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:root$`)

// Wildcards returns the Allow statements of a policy document that grant wildcard actions too
// broadly. doc is the JSON text; a value that is not a policy document yields ok=false.
//   - Identity policies (resourcePolicy false): any action with "*" (or NotAction) on every
//     resource ("*" or NotResource).
//   - Resource policies (key, queue, bucket, secret and trust policies; resourcePolicy true),
//     where "Resource": "*" means the resource itself: the action "*" (or NotAction) for anyone,
//     and a service-wide "svc:*" for anyone but the account root.
func Wildcards(doc string, resourcePolicy bool) (findings []string, ok bool) {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil || len(d.Statement) == 0 {
		return nil, false
	}
	var statements []map[string]any
	if json.Unmarshal(d.Statement, &statements) != nil {
		var single map[string]any
		if json.Unmarshal(d.Statement, &single) != nil {
			return nil, false
		}
		statements = []map[string]any{single}
	}
	for i, s := range statements {
		if s["Effect"] != "Allow" {
			continue
		}
		name := fmt.Sprintf("statement %d", i)
		if sid, _ := s["Sid"].(string); sid != "" {
			name = sid
		}
		everyResource := s["NotResource"] != nil || contains(Strings(s["Resource"]), "*")
		if !everyResource && !resourcePolicy {
			continue
		}
		if s["NotAction"] != nil {
			findings = append(findings, name+": NotAction on every resource")
			continue
		}
		for _, a := range Strings(s["Action"]) {
			broad := strings.Contains(a, "*")
			if resourcePolicy {
				broad = a == "*" || (strings.HasSuffix(a, ":*") && !onlyAccountRoot(s["Principal"]))
			}
			if broad {
				findings = append(findings, fmt.Sprintf("%s: %s on *", name, a))
			}
		}
	}
	return findings, true
}

func onlyAccountRoot(principal any) bool {
	m, _ := principal.(map[string]any)
	if len(m) != 1 {
		return false
	}
	arns := Strings(m["AWS"])
	for _, a := range arns {
		if !accountRoot.MatchString(a) {
			return false
		}
	}
	return len(arns) > 0
}

// Strings reads a policy element that IAM accepts as a string or a list of strings (Action,
// Resource, a condition's values).
func Strings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func contains(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}
