package dbbootstrap

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fakeSecretsManager answers GetSecretValue and PutSecretValue in the service's wire protocol
// (awsJson1.1: POST /, X-Amz-Target, JSON bodies, errors named by __type).
type fakeSecretsManager struct {
	mu     sync.Mutex
	values map[string]string // secret name -> current value; a name with "" exists without a value
	puts   int
}

func (f *fakeSecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	var in struct{ SecretId, SecretString string }
	_ = json.Unmarshal(body, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	value, exists := f.values[in.SecretId]
	fail := func(kind, msg string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
	}
	switch r.Header.Get("X-Amz-Target") {
	case "secretsmanager.GetSecretValue":
		if !exists || value == "" {
			fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Name": in.SecretId, "SecretString": value, "VersionStages": []string{"AWSCURRENT"}})
	case "secretsmanager.PutSecretValue":
		if !exists {
			fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		f.values[in.SecretId] = in.SecretString
		f.puts++
		_ = json.NewEncoder(w).Encode(map[string]any{"Name": in.SecretId, "VersionId": "v1"})
	default:
		fail("UnknownOperationException", r.Header.Get("X-Amz-Target"))
	}
}

func fakeClient(t *testing.T, f *fakeSecretsManager) SecretsManager {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return SecretsManager{Client: secretsmanager.New(secretsmanager.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})}
}

func TestSecretsManagerAdapter(t *testing.T) {
	f := &fakeSecretsManager{values: map[string]string{"phl-dev/database/app": "", "master": `{"username":"admin"}`}}
	sm := fakeClient(t, f)
	ctx := context.Background()

	if v, ok, err := sm.Get(ctx, "master"); err != nil || !ok || v != `{"username":"admin"}` {
		t.Fatalf("Get(master) = %q, %v, %v", v, ok, err)
	}
	if _, ok, err := sm.Get(ctx, "phl-dev/database/app"); err != nil || ok {
		t.Fatalf("a secret without a value: ok=%v err=%v, want no value and no error", ok, err)
	}
	if err := sm.Put(ctx, "phl-dev/database/app", `{"username":"phl_app_a"}`); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := sm.Get(ctx, "phl-dev/database/app"); !ok || v != `{"username":"phl_app_a"}` {
		t.Fatalf("after Put: %q", v)
	}
	if err := sm.Put(ctx, "phl-dev/database/missing", "x"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("Put to a missing secret: %v, want ResourceNotFoundException", err)
	}
}

// The whole bootstrap through the Secrets Manager adapter against the real server: the first
// run writes the app secret once; a rerun writes nothing.
func TestBootstrapThroughSecretsManager(t *testing.T) {
	_, mem, cfg := setup(t)
	f := &fakeSecretsManager{values: map[string]string{cfg.MasterSecretID: mem.values[cfg.MasterSecretID], cfg.AppSecretID: ""}}
	sm := fakeClient(t, f)
	logf := func(string, ...any) {}
	for i := 0; i < 2; i++ {
		if err := Run(context.Background(), cfg, sm, logf); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	if f.puts != 1 {
		t.Fatalf("%d writes of the app secret over two runs, want 1", f.puts)
	}
	var got AppSecret
	if err := json.Unmarshal([]byte(f.values[cfg.AppSecretID]), &got); err != nil || got.Username != "phl_app_a" || len(got.Password) != 32 {
		t.Fatalf("app secret %+v (%v)", got, err)
	}
}
