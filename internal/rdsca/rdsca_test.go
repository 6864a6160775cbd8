package rdsca

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestBundleHoldsTheRegionsCAs(t *testing.T) {
	bundle, err := Bundle("../..", "ap-southeast-1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rest := []byte(bundle); ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.Subject.CommonName, "ap-southeast-1") {
			t.Errorf("%q is not ap-southeast-1's", c.Subject.CommonName)
		}
		names = append(names, c.Subject.CommonName)
	}
	// The database uses rds-ca-rsa2048-g1 (constructs/database CACertIdentifier).
	joined := strings.Join(names, "\n")
	for _, want := range []string{"Amazon RDS ap-southeast-1 Root CA RSA2048 G1", "Amazon RDS ap-southeast-1 Root CA RSA4096 G1", "Amazon RDS ap-southeast-1 Root CA ECC384 G1"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q in\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "2019") {
		t.Error("the expired rds-ca-2019 CA is in the bundle")
	}
	if strings.Contains(joined, "eu-west-1") {
		t.Error("another region's CA is in the bundle")
	}
}

func TestBundleRefusesAnUnknownRegion(t *testing.T) {
	if _, err := Bundle("../..", "xx-nowhere-1"); err == nil || !strings.Contains(err.Error(), `no certificate for region "xx-nowhere-1"`) {
		t.Fatalf("err = %v", err)
	}
}
