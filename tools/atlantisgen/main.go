// Command atlantisgen writes atlantis.yaml from the synthesis (internal/atlantisgen), checks the
// committed one (rung 2 of the ladder), or prints which tool applies an environment
// (scripts/atlantis-step.sh).
//
//	go run ./tools/atlantisgen                 write atlantis.yaml (make synth first)
//	go run ./tools/atlantisgen -check          fail, one line per problem, if atlantis.yaml differs
//	go run ./tools/atlantisgen -owner dev      print dev's delivery.applies_by (actions or atlantis)
//
// Environments come from PHL_ENVIRONMENTS_DIR (default environments/), every file of it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/atlantisgen"
	"github.com/phl-platform/phl-platform/internal/cmdflags"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("atlantisgen", flag.ContinueOnError)
	outDir := os.Getenv("CDKTF_OUTDIR")
	if outDir == "" {
		outDir = "cdktf.out"
	}
	manifest := fs.String("manifest", filepath.Join(outDir, "manifest.json"), "the synthesis's `manifest.json`")
	file := fs.String("file", "atlantis.yaml", "the atlantis.yaml to write or check")
	check := fs.Bool("check", false, "compare -file with what would be written, instead of writing it")
	owner := fs.String("owner", "", "print the delivery.applies_by of this `environment` and exit")
	if code, ok := cmdflags.Parse(fs, args); !ok {
		return code
	}
	if *owner != "" {
		envs, err := config.Load(config.Dir(), *owner)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 2
		}
		fmt.Println(envs[0].Delivery.AppliesBy)
		return 0
	}
	envs, err := config.Load(config.Dir(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 2
	}
	delivery := map[string]config.Delivery{}
	for _, e := range envs {
		delivery[e.Name] = e.Delivery
	}
	deps, err := atlantisgen.ReadManifest(*manifest)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	src, err := atlantisgen.GoSources(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	projects, err := atlantisgen.Projects(deps, delivery, src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	want := atlantisgen.Render(projects)
	if !*check {
		if err := os.WriteFile(*file, want, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			return 1
		}
		fmt.Printf("wrote %s: %d projects\n", *file, len(projects))
		return 0
	}
	got, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	if problems := atlantisgen.Check(*file, got, projects, want); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "error:", p)
		}
		return 1
	}
	fmt.Printf("%s: %d projects match the manifest (order groups, depends_on) and the generator\n", *file, len(projects))
	return 0
}
