// Package image builds the database bootstrap's container image reproducibly, without a
// container engine: a static Go binary in one layer on an empty base (FROM scratch), fixed
// timestamps and ownership, an OCI index with one image per platform. The same sources and Go
// toolchain (go.mod pins it) give the same digest on every machine, so the digest the gitops
// stack references is the one the deploy workflow pushes.
package image

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options say what to build.
type Options struct {
	// Package is the main package, e.g. ./cmd/phl-db-bootstrap, relative to Dir.
	Package string
	// Dir is the module root the package is built in.
	Dir string
	// Platforms are os/arch pairs; default linux/amd64 and linux/arm64.
	Platforms []string
	// User the process runs as (numeric, so no /etc/passwd is needed); default 65532:65532.
	User string
}

// BootstrapPackage is the database bootstrap's main package, relative to the module root: the
// synthesis builds its image for the digest the gitops stack pins (main.go), so its sources
// change that stack (tools/atlantisgen reads this).
const BootstrapPackage = "./cmd/phl-db-bootstrap"

// Entrypoint is where the binary sits in the image.
const Entrypoint = "/app"

// Toolchain is the Go release every image build uses, whatever Go runs the build: the standard
// library is linked into the binary, so another patch release gives another digest. It equals
// go.mod's toolchain line (a test checks); the go command fetches it when the local Go differs.
const Toolchain = "go1.26.8"

// Build compiles the package for each platform and assembles the image index.
func Build(ctx context.Context, o Options) (v1.ImageIndex, error) {
	if len(o.Platforms) == 0 {
		o.Platforms = []string{"linux/amd64", "linux/arm64"}
	}
	if o.User == "" {
		o.User = "65532:65532"
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range o.Platforms {
		osName, arch, ok := strings.Cut(p, "/")
		if !ok || osName != "linux" {
			return nil, fmt.Errorf("platform %q: want linux/<arch>", p)
		}
		bin, err := compile(ctx, o, arch)
		if err != nil {
			return nil, err
		}
		img, err := assemble(bin, osName, arch, o.User)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: osName, Architecture: arch}}})
	}
	return idx, nil
}

// compile builds a static, path-free binary: no cgo, -trimpath, no VCS stamp, no build ID.
func compile(ctx context.Context, o Options, arch string) ([]byte, error) {
	out := filepath.Join(os.TempDir(), fmt.Sprintf("phl-image-%d-%s", os.Getpid(), arch))
	defer os.Remove(out)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out, o.Package)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOFLAGS=-mod=readonly", "GOTOOLCHAIN="+Toolchain)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s for linux/%s: %v\n%s", o.Package, arch, err, msg)
	}
	return os.ReadFile(out)
}

// assemble puts the binary in one layer of an image with no base.
func assemble(bin []byte, osName, arch, user string) (v1.Image, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// Zero times, root ownership, fixed mode: nothing of the build machine in the layer.
	if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(Entrypoint, "/"), Mode: 0o555, Size: int64(len(bin)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = osName, arch
	cf.Config = v1.Config{Entrypoint: []string{Entrypoint}, User: user, WorkingDir: "/"}
	return mutate.ConfigFile(img, cf)
}
