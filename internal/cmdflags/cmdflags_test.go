package cmdflags

import (
	"bytes"
	"flag"
	"fmt"
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

func TestRequired(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.String("a", "", "")
	fs.String("b", "", "")
	fs.String("c", "set", "")
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"c"}, ""},
		{[]string{"a", "c"}, "-a is required"},
		{[]string{"a", "b", "c"}, "-a and -b are required"},
		{[]string{"nope"}, "-nope is required"},
	} {
		err := Required(fs, c.names...)
		if got := fmt.Sprint(err); (c.want == "" && err != nil) || (c.want != "" && got != c.want) {
			t.Errorf("Required(%v) = %v; want %q", c.names, err, c.want)
		}
	}
}
