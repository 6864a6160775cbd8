package dbbootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const (
	masterID = "rds!cluster-test"
	appID    = "phl-test/database/app"
)

func setup(t *testing.T) (*mariadb, *memorySecrets, Config) {
	t.Helper()
	m, user, pw := startMariaDB(t)
	secret, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	return m, &memorySecrets{values: map[string]string{masterID: string(secret)}},
		Config{MasterSecretID: masterID, AppSecretID: appID, Host: "127.0.0.1", Port: m.port, Database: "products"}
}

// run runs the bootstrap and returns its log; it fails the test if a credential shows up there.
func run(t *testing.T, cfg Config, s *memorySecrets) (string, error) {
	t.Helper()
	var log strings.Builder
	err := Run(context.Background(), cfg, s, func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) })
	out := log.String()
	if err != nil {
		out += err.Error()
	}
	for id, v := range s.values {
		var fields map[string]any
		_ = json.Unmarshal([]byte(v), &fields)
		if pw, _ := fields["password"].(string); pw != "" && strings.Contains(out, pw) {
			t.Fatalf("the password of %s was printed: %s", id, out)
		}
	}
	return out, err
}

func appSecret(t *testing.T, s *memorySecrets) AppSecret {
	t.Helper()
	var a AppSecret
	if err := json.Unmarshal([]byte(s.values[appID]), &a); err != nil {
		t.Fatalf("app secret: %v (%q)", err, s.values[appID])
	}
	return a
}

// Twice in a row: the second run changes nothing; the app user has its database's grants and
// nothing more.
func TestBootstrapIsIdempotentAndLeastPrivilege(t *testing.T) {
	m, s, cfg := setup(t)
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	first := appSecret(t, s)
	if first.Username != "phl_app_a" || len(first.Password) != 32 || first.Host != "127.0.0.1" || first.Port != m.port || first.DBName != "products" {
		t.Fatalf("app secret after the first run = %+v", first)
	}
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	if appSecret(t, s) != first {
		t.Error("the second run changed the app secret")
	}

	master := m.conn(t, "phladmin", "Master-Passw0rd-for-tests", "")
	if _, err := master.Exec("CREATE DATABASE other"); err != nil {
		t.Fatal(err)
	}
	if _, err := master.Exec("CREATE TABLE other.secrets (v int)"); err != nil {
		t.Fatal(err)
	}
	app := m.conn(t, first.Username, first.Password, "products")
	for _, ok := range []string{"CREATE TABLE products (id int primary key, name varchar(20))", "INSERT INTO products VALUES (1, 'pen')",
		"UPDATE products SET name = 'ink' WHERE id = 1", "SELECT * FROM products", "DELETE FROM products WHERE id = 1"} {
		if _, err := app.Exec(ok); err != nil {
			t.Errorf("the app user may not %q: %v", ok, err)
		}
	}
	for _, denied := range []string{"DROP TABLE products", "SELECT * FROM other.secrets", "GRANT SELECT ON products.* TO 'phl_app_b'@'%'",
		"CREATE DATABASE mine", "CREATE USER 'x'@'%'"} {
		if _, err := app.Exec(denied); err == nil {
			t.Errorf("the app user may %q", denied)
		}
	}
}

// Rotation: the other user gets a new password and becomes the secret's; the previous one keeps
// working until the next rotation, so running pods are not cut off.
func TestRotationAlternatesUsersWithoutAnOutage(t *testing.T) {
	m, s, cfg := setup(t)
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	before := appSecret(t, s)
	cfg.RotationID = "2026-11"
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	after := appSecret(t, s)
	if after.Username != "phl_app_b" || after.Password == before.Password || after.RotationID != "2026-11" {
		t.Fatalf("rotation: %s -> %s (rotation_id %q)", before.Username, after.Username, after.RotationID)
	}
	// The same rotation ID again (a resync, a retried Job) rotates nothing.
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	if same := appSecret(t, s); same != after {
		t.Fatalf("a rerun with the same rotation ID changed the secret: %s -> %s", after.Username, same.Username)
	}
	for _, c := range []AppSecret{before, after} {
		if err := m.conn(t, c.Username, c.Password, "products").Ping(); err != nil {
			t.Errorf("%s cannot connect after the rotation: %v", c.Username, err)
		}
	}
	cfg.RotationID = "2026-12"
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	if again := appSecret(t, s); again.Username != "phl_app_a" || again.Password == before.Password {
		t.Errorf("second rotation: %s with the old password = %v", again.Username, again.Password == before.Password)
	}
	if err := m.conn(t, before.Username, before.Password, "products").Ping(); err == nil {
		t.Error("the password from two rotations ago still works")
	}
}

// A wrong master password stops the bootstrap with a readable error that does not print the
// password, and changes nothing.
func TestWrongMasterPasswordFailsReadablyAndChangesNothing(t *testing.T) {
	m, s, cfg := setup(t)
	s.values[masterID] = `{"username":"phladmin","password":"not-the-password"}`
	cfg.Database = "untouched"
	out, err := run(t, cfg, s)
	if err == nil || !contains(out, "connecting to 127.0.0.1", "as the master user phladmin", "Access denied") || strings.Contains(out, "not-the-password") {
		t.Fatalf("error = %v (%s)", err, out)
	}
	if _, ok := s.values[appID]; ok {
		t.Error("an app secret was written")
	}
	var n int
	master := m.conn(t, "phladmin", "Master-Passw0rd-for-tests", "")
	if err := master.QueryRow("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'untouched'").Scan(&n); err != nil || n != 0 {
		t.Errorf("database created despite the failure (%d, %v)", n, err)
	}
	if err := master.QueryRow("SELECT COUNT(*) FROM mysql.user WHERE user LIKE 'phl_app_%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d app users created despite the failure (%v)", n, err)
	}
}

// After a restore (the user's password differs from the secret), the secret's password is set
// again, so the running app keeps working.
func TestRestoredUserGetsTheSecretsPasswordBack(t *testing.T) {
	m, s, cfg := setup(t)
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	a := appSecret(t, s)
	master := m.conn(t, "phladmin", "Master-Passw0rd-for-tests", "")
	if _, err := master.Exec("ALTER USER '" + a.Username + "'@'%' IDENTIFIED BY 'Something-else-1'"); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, cfg, s); err != nil || !strings.Contains(out, "set it again") {
		t.Fatalf("%v: %s", err, out)
	}
	if err := m.conn(t, a.Username, a.Password, "products").Ping(); err != nil {
		t.Errorf("the secret's password does not work after the repair: %v", err)
	}
}

func TestRejectsIdentifiersThatNeedQuoting(t *testing.T) {
	err := Run(context.Background(), Config{Database: "products`; DROP"}, &memorySecrets{}, func(string, ...any) {})
	if err == nil || !strings.Contains(err.Error(), "not a plain MySQL identifier") {
		t.Errorf("error = %v", err)
	}
}
