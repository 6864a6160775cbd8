// Package dbbootstrap prepares the application's database and its own MySQL users from the
// master credentials, and keeps the application's credentials secret current. It runs
// in-cluster before the app (an Argo CD PreSync Job in its own namespace, so the master secret
// never reaches the app's), is idempotent, and never prints a credential.
//
// Rotation without an outage: there are two app users; the secret names the active one. A
// rotation sets a new password on the other user, checks it, then switches the secret to it.
// Pods pick the new secret up and roll; the previous user keeps working until the next
// rotation gives it a new password.
package dbbootstrap

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
)

// Secrets is what the bootstrap needs of the secret store (Secrets Manager in the cluster).
type Secrets interface {
	// Get returns the current value of a secret; ok is false when it has no value yet.
	Get(ctx context.Context, id string) (value string, ok bool, err error)
	// Put stores a new current value.
	Put(ctx context.Context, id, value string) error
}

// Config says what to bootstrap.
type Config struct {
	MasterSecretID string // the RDS-managed master secret: {"username", "password"}
	AppSecretID    string // the app's secret, written here
	Host           string // the writer endpoint
	Port           int
	Database       string
	Users          [2]string // the two app users, used in turn; default phl_app_a, phl_app_b
	// DSNParams are added to every connection, e.g. "tls=true" (verified TLS with the RDS CA).
	DSNParams string
	// RotationID requests a rotation declaratively: when it differs from the one the app secret
	// records, the inactive user gets a new password and becomes the active one. Rerunning with
	// the same ID changes nothing.
	RotationID string
}

// AppSecret is the app's secret: what its DSN is built from.
type AppSecret struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	DBName   string `json:"dbname"`
	// RotationID is the rotation this password came from (Config.RotationID).
	RotationID string `json:"rotation_id,omitempty"`
}

// Grants are the app users' privileges on their database, and nothing else.
const Grants = "CREATE, SELECT, INSERT, UPDATE, DELETE"

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)

// Run bootstraps the database; it reports what it did (never a credential).
func Run(ctx context.Context, cfg Config, secrets Secrets, logf func(format string, args ...any)) error {
	if cfg.Users == [2]string{} {
		cfg.Users = [2]string{"phl_app_a", "phl_app_b"}
	}
	for _, name := range []string{cfg.Database, cfg.Users[0], cfg.Users[1]} {
		if !identifier.MatchString(name) {
			return fmt.Errorf("%q is not a plain MySQL identifier (letters, digits, _)", name)
		}
	}
	raw, ok, err := secrets.Get(ctx, cfg.MasterSecretID)
	if err != nil || !ok {
		return fmt.Errorf("reading the master secret %s: %v (has RDS created it?)", cfg.MasterSecretID, errOr(err, "no value"))
	}
	var master struct{ Username, Password string }
	if json.Unmarshal([]byte(raw), &master) != nil || master.Username == "" {
		return fmt.Errorf("the master secret %s holds no username and password", cfg.MasterSecretID)
	}
	db, err := open(cfg, master.Username, master.Password, "")
	if err != nil {
		return fmt.Errorf("connecting to %s:%d as the master user %s: %v", cfg.Host, cfg.Port, master.Username, redact(err, master.Password))
	}
	defer db.Close()

	if _, err := db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+cfg.Database+"`"); err != nil {
		return fmt.Errorf("creating database %s: %w", cfg.Database, err)
	}
	current := AppSecret{}
	if raw, ok, err := secrets.Get(ctx, cfg.AppSecretID); err != nil {
		return fmt.Errorf("reading the app secret %s: %w", cfg.AppSecretID, err)
	} else if ok {
		if json.Unmarshal([]byte(raw), &current) != nil {
			return fmt.Errorf("the app secret %s is not the JSON the bootstrap writes", cfg.AppSecretID)
		}
	}
	for _, u := range cfg.Users {
		if err := ensureUser(ctx, db, u, cfg.Database); err != nil {
			return err
		}
	}
	logf("database %s and users %s, %s ready with %s on it only", cfg.Database, cfg.Users[0], cfg.Users[1], Grants)

	active := current.Username
	switch {
	case active == "" || (active != cfg.Users[0] && active != cfg.Users[1]):
		return setActive(ctx, db, cfg, secrets, cfg.Users[0], logf, "first password")
	case cfg.RotationID != "" && cfg.RotationID != current.RotationID:
		next := cfg.Users[0]
		if active == cfg.Users[0] {
			next = cfg.Users[1]
		}
		return setActive(ctx, db, cfg, secrets, next, logf, "rotation "+cfg.RotationID+" from "+active)
	}
	// The secret's password must still open the database (e.g. after a restore); if not, the
	// user gets the secret's password back, so the running app keeps working.
	if check, err := open(cfg, active, current.Password, cfg.Database); err == nil {
		check.Close()
		logf("app secret current: user %s connects", active)
		return nil
	}
	if _, err := db.ExecContext(ctx, "ALTER USER '"+active+"'@'%' IDENTIFIED BY ?", current.Password); err != nil {
		return fmt.Errorf("restoring the password of %s: %v", active, redact(err, current.Password))
	}
	logf("user %s did not accept the secret's password; set it again", active)
	return nil
}

// ensureUser creates the user if missing and leaves it exactly the app's grants on its database.
func ensureUser(ctx context.Context, db *sql.DB, user, database string) error {
	placeholder, err := password()
	if err != nil {
		return err
	}
	stmts := []struct {
		sql  string
		args []any
	}{
		// A new user gets an unknown random password until setActive gives it one.
		{"CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY ?", []any{placeholder}},
		{"REVOKE ALL PRIVILEGES, GRANT OPTION FROM '" + user + "'@'%'", nil},
		{"GRANT " + Grants + " ON `" + database + "`.* TO '" + user + "'@'%'", nil},
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("preparing user %s: %v", user, redact(err, placeholder))
		}
	}
	return nil
}

// setActive gives user a new password, proves it connects, then makes it the secret's user.
func setActive(ctx context.Context, db *sql.DB, cfg Config, secrets Secrets, user string, logf func(string, ...any), why string) error {
	pw, err := password()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "ALTER USER '"+user+"'@'%' IDENTIFIED BY ?", pw); err != nil {
		return fmt.Errorf("setting the password of %s: %v", user, redact(err, pw))
	}
	check, err := open(cfg, user, pw, cfg.Database)
	if err != nil {
		return fmt.Errorf("user %s cannot connect with its new password: %v", user, redact(err, pw))
	}
	check.Close()
	value, _ := json.Marshal(AppSecret{Username: user, Password: pw, Host: cfg.Host, Port: cfg.Port, DBName: cfg.Database, RotationID: cfg.RotationID})
	if err := secrets.Put(ctx, cfg.AppSecretID, string(value)); err != nil {
		return fmt.Errorf("writing the app secret %s: %w", cfg.AppSecretID, err)
	}
	logf("app secret now names user %s (%s)", user, why)
	return nil
}

// open connects and pings; database may be empty.
func open(cfg Config, user, pw, database string) (*sql.DB, error) {
	// interpolateParams: the driver escapes the password literal itself, since servers take no
	// placeholder in CREATE/ALTER USER ... IDENTIFIED BY.
	dsn := fmt.Sprintf("%s:%s@tcp(%s:%d)/%s?interpolateParams=true", user, pw, cfg.Host, cfg.Port, database)
	if cfg.DSNParams != "" {
		dsn += "&" + cfg.DSNParams
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// password is 32 characters from crypto/rand (190 bits), safe in a DSN without escaping.
func password() (string, error) {
	b := make([]byte, 32)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}

// redact removes a secret from an error's text.
func redact(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	return errors.New(regexp.MustCompile(regexp.QuoteMeta(secret)).ReplaceAllString(err.Error(), "[redacted]"))
}

func errOr(err error, text string) string {
	if err != nil {
		return err.Error()
	}
	return text
}
