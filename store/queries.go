package store

import "strings"

// The statements the store sends, in one place so that tests can run each of
// them on a current ClickHouse as well. Arguments are bound on the client
// ('?'), since 18.16 knows no server-side parameters.

func insertQuery(db, table string, columns []string) string {
	return "INSERT INTO " + db + "." + table + " (" + strings.Join(columns, ", ") + ")"
}

func countEventsQuery(db string) string {
	return "SELECT count() FROM " + db + ".events FINAL"
}

func eventByIDQuery(db string) string {
	return "SELECT " + strings.Join(eventColumns, ", ") + " FROM " + db + ".events FINAL WHERE id = ? LIMIT 1"
}

// incidentQuery takes the highest version, whether or not merges have run.
func incidentQuery(db string) string {
	return "SELECT " + strings.Join(incidentColumns, ", ") + " FROM " + db + ".incidents WHERE id = ? ORDER BY version DESC LIMIT 1"
}

func countIncidentsQuery(db string) string {
	return "SELECT count() FROM " + db + ".incidents FINAL"
}

func appliedMigrationsQuery(db string) string {
	return "SELECT DISTINCT version FROM " + db + ".schema_migrations"
}
