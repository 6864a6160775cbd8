package smoke

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Credentials are an app client's client-credentials grant: the Cognito token endpoint
// (https://<domain>.auth.<region>.amazoncognito.com/oauth2/token), the client and the scopes
// asked for, space separated.
type Credentials struct {
	TokenURL, ClientID, ClientSecret, Scope string
}

// refreshMargin is how long before its expiry a token is replaced, so that no request leaves
// with a token that expires on the way.
const refreshMargin = time.Minute

// TokenSource gets access tokens with the client-credentials grant and reuses one until shortly
// before it expires. It is safe for concurrent use (the load check calls it from every worker).
type TokenSource struct {
	creds Credentials
	http  *http.Client
	now   func() time.Time

	mu     sync.Mutex
	token  string
	expiry time.Time
}

// NewTokenSource returns a TokenSource that asks the token endpoint with client.
func NewTokenSource(creds Credentials, client *http.Client) *TokenSource {
	return &TokenSource{creds: creds, http: client, now: time.Now}
}

// Token returns a valid access token, asking the token endpoint when it has none that is
// still valid for refreshMargin.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Add(refreshMargin).Before(s.expiry) {
		return s.token, nil
	}
	token, ttl, err := s.fetch(ctx)
	if err != nil {
		return "", err
	}
	s.token, s.expiry = token, s.now().Add(ttl)
	return token, nil
}

// fetch is one token request (Amazon Cognito developer guide, "The token issuer endpoint":
// POST application/x-www-form-urlencoded, the client authenticated with HTTP Basic). Errors
// carry the endpoint's status and OAuth error code, never the secret.
func (s *TokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if s.creds.Scope != "" {
		form.Set("scope", s.creds.Scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.creds.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("token endpoint %s: %v", s.creds.TokenURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.creds.ClientID, s.creds.ClientSecret)
	resp, err := s.http.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("token endpoint: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
		Error       string `json:"error"`
	}
	jsonErr := json.Unmarshal(body, &out)
	if resp.StatusCode != http.StatusOK {
		code := out.Error
		if code == "" {
			code = "no OAuth error code"
		}
		return "", 0, fmt.Errorf("token endpoint %s answered %d (%s) for client %s and scope %q", s.creds.TokenURL, resp.StatusCode, code, s.creds.ClientID, s.creds.Scope)
	}
	if jsonErr != nil || out.AccessToken == "" {
		return "", 0, fmt.Errorf("token endpoint %s answered 200 without an access_token", s.creds.TokenURL)
	}
	if !strings.EqualFold(out.TokenType, "Bearer") {
		return "", 0, fmt.Errorf("token endpoint %s issued token_type %q, want Bearer", s.creds.TokenURL, out.TokenType)
	}
	ttl := time.Duration(out.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = refreshMargin // unknown lifetime: ask again on the next call
	}
	return out.AccessToken, ttl, nil
}
