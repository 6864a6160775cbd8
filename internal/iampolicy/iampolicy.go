// Package iampolicy builds IAM and key policy documents as typed Go values, so constructs
// can assert on them in tests and synthesize them as JSON without an AWS lookup at plan time.
package iampolicy

import (
	"encoding/json"
	"fmt"
)

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Values may contain Terraform tokens; they are resolved
// when the stack is synthesized.
type Statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string][]string       `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// New returns a document with the current policy language version.
func New(statements ...Statement) Document {
	return Document{Version: "2012-10-17", Statement: statements}
}

// Allow is an Allow statement.
func Allow(sid string, actions, resources []string) Statement {
	return Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// JSON renders the document; it panics only on values json cannot encode, a programming error.
func (d Document) JSON() string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("iampolicy: %v", err))
	}
	return string(b)
}

// ServiceTrust is a trust policy letting an AWS service assume a role. With conditions (see
// SourceConditions) it guards against the confused-deputy problem; leave them out only for
// services that do not send aws:SourceAccount (EC2 instance profiles, the EKS control plane).
func ServiceTrust(service string, actions []string, conditions map[string]map[string]any) Document {
	return New(Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Service": {service}},
		Action:    actions,
		Condition: conditions,
	})
}

// SourceConditions limits a service principal to requests made for this account and, when
// sourceArn is set, for resources matching it.
func SourceConditions(accountID, sourceArn string) map[string]map[string]any {
	cond := map[string]map[string]any{"StringEquals": {"aws:SourceAccount": accountID}}
	if sourceArn != "" {
		cond["ArnLike"] = map[string]any{"aws:SourceArn": sourceArn}
	}
	return cond
}

// AssumeRole is the action list of an ordinary service trust.
var AssumeRole = []string{"sts:AssumeRole"}
