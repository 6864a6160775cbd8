// Command diagram draws the platform's architecture from what it deploys: one environment's
// synthesized stacks (cdktf.out/manifest.json and each cdk.tf.json) and the charts Argo CD
// syncs (gitops/charts). It writes Graphviz DOT and renders it to SVG and PNG with dot
// (Graphviz, installed by scripts/tools.sh). `make diagram` writes docs/architecture.*; the
// ladder's rung 2 runs it with -check, which fails when the committed picture is stale.
//
//	go run ./tools/diagram                    write docs/architecture.{dot,svg,png} for dev
//	go run ./tools/diagram -check             fail if docs/architecture.{dot,svg} differ
//	go run ./tools/diagram -env prod -dir /tmp/prod
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/phl-platform/phl-platform/internal/cmdflags"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("diagram", flag.ContinueOnError)
	outDir := os.Getenv("CDKTF_OUTDIR")
	if outDir == "" {
		outDir = "cdktf.out"
	}
	synthDir := fs.String("synth", outDir, "the synthesis `dir`ectory (manifest.json, stacks/)")
	env := fs.String("env", "dev", "the `environment` to draw")
	charts := fs.String("charts", "gitops/charts", "the charts `dir`ectory Argo CD syncs from")
	dir := fs.String("dir", "docs", "where architecture.dot, .svg and .png are written or checked")
	check := fs.Bool("check", false, "compare the DOT and the SVG with those in -dir instead of writing")
	if code, ok := cmdflags.Parse(fs, args); !ok {
		return code
	}
	files, err := Generate(*synthDir, *env, *charts, !*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	if *check {
		stale := Stale(files, *dir)
		for _, s := range stale {
			fmt.Println(s)
		}
		if len(stale) > 0 {
			return 1
		}
		fmt.Printf("%s: up to date with the %s synthesis and the charts\n", filepath.Join(*dir, "architecture.svg"), *env)
		return 0
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	for _, name := range sortedKeys(files) {
		if err := os.WriteFile(filepath.Join(*dir, name), files[name], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		fmt.Printf("wrote %s\n", filepath.Join(*dir, name))
	}
	return 0
}

// Generate reads the synthesis and the charts and returns architecture.dot and .svg (and
// .png when png is set) by file name.
func Generate(synthDir, env, chartsDir string, png bool) (map[string][]byte, error) {
	s, err := ReadSynth(synthDir)
	if err != nil {
		return nil, err
	}
	c, err := ReadCharts(chartsDir)
	if err != nil {
		return nil, err
	}
	p, err := BuildPlatform(s, env, c)
	if err != nil {
		return nil, err
	}
	src := DOT(p)
	files := map[string][]byte{"architecture.dot": []byte(src)}
	if files["architecture.svg"], err = Render(src, "svg"); err != nil {
		return nil, err
	}
	if png {
		// 72 dpi: a pixel per point, as wide as the SVG at 100 %; the SVG is the sharp one.
		if files["architecture.png"], err = Render(src, "png", "-Gdpi=72"); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Stale compares the generated DOT and SVG with the files in dir; one line per stale file.
func Stale(files map[string][]byte, dir string) []string {
	var out []string
	for _, name := range []string{"architecture.dot", "architecture.svg"} {
		want, ok := files[name]
		if !ok {
			continue
		}
		path := filepath.Join(dir, name)
		got, err := os.ReadFile(path)
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("%s is stale: run make diagram (%v)", path, err))
		case !bytes.Equal(got, want):
			out = append(out, fmt.Sprintf("%s is stale: run make diagram", path))
		}
	}
	return out
}
