package dbbootstrap

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRotationAllowed(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		rotatedAt string
		interval  time.Duration
		now       time.Time
		wantErr   []string
	}{
		{"first rotation", "", time.Hour, at, nil},
		{"inside the interval", "2026-11-02T09:00:00Z", time.Hour, at.Add(59 * time.Minute),
			[]string{"rotation 2026-12 refused", "previous rotation was at 2026-11-02T09:00:00Z", "--min-rotation-interval", "1h0m0s",
				"phl_app_a", "allowed from 2026-11-02T10:00:00Z"}},
		{"at the end of the interval", "2026-11-02T09:00:00Z", time.Hour, at.Add(time.Hour), nil},
		{"a previous rotation in another zone", "2026-11-02T10:30:00+01:00", time.Hour, at.Add(time.Hour),
			[]string{"previous rotation was at 2026-11-02T09:30:00Z", "allowed from 2026-11-02T10:30:00Z"}},
		{"a previous rotation in the future (clock skew)", "2026-11-02T12:00:00Z", time.Hour, at,
			[]string{"allowed from 2026-11-02T13:00:00Z"}},
		{"no minimum", "2026-11-02T09:00:00Z", 0, at, nil},
		{"not a time", "yesterday", time.Hour, at, []string{`rotated_at "yesterday"`, "not an RFC 3339 time"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{AppSecretID: appID, RotationID: "2026-12", MinRotationInterval: c.interval, Now: func() time.Time { return c.now }}
			err := rotationAllowed(AppSecret{Username: "phl_app_b", RotatedAt: c.rotatedAt}, "phl_app_a", cfg)
			if c.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !contains(err.Error(), c.wantErr...) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line with %q", err, c.wantErr)
			}
		})
	}
}

// Against the server: the first rotation is allowed at once, the next is refused inside the
// minimum interval (nothing changes: the user pods may hold keeps its password) and allowed
// after it; a secret without rotated_at (written before the bootstrap recorded it) rotates.
func TestRotationWaitsForTheMinimumInterval(t *testing.T) {
	m, s, cfg := setup(t)
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cfg.Now = func() time.Time { return clock }
	cfg.MinRotationInterval = time.Hour
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	first := appSecret(t, s)
	if strings.Contains(s.values[appID], "rotated_at") {
		t.Fatal("the first password records a rotation (rotated_at)")
	}

	cfg.RotationID = "r1"
	if _, err := run(t, cfg, s); err != nil {
		t.Fatalf("the first rotation, right after the first password: %v", err)
	}
	r1 := appSecret(t, s)
	if r1.Username != "phl_app_b" || r1.RotatedAt != "2026-11-02T09:00:00Z" {
		t.Fatalf("after rotation r1: %s, rotated_at %q", r1.Username, r1.RotatedAt)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(s.values[appID]), &fields); err != nil || fields["rotated_at"] != "2026-11-02T09:00:00Z" {
		t.Fatalf("the secret's JSON has rotated_at %v (%v)", fields["rotated_at"], err)
	}
	// The ExternalSecret template reads these keys; rotated_at comes alongside.
	for _, k := range []string{"username", "password", "host", "port", "dbname", "rotation_id"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("the secret lost %q", k)
		}
	}

	clock = clock.Add(59 * time.Minute)
	cfg.RotationID = "r2"
	out, err := run(t, cfg, s)
	if err == nil || !contains(out, "rotation r2 refused", "2026-11-02T09:00:00Z", "1h0m0s", "allowed from 2026-11-02T10:00:00Z") {
		t.Fatalf("rotation r2 59 minutes after r1: error %v\n%s", err, out)
	}
	if appSecret(t, s) != r1 {
		t.Fatal("a refused rotation changed the secret")
	}
	if err := m.conn(t, first.Username, first.Password, "products").Ping(); err != nil {
		t.Errorf("the refused rotation changed the password of %s, which pods may still use: %v", first.Username, err)
	}
	if strings.Contains(out, "ready with") {
		t.Errorf("a refused run prepared the users:\n%s", out)
	}

	clock = clock.Add(time.Minute)
	if _, err := run(t, cfg, s); err != nil {
		t.Fatalf("rotation r2 an hour after r1: %v", err)
	}
	r2 := appSecret(t, s)
	if r2.Username != "phl_app_a" || r2.RotationID != "r2" || r2.RotatedAt != "2026-11-02T10:00:00Z" {
		t.Fatalf("after rotation r2: %s, rotation_id %q, rotated_at %q", r2.Username, r2.RotationID, r2.RotatedAt)
	}
	for _, c := range []AppSecret{r1, r2} {
		if err := m.conn(t, c.Username, c.Password, "products").Ping(); err != nil {
			t.Errorf("%s cannot connect: %v", c.Username, err)
		}
	}

	// A secret without rotated_at: the previous rotation's time is unknown, so it is allowed.
	r2.RotatedAt = ""
	value, _ := json.Marshal(r2)
	s.values[appID] = string(value)
	cfg.RotationID = "r3"
	if _, err := run(t, cfg, s); err != nil {
		t.Fatalf("rotation from a secret without rotated_at: %v", err)
	}
	if r3 := appSecret(t, s); r3.Username != "phl_app_b" || r3.RotatedAt != "2026-11-02T10:00:00Z" {
		t.Fatalf("after rotation r3: %s, rotated_at %q", r3.Username, r3.RotatedAt)
	}
}
