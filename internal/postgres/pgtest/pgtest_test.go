package pgtest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// A test database is a fresh PostgreSQL 15 database on loopback, and two
// tests get two different databases.
func TestDatabase(t *testing.T) {
	ctx := context.Background()
	url1, url2 := Database(t), Database(t)
	if url1 == url2 {
		t.Fatalf("two tests share the database %s", url1)
	}
	if !strings.Contains(url1, "@127.0.0.1:") {
		t.Errorf("URL %s is not on loopback", url1)
	}
	conn, err := pgx.Connect(ctx, url1)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version, "15.") {
		t.Errorf("server_version %s, want 15.x", version)
	}
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a new test database has %d tables", tables)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(ctx, url2)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if err := other.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a table made in one test database is seen in another")
	}
}

// Without the binaries, Start says so with errNoBinaries (what Main turns
// into a skip, or a failure under ATELIER_REQUIRE_POSTGRES=1).
func TestStartWithoutBinaries(t *testing.T) {
	_, err := Start(t.TempDir())
	if !errors.Is(err, errNoBinaries) {
		t.Fatalf("Start without binaries: %v", err)
	}
}
