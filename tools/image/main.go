// Command image builds the database bootstrap image reproducibly (internal/image) and prints
// its digest; with -push it uploads the index to a registry (credentials from the Docker
// config, e.g. after `aws ecr get-login-password | docker login`).
//
//	go run ./tools/image                          # print the digest
//	go run ./tools/image -push <ecr repository>   # push, tagged with the digest's first 12 hex digits
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/phl-platform/phl-platform/internal/image"
)

func main() {
	push := flag.String("push", "", "repository to push to, e.g. 111111111111.dkr.ecr.eu-west-1.amazonaws.com/phl-dev/db-bootstrap")
	ociDir := flag.String("oci-layout", "", "also write the image as an OCI layout into this folder")
	platforms := flag.String("platforms", "linux/amd64,linux/arm64", "comma-separated os/arch list")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	idx, err := image.Build(ctx, image.Options{Package: "./cmd/phl-db-bootstrap", Dir: ".", Platforms: strings.Split(*platforms, ",")})
	if err != nil {
		log.Fatal(err)
	}
	digest, err := idx.Digest()
	if err != nil {
		log.Fatal(err)
	}
	if *ociDir != "" {
		if _, err := layout.Write(*ociDir, idx); err != nil {
			log.Fatal(err)
		}
	}
	if *push != "" {
		// Tags are immutable in the repository; the digest's prefix names this exact content.
		ref, err := name.NewTag(*push + ":" + strings.TrimPrefix(digest.String(), "sha256:")[:12])
		if err != nil {
			log.Fatal(err)
		}
		opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithContext(ctx)}
		// An immutable tag cannot be pushed twice: a rerun of the deploy finds it already there.
		if desc, err := remote.Head(ref, opts...); err == nil && desc.Digest == digest {
			fmt.Fprintf(os.Stderr, "%s is already in the registry\n", ref)
		} else if err := remote.WriteIndex(ref, idx, opts...); err != nil {
			log.Fatal(err)
		} else {
			fmt.Fprintf(os.Stderr, "pushed %s\n", ref)
		}
	}
	fmt.Println(digest)
}
