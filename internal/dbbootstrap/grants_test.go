package dbbootstrap

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const from = " FROM 'phl_app_a'@'%'"

// SHOW GRANTS lines as MySQL 8.0 (Aurora MySQL 3) and MariaDB print them, and what the bootstrap
// revokes for each. The MySQL lines are the examples of the MySQL 8.0 Reference Manual (SHOW
// GRANTS Statement; Privilege Restriction Using Partial Revokes) and a MySQL 8.0 root account's
// real output; the MariaDB lines are MariaDB 10.11's real output.
func TestExtraGrantRevokes(t *testing.T) {
	mysqlRoot := "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, SHUTDOWN, PROCESS, FILE, REFERENCES, INDEX, ALTER, SHOW DATABASES, SUPER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, CREATE TABLESPACE, CREATE ROLE, DROP ROLE ON *.* TO `root`@`localhost` WITH GRANT OPTION"
	mysqlRootPrivs := mysqlRoot[len("GRANT "):strings.Index(mysqlRoot, " ON ")]
	narrowAll := "REVOKE ALTER, ALTER ROUTINE, CREATE ROUTINE, CREATE TEMPORARY TABLES, CREATE VIEW, DROP, EVENT, EXECUTE, INDEX, LOCK TABLES, REFERENCES, SHOW VIEW, TRIGGER ON "
	cases := []struct {
		name     string
		database string
		lines    []string
		want     []string
	}{
		// MySQL 8.0
		{"mysql: exactly the app's grants", "products", []string{
			"GRANT USAGE ON *.* TO `phl_app_a`@`%`",
			"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON `products`.* TO `phl_app_a`@`%`",
		}, nil},
		{"mysql: a subset of the app's grants on the app's database", "db1", []string{
			"GRANT USAGE ON *.* TO `jeffrey`@`localhost`",
			"GRANT SELECT, INSERT, UPDATE ON `db1`.* TO `jeffrey`@`localhost`",
		}, nil},
		{"mysql: the same grants on another database", "products", []string{
			"GRANT SELECT, INSERT, UPDATE ON `db1`.* TO `jeffrey`@`localhost`",
		}, []string{"REVOKE SELECT, INSERT, UPDATE ON `db1`.*" + from}},
		{"mysql: roles", "products", []string{
			"GRANT USAGE ON *.* TO `u1`@`localhost`",
			"GRANT `r1`@`%`,`r2`@`%` TO `u1`@`localhost`",
		}, []string{"REVOKE `r1`@`%`, `r2`@`%`" + from}},
		{"mysql: a role with admin option", "products", []string{
			"GRANT `m8_role_b`@`%` TO `m8_role_a`@`%` WITH ADMIN OPTION",
		}, []string{"REVOKE `m8_role_b`@`%`" + from}},
		{"mysql: global static privileges with grant option", "products", []string{mysqlRoot},
			[]string{"REVOKE " + mysqlRootPrivs + " ON *.*" + from, "REVOKE GRANT OPTION ON *.*" + from}},
		{"mysql: dynamic privileges", "products", []string{
			"GRANT BACKUP_ADMIN,BINLOG_ADMIN,CONNECTION_ADMIN,ROLE_ADMIN ON *.* TO `root`@`localhost` WITH GRANT OPTION",
		}, []string{"REVOKE BACKUP_ADMIN, BINLOG_ADMIN, CONNECTION_ADMIN, ROLE_ADMIN ON *.*" + from, "REVOKE GRANT OPTION ON *.*" + from}},
		{"mysql: proxy", "products", []string{"GRANT PROXY ON ``@`` TO `root`@`localhost` WITH GRANT OPTION"},
			[]string{"REVOKE PROXY ON ``@``" + from}},
		{"mysql: a partial revoke only restricts", "products", []string{
			"GRANT SELECT, INSERT ON *.* TO `u1`@`%`",
			"REVOKE INSERT ON `world`.* FROM `u1`@`%`",
		}, []string{"REVOKE SELECT, INSERT ON *.*" + from}},
		{"mysql: all privileges on the app's database", "testdb", []string{
			"GRANT USAGE ON *.* TO `testuser`@`%`",
			"GRANT ALL PRIVILEGES ON `testdb`.* TO `testuser`@`%`",
			"GRANT ALL PRIVILEGES ON `testdb2`.* TO `testuser`@`%`",
		}, []string{narrowAll + "`testdb`.*" + from, "REVOKE ALL PRIVILEGES ON `testdb2`.*" + from}},
		{"mysql: a database whose name starts like the app's", "products", []string{
			"GRANT SELECT ON `products_old`.* TO `phl_app_a`@`%`",
			"GRANT SELECT ON `Products`.* TO `phl_app_a`@`%`",
		}, []string{"REVOKE SELECT ON `products_old`.*" + from, "REVOKE SELECT ON `Products`.*" + from}},
		// MariaDB
		{"mariadb: exactly the app's grants", "products", []string{
			"GRANT USAGE ON *.* TO `phl_app_a`@`%` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227'",
			"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON `products`.* TO `phl_app_a`@`%`",
		}, nil},
		{"mariadb: extras everywhere", "products", []string{
			"GRANT RELOAD, PROCESS ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227'",
			"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON `products`.* TO `u`@`%` WITH GRANT OPTION",
			"GRANT SELECT ON `other`.* TO `u`@`%`",
			"GRANT SELECT (`name`, `id`), INSERT (`name`) ON `products`.`t` TO `u`@`%`",
			"GRANT SELECT ON `other`.`secrets` TO `u`@`%`",
			"GRANT EXECUTE ON PROCEDURE `products`.`p` TO `u`@`%`",
			"GRANT `r1` TO `u`@`%`",
			"GRANT PROXY ON `pal`@`%` TO `u`@`%`",
			"GRANT PROXY ON ``@`%` TO `u`@`%`",
			"SET DEFAULT ROLE `r1` FOR `u`@`%`",
		}, []string{
			"REVOKE RELOAD, PROCESS ON *.*" + from,
			"REVOKE DROP ON `products`.*" + from,
			"REVOKE GRANT OPTION ON `products`.*" + from,
			"REVOKE SELECT ON `other`.*" + from,
			"REVOKE SELECT (`name`, `id`), INSERT (`name`) ON `products`.`t`" + from,
			"REVOKE SELECT ON `other`.`secrets`" + from,
			"REVOKE EXECUTE ON PROCEDURE `products`.`p`" + from,
			"REVOKE `r1`" + from,
			"REVOKE PROXY ON `pal`@`%`" + from,
			"REVOKE PROXY ON ``@`%`" + from,
		}},
		{"mariadb: global grant option among resource limits", "products", []string{
			"GRANT USAGE ON *.* TO `v`@`%` IDENTIFIED BY PASSWORD '*B69027D44F6E5EDC07F1AEAD1477967B16F28227' WITH GRANT OPTION MAX_QUERIES_PER_HOUR 10",
			"GRANT ALL PRIVILEGES ON `products`.* TO `v`@`%`",
		}, []string{"REVOKE GRANT OPTION ON *.*" + from, narrowAll + "`products`.*" + from}},
		{"mariadb: what remains of ALL after the first pass", "products", []string{
			"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DELETE HISTORY ON `products`.* TO `v`@`%`",
		}, []string{"REVOKE DELETE HISTORY ON `products`.*" + from}},
		{"mariadb: a password hash that reads like a grant option", "products", []string{
			"GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD 'x WITH GRANT OPTION ON'",
		}, nil},
		{"quoted names that hold keywords and quotes", "products", []string{
			"GRANT SELECT ON `a TO b`.`c ON d` TO `u`@`%`",
			"GRANT SELECT ON `we``ird`.* TO `u`@`%`",
		}, []string{"REVOKE SELECT ON `a TO b`.`c ON d`" + from, "REVOKE SELECT ON `we``ird`.*" + from}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := extraGrantRevokes(c.lines, "phl_app_a", c.database)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("revokes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// A line the parser cannot read stops the bootstrap with an error that names the line's start
// and never its account part, where MariaDB prints the password hash.
func TestUnreadableGrantLines(t *testing.T) {
	for _, line := range []string{
		"GRANT SELECT ON `products`.* TO `u`@`%` IDENTIFIED BY PASSWORD '*HASH",
		"GRANT SELECT ON `products`.* TO",
		"GRANT SELECT ON TO `u`@`%`",
		"GRANT ON `products`.* TO `u`@`%`",
		"GRANT SELECT, ON `products`.* TO `u`@`%`",
		"GRANT SELECT (`id` ON `products`.`t` TO `u`@`%`",
		"GRANT SELECT ON `products`.* `u`@`%`",
		"CREATE USER `u`@`%`",
		"",
	} {
		_, err := extraGrantRevokes([]string{line}, "phl_app_a", "products")
		if err == nil {
			t.Errorf("%q: no error", line)
			continue
		}
		if strings.Contains(err.Error(), "HASH") || strings.Contains(err.Error(), "`u`@") {
			t.Errorf("%q: the error shows the account part: %v", line, err)
		}
	}
}

// New connections the app opens while the bootstrap runs always have its privileges: goroutines
// run INSERT and SELECT as the active user, each on a new connection (a connection takes the
// privileges in force when it opens), throughout several runs. REVOKE ALL then GRANT fails this.
func TestGrantsNeverLapseDuringARun(t *testing.T) {
	m, s, cfg := setup(t)
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	a := appSecret(t, s)
	master := m.conn(t, "phladmin", "Master-Passw0rd-for-tests", "products")
	if _, err := master.Exec("CREATE TABLE items (id int auto_increment primary key, v int)"); err != nil {
		t.Fatal(err)
	}
	app := m.conn(t, a.Username, a.Password, "products")
	app.SetMaxIdleConns(0) // a new connection for every statement
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := app.Exec("INSERT INTO items (v) VALUES (1)")
				if err == nil {
					var n int
					err = app.QueryRow("SELECT COUNT(*) FROM items").Scan(&n)
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ok.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	// At least 20 runs, and on until 300 app statements have run (a loaded machine is slower).
	runs, began := 0, time.Now()
	for ; runs < 20 || (ok.Load() < 300 && time.Since(began) < 30*time.Second); runs++ {
		if _, err := run(t, cfg, s); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d app statements succeeded and %d failed during %d runs (%v)", ok.Load(), failed.Load(), runs, time.Since(began))
	if failed.Load() > 0 {
		t.Errorf("%d of %d app statements failed during %d bootstrap runs; the first: %v", failed.Load(), failed.Load()+ok.Load(), runs, firstErr.Load())
	}
	if ok.Load() < 300 {
		t.Errorf("only %d app statements ran during the bootstrap runs: too few to show anything", ok.Load())
	}
}

// Privileges planted beyond the app's (on its database, on other objects, global, a role, a
// proxy, grant options) are revoked by a run; the app's own stay, and the user works.
func TestExtraGrantsAreRevokedAndTheAppsStay(t *testing.T) {
	m, s, cfg := setup(t)
	if _, err := run(t, cfg, s); err != nil {
		t.Fatal(err)
	}
	master := m.conn(t, "phladmin", "Master-Passw0rd-for-tests", "")
	for _, stmt := range []string{
		"CREATE DATABASE other", "CREATE TABLE other.secrets (v int)", "INSERT INTO other.secrets VALUES (42)",
		"CREATE TABLE products.items (id int primary key, name varchar(20))", "CREATE PROCEDURE products.p() SELECT 1",
		"CREATE ROLE snooper", "GRANT SELECT ON other.* TO snooper", "CREATE USER 'pal'@'%'",
		"GRANT DROP, ALTER ON products.* TO 'phl_app_a'@'%' WITH GRANT OPTION",
		"GRANT SELECT ON other.* TO 'phl_app_a'@'%'",
		"GRANT SELECT ON other.secrets TO 'phl_app_a'@'%'",
		"GRANT SELECT (id), UPDATE (name) ON products.items TO 'phl_app_a'@'%'",
		"GRANT EXECUTE ON PROCEDURE products.p TO 'phl_app_a'@'%'",
		"GRANT PROCESS, SHOW DATABASES ON *.* TO 'phl_app_a'@'%'",
		"GRANT snooper TO 'phl_app_a'@'%'",
		"GRANT ALL PRIVILEGES ON products.* TO 'phl_app_b'@'%'",
		"GRANT USAGE ON *.* TO 'phl_app_b'@'%' WITH GRANT OPTION",
	} {
		if _, err := master.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	out, err := run(t, cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(out, "REVOKE DROP, ALTER ON `products`.* FROM 'phl_app_a'@'%'", "REVOKE `snooper` FROM 'phl_app_a'@'%'",
		"REVOKE DELETE HISTORY ON `products`.* FROM 'phl_app_b'@'%'") {
		t.Errorf("the log does not name what was revoked:\n%s", out)
	}
	for _, user := range []string{"phl_app_a", "phl_app_b"} {
		rows, err := master.Query("SHOW GRANTS FOR '" + user + "'@'%'")
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		rows.Close()
		global := "GRANT USAGE ON *.* TO `" + user + "`@`%` IDENTIFIED BY PASSWORD '*"
		app := "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON `products`.* TO `" + user + "`@`%`"
		if len(lines) != 2 || !strings.HasPrefix(lines[0], global) || strings.Contains(lines[0], "GRANT OPTION") || lines[1] != app {
			t.Errorf("grants of %s after the run:\n%s\nwant:\n%s...\n%s", user, strings.Join(lines, "\n"), global, app)
		}
	}
	a := appSecret(t, s)
	conn := m.conn(t, a.Username, a.Password, "products")
	for _, ok := range []string{"CREATE TABLE t2 (id int)", "INSERT INTO items VALUES (1, 'pen')", "UPDATE items SET name = 'ink'",
		"SELECT * FROM items", "DELETE FROM items"} {
		if _, err := conn.Exec(ok); err != nil {
			t.Errorf("the app user may no longer %q: %v", ok, err)
		}
	}
	for _, denied := range []string{"DROP TABLE items", "ALTER TABLE items ADD COLUMN x int", "SELECT * FROM other.secrets",
		"CALL p()", "SET ROLE snooper", "GRANT SELECT ON products.* TO 'pal'@'%'"} {
		if _, err := conn.Exec(denied); err == nil {
			t.Errorf("the app user may still %q", denied)
		}
	}

	// A grant the master user may not revoke (PROXY needs the PROXY privilege on the proxied
	// account, which ALL PRIVILEGES does not include) fails the run visibly, naming it.
	root := m.conn(t, "root", "", "")
	if _, err := root.Exec("GRANT PROXY ON 'pal'@'%' TO 'phl_app_a'@'%'"); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, cfg, s); err == nil || !contains(out, "REVOKE PROXY ON `pal`@`%` FROM 'phl_app_a'@'%'", "Access denied") {
		t.Errorf("a proxy grant the master cannot revoke: error %v\n%s", err, out)
	}
}
