package dbbootstrap

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Grants are the app users' privileges on their database, and nothing else.
const Grants = "CREATE, SELECT, INSERT, UPDATE, DELETE"

// dbLevelPrivileges are the static privileges MySQL 8.0 and MariaDB both accept at database
// level ("Permissible Static Privileges for GRANT and REVOKE", MySQL 8.0 Reference Manual,
// 15.7.1.6 GRANT Statement). ALL PRIVILEGES on the app's database is narrowed by revoking these
// but the wanted ones; a privilege only one server knows (MariaDB's DELETE HISTORY) then shows
// by name in SHOW GRANTS and goes on the next pass.
var dbLevelPrivileges = []string{"ALTER", "ALTER ROUTINE", "CREATE", "CREATE ROUTINE", "CREATE TEMPORARY TABLES",
	"CREATE VIEW", "DELETE", "DROP", "EVENT", "EXECUTE", "INDEX", "INSERT", "LOCK TABLES", "REFERENCES", "SELECT",
	"SHOW VIEW", "TRIGGER", "UPDATE"}

// ensureGrants gives user the app's grants on database, then revokes whatever else SHOW GRANTS
// lists. Nothing wanted is ever revoked, so a connection opened meanwhile always has the
// app's privileges (REVOKE ALL then GRANT would leave a window without them).
func ensureGrants(ctx context.Context, db *sql.DB, user, database string, logf func(string, ...any)) error {
	if _, err := db.ExecContext(ctx, "GRANT "+Grants+" ON `"+database+"`.* TO '"+user+"'@'%'"); err != nil {
		return fmt.Errorf("granting %s on %s to %s: %w", Grants, database, user, err)
	}
	const passes = 3
	for pass := 1; ; pass++ {
		lines, err := showGrants(ctx, db, user)
		if err != nil {
			return err
		}
		revokes, err := extraGrantRevokes(lines, user, database)
		if err != nil {
			return err
		}
		if len(revokes) == 0 {
			return nil
		}
		if pass > passes {
			return fmt.Errorf("user %s still holds more than %s on %s after %d passes: %s", user, Grants, database, passes, strings.Join(revokes, "; "))
		}
		for _, r := range revokes {
			if _, err := db.ExecContext(ctx, r); err != nil {
				return fmt.Errorf("%s: %w", r, err)
			}
			logf("%s (beyond the app's grants)", r)
		}
	}
}

func showGrants(ctx context.Context, db *sql.DB, user string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SHOW GRANTS FOR '"+user+"'@'%'")
	if err != nil {
		return nil, fmt.Errorf("reading the grants of %s: %w", user, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("reading the grants of %s: %w", user, err)
		}
		lines = append(lines, line)
	}
	return lines, rows.Err()
}

// extraGrantRevokes returns the REVOKE statements that take from user what its SHOW GRANTS
// lines hold beyond Grants on database: other privileges on the database, its grant option,
// any privilege on another object (global, another database, a table, a column, a routine, a
// proxy) and any role. The statements name objects as the server printed them and never carry
// the lines' credentials (MariaDB prints the password hash on the global line).
func extraGrantRevokes(lines []string, user, database string) ([]string, error) {
	from := " FROM '" + user + "'@'%'"
	var revokes []string
	for _, line := range lines {
		g, ok, err := parseGrant(line)
		if err != nil {
			return nil, fmt.Errorf("SHOW GRANTS for %s: %w", user, err)
		}
		if !ok {
			continue
		}
		if g.object == "" { // roles
			revokes = append(revokes, "REVOKE "+strings.Join(g.privileges, ", ")+from)
			continue
		}
		appDB := g.isDatabase(database)
		var extra []string
		for _, p := range g.privileges {
			switch name := normalize(p); {
			case name == "USAGE":
			case appDB && (name == "ALL" || name == "ALL PRIVILEGES"):
				for _, q := range dbLevelPrivileges {
					if !wanted(q) {
						extra = append(extra, q)
					}
				}
			case appDB && wanted(name):
			default:
				extra = append(extra, p)
			}
		}
		if len(extra) > 0 {
			revokes = append(revokes, "REVOKE "+strings.Join(extra, ", ")+" ON "+g.object+from)
		}
		// REVOKE PROXY removes the proxy grant with its grant option.
		if g.grantOption && !g.isProxy() {
			revokes = append(revokes, "REVOKE GRANT OPTION ON "+g.object+from)
		}
	}
	return revokes, nil
}

func wanted(privilege string) bool {
	for _, w := range strings.Split(Grants, ", ") {
		if privilege == w {
			return true
		}
	}
	return false
}

// normalize is a privilege's name in upper case with single spaces.
func normalize(p string) string { return strings.Join(strings.Fields(strings.ToUpper(p)), " ") }

// grant is one GRANT line of SHOW GRANTS. MySQL 8.0 and MariaDB print the same shape:
//
//	GRANT <privileges> ON [PROCEDURE|FUNCTION|TABLE] <object> TO <account> [<tail>]
//	GRANT <role>[, <role>] TO <account> [WITH ADMIN OPTION]
//
// They differ in details the parser takes as they come: MySQL 8.0 lists dynamic privileges
// without spaces ("BACKUP_ADMIN,BINLOG_ADMIN") and roles with a host (`r1`@`%`); MariaDB adds
// "IDENTIFIED BY PASSWORD '<hash>'" and resource limits after the account ("WITH GRANT OPTION
// MAX_QUERIES_PER_HOUR 10") and names roles without a host (`r1`).
type grant struct {
	privileges  []string // as printed, e.g. "SELECT", "SELECT (`id`, `name`)", "`r1`@`%`" for a role
	object      string   // as printed, e.g. "*.*", "`products`.*", "PROCEDURE `db`.`p`", "``@`%`"; "" for roles
	objectParts []token  // the object's tokens
	grantOption bool
}

// parseGrant reads one SHOW GRANTS line; ok is false for lines that grant nothing: MySQL 8.0's
// partial revokes ("REVOKE INSERT ON `mysql`.* FROM ...") only restrict, and MariaDB's "SET
// DEFAULT ROLE" only activates a role that is granted (and revoked) on its own line.
func parseGrant(line string) (g grant, ok bool, err error) {
	toks, err := tokenize(line)
	if err != nil {
		return g, false, err
	}
	if len(toks) == 0 {
		return g, false, fmt.Errorf("an empty line")
	}
	switch first := strings.ToUpper(toks[0].text); {
	case first == "REVOKE", first == "SET" && len(toks) > 2 && toks[1].is("DEFAULT") && toks[2].is("ROLE"):
		return g, false, nil
	case first != "GRANT":
		return g, false, fmt.Errorf("a line that is no GRANT (it starts %q)", toks[0].text)
	}
	on, to := -1, -1
	for i, t := range toks {
		if t.is("TO") {
			to = i
			break
		}
		if on < 0 && t.is("ON") {
			on = i
		}
	}
	head := toks[1:max(to, 1)]
	if on > 0 {
		head = toks[1:on]
	}
	if to < 0 || len(head) == 0 || to == on+1 || to == len(toks)-1 {
		return g, false, fmt.Errorf("a GRANT line without privileges, object or account (it starts %q)", prefix(line, toks, on))
	}
	if on > 0 {
		g.objectParts = toks[on+1 : to]
		g.object = span(line, g.objectParts)
	}
	// Privileges are separated by top-level commas; a column list is one token.
	start := 0
	for i := 0; i <= len(head); i++ {
		if i == len(head) || head[i].text == "," {
			if i == start {
				return g, false, fmt.Errorf("a GRANT line with an empty privilege (it starts %q)", prefix(line, toks, on))
			}
			g.privileges = append(g.privileges, span(line, head[start:i]))
			start = i + 1
		}
	}
	tail := toks[to+1:]
	for i := 0; i+1 < len(tail); i++ {
		if tail[i].is("GRANT") && tail[i+1].is("OPTION") {
			g.grantOption = true
		}
	}
	return g, true, nil
}

// isDatabase reports whether the grant is on database.* exactly.
func (g grant) isDatabase(database string) bool {
	p := g.objectParts
	return len(p) == 3 && p[0].name() == database && p[1].text == "." && p[2].text == "*"
}

func (g grant) isProxy() bool { return len(g.privileges) == 1 && normalize(g.privileges[0]) == "PROXY" }

// prefix is the line up to its object, for error messages: never its account or tail, which
// can hold a password hash.
func prefix(line string, toks []token, on int) string {
	if on > 0 {
		return span(line, toks[:on])
	}
	return toks[0].text
}

// token is a word, a quoted name or string, a parenthesized group, or one of , . @
type token struct {
	text       string
	start, end int
}

// is reports whether the token is the bare keyword kw.
func (t token) is(kw string) bool { return strings.EqualFold(t.text, kw) }

// name is the token's text with its backticks or quotes removed.
func (t token) name() string {
	if len(t.text) >= 2 {
		switch q := t.text[0]; q {
		case '`', '\'', '"':
			return strings.ReplaceAll(t.text[1:len(t.text)-1], string([]byte{q, q}), string(q))
		}
	}
	return t.text
}

func span(line string, toks []token) string { return line[toks[0].start:toks[len(toks)-1].end] }

func tokenize(line string) ([]token, error) {
	var toks []token
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == ',' || c == '.' || c == '@':
			toks = append(toks, token{line[i : i+1], i, i + 1})
			i++
			continue
		}
		start := i
		var err error
		switch c {
		case '`', '\'', '"':
			i, err = skipQuoted(line, i)
		case '(':
			depth := 0
			for i < len(line) {
				switch line[i] {
				case '`', '\'', '"':
					if i, err = skipQuoted(line, i); err != nil {
						return nil, err
					}
					continue
				case '(':
					depth++
				case ')':
					depth--
				}
				i++
				if depth == 0 {
					break
				}
			}
			if depth != 0 {
				err = fmt.Errorf("an unbalanced parenthesis at byte %d", start)
			}
		default:
			for i < len(line) && !strings.ContainsRune(" \t\n\r,.@`'\"()", rune(line[i])) {
				i++
			}
			if i == start {
				return nil, fmt.Errorf("an unexpected %q at byte %d", c, i)
			}
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, token{line[start:i], start, i})
	}
	return toks, nil
}

// skipQuoted returns the index just past the quoted name or string starting at i. A doubled
// quote stands for itself; in strings a backslash escapes the next byte.
func skipQuoted(line string, i int) (int, error) {
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch {
		case line[j] == '\\' && q != '`':
			j++
		case line[j] == q && j+1 < len(line) && line[j+1] == q:
			j++
		case line[j] == q:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("an unterminated %c quote at byte %d", q, i)
}
