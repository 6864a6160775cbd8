package iampolicy

import (
	"strings"
	"testing"
)

func TestWildcards(t *testing.T) {
	root := "arn:aws:iam::111111111111:root"
	cases := []struct {
		name     string
		resource bool // a resource policy (key, queue, trust) rather than an identity policy
		doc      string
		want     string // "" means no finding
	}{
		{"scoped actions", false, New(Allow("Read", []string{"s3:GetObject"}, []string{"arn:aws:s3:::b/*"})).JSON(), ""},
		{"describe on * is a finding", false, New(Allow("Describe", []string{"ec2:Describe*"}, []string{"*"})).JSON(), "Describe: ec2:Describe* on *"},
		{"everything on everything", false, New(Allow("", []string{"*"}, []string{"*"})).JSON(), "statement 0: * on *"},
		{"service wildcard in an identity policy", false, New(Allow("All", []string{"kms:*"}, []string{"*"})).JSON(), "All: kms:* on *"},
		{"AWS default key policy statement", true, New(Statement{Sid: "Root", Effect: "Allow", Principal: map[string][]string{"AWS": {root}}, Action: []string{"kms:*"}, Resource: []string{"*"}}).JSON(), ""},
		{"full wildcard even for the root", true, New(Statement{Sid: "Root", Effect: "Allow", Principal: map[string][]string{"AWS": {root}}, Action: []string{"*"}, Resource: []string{"*"}}).JSON(), "Root: * on *"},
		{"service wildcard to another principal", true, New(Statement{Sid: "Logs", Effect: "Allow", Principal: map[string][]string{"Service": {"logs.amazonaws.com"}}, Action: []string{"kms:*"}, Resource: []string{"*"}}).JSON(), "Logs: kms:* on *"},
		{"scoped service actions in a key policy", true, New(Statement{Sid: "Logs", Effect: "Allow", Principal: map[string][]string{"Service": {"logs.amazonaws.com"}}, Action: []string{"kms:Encrypt*", "kms:GenerateDataKey*"}, Resource: []string{"*"}}).JSON(), ""},
		{"deny is fine", true, New(Statement{Sid: "DenyHTTP", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"sqs:*"}, Resource: []string{"*"}}).JSON(), ""},
		{"NotAction on every resource", false, `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "NotAction on every resource"},
		{"NotResource with a wildcard action", false, `{"Statement":[{"Sid":"X","Effect":"Allow","Action":["s3:*"],"NotResource":"arn:aws:s3:::b"}]}`, "X: s3:* on *"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Wildcards(c.doc, c.resource)
			if !ok {
				t.Fatalf("not recognised as a policy: %s", c.doc)
			}
			joined := strings.Join(got, "; ")
			if (c.want == "") != (len(got) == 0) || !strings.Contains(joined, c.want) {
				t.Errorf("findings %q; want %q", joined, c.want)
			}
		})
	}
	if _, ok := Wildcards(`{"Name":"not a policy"}`, false); ok {
		t.Error("a non-policy JSON value was taken for a policy")
	}
}
