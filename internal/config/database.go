package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The database drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// DatabaseURLEnv is the environment variable that gives the PostgreSQL
// URL. It wins over database.url: a password is better kept out of a
// file that is copied around, and an operator who sets the variable
// means it (ApplyEnv).
const DatabaseURLEnv = "ATELIER_DATABASE_URL"

// Postgres reports whether the store is PostgreSQL.
func (d Database) Postgres() bool { return d.Driver == DriverPostgres }

// ApplyEnv applies ATELIER_DATABASE_URL, read with getenv, to d and checks
// the result: with driver postgres a URL is required (from the variable or
// the file); with driver sqlite the variable is an error rather than
// ignored, so that a server meant for PostgreSQL never starts on an SQLite
// file by mistake. Errors never show the URL (it may hold a password).
func (d *Database) ApplyEnv(getenv func(string) string) error {
	env := strings.TrimSpace(getenv(DatabaseURLEnv))
	switch {
	case env != "" && !d.Postgres():
		return fmt.Errorf("%s is set but database.driver is %q: set database.driver: postgres, or unset the variable", DatabaseURLEnv, d.Driver)
	case env != "":
		if msg := checkPostgresURL(env); msg != "" {
			return fmt.Errorf("%s: %s", DatabaseURLEnv, msg)
		}
		d.URL = env
	case !d.Postgres():
	case d.URL == "":
		return errors.New("database.driver is postgres but there is no database.url: set it, or the environment variable " + DatabaseURLEnv)
	default:
		if msg := checkPostgresURL(d.URL); msg != "" {
			return fmt.Errorf("database.url: %s", msg)
		}
	}
	return nil
}

// minJobLease is the shortest database.job_lease.
const minJobLease = 5 * time.Second

// database checks the database section as the file has it: the URL may
// still come from the environment (ApplyEnv).
func (v *validator) database(d *Database) {
	v.oneOf("database.driver", d.Driver, DriverSQLite, DriverPostgres)
	if d.JobLease < minJobLease {
		v.add("database.job_lease", "must be at least %s (got %s): a job's lease must outlast its longest send", minJobLease, d.JobLease)
	}
	switch d.Driver {
	case DriverSQLite:
		v.required("database.path", d.Path)
		v.backups(d) // ops.go
	case DriverPostgres:
		if d.URL != "" {
			if msg := checkPostgresURL(d.URL); msg != "" {
				v.add("database.url", "%s", msg)
			}
		}
		if d.Backups.Dir != "" {
			v.add("database.backups.dir", "scheduled backups copy the SQLite file; with driver postgres use pg_dump (see Backups in the README) and remove this key")
		}
	}
}

// checkPostgresURL returns what is wrong with a PostgreSQL connection
// string, "" when nothing: a postgres:// or postgresql:// URL with a host
// (or a host= parameter), or a key=value string. It never repeats the
// string, which may hold a password.
func checkPostgresURL(s string) string {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		u, err := url.Parse(s)
		if err != nil {
			return "is not a valid URL (not shown: it may hold a password)"
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return "names no host: postgres://user:password@host:5432/database"
		}
		if strings.Trim(u.Path, "/") == "" && u.Query().Get("dbname") == "" {
			return "names no database: postgres://user:password@host:5432/database"
		}
		return ""
	}
	if strings.Contains(s, "://") {
		return "must be a postgres:// or postgresql:// URL"
	}
	if !strings.Contains(s, "=") {
		return "must be a postgres:// URL (postgres://user:password@host:5432/database) or key=value settings (host=... dbname=...)"
	}
	return ""
}
