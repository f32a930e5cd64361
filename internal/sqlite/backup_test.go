package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestBackupWhileBooking takes a backup while 20 goroutines book as fast
// as the store lets them: the copy passes integrity_check and holds every
// booking acknowledged before the backup started.
func TestBackupWhileBooking(t *testing.T) {
	const writers = 20
	cat := testCatalog()
	week := cat.Artisans[0].Hours
	for i := range writers {
		cat.Artisans = append(cat.Artisans, booking.Artisan{
			ID: fmt.Sprintf("w%02d", i), Name: fmt.Sprintf("Writer %d", i), Services: []string{"design"}, Hours: week,
		})
	}
	db := MustOpenDBWith(t, cat)

	var (
		mu    sync.Mutex
		acked []string // ids of committed bookings, in the order their commits returned
		errs  []error
	)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			artisan := fmt.Sprintf("w%02d", w)
			// Each writer books its own artisan's virtual consultations,
			// one after another (90 minutes, no buffers), so no two
			// writers compete for a slot and every booking succeeds.
			for n := 0; ctx.Err() == nil; n++ {
				d := day.AddDays(n / 6)
				start := d.At(booking.Clock(10*60+90*(n%6)), sgt)
				nb := newBooking(req{ID: fmt.Sprintf("bk_%s_%04d", artisan, n), Artisan: artisan, Start: start})
				b, _, err := db.CreateBooking(context.Background(), nb, place(nb, ""))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					acked = append(acked, b.ID)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	t.Cleanup(func() { stop(); wg.Wait() })

	// Let the writers get going, then take the backup in their midst.
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d bookings in a minute", n)
		}
		time.Sleep(5 * time.Millisecond) // polling the counter, not hiding a race
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()

	dst := filepath.Join(t.TempDir(), "backup.db")
	r, err := db.Backup(context.Background(), dst, false)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	stop()
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if len(errs) > 0 {
		t.Fatalf("bookings failed while the backup ran: %v", errs[0])
	}
	t.Logf("%d bookings before the backup, %d committed while it ran; the copy holds %d (%s, %d bytes)",
		len(before), during, r.Rows("bookings"), r.Took, r.Bytes)

	if r.Integrity != "ok" {
		t.Errorf("integrity %q", r.Integrity)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600", fi.Mode().Perm())
	}
	if r.Bytes != fi.Size() || r.Path != dst {
		t.Errorf("report says %s, %d bytes; the file is %d bytes", r.Path, r.Bytes, fi.Size())
	}

	// Read the copy on its own, as a restore would.
	cp, err := sql.Open("sqlite", "file:"+dst+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var check string
	if err := cp.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy: %q %v", check, err)
	}
	have := map[string]bool{}
	rows, err := cp.Query("SELECT id FROM bookings")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		have[id] = true
	}
	rows.Close()
	missing := 0
	for _, id := range before {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("the copy lacks %d of the %d bookings acknowledged before the backup started", missing, len(before))
	}
	if int64(len(have)) != r.Rows("bookings") || r.Bookings["confirmed"] != r.Rows("bookings") {
		t.Errorf("report counts %d bookings (%v), the copy holds %d", r.Rows("bookings"), r.Bookings, len(have))
	}
	if r.Rows("audit_log") < int64(len(before)) {
		t.Errorf("report counts %d audit rows for %d bookings", r.Rows("audit_log"), len(before))
	}
}

func TestBackupRefuses(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	notOurs := filepath.Join(dir, "other.db")
	other, err := sql.Open("sqlite", "file:"+notOurs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	other.Close()

	tests := []struct {
		name, src, dst string
		want           string
	}{
		{"Exists", db.Path(), existing, "already exists"},
		{"Itself", db.Path(), db.Path(), "the database itself"},
		{"ItsWAL", db.Path(), db.Path() + "-wal", "the database itself"},
		{"NoFolder", db.Path(), filepath.Join(dir, "nope", "b.db"), "does not exist"},
		{"NoSource", filepath.Join(dir, "missing.db"), filepath.Join(dir, "b.db"), "no database at"},
		{"NotAtelier", notOurs, filepath.Join(dir, "c.db"), "not an atelier database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sqlite.Backup(context.Background(), tt.src, tt.dst, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
			if tt.name == "Exists" && !errors.Is(err, sqlite.ErrBackupExists) {
				t.Errorf("error %v is not ErrBackupExists", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
				t.Errorf("a backup of a missing database created it")
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("the existing file was changed: %q", b)
	}
	// Nothing half-written is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("left behind %s", e.Name())
		}
	}

	t.Run("Replace", func(t *testing.T) {
		MustCreateBooking(t, db, req{ID: "bk_replace", Artisan: "ana", Start: at(10, 0)})
		r, err := db.Backup(context.Background(), existing, true)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rows("bookings") != 1 {
			t.Errorf("replaced copy holds %d bookings, want 1", r.Rows("bookings"))
		}
		if fi, _ := os.Stat(existing); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v", fi.Mode().Perm())
		}
	})
}

// TestBackupCancelled: a backup that does not finish leaves no file behind,
// neither under its name nor half-written beside it.
func TestBackupCancelled(t *testing.T) {
	db := MustOpenDB(t)
	MustCreateBooking(t, db, req{ID: "bk_one", Artisan: "ana", Start: at(10, 0)})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Backup(ctx, filepath.Join(dir, "b.db"), false); err == nil {
		t.Fatal("a cancelled backup succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("a failed backup left %d files: %s", len(ents), ents[0].Name())
	}
}
