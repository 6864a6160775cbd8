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

// KeyAdministeredByAccount is AWS's default key policy statement: "*" means this key, and
// access is then granted by IAM policies in the account (so the key can never be orphaned).
func KeyAdministeredByAccount(partition, accountID string) Statement {
	return Statement{Sid: "AccountAdministersTheKeyThroughIAM", Effect: "Allow",
		Principal: map[string][]string{"AWS": {"arn:" + partition + ":iam::" + accountID + ":root"}},
		Action:    []string{"kms:*"}, Resource: []string{"*"}}
}

// LogsMayUseKey lets CloudWatch Logs of a region encrypt log groups whose ARN matches
// logGroupArn with the key (CloudWatch Logs user guide, "Encrypt log data using AWS KMS").
func LogsMayUseKey(sid, region, logGroupArn string) Statement {
	return Statement{Sid: sid, Effect: "Allow",
		Principal: map[string][]string{"Service": {"logs." + region + ".amazonaws.com"}},
		Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
		Resource:  []string{"*"},
		Condition: map[string]map[string]any{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": logGroupArn}}}
}

// When returns the statement with condition operator/values pairs added:
// s.When("StringEquals", map[string]any{"aws:RequestedRegion": "eu-west-1"}).
func (s Statement) When(kv ...any) Statement {
	cond := map[string]map[string]any{}
	for op, v := range s.Condition {
		cond[op] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		cond[kv[i].(string)] = kv[i+1].(map[string]any)
	}
	s.Condition = cond
	return s
}

// PodIdentityTrust lets EKS Pod Identity hand a role to one service account of one cluster.
// EKS Pod Identity assumes the role with session tags (eks-cluster-arn, kubernetes-namespace,
// kubernetes-service-account, ...); the EKS user guide ("Create IAM role with trust policy
// required by EKS Pod Identity", "Grant Pods access to AWS resources based on tags") scopes a
// role with aws:RequestTag conditions on them. aws:SourceArn is not used: what EKS puts there
// is undocumented, and public reports show such conditions breaking credential delivery.
func PodIdentityTrust(accountID, clusterArn, namespace, serviceAccount string) Document {
	return ServiceTrust("pods.eks.amazonaws.com", []string{"sts:AssumeRole", "sts:TagSession"},
		map[string]map[string]any{
			"StringEquals": {
				"aws:SourceAccount":                         accountID,
				"aws:RequestTag/eks-cluster-arn":            clusterArn,
				"aws:RequestTag/kubernetes-namespace":       namespace,
				"aws:RequestTag/kubernetes-service-account": serviceAccount,
			},
		})
}
