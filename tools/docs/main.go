// Command docs rewrites the generated parts of README.md and docs/*.md: `bench` puts the table
// rendered from docs/bench.tsv (scripts/bench.sh writes it) between the bench markers.
//
//	go run ./tools/docs bench
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phl-platform/phl-platform/internal/docscheck"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] != "bench" {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/docs bench")
		os.Exit(2)
	}
	if err := bench("."); err != nil {
		fmt.Fprintln(os.Stderr, "docs:", err)
		os.Exit(1)
	}
}

func bench(root string) error {
	raw, err := os.ReadFile(filepath.Join(root, docscheck.BenchFile))
	if err != nil {
		return err
	}
	b, err := docscheck.ParseBench(string(raw))
	if err != nil {
		return err
	}
	docs, err := docscheck.Load(root)
	if err != nil {
		return err
	}
	n := 0
	for _, d := range docs {
		text := strings.Join(d.Lines, "\n")
		if len(docscheck.BenchBlocks(text)) == 0 {
			continue
		}
		n++
		if err := os.WriteFile(filepath.Join(root, d.Path), []byte(docscheck.ReplaceBench(text, b.Table())), 0o644); err != nil {
			return err
		}
		fmt.Println("docs: bench table written into", d.Path)
	}
	if n == 0 {
		return fmt.Errorf("no document holds the bench markers")
	}
	return nil
}
