package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/phl-platform/phl-platform/internal/smoke"
	"github.com/phl-platform/phl-platform/internal/smoke/fakeapi"
)

// pool is a user pool holding the fake's client and its secret.
type pool struct{ id string }

func (p pool) DescribeUserPoolClient(_ context.Context, in *cognitoidentityprovider.DescribeUserPoolClientInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolClientOutput, error) {
	if aws.ToString(in.UserPoolId) != p.id || aws.ToString(in.ClientId) != fakeapi.ClientID {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no such client")}
	}
	return &cognitoidentityprovider.DescribeUserPoolClientOutput{UserPoolClient: &types.UserPoolClientType{ClientSecret: aws.String(fakeapi.ClientSecret)}}, nil
}

func cognito(_ context.Context, _ string) (smoke.UserPoolClientDescriber, error) {
	return pool{"eu-west-1_fake"}, nil
}

func noCognito(t *testing.T) smoke.CognitoFactory {
	return func(context.Context, string) (smoke.UserPoolClientDescriber, error) {
		t.Error("Cognito asked without --user-pool-id")
		return nil, nil
	}
}

func runSmoke(t *testing.T, args []string, env map[string]string, factory smoke.CognitoFactory) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr, factory)
	if strings.Contains(stdout.String()+stderr.String(), fakeapi.ClientSecret) {
		t.Fatalf("the secret was printed:\n%s%s", stdout.String(), stderr.String())
	}
	return code, stdout.String(), stderr.String()
}

func fakeArgs(fake *fakeapi.Server, extra ...string) []string {
	return append([]string{"--api-url", fake.APIURL, "--token-url", fake.TokenURL, "--client-id", fakeapi.ClientID}, extra...)
}

func TestSecretFromEachSource(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{})
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(fakeapi.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args    []string
		env     map[string]string
		factory smoke.CognitoFactory
	}{
		"file":        {[]string{"--client-secret-file", file}, nil, noCognito(t)},
		"environment": {nil, map[string]string{smoke.SecretEnv: fakeapi.ClientSecret}, noCognito(t)},
		"Cognito":     {[]string{"--user-pool-id", "eu-west-1_fake"}, nil, cognito},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runSmoke(t, fakeArgs(fake, tc.args...), tc.env, tc.factory)
			if code != 0 || !strings.Contains(out, "smoke PASS: 7 of 7 steps passed") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

func TestViolationExitsOne(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{Status: map[string]int{"DELETE /products/{id}": 200}})
	code, out, _ := runSmoke(t, fakeArgs(fake), map[string]string{smoke.SecretEnv: fakeapi.ClientSecret}, noCognito(t))
	if code != 1 || !strings.Contains(out, "FAIL delete") || !strings.Contains(out, "status 200, want 204") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestGoneStatusFlag(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{GoneStatus: 400})
	env := map[string]string{smoke.SecretEnv: fakeapi.ClientSecret}
	if code, out, _ := runSmoke(t, fakeArgs(fake), env, noCognito(t)); code != 1 || !strings.Contains(out, "status 400, want 404") {
		t.Fatalf("default --gone-status: exit %d\n%s", code, out)
	}
	if code, out, _ := runSmoke(t, fakeArgs(fake, "--gone-status", "404,400"), env, noCognito(t)); code != 0 {
		t.Fatalf("--gone-status 404,400: exit %d\n%s", code, out)
	}
	if code, out, _ := runSmoke(t, fakeArgs(fake, "--gone-status", "4xx"), env, noCognito(t)); code != 0 {
		t.Fatalf("--gone-status 4xx (make deploy's): exit %d\n%s", code, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	fake := fakeapi.Start(t, fakeapi.Faults{})
	env := map[string]string{smoke.SecretEnv: fakeapi.ClientSecret}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{fakeArgs(fake, "--client-secret", "x"), env, "flag provided but not defined: -client-secret"},
		{fakeArgs(fake), nil, "no client secret"},
		{[]string{"--token-url", fake.TokenURL, "--client-id", "c"}, env, "--api-url is required"},
		{fakeArgs(fake, "--gone-status", "200"), env, `--gone-status "200": want HTTP statuses other than 200`},
		{fakeArgs(fake, "--user-pool-id", "eu-west-1_other"), nil, "no such client"},
	} {
		code, out, errOut := runSmoke(t, tc.args, tc.env, cognito)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s%s", tc.args, code, tc.want, out, errOut)
		}
	}
	if fake.Count("POST /products") != 0 {
		t.Error("a usage error still called the API")
	}
}
