package image

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Two builds of the bootstrap give the same digest, and the image holds one executable file
// that runs as a non-root user.
func TestBuildIsReproducibleAndMinimal(t *testing.T) {
	build := func() v1.ImageIndex {
		idx, err := Build(context.Background(), Options{Package: "./cmd/phl-db-bootstrap", Dir: "../..", Platforms: []string{"linux/amd64"}})
		if err != nil {
			t.Fatal(err)
		}
		return idx
	}
	first, second := build(), build()
	d1, _ := first.Digest()
	d2, _ := second.Digest()
	if d1 != d2 {
		t.Fatalf("two builds differ: %s and %s", d1, d2)
	}
	manifest, err := first.IndexManifest()
	if err != nil || len(manifest.Manifests) != 1 || manifest.Manifests[0].Platform.Architecture != "amd64" || manifest.MediaType != "application/vnd.oci.image.index.v1+json" {
		t.Fatalf("index %+v (%v)", manifest, err)
	}
	img, err := first.Image(manifest.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if cf.Config.User != "65532:65532" || len(cf.Config.Entrypoint) != 1 || cf.Config.Entrypoint[0] != Entrypoint || !cf.Created.IsZero() {
		t.Fatalf("config %+v created %v", cf.Config, cf.Created)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1 (no base image)", len(layers))
	}
	rc, _ := layers[0].Uncompressed()
	defer rc.Close()
	tr := tar.NewReader(rc)
	h, err := tr.Next()
	if err != nil || h.Name != "app" || h.Mode != 0o555 || h.Uid != 0 || !h.ModTime.IsZero() && h.ModTime.Unix() != 0 {
		t.Fatalf("layer entry %+v (%v)", h, err)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(tr, head); err != nil || string(head) != "\x7fELF" {
		t.Fatalf("the entry is not an ELF binary: %q", head)
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Fatalf("more than one file in the layer: %v", err)
	}
}

// Every machine builds the image with the same Go release: the one go.mod names.
func TestToolchainMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^toolchain (\S+)$`).FindSubmatch(mod)
	if m == nil || string(m[1]) != Toolchain {
		t.Fatalf("go.mod toolchain %q, image.Toolchain %q: keep them equal", m, Toolchain)
	}
}

// The builds above read the bootstrap's sources through a go build subprocess, which Go's test
// cache does not see: reading them here makes a change to any of them rerun this package's tests.
func TestBootstrapSourcesAreTracked(t *testing.T) {
	n := 0
	for _, dir := range []string{"../../cmd/phl-db-bootstrap", "../../internal/dbbootstrap"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if _, err := os.ReadFile(f); err != nil {
				t.Error(err)
			}
			n++
		}
	}
	for _, f := range []string{"../../go.mod", "../../go.sum"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Error(err)
		}
	}
	if n < 5 {
		t.Errorf("only %d source files found", n)
	}
}
