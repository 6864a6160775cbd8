package smoke

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Flags are the connection flags the smoke and load commands share: where the API and the
// token endpoint are (the gateway stack's api_url and token_url outputs), the client
// (client_id) and where its secret comes from.
type Flags struct {
	APIURL, TokenURL, ClientID, Scope string
	Secret                            SecretSource
	Timeout                           time.Duration
}

// Register adds the flags to fs; timeout is the default of --timeout (per request).
func (f *Flags) Register(fs *flag.FlagSet, timeout time.Duration) {
	fs.StringVar(&f.APIURL, "api-url", "", "the API's base URL (gateway stack output api_url; required)")
	fs.StringVar(&f.TokenURL, "token-url", "", "the Cognito token endpoint (gateway stack output token_url; required)")
	fs.StringVar(&f.ClientID, "client-id", "", "the app client ID (gateway stack output client_id; required)")
	fs.StringVar(&f.Scope, "scope", DefaultScope, "the scopes to ask for, space separated")
	fs.StringVar(&f.Secret.File, "client-secret-file", "", "read the client secret from this file")
	fs.StringVar(&f.Secret.UserPoolID, "user-pool-id", "", "read the client secret from Cognito (gateway stack output user_pool_id; needs cognito-idp:DescribeUserPoolClient)")
	fs.DurationVar(&f.Timeout, "timeout", timeout, "give up on one request after this long")
}

// Validate checks the flags once parsed; getenv supplies SecretEnv.
func (f *Flags) Validate(getenv func(string) string) error {
	f.Secret.Env = getenv(SecretEnv)
	for _, u := range []struct{ name, value string }{{"api-url", f.APIURL}, {"token-url", f.TokenURL}} {
		if u.value == "" {
			return fmt.Errorf("--%s is required", u.name)
		}
		p, err := url.Parse(u.value)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("--%s %q: want an absolute http(s) URL", u.name, u.value)
		}
	}
	if f.ClientID == "" {
		return fmt.Errorf("--client-id is required")
	}
	if f.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: want a positive duration", f.Timeout)
	}
	return f.Secret.Validate()
}

// API reads the secret and returns the client. cognito is called only with --user-pool-id.
func (f *Flags) API(ctx context.Context, client *http.Client, cognito CognitoFactory) (*API, error) {
	var describer UserPoolClientDescriber
	if f.Secret.UserPoolID != "" {
		var err error
		if describer, err = cognito(ctx, RegionOfTokenURL(f.TokenURL)); err != nil {
			return nil, err
		}
	}
	secret, err := f.Secret.Read(ctx, f.ClientID, describer)
	if err != nil {
		return nil, err
	}
	tokens := NewTokenSource(Credentials{TokenURL: f.TokenURL, ClientID: f.ClientID, ClientSecret: secret, Scope: f.Scope}, client)
	return &API{BaseURL: f.APIURL, HTTP: client, Tokens: tokens, Timeout: f.Timeout}, nil
}

// SetGoneStatus reads --gone-status: HTTP statuses other than 200, comma separated, or 4xx.
func (o *Options) SetGoneStatus(v string) error {
	o.GoneStatuses, o.GoneAny4xx = nil, v == "4xx"
	if o.GoneAny4xx {
		return nil
	}
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 || n > 599 || n == 200 {
			return fmt.Errorf("--gone-status %q: want HTTP statuses other than 200, comma separated, or 4xx", v)
		}
		o.GoneStatuses = append(o.GoneStatuses, n)
	}
	return nil
}
