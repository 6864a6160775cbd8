package cmdflags

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name     string
		args     []string
		code     int
		ok       bool
		inOutput []string
	}{
		{"flags only", []string{"-n", "3"}, 0, true, nil},
		{"help", []string{"-h"}, 0, false, []string{"usage: test"}},
		{"unknown flag", []string{"-x"}, 2, false, []string{"flag provided but not defined: -x"}},
		{"positional argument", []string{"-n", "3", "extra"}, 2, false, []string{`error: unexpected arguments ["extra"]`, "usage: test"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(&out)
			n := fs.Int("n", 0, "a number")
			fs.Usage = func() { out.WriteString("usage: test\n") }
			code, ok := Parse(fs, c.args)
			if code != c.code || ok != c.ok {
				t.Errorf("Parse(%q) = %d, %v; want %d, %v", c.args, code, ok, c.code, c.ok)
			}
			if c.ok && *n != 3 {
				t.Errorf("-n = %d, want 3", *n)
			}
			for _, want := range c.inOutput {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output %q lacks %q", out.String(), want)
				}
			}
		})
	}
}
