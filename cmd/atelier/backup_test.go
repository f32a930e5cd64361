package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndRestore: "atelier backup" copies the database of a running
// server; the documented restore (stop, copy the backup over the database
// file, start) brings back exactly the bookings the backup held.
func TestBackupAndRestore(t *testing.T) {
	s := newTestServer(t)
	s.start()
	db := filepath.Join(s.dir, "atelier.db")
	// Every fourth slot: two hours apart, so no booking takes another's
	// artisan or room.
	var slots []string
	for i, sl := range s.freeSlots() {
		if i%4 == 0 {
			slots = append(slots, sl)
		}
	}
	if len(slots) < 5 {
		t.Fatalf("only %d spaced free slots", len(slots))
	}
	type bk struct{ id, token string }
	var kept []bk
	for i := range 3 {
		id, token := s.book(slots[i], "ada@example.com")
		kept = append(kept, bk{id, token})
	}

	backup := filepath.Join(t.TempDir(), "atelier-backup.db")
	out, errOut, err := runMain(t, "", "--config", s.cfg, "--db", db, "backup", "--to", backup)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut)
	}
	for _, want := range []string{"backup written: " + backup, "mode 0600", "integrity_check: ok", "bookings: 3 (confirmed 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup said\n%s\nwant it to say %q", out, want)
		}
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	// The same file again is refused, and --force replaces it.
	if _, _, err := runMain(t, "", "--config", s.cfg, "--db", db, "backup", "--to", backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("a second backup to the same file: %v, want a refusal naming --force", err)
	}
	lateID, lateToken := s.book(slots[3], "grace@example.com")

	// --force replaces an existing file with a fresh copy.
	other := filepath.Join(t.TempDir(), "other.db")
	if err := os.WriteFile(other, []byte("an old file"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runMain(t, "", "--config", s.cfg, "--db", db, "backup", "--to", other, "--force")
	if err != nil || !strings.Contains(out, "bookings: 4 (confirmed 4)") {
		t.Fatalf("backup --force: %v\n%s", err, out)
	}

	// Restore as the README says: stop the server, copy the backup over
	// the database file, start it.
	s.stop()
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("%s is left after a clean stop; the restore steps assume it is gone", filepath.Base(db+suffix))
		}
	}
	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s.start()
	for _, b := range kept {
		if got := manageStatus(t, s.base, b.id, b.token); got != http.StatusOK {
			t.Errorf("booking %s from before the backup: %d after the restore, want 200", b.id, got)
		}
	}
	if got := manageStatus(t, s.base, lateID, lateToken); got != http.StatusNotFound {
		t.Errorf("booking %s made after the backup: %d after the restore, want 404", lateID, got)
	}
	// The restored database takes bookings again.
	s.book(slots[4], "alan@example.com")
}

func TestBackupUsage(t *testing.T) {
	t.Chdir(t.TempDir())
	db := filepath.Join(t.TempDir(), "atelier.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoTo", []string{"--db", db, "backup"}, "usage"},
		{"Argument", []string{"--db", db, "backup", "--to", "x.db", "extra"}, "usage"},
		{"NoDatabase", []string{"--db", db, "backup", "--to", "x.db"}, "no database at " + db},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runMain(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("backup created the database it was to copy")
			}
		})
	}
}

// manageStatus is the status of GET /api/v1/bookings/{id} with the token.
func manageStatus(t *testing.T, base, id, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/bookings/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
