package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	atelier "github.com/atelier-app/atelier"
)

// writePostgresConfig writes the demo configuration switched to driver
// postgres with url (may be "") and returns its path.
func writePostgresConfig(t *testing.T, url string) string {
	t.Helper()
	s := strings.Replace(string(atelier.ExampleConfig), "  driver: sqlite\n", "  driver: postgres\n", 1)
	s = strings.Replace(s, "  url: \"\"\n", "  url: \""+url+"\"\n", 1)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBackupOnPostgres(t *testing.T) {
	cfg := writePostgresConfig(t, "postgres://atelier:s3cret@127.0.0.1:1/atelier")
	_, _, err := runMain(t, "", "--config", cfg, "backup", "--to", filepath.Join(t.TempDir(), "b.db"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup with driver postgres: %v, want the advice to use pg_dump", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the password: %v", err)
	}
}

func TestDBCopyUsage(t *testing.T) {
	t.Setenv("ATELIER_DATABASE_URL", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoSubcommand", []string{"db"}, "usage"},
		{"Unknown", []string{"db", "move"}, "usage"},
		{"NoTarget", []string{"db", "copy"}, "usage"},
		{"NotPostgres", []string{"db", "copy", "--to", "mysql://u:s3cret@h/db"}, "must be a postgres:// or postgresql:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runMain(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v: %v, want %q", tt.args, err, tt.want)
			}
			if tt.want == "usage" && !strings.Contains(stderr, "atelier db copy --to URL") {
				t.Errorf("stderr %q lacks the usage", stderr)
			}
			if strings.Contains(err.Error()+stderr, "s3cret") {
				t.Errorf("the password is shown: %v %s", err, stderr)
			}
		})
	}
}
