// Package tfval builds the pointer-typed values the jsii bindings take.
package tfval

import "github.com/aws/jsii-runtime-go"

// Tags turns key, value, key, value... into a tags map.
func Tags(kv ...string) *map[string]*string {
	m := make(map[string]*string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = jsii.String(kv[i+1])
	}
	return &m
}

// Strings is a list of string pointers.
func Strings(ss ...string) *[]*string {
	out := make([]*string, len(ss))
	for i, s := range ss {
		out[i] = jsii.String(s)
	}
	return &out
}

// Name joins a prefix and parts with hyphens: Name("phl-dev", "nat", "a") = "phl-dev-nat-a".
func Name(prefix string, parts ...string) string {
	for _, p := range parts {
		prefix += "-" + p
	}
	return prefix
}
