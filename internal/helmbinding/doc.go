// Package helmbinding holds the check that the Go binding of the CDKTF Helm provider
// (github.com/cdktf/cdktf-provider-helm-go/helm/v10) builds and loads in the jsii kernel. The
// binding is not on the Go module proxy: scripts/tools.sh generates it from npm into the
// gitignored .gen/helm, and go.mod replaces the module with that folder. The GitOps stack's Helm
// releases use it.
package helmbinding
