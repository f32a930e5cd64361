package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
)

func TestDatabaseDriver(t *testing.T) {
	c := MustParse(t, minimal)
	if c.Database.Driver != config.DriverSQLite || c.Database.Postgres() {
		t.Errorf("default driver %q, want sqlite", c.Database.Driver)
	}
	c = MustParse(t, minimal+"database: {driver: postgres, url: \"postgres://atelier:s3cret@db.internal:5432/atelier\"}\n")
	if !c.Database.Postgres() || c.Database.URL != "postgres://atelier:s3cret@db.internal:5432/atelier" {
		t.Errorf("database %+v, want postgres with the URL", c.Database)
	}
	// The URL may come from the environment alone.
	MustParse(t, minimal+"database: {driver: postgres}\n")
	MustParse(t, minimal+"database: {driver: postgres, url: \"host=/run/postgresql dbname=atelier\"}\n")

	tests := []struct {
		name, extra, want string
	}{
		{"UnknownDriver", "database: {driver: mysql}\n", `database.driver: "mysql" is not one of sqlite, postgres`},
		{"NotPostgres", "database: {driver: postgres, url: \"mysql://u:pw@h/db\"}\n", "database.url: must be a postgres:// or postgresql:// URL"},
		{"NoHost", "database: {driver: postgres, url: \"postgres:///atelier\"}\n", "database.url: names no host"},
		{"NoDatabase", "database: {driver: postgres, url: \"postgres://u:pw@db:5432\"}\n", "database.url: names no database"},
		{"Garbage", "database: {driver: postgres, url: \"db.internal\"}\n", "database.url: must be a postgres:// URL"},
		{"BackupsOnPostgres", "database: {driver: postgres, url: \"postgres://db/a\", backups: {dir: b}}\n", "database.backups.dir: scheduled backups copy the SQLite file; with driver postgres use pg_dump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows the URL's password: %v", err)
			}
		})
	}
}

func TestDatabaseApplyEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == config.DatabaseURLEnv {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		db      config.Database
		env     string
		wantURL string
		wantErr string
	}{
		{name: "EnvWins", db: config.Database{Driver: "postgres", URL: "postgres://file/a"}, env: "postgres://u:pw@env/b", wantURL: "postgres://u:pw@env/b"},
		{name: "FileWithoutEnv", db: config.Database{Driver: "postgres", URL: "postgres://file/a"}, wantURL: "postgres://file/a"},
		{name: "EnvOnly", db: config.Database{Driver: "postgres"}, env: "postgres://u:pw@env/b", wantURL: "postgres://u:pw@env/b"},
		{name: "Neither", db: config.Database{Driver: "postgres"}, wantErr: "database.driver is postgres but there is no database.url: set it, or the environment variable ATELIER_DATABASE_URL"},
		{name: "EnvWithSQLite", db: config.Database{Driver: "sqlite", Path: "a.db"}, env: "postgres://u:pw@env/b", wantErr: `ATELIER_DATABASE_URL is set but database.driver is "sqlite"`},
		{name: "BadEnv", db: config.Database{Driver: "postgres"}, env: "mysql://u:pw@env/b", wantErr: "ATELIER_DATABASE_URL: must be a postgres:// or postgresql:// URL"},
		{name: "SQLiteAlone", db: config.Database{Driver: "sqlite", Path: "a.db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.db
			err := d.ApplyEnv(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "pw") {
					t.Errorf("the error shows the URL's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.URL != tt.wantURL {
				t.Errorf("URL %q, want %q", d.URL, tt.wantURL)
			}
		})
	}
}

func TestJobLease(t *testing.T) {
	if c := MustParse(t, minimal); c.Database.JobLease != 10*time.Minute {
		t.Errorf("default job_lease %s, want 10m", c.Database.JobLease)
	}
	if c := MustParse(t, minimal+"database: {job_lease: 30s}\n"); c.Database.JobLease != 30*time.Second {
		t.Errorf("job_lease %s, want 30s", c.Database.JobLease)
	}
	_, err := config.Parse([]byte(minimal + "database: {job_lease: 1s}\n"))
	if err == nil || !strings.Contains(err.Error(), "database.job_lease: must be at least 5s (got 1s)") {
		t.Errorf("a 1s lease: %v", err)
	}
}
