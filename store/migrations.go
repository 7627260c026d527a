package store

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The schema's migrations, one file each, named NNNN_what.sql. Statements end
// with a ';' at the end of a line, and {db} stands for the database's name.
// A migration, once released, is never edited: a change of schema is a new
// file. Statements use IF NOT EXISTS where they can, so that two replicas that
// migrate at once do no harm.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version    uint32
	name       string   // the file's name without the number and .sql
	statements []string // with {db} still in them
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// migrations lists the embedded migrations in order. A malformed file is a
// programming error, caught by the tests, so it panics.
func migrations() []migration {
	ents, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		panic(fmt.Sprintf("reading embedded migrations: %v", err))
	}
	var ms []migration
	for _, e := range ents {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			panic(fmt.Sprintf("migration file %s: want a name like 0001_what.sql", e.Name()))
		}
		v, _ := strconv.ParseUint(m[1], 10, 32)
		text, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			panic(fmt.Sprintf("reading migration %s: %v", e.Name(), err))
		}
		stmts := splitStatements(string(text))
		if len(stmts) == 0 {
			panic(fmt.Sprintf("migration %s has no statements", e.Name()))
		}
		ms = append(ms, migration{version: uint32(v), name: m[2], statements: stmts})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			panic(fmt.Sprintf("two migrations numbered %d", ms[i].version))
		}
	}
	return ms
}

// splitStatements splits SQL text at each ';' that ends a line and drops
// comment lines and empty statements. The ';' is not kept.
func splitStatements(text string) []string {
	var stmts []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		end := strings.HasSuffix(trimmed, ";")
		if end {
			line = strings.TrimSuffix(strings.TrimRight(line, " \t\r"), ";")
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if end {
			if s := strings.TrimSpace(cur.String()); s != "" {
				stmts = append(stmts, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		stmts = append(stmts, s)
	}
	return stmts
}

// bind puts the database's name into a statement.
func bind(stmt, db string) string { return strings.ReplaceAll(stmt, "{db}", db) }

// setupStatements create the database and the table that records applied
// migrations; they run before every migration.
func setupStatements(db string) []string {
	return []string{
		"CREATE DATABASE IF NOT EXISTS " + db,
		"CREATE TABLE IF NOT EXISTS " + db + ".schema_migrations\n" +
			"(\n    version UInt32,\n    name String,\n    applied DateTime\n)\n" +
			"ENGINE = ReplacingMergeTree()\nORDER BY version",
	}
}

// recordStatement records migration m as applied. Its values are constants of
// the program, so they are written into the statement. It is an INSERT ...
// SELECT because 18.16 answers an INSERT ... VALUES sent over the native
// protocol by waiting for data blocks.
func recordStatement(db string, m migration) string {
	return fmt.Sprintf("INSERT INTO %s.schema_migrations (version, name, applied) SELECT %d, '%s', now()", db, m.version, m.name)
}

// MigrationSQL returns every statement that Migrate would run on an empty
// server for database (DefaultDatabase when empty), each ending with ';' at the
// end of a line: the database, the migrations table, and each migration
// followed by the row that records it. `cityops migrate --print` prints it.
// It panics if database is not a plain identifier.
func MigrationSQL(database string) string {
	if database == "" {
		database = DefaultDatabase
	}
	if err := validDatabase(database); err != nil {
		panic(fmt.Sprintf("store.MigrationSQL: %v", err))
	}
	var b strings.Builder
	for _, s := range setupStatements(database) {
		b.WriteString(s + ";\n\n")
	}
	for _, m := range migrations() {
		fmt.Fprintf(&b, "-- migration %04d_%s\n", m.version, m.name)
		for _, s := range m.statements {
			b.WriteString(bind(s, database) + ";\n\n")
		}
		b.WriteString(recordStatement(database, m) + ";\n\n")
	}
	return b.String()
}
