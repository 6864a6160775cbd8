// Package cmdflags holds what every command of this repository does with its flags: parse
// them, answer -h with the usage, and refuse positional arguments, with the same exit codes
// (0 after -h, 2 on a usage error).
package cmdflags

import (
	"errors"
	"flag"
	"fmt"
)

// Parse parses args into fs. It returns ok when the command should go on; otherwise the
// exit code: 0 when -h was asked for (the usage is printed), 2 on a bad flag or a positional
// argument (the error goes to fs.Output(), followed by the usage for a positional argument).
func Parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "error: unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return 2, false
	}
	return 0, true
}
