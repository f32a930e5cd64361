package mail_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// MustOpenStore opens a real SQLite store whose booking changes queue mail.
func MustOpenStore(tb testing.TB, clk *clock, o mail.Options) *sqlite.Store {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "atelier.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = clk.Now
	cat := MustCatalog(tb)
	cat.Atelier.Rules = booking.Rules{MinNotice: time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute}
	cat.Services[0].Modes = []booking.Mode{booking.InPerson, booking.Virtual}
	cat.Services[0].Artisans = []string{"mei", "tom"}
	for i := range cat.Artisans {
		cat.Artisans[i].Services = []string{"design"}
	}
	if _, err := db.SyncCatalog(context.Background(), cat); err != nil {
		tb.Fatal(err)
	}
	db.Jobs = mail.Jobs(o)
	return db
}

func placeWith(artisan, room string) booking.PlaceFunc {
	return func(*booking.Schedule) (booking.Placement, error) {
		return booking.Placement{ArtisanID: artisan, RoomID: room}, nil
	}
}

// TestStoreOutbox runs the whole path with the real store: a booking
// change queues its mail in the same transaction, a rolled-back change
// queues none, and the worker delivers through an outage exactly once.
func TestStoreOutbox(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.StaffCopies = nil
	db := MustOpenStore(t, clk, o)
	srv := MustStartSMTP(t)
	w := MustWorker(t, db, srv, o, db)

	nb := *MustBooking(t, "bk_store", booking.InPerson, t0)
	nb.BlockStart, nb.BlockEnd = nb.Start, nb.End
	if _, _, err := db.CreateBooking(ctx, booking.NewBooking{Booking: nb, TokenHash: make([]byte, 32)}, placeWith("mei", "salon")); err != nil {
		t.Fatal(err)
	}
	// A booking that is refused leaves no mail behind.
	refused := nb
	refused.ID = "bk_refused"
	_, _, err := db.CreateBooking(ctx, booking.NewBooking{Booking: refused}, func(*booking.Schedule) (booking.Placement, error) {
		return booking.Placement{}, booking.ErrSlotUnavailable("test")
	})
	if booking.ErrorKind(err) != booking.ECONFLICT {
		t.Fatalf("refused booking: %v", err)
	}

	srv.SetMode("tempfail")
	if n := runOnce(t, w); n != 2 { // confirmation, Mei's notice; the reminder is not due
		t.Fatalf("claimed %d jobs, want 2", n)
	}
	clk.Advance(time.Minute)
	srv.SetMode("accept")
	if n := runOnce(t, w); n != 2 {
		t.Fatalf("claimed %d jobs after the outage, want 2", n)
	}
	got := srv.Received()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want 2", len(got))
	}
	for _, r := range got {
		if strings.Contains(string(r.Data), "bk_refused") {
			t.Errorf("mail sent for a booking that rolled back")
		}
	}
	_, text, _, _, ev := inviteOf(t, got[0].Data)
	// The link's token was stored with the message: it opens the booking.
	if _, err := db.BookingByManageToken(ctx, "bk_store", auth.HashSecret(MustManageToken(t, text, "bk_store"))); err != nil {
		t.Errorf("the confirmation's manage link does not open the booking: %v", err)
	}
	if seq := ev.Props.Get(ical.PropSequence).Value; seq != "0" {
		t.Errorf("SEQUENCE = %s", seq)
	}

	// Cancel: the customer gets METHOD:CANCEL with a higher SEQUENCE and
	// the reminder is dropped when it comes due.
	if _, err := db.CancelBooking(ctx, "bk_store", booking.Actor{Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	runOnce(t, w)
	clk.Advance(72 * time.Hour)
	runOnce(t, w)
	got = srv.Received()
	if len(got) != 4 {
		t.Fatalf("received %d messages, want 4 (no reminder)", len(got))
	}
	_, text, _, cal, ev := inviteOf(t, got[2].Data)
	if _, err := db.BookingByManageToken(ctx, "bk_store", auth.HashSecret(MustManageToken(t, text, "bk_store"))); err != nil {
		t.Errorf("the cancellation's manage link does not open the booking: %v", err)
	}
	if m, _ := cal.Props.Text(ical.PropMethod); m != "CANCEL" {
		t.Errorf("METHOD = %s, want CANCEL", m)
	}
	if seq := ev.Props.Get(ical.PropSequence).Value; seq != "1" {
		t.Errorf("SEQUENCE = %s, want 1", seq)
	}
	if uid, _ := ev.Props.Text(ical.PropUID); uid != "bk_store@book.maison.example" {
		t.Errorf("UID = %s", uid)
	}
	stats, err := db.JobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("job stats: %v", stats)
	if n, err := db.ClaimJobs(ctx, mail.Queue, clk.Now().Add(365*24*time.Hour), 10, time.Minute); err != nil || len(n) != 0 {
		t.Errorf("jobs left in the queue: %v, %v", n, err)
	}
}
