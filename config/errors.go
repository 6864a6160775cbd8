package config

import "fmt"

// Error is one invalid setting. It prints as a single line:
// file: key = "value": problem (allowed: ...).
type Error struct {
	File    string
	Key     string
	Value   string
	Problem string
	Allowed string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %s = %q: %s", e.File, e.Key, e.Value, e.Problem)
	if e.Allowed != "" {
		msg += " (allowed: " + e.Allowed + ")"
	}
	return msg
}
