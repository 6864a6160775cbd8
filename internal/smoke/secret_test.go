package smoke

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// fakeCognito answers DescribeUserPoolClient on the AWS JSON 1.1 protocol for one client.
func fakeCognito(t *testing.T, pool, client, secret string) *cognitoidentityprovider.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "AWSCognitoIdentityProviderService.DescribeUserPoolClient" {
			t.Errorf("unexpected call %q", r.Header.Get("X-Amz-Target"))
			w.WriteHeader(400)
			return
		}
		var in struct{ UserPoolId, ClientId string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if in.UserPoolId != pool || in.ClientId != client {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"User pool client does not exist."}`))
			return
		}
		out := map[string]any{"UserPoolClient": map[string]any{"UserPoolId": pool, "ClientId": client, "ClientSecret": secret}}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return cognitoidentityprovider.New(cognitoidentityprovider.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAFAKE", "fake", ""),
	})
}

func TestSecretSources(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cognito := fakeCognito(t, "eu-west-1_pool", "client1", "from-cognito")
	for _, tc := range []struct {
		name string
		src  SecretSource
		want string
		err  string
	}{
		{name: "file, newline trimmed", src: SecretSource{File: file}, want: "from-file"},
		{name: "environment", src: SecretSource{Env: "from-env"}, want: "from-env"},
		{name: "Cognito", src: SecretSource{UserPoolID: "eu-west-1_pool"}, want: "from-cognito"},
		{name: "Cognito, unknown pool", src: SecretSource{UserPoolID: "eu-west-1_other"}, err: "ResourceNotFoundException"},
		{name: "none", src: SecretSource{}, err: "no client secret: set one of --client-secret-file, PHL_CLIENT_SECRET or --user-pool-id"},
		{name: "two", src: SecretSource{File: file, Env: "x"}, err: "client secret from several places"},
		{name: "missing file", src: SecretSource{File: file + ".none"}, err: "--client-secret-file: open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.src.Read(ctx, "client1", cognito)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestRegionOfTokenURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://phl-dev-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token": "eu-west-1",
		"https://auth.example.com/oauth2/token":                                      "",
		"http://127.0.0.1:4000/oauth2/token":                                         "",
	} {
		if got := RegionOfTokenURL(in); got != want {
			t.Errorf("RegionOfTokenURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A token is reused until a minute before it expires, then replaced.
func TestTokenSourceReusesUntilNearExpiry(t *testing.T) {
	issued := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		issued++
		id, secret, _ := r.BasicAuth()
		_ = r.ParseForm()
		if id != "c" || secret != "s" || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "a/b" {
			t.Errorf("token request: %s:%s %v", id, secret, r.PostForm)
		}
		_, _ = w.Write([]byte(`{"access_token":"t` + string(rune('0'+issued)) + `","expires_in":300,"token_type":"Bearer"}`))
	}))
	defer srv.Close()
	now := time.Unix(1_000_000, 0)
	src := NewTokenSource(Credentials{TokenURL: srv.URL, ClientID: "c", ClientSecret: "s", Scope: "a/b"}, srv.Client())
	src.now = func() time.Time { return now }
	ctx := context.Background()
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "t1"}, {3 * time.Minute, "t1"}, {59 * time.Second, "t1"}, {2 * time.Second, "t2"}} {
		now = now.Add(step.advance)
		got, err := src.Token(ctx)
		if err != nil || got != step.want {
			t.Fatalf("after +%s: %q, %v; want %q", step.advance, got, err, step.want)
		}
	}
	if issued != 2 {
		t.Errorf("%d token requests, want 2", issued)
	}
}

func TestFlagsValidate(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	good := Flags{APIURL: "https://api.example.com", TokenURL: "https://x.auth.eu-west-1.amazoncognito.com/oauth2/token", ClientID: "c", Timeout: time.Second}
	if err := good.Validate(env("s")); err != nil {
		t.Fatalf("good flags: %v", err)
	}
	for _, tc := range []struct {
		edit func(*Flags)
		env  string
		want string
	}{
		{func(f *Flags) { f.APIURL = "" }, "s", "--api-url is required"},
		{func(f *Flags) { f.TokenURL = "x.auth.eu-west-1.amazoncognito.com" }, "s", `--token-url "x.auth.eu-west-1.amazoncognito.com": want an absolute http(s) URL`},
		{func(f *Flags) { f.ClientID = "" }, "s", "--client-id is required"},
		{func(f *Flags) { f.Timeout = 0 }, "s", "--timeout 0s: want a positive duration"},
		{func(f *Flags) {}, "", "no client secret"},
		{func(f *Flags) { f.Secret.UserPoolID = "p" }, "s", "client secret from several places"},
	} {
		f := good
		tc.edit(&f)
		if err := f.Validate(env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err %v, want %q", err, tc.want)
		}
	}
}
