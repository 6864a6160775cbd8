// Command fake is every fake program of internal/deploy's tests (fakecli): linked under each
// program's name, it answers as that program.
package main

import (
	"fmt"
	"os"

	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

func main() {
	fakecli.Main()
	fmt.Fprintln(os.Stderr, "fake: started without FAKECLI_DIR, or under a name that is not a fake program")
	os.Exit(99)
}
