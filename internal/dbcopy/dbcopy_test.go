package dbcopy_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/dbcopy"
	"github.com/atelier-app/atelier/internal/postgres"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
	"github.com/atelier-app/atelier/internal/sqlite"
	"github.com/atelier-app/atelier/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// mustSQLite makes an SQLite database with the contract's catalogue, a
// staff closure (an identity id), a staff account with a session, and one
// booking with its manage token and its job.
func mustSQLite(t *testing.T) (path string, b *booking.Booking, token []byte) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "atelier.db")
	jobs := func(e booking.Event) ([]booking.Job, error) {
		return []booking.Job{{Queue: "mail", Kind: "confirmation", BookingID: e.Booking.ID, Payload: []byte("hello")},
			{Queue: "gcal", Kind: "created", BookingID: e.Booking.ID}}, nil // a payload of none
	}
	st, err := sqlite.OpenWith(ctx, path, sqlite.Options{Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SyncCatalog(ctx, storetest.Catalog()); err != nil {
		t.Fatal(err)
	}
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	if _, err := st.AddClosure(ctx, booking.Closure{From: booking.Date{Year: 2027, Month: 1, Day: 2}, To: booking.Date{Year: 2027, Month: 1, Day: 2}, Reason: "Inventory"}, staff); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, booking.User{Email: "ada@example.com", Name: "Ada", Role: booking.RoleAdmin, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := st.CreateSession(ctx, booking.Session{ID: "s1", UserID: u.ID, SecretHash: []byte("h"), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 1, 5, 3, 0, 0, 0, time.UTC) // 11:00 in Singapore, a Tuesday
	sum := sha256.Sum256([]byte("the manage token"))
	nb := booking.NewBooking{
		Booking: booking.Booking{
			ID: "bk_copy1", ServiceID: "design", Mode: booking.InPerson, ArtisanID: "ana",
			Start: start, End: start.Add(90 * time.Minute), BlockStart: start.Add(-15 * time.Minute), BlockEnd: start.Add(105 * time.Minute),
			Customer: booking.Customer{Name: "Cleo", Email: "cleo@example.com", Timezone: "Asia/Singapore"},
			Notes:    "An emerald",
		},
		TokenHash: sum[:],
		Actor:     booking.Actor{Kind: "customer"},
	}
	b, _, err = st.CreateBooking(ctx, nb, func(*booking.Schedule) (booking.Placement, error) {
		return booking.Placement{ArtisanID: "ana", RoomID: "salon"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, b, sum[:]
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	path, b, token := mustSQLite(t)
	url := pgtest.Database(t)

	rep, err := dbcopy.Copy(ctx, path, url)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, tb := range rep.Tables {
		counts[tb.Name] = tb.Rows
	}
	for table, want := range map[string]int64{"bookings": 1, "booking_tokens": 1, "jobs": 2, "job_payloads": 2, "users": 1, "sessions": 1, "artisans": 2, "services": 2} {
		if counts[table] != want {
			t.Errorf("%s: %d rows copied, want %d", table, counts[table], want)
		}
	}

	st, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The pending jobs go across with their payloads, for the target's
	// workers (an empty one empty, not NULL).
	if jobs, err := st.ClaimJobs(ctx, "mail", time.Now(), 10, time.Minute); err != nil || len(jobs) != 1 || string(jobs[0].Payload) != "hello" {
		t.Errorf("the copied mail job: %+v, %v; want the confirmation with its payload", jobs, err)
	}
	if jobs, err := st.ClaimJobs(ctx, "gcal", time.Now(), 10, time.Minute); err != nil || len(jobs) != 1 || len(jobs[0].Payload) != 0 {
		t.Errorf("the copied gcal job: %+v, %v; want it, with an empty payload", jobs, err)
	}
	got, err := st.BookingByManageToken(ctx, b.ID, token)
	if err != nil {
		t.Fatalf("the copied booking by its manage token: %v", err)
	}
	if got.Start != b.Start || got.End != b.End || got.RoomID != "salon" || got.Customer.Email != "cleo@example.com" || got.Notes != "An emerald" || got.CreatedAt != b.CreatedAt {
		t.Errorf("copied booking %+v, want %+v", got, b)
	}
	cat, err := st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Artisan("ana") == nil || cat.Atelier.Name != "Atelier Test" || len(cat.Atelier.Closures) != 2 {
		t.Errorf("copied catalogue: atelier %q, closures %v", cat.Atelier.Name, cat.Atelier.Closures)
	}
	// The sequences moved past the copied ids: a new closure gets a new id.
	c, err := st.AddClosure(ctx, booking.Closure{From: booking.Date{Year: 2027, Month: 2, Day: 1}, To: booking.Date{Year: 2027, Month: 2, Day: 1}}, booking.Actor{Kind: "staff", ID: "u1"})
	if err != nil {
		t.Fatalf("a closure added after the copy: %v", err)
	}
	for _, old := range cat.Atelier.Closures {
		if old.ID == c.ID {
			t.Errorf("the new closure took the id %s of a copied one", c.ID)
		}
	}
	// And the booking still holds its slot in PostgreSQL's constraint.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO bookings (id, status, service_id, mode, artisan_id, start_at, end_at, block_start, block_end,
		customer_name, customer_email, created_at, updated_at) SELECT 'bk_clash', 'confirmed', service_id, 'virtual', artisan_id,
		start_at, end_at, block_start, block_end, 'X', 'x@example.com', now(), now() FROM bookings WHERE id = $1`, b.ID)
	if err == nil || !strings.Contains(err.Error(), "23P01") {
		t.Errorf("an overlapping booking in the copy: %v, want an exclusion violation", err)
	}
}

// A booking of two artisans is copied with both: PostgreSQL reads it back
// with its team, and its constraint refuses the second artisan to anyone
// else at that time, as SQLite's triggers did.
func TestCopyTeamBooking(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atelier.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SyncCatalog(ctx, storetest.TeamCatalog()); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 1, 5, 3, 0, 0, 0, time.UTC) // 11:00 in Singapore, a Tuesday
	nb, place := storetest.TeamBooking("bk_team1", start, "ana", "ben")
	if _, _, err := st.CreateBooking(ctx, nb, place); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	url := pgtest.Database(t)
	rep, err := dbcopy.Copy(ctx, path, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range rep.Tables {
		if tb.Name == "booking_artisans" && tb.Rows == 0 {
			t.Errorf("no booking_artisans rows copied")
		}
	}
	pg, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	got, err := pg.Booking(ctx, "bk_team1")
	if err != nil || !slices.Equal(got.ArtisanIDs(), []string{"ana", "ben"}) {
		t.Fatalf("the copied team booking: %v (%v), want artisans [ana ben]", got, err)
	}
	other, place := storetest.TeamBooking("bk_team2", start.Add(30*time.Minute), "cal", "ben")
	if _, _, err := pg.CreateBooking(ctx, other, place); booking.ErrorCode(err) != booking.CodeSlotUnavailable {
		t.Errorf("a team sharing ben over the copied booking: %v, want slot_unavailable", err)
	}
}

func TestCopyRefusesANonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	path, _, _ := mustSQLite(t)
	url := pgtest.Database(t)
	if _, err := dbcopy.Copy(ctx, path, url); err != nil {
		t.Fatal(err)
	}
	_, err := dbcopy.Copy(ctx, path, url)
	if !errors.Is(err, dbcopy.ErrNotEmpty) || !strings.Contains(err.Error(), "bookings") {
		t.Fatalf("a second copy into the same database: %v, want ErrNotEmpty naming bookings", err)
	}
	st, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs, err := st.Bookings(ctx, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), "")
	if err != nil || len(bs) != 1 {
		t.Errorf("bookings after the refused copy: %d (%v), want the first copy's 1", len(bs), err)
	}
}

// A copy that fails half-way leaves the target as empty as it was.
func TestCopyIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	path, _, _ := mustSQLite(t)
	// An instant no reader could make sense of, in the last table copied.
	raw, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db := mustRawSQLite(t, path)
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = 'yesterday'`); err != nil {
		t.Fatal(err)
	}
	url := pgtest.Database(t)
	_, err = dbcopy.Copy(ctx, path, url)
	if err == nil || !strings.Contains(err.Error(), "sessions.last_seen_at") {
		t.Fatalf("copy with a broken instant: %v, want an error naming sessions.last_seen_at", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM bookings) + (SELECT count(*) FROM artisans)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows left in the target after a failed copy", n)
	}
	// The target is still empty, so a copy of a sound database succeeds.
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = created_at`); err != nil {
		t.Fatal(err)
	}
	if _, err := dbcopy.Copy(ctx, path, url); err != nil {
		t.Errorf("copy after the fix: %v", err)
	}
}

func TestCopyMissingSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	_, err := dbcopy.Copy(context.Background(), path, "postgres://u:secret@127.0.0.1:1/x")
	if err == nil || !strings.Contains(err.Error(), "nope.db") {
		t.Fatalf("copy of a missing file: %v", err)
	}
	if _, statErr := os.Stat(path); statErr == nil {
		t.Error("the copy created the missing source file")
	}
}

// mustRawSQLite opens the SQLite file without the store, to break it.
func mustRawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
