// Package cmdflags holds what every command of this repository does with its flags: parse
// them, answer -h with the usage, and refuse positional arguments, with the same exit codes
// (0 after -h, 2 on a usage error).
package cmdflags

import (
	"errors"
	"flag"
	"fmt"
	"strings"
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

// Required returns an error naming every flag of names that was left empty.
func Required(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if f := fs.Lookup(n); f == nil || f.Value.String() == "" {
			missing = append(missing, "-"+n)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s is required", missing[0])
	}
	return fmt.Errorf("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}
