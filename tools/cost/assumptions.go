package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Assumptions are the usage figures no configuration can give (traffic, stored bytes,
// requests), per environment, committed in assumptions.json and printed with every report so
// nobody mistakes them for measurements.
type Assumptions struct {
	Note         []string                   `json:"note"`
	Environments map[string]*EnvAssumptions `json:"environments"`
}

// EnvAssumptions is one environment's usage per month. A figure a stack needs but the file
// leaves out fails the run (a missing figure is not zero).
type EnvAssumptions struct {
	Why string `json:"why"`
	// GB through all NAT gateways of the environment, split evenly between them.
	NATProcessedGB *float64 `json:"nat_processed_gb,omitempty"`
	// GB through all interface endpoints, split evenly between them.
	InterfaceEndpointGB *float64 `json:"interface_endpoint_processed_gb,omitempty"`
	// Aurora Standard cluster volume, I/O requests and backup storage billed beyond the free
	// amount (backups up to the cluster volume's size are free).
	AuroraStorageGB  *float64 `json:"aurora_storage_gb,omitempty"`
	AuroraIOMillions *float64 `json:"aurora_io_millions,omitempty"`
	AuroraBackupGB   *float64 `json:"aurora_billed_backup_gb,omitempty"`
	// Average LCUs each ALB consumes per hour.
	ALBLCU *float64 `json:"alb_lcu_per_hour,omitempty"`
	// HTTP API requests and WAF-inspected requests, in millions per month.
	APIRequestsMillions *float64 `json:"api_requests_millions,omitempty"`
	WAFRequestsMillions *float64 `json:"waf_requests_millions,omitempty"`
	// Successful client-credentials token responses per month (all M2M app clients).
	CognitoM2MTokens *float64 `json:"cognito_m2m_tokens,omitempty"`
	// GB ingested per month into each log group, by name prefix (longest prefix wins; a log
	// group matching none fails the run).
	LogIngestGB map[string]float64 `json:"log_ingest_gb,omitempty"`
	// GB stored per ECR repository and per S3 bucket.
	ECRGBPerRepository *float64 `json:"ecr_gb_per_repository,omitempty"`
	S3GBPerBucket      *float64 `json:"s3_gb_per_bucket,omitempty"`
	// Nodes Karpenter keeps running on average (on-demand), priced on the cluster's stack.
	Karpenter *KarpenterAssumption `json:"karpenter_nodes,omitempty"`
}

// KarpenterAssumption is the average Karpenter-launched capacity of an environment.
type KarpenterAssumption struct {
	Count        float64 `json:"count"`
	InstanceType string  `json:"instance_type"`
	DiskGB       float64 `json:"disk_gb"` // gp3 per node (nodeClass osVolumeSize + dataVolumeSize)
	Why          string  `json:"why"`
}

func loadAssumptions(path string) (*Assumptions, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a Assumptions
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(a.Environments) == 0 {
		return nil, fmt.Errorf("%s: no environments", path)
	}
	for env, e := range a.Environments {
		if e == nil || e.Why == "" {
			return nil, fmt.Errorf("%s: environment %s needs a why (one line on what the figures assume)", path, env)
		}
		if k := e.Karpenter; k != nil && (k.Count < 0 || (k.Count > 0 && k.InstanceType == "") || k.Why == "") {
			return nil, fmt.Errorf("%s: environment %s karpenter_nodes needs count >= 0, an instance_type when count > 0, and a why", path, env)
		}
	}
	return &a, nil
}

// need returns an assumed figure, or an error naming the environment and the missing key.
func need(env, key string, v *float64) (float64, error) {
	if v == nil {
		return 0, fmt.Errorf("assumption %s missing for environment %s (tools/cost/assumptions.json)", key, env)
	}
	if *v < 0 {
		return 0, fmt.Errorf("assumption %s of environment %s is negative", key, env)
	}
	return *v, nil
}

// logGB is the assumed monthly ingestion of one log group: the longest matching name prefix.
func (e *EnvAssumptions) logGB(env, name string) (float64, error) {
	best, gb := "", 0.0
	for p, v := range e.LogIngestGB {
		if strings.HasPrefix(name, p) && len(p) > len(best) {
			best, gb = p, v
		}
	}
	if best == "" {
		var ps []string
		for p := range e.LogIngestGB {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		return 0, fmt.Errorf("log group %s matches no log_ingest_gb prefix of environment %s (have: %s)", name, env, strings.Join(ps, ", "))
	}
	return gb, nil
}
