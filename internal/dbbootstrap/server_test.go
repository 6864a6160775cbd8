package dbbootstrap

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// mariadb is a real MySQL-compatible server on loopback for the tests: MariaDB from Debian's
// packages (scripts/tools.sh installs it), in a throwaway data directory.
type mariadb struct {
	port int
	cmd  *exec.Cmd
	dir  string
}

// initialized is a data directory mariadb-install-db prepares once per test binary; each server
// starts on a copy (the install takes seconds, the copy a fraction of one).
var initialized struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if initialized.dir != "" {
		os.RemoveAll(initialized.dir)
	}
	os.Exit(code)
}

// startMariaDB starts a server with a master user the way RDS creates one (all privileges,
// with grant option); it fails the test when the server is missing, never skips.
func startMariaDB(t *testing.T) (*mariadb, string, string) {
	t.Helper()
	bin, err := exec.LookPath("mariadbd")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/mariadbd") // Debian's place, outside some PATHs
	}
	if err != nil {
		t.Fatalf("mariadbd not found: install MariaDB (scripts/tools.sh does, with apt-get install mariadb-server)")
	}
	dir := t.TempDir()
	initialized.once.Do(func() {
		if initialized.dir, initialized.err = os.MkdirTemp("", "mariadb-data"); initialized.err != nil {
			return
		}
		install := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+filepath.Join(initialized.dir, "data"), "--user=root",
			"--auth-root-authentication-method=normal", "--skip-test-db")
		if out, err := install.CombinedOutput(); err != nil {
			initialized.err = fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
		}
	})
	if initialized.err != nil {
		t.Fatal(initialized.err)
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(initialized.dir, "data"), filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("copying the initialized data directory: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	m := &mariadb{port: port, dir: dir}
	// A Unix socket path may not exceed 107 bytes; the test's temp dir can be deeper than that.
	sockDir, err := os.MkdirTemp("/tmp", "mdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	m.cmd = exec.Command(bin, "--no-defaults", "--datadir="+filepath.Join(dir, "data"), "--user=root", "--bind-address=127.0.0.1",
		fmt.Sprintf("--port=%d", port), "--socket="+filepath.Join(sockDir, "s"), "--pid-file="+filepath.Join(dir, "mysqld.pid"),
		"--log-error="+filepath.Join(dir, "error.log"), "--skip-log-bin")
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = m.cmd.Process.Kill()
		_, _ = m.cmd.Process.Wait()
	})
	root := m.conn(t, "root", "", "")
	for i := 0; ; i++ {
		if err := root.Ping(); err == nil {
			break
		} else if i == 100 {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("MariaDB did not start: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	const master, masterPW = "phladmin", "Master-Passw0rd-for-tests"
	for _, s := range []string{
		"CREATE USER '" + master + "'@'%' IDENTIFIED BY '" + masterPW + "'",
		"GRANT ALL PRIVILEGES ON *.* TO '" + master + "'@'%' WITH GRANT OPTION",
	} {
		if _, err := root.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return m, master, masterPW
}

func (m *mariadb) conn(t *testing.T, user, pw, database string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", fmt.Sprintf("%s:%s@tcp(127.0.0.1:%d)/%s", user, pw, m.port, database))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// memorySecrets is a secret store in memory; it records every value it was given.
type memorySecrets struct{ values map[string]string }

func (s *memorySecrets) Get(_ context.Context, id string) (string, bool, error) {
	v, ok := s.values[id]
	return v, ok, nil
}

func (s *memorySecrets) Put(_ context.Context, id, value string) error {
	s.values[id] = value
	return nil
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
