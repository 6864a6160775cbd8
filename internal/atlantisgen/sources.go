package atlantisgen

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/image"
)

// SynthPackage is the program that synthesizes (main.go at the module root).
const SynthPackage = "."

// GoSources lists, with `go list -deps` in the module at root, this module's packages the
// synthesizing program imports (every stack) and those only the bootstrap image it builds for
// the gitops stack imports; each as patterns relative to root: the package directory's *.go
// and its embedded files. Packages the synthesis does not import (cmd/deploy, internal/preflight,
// ...) are left out, so changing them plans nothing.
func GoSources(root string) (Sources, error) {
	synth, err := goDeps(root, SynthPackage)
	if err != nil {
		return Sources{}, err
	}
	boot, err := goDeps(root, image.BootstrapPackage)
	if err != nil {
		return Sources{}, err
	}
	var src Sources
	for _, p := range synth {
		src.Go = append(src.Go, p...)
	}
	for dir, p := range boot {
		if _, shared := synth[dir]; !shared {
			src.GitopsGo = append(src.GitopsGo, p...)
		}
	}
	slices.Sort(src.Go)
	slices.Sort(src.GitopsGo)
	src.GitopsFiles = []string{config.RootChartDir + "/**"}
	return src, nil
}

// goDeps maps each module-local package pkg depends on (itself included) by its directory,
// relative to root, to its patterns.
func goDeps(root, pkg string) (map[string][]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-f",
		`{{if and (not .Standard) .Module}}{{if .Module.Main}}{{.Dir}}{{range .EmbedFiles}}`+"\t"+`{{.}}{{end}}{{end}}{{end}}`, pkg)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v: %s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		rel, err := filepath.Rel(absRoot, fields[0])
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("package directory %s is outside %s", fields[0], absRoot)
		}
		rel = filepath.ToSlash(rel)
		prefix := rel + "/"
		if rel == "." {
			prefix = ""
		}
		pats := []string{prefix + "*.go"}
		for _, f := range fields[1:] {
			pats = append(pats, prefix+f)
		}
		deps[rel] = pats
	}
	if len(deps) == 0 {
		return nil, fmt.Errorf("go list -deps %s: no package of this module", pkg)
	}
	return deps, sc.Err()
}
