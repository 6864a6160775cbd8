package deploy

import (
	"encoding/json"
	"flag"
	"io"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/internal/smoke"
)

// The deploy calls cmd/smoke with flags that cmd/smoke accepts and that pass its validation
// (the secret read from Cognito), so a renamed flag on either side fails here, not in an account.
func TestSmokeFlagsAreCmdSmokes(t *testing.T) {
	raw := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	args, err := smokeFlags(stackOutputs{stack: "dev-gateway", values: map[string]json.RawMessage{
		"api_url":      raw("https://abc.execute-api.ap-southeast-1.amazonaws.com"),
		"token_url":    raw("https://phl-dev-111111111111.auth.ap-southeast-1.amazoncognito.com/oauth2/token"),
		"client_id":    raw("client"),
		"user_pool_id": raw("ap-southeast-1_pool"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var f smoke.Flags
	fs := flag.NewFlagSet("smoke", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs, 10*time.Second)
	gone := fs.String("gone-status", "404", "")
	if err := fs.Parse(args); err != nil {
		t.Fatalf("cmd/smoke refuses the deploy's flags %q: %v", args, err)
	}
	if fs.NArg() != 0 {
		t.Fatalf("cmd/smoke would ignore %q", fs.Args())
	}
	if err := f.Validate(func(string) string { return "" }); err != nil {
		t.Fatalf("cmd/smoke rejects the deploy's flags %q: %v", args, err)
	}
	// The contract promises no status for a deleted id: the deploy accepts any client error.
	var o smoke.Options
	if err := o.SetGoneStatus(*gone); err != nil || !o.GoneAny4xx {
		t.Errorf("--gone-status %q: %v; want 4xx", *gone, err)
	}
	if _, err := smokeFlags(stackOutputs{stack: "dev-gateway", values: map[string]json.RawMessage{"api_url": raw("x")}}); err == nil {
		t.Error("missing gateway outputs were not reported")
	}
}
