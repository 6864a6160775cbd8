// Command phl-db-bootstrap prepares the app's database and keeps its credentials secret current
// (internal/dbbootstrap). It runs in-cluster as the phl-store chart's PreSync Job, with the
// database stack's bootstrap role through EKS Pod Identity, and verifies the writer's TLS
// certificate against the RDS CA bundle it is given. It never prints a credential. It exits 1
// on any failure, a refused rotation included (too soon after the previous one: the Job, and
// so the sync, fails with the reason and the time the next rotation is allowed).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/go-sql-driver/mysql"
	// The image is built from scratch: Mozilla's roots, used only when the system has none,
	// verify the Secrets Manager endpoint.
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/phl-platform/phl-platform/internal/dbbootstrap"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	logger := log.New(os.Stderr, "phl-db-bootstrap: ", 0)
	cfg, region, err := parse(os.Args[1:], os.Getenv, os.Stderr)
	if err == nil {
		err = run(ctx, cfg, region, logger.Printf)
	}
	if err != nil {
		logger.Print(err)
		os.Exit(1)
	}
}

// parse reads the flags into the bootstrap's Config and registers the verified TLS profile.
func parse(args []string, getenv func(string) string, usage io.Writer) (dbbootstrap.Config, string, error) {
	fs := flag.NewFlagSet("phl-db-bootstrap", flag.ContinueOnError)
	fs.SetOutput(usage)
	var cfg dbbootstrap.Config
	var caFile, region string
	fs.StringVar(&cfg.MasterSecretID, "master-secret", "", "ARN of the RDS-managed master secret (required)")
	fs.StringVar(&cfg.AppSecretID, "app-secret", "", "name or ARN of the app's credentials secret (required)")
	fs.StringVar(&cfg.Host, "host", "", "the Aurora writer endpoint (required)")
	fs.IntVar(&cfg.Port, "port", 3306, "the database port")
	fs.StringVar(&cfg.Database, "database", "products", "the app's database")
	fs.StringVar(&cfg.RotationID, "rotation-id", "", "rotate the app's password when this differs from the secret's")
	fs.DurationVar(&cfg.MinRotationInterval, "min-rotation-interval", time.Hour,
		"refuse a rotation this soon after the previous one (more than the ExternalSecret's refresh interval plus a rollout; 0: no minimum)")
	fs.StringVar(&caFile, "ca-file", "", "PEM bundle of the RDS CA certificates (required: TLS is always verified)")
	fs.StringVar(&region, "region", getenv("AWS_REGION"), "AWS region (default: AWS_REGION, else the master secret ARN's)")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if cfg.MinRotationInterval < 0 {
		return cfg, "", fmt.Errorf("--min-rotation-interval=%s: must be 0 (no minimum) or a positive duration such as 1h", cfg.MinRotationInterval)
	}
	for name, v := range map[string]string{"master-secret": cfg.MasterSecretID, "app-secret": cfg.AppSecretID, "host": cfg.Host, "ca-file": caFile} {
		if v == "" {
			return cfg, "", fmt.Errorf("--%s is required", name)
		}
	}
	if region == "" {
		// arn:aws:secretsmanager:<region>:<account>:secret:<name>
		if parts := strings.Split(cfg.MasterSecretID, ":"); len(parts) > 4 && parts[0] == "arn" {
			region = parts[3]
		}
	}
	if region == "" {
		return cfg, "", errors.New("no region: set --region or AWS_REGION, or give --master-secret as an ARN")
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return cfg, "", fmt.Errorf("--ca-file: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return cfg, "", fmt.Errorf("--ca-file %s holds no PEM certificate", caFile)
	}
	if err := mysql.RegisterTLSConfig("rds", &tls.Config{RootCAs: roots, ServerName: cfg.Host, MinVersion: tls.VersionTLS12}); err != nil {
		return cfg, "", err
	}
	cfg.DSNParams = "tls=rds"
	return cfg, region, nil
}

func run(ctx context.Context, cfg dbbootstrap.Config, region string, logf func(string, ...any)) error {
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	secrets := dbbootstrap.SecretsManager{Client: secretsmanager.NewFromConfig(awsCfg)}
	return dbbootstrap.Run(ctx, cfg, secrets, logf)
}
