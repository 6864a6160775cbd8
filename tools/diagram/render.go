package main

import (
	"bytes"
	"fmt"
	"os/exec"
)

// Render runs Graphviz's dot on src and returns the output in format (svg, png).
func Render(src, format string, extra ...string) ([]byte, error) {
	args := append([]string{"-T" + format}, extra...)
	cmd := exec.Command("dot", args...)
	cmd.Stdin = bytes.NewBufferString(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dot -T%s: %v: %s", format, err, errb.String())
	}
	if errb.Len() > 0 {
		// Graphviz warns on stderr (an unknown font, a bad attribute): a warning is a defect here.
		return nil, fmt.Errorf("dot -T%s warned: %s", format, errb.String())
	}
	return out.Bytes(), nil
}
