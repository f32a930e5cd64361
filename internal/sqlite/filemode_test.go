//go:build unix

package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// withUmask runs the rest of the test with the process umask set to mask.
// No test of this package runs in parallel, so nothing else creates files
// meanwhile.
func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// mustWriteSomething commits a write, so that SQLite has made its -wal and
// -shm files.
func mustWriteSomething(t *testing.T, db *sqlite.Store) {
	t.Helper()
	if _, err := db.SyncCatalog(context.Background(), testCatalog()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(context.Background(), booking.User{Email: "boss@example.com", Name: "Boss",
		Role: booking.RoleAdmin, PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA"}); err != nil {
		t.Fatal(err)
	}
}

func wantPrivate(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s has mode %#o, want 0600 (readable by the owner only)", filepath.Base(p), got)
		}
	}
}

// TestDatabaseFilesPrivate: the database holds customers' personal data,
// so it and its -wal and -shm files are created readable and writable by
// the owner only, whatever the umask.
func TestDatabaseFilesPrivate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mask int
	}{
		{"NoUmask", 0},         // 0644 before the fix: readable by everyone
		{"UsualUmask", 0o022},  // 0644 before the fix
		{"StrictUmask", 0o077}, // 0600 either way
		{"OddUmask", 0o277},    // would leave the owner unable to write
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "atelier.db") // before the umask: the folder stays usable
			withUmask(t, tc.mask)
			db, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			mustWriteSomething(t, db)
			wantPrivate(t, path, path+"-wal", path+"-shm")
		})
	}
}

// TestDatabaseFilesMadePrivate: a database left readable by others (by an
// earlier version, or a copy) is made private when it is opened, and so
// are its -wal and -shm files.
func TestDatabaseFilesMadePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atelier.db")
	withUmask(t, 0)
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	mustWriteSomething(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// What an older version left: world-readable files, the -wal and
	// -shm kept as a crash would (recreate them if Close removed them).
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err != nil {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err = sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users, err := db.Users(context.Background())
	if err != nil || len(users) != 1 {
		t.Fatalf("users after reopening: %v, %v; want the one account", users, err)
	}
	wantPrivate(t, path, path+"-wal", path+"-shm")
}
