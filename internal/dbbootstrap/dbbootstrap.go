// Package dbbootstrap prepares the application's database and its own MySQL users from the
// master credentials, and keeps the application's credentials secret current. It runs
// in-cluster before the app (an Argo CD PreSync Job in its own namespace, so the master secret
// never reaches the app's), is idempotent, and never prints a credential.
//
// Rotation without an outage: there are two app users; the secret names the active one. A
// rotation sets a new password on the other user, checks it, then switches the secret to it.
// Pods pick the new secret up and roll; the previous user keeps working until the next
// rotation gives it a new password, which is refused until MinRotationInterval after the
// previous one (rotated_at in the secret), so pods have had time to switch.
//
// Grants never lapse: each run grants the app's privileges first, then revokes only what SHOW
// GRANTS lists beyond them.
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
	"time"
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
	// MinRotationInterval is the least time between two rotations (0: no minimum). A rotation
	// changes the password of the user the previous rotation switched away from, which pods use
	// until External Secrets has refreshed their secret and they have rolled.
	MinRotationInterval time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
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
	// RotatedAt is when the last rotation switched the secret to this user (RFC 3339, UTC): until
	// pods have the new secret, they use the other user, which the next rotation changes. Empty
	// before the first rotation.
	RotatedAt string `json:"rotated_at,omitempty"`
}

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

	current := AppSecret{}
	if raw, ok, err := secrets.Get(ctx, cfg.AppSecretID); err != nil {
		return fmt.Errorf("reading the app secret %s: %w", cfg.AppSecretID, err)
	} else if ok {
		if json.Unmarshal([]byte(raw), &current) != nil {
			return fmt.Errorf("the app secret %s is not the JSON the bootstrap writes", cfg.AppSecretID)
		}
	}
	active := current.Username
	first := active == "" || (active != cfg.Users[0] && active != cfg.Users[1])
	rotate := !first && cfg.RotationID != "" && cfg.RotationID != current.RotationID
	next := cfg.Users[0]
	if active == cfg.Users[0] {
		next = cfg.Users[1]
	}
	if rotate {
		// Refused before anything changes.
		if err := rotationAllowed(current, next, cfg); err != nil {
			return err
		}
	}

	if _, err := db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+cfg.Database+"`"); err != nil {
		return fmt.Errorf("creating database %s: %w", cfg.Database, err)
	}
	for _, u := range cfg.Users {
		if err := ensureUser(ctx, db, u, cfg.Database, logf); err != nil {
			return err
		}
	}
	logf("database %s and users %s, %s ready with %s on it only", cfg.Database, cfg.Users[0], cfg.Users[1], Grants)

	switch {
	case first:
		return setActive(ctx, db, cfg, secrets, cfg.Users[0], "", logf, "first password")
	case rotate:
		return setActive(ctx, db, cfg, secrets, next, now(cfg).Format(time.RFC3339), logf, "rotation "+cfg.RotationID+" from "+active)
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
func ensureUser(ctx context.Context, db *sql.DB, user, database string, logf func(string, ...any)) error {
	placeholder, err := password()
	if err != nil {
		return err
	}
	// A new user gets an unknown random password until setActive gives it one.
	if _, err := db.ExecContext(ctx, "CREATE USER IF NOT EXISTS '"+user+"'@'%' IDENTIFIED BY ?", placeholder); err != nil {
		return fmt.Errorf("preparing user %s: %v", user, redact(err, placeholder))
	}
	return ensureGrants(ctx, db, user, database, logf)
}

// setActive gives user a new password, proves it connects, then makes it the secret's user.
func setActive(ctx context.Context, db *sql.DB, cfg Config, secrets Secrets, user, rotatedAt string, logf func(string, ...any), why string) error {
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
	value, _ := json.Marshal(AppSecret{Username: user, Password: pw, Host: cfg.Host, Port: cfg.Port, DBName: cfg.Database, RotationID: cfg.RotationID, RotatedAt: rotatedAt})
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

func now(cfg Config) time.Time {
	if cfg.Now != nil {
		return cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// rotationAllowed refuses a rotation within cfg.MinRotationInterval of the previous one: it
// would give next, the user pods may still hold, a new password. The first rotation (no
// rotated_at: none yet, or a secret from a bootstrap that did not record it) is allowed.
func rotationAllowed(current AppSecret, next string, cfg Config) error {
	if current.RotatedAt == "" || cfg.MinRotationInterval <= 0 {
		return nil
	}
	prev, err := time.Parse(time.RFC3339, current.RotatedAt)
	if err != nil {
		return fmt.Errorf("the app secret %s has rotated_at %q, not an RFC 3339 time: the bootstrap cannot tell whether rotation %s is safe", cfg.AppSecretID, current.RotatedAt, cfg.RotationID)
	}
	if allowed := prev.Add(cfg.MinRotationInterval); now(cfg).Before(allowed) {
		return fmt.Errorf("rotation %s refused: the previous rotation was at %s and the minimum interval (--min-rotation-interval) is %s, so pods may still use %s, whose password it would change; the next rotation is allowed from %s",
			cfg.RotationID, prev.UTC().Format(time.RFC3339), cfg.MinRotationInterval, next, allowed.UTC().Format(time.RFC3339))
	}
	return nil
}
