package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	// A real certificate from the chart's CI values (a throwaway test CA).
	ciValues, err := os.ReadFile("../../gitops/charts/phl-store/ci/dev-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(ciValues), "    -----BEGIN")
	end := strings.Index(string(ciValues), "-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
	os.WriteFile(ca, []byte(strings.ReplaceAll(string(ciValues[start:end]), "    ", "")), 0o600)

	base := []string{"--master-secret=arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-x", "--app-secret=phl-dev/database/app", "--host=db.example", "--ca-file=" + ca}
	noEnv := func(string) string { return "" }
	cases := []struct {
		name     string
		args     []string
		env      func(string) string
		region   string
		interval time.Duration
		wantErr  string
	}{
		{"region from the master secret ARN", base, noEnv, "eu-west-1", time.Hour, ""},
		{"AWS_REGION wins", base, func(k string) string { return map[string]string{"AWS_REGION": "us-east-1"}[k] }, "us-east-1", time.Hour, ""},
		{"a minimum rotation interval", append(base[:4:4], "--min-rotation-interval=90m"), noEnv, "eu-west-1", 90 * time.Minute, ""},
		{"no minimum rotation interval", append(base[:4:4], "--min-rotation-interval=0"), noEnv, "eu-west-1", 0, ""},
		{"a negative minimum rotation interval", append(base[:4:4], "--min-rotation-interval=-1h"), noEnv, "", 0, "--min-rotation-interval=-1h0m0s: must be 0 (no minimum) or a positive duration"},
		{"a minimum rotation interval that is no duration", append(base[:4:4], "--min-rotation-interval=1d"), noEnv, "", 0, `invalid value "1d" for flag -min-rotation-interval`},
		{"missing host", []string{base[0], base[1], base[3]}, noEnv, "", 0, "--host is required"},
		{"missing CA", base[:3], noEnv, "", 0, "--ca-file is required"},
		{"CA without a certificate", append(base[:3:3], "--ca-file="+junk), noEnv, "", 0, "holds no PEM certificate"},
		{"no region anywhere", append([]string{"--master-secret=rds-master"}, base[1:]...), noEnv, "", 0, "no region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, region, err := parse(c.args, c.env, io.Discard)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if region != c.region || cfg.DSNParams != "tls=rds" || cfg.Database != "products" || cfg.Port != 3306 || cfg.MinRotationInterval != c.interval {
				t.Fatalf("region %q, cfg %+v", region, cfg)
			}
		})
	}
}
