package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

var replyAdmin = &booking.User{ID: "us_admin", Email: "owner@example.com", Name: "Owner", Role: booking.RoleAdmin}

// replyFixture is an app over a real store with one confirmed booking of
// ana@example.com tomorrow at 10:00, and a helper that builds a reply to
// it from her.
type replyFixture struct {
	a     *app.App
	db    *sqlite.Store
	clock *time.Time
	b     *booked
	uid   string
	n     int
}

func newReplyFixture(t *testing.T) *replyFixture {
	t.Helper()
	db, clock := MustOpenStore(t)
	a := NewApp(db, clock)
	created, err := a.CreateBooking(context.Background(), request(time.Date(2026, 12, 2, 10, 0, 0, 0, sgt), booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Booking(context.Background(), made(created).ID)
	if err != nil {
		t.Fatal(err)
	}
	return &replyFixture{a: a, db: db, clock: clock, b: made(created), uid: stored.UID}
}

// declinedNotifies makes f's App one whose customers' "No" tells staff
// instead of cancelling (the store and its booking stay).
func (f *replyFixture) declinedNotifies() {
	f.a = NewApp(f.db, f.clock, func(d *app.Deps) { d.DeclinedReply = app.DeclinedNotify })
}

// reply is an answer of ana's to the invitation as first sent.
func (f *replyFixture) reply(p booking.PartStat) booking.InboundReply {
	f.n++
	return booking.InboundReply{
		Key: fmt.Sprintf("key-%d", f.n), Mailbox: "INBOX", UIDValidity: 7, MessageUID: uint32(f.n),
		Method: booking.MethodReply, EventUID: f.uid, Sequence: 0, PartStat: p,
		Attendee: "ana@example.com", Author: "Ana@Example.COM", Stamp: f.clock.Add(time.Duration(f.n) * time.Second),
	}
}

func (f *replyFixture) view(t *testing.T) *app.StaffBooking {
	t.Helper()
	v, err := f.a.StaffGetBooking(context.Background(), replyAdmin, f.b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestApplyReplyOutcomes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(f *replyFixture, r *booking.InboundReply)
		want   booking.ReplyOutcome
		status booking.Status
		reply  booking.PartStat // recorded answer afterwards
	}{
		{"AcceptedIsRecorded", func(f *replyFixture, r *booking.InboundReply) {}, booking.ReplyRecorded, booking.Confirmed, booking.PartAccepted},
		{"DeclinedCancels", func(f *replyFixture, r *booking.InboundReply) { r.PartStat = booking.PartDeclined }, booking.ReplyCancelled, booking.Cancelled, booking.PartDeclined},
		{"DeclinedNotifies", func(f *replyFixture, r *booking.InboundReply) {
			r.PartStat = booking.PartDeclined
			f.declinedNotifies()
		}, booking.ReplyNotified, booking.Confirmed, booking.PartDeclined},
		{"ForgedAuthor", func(f *replyFixture, r *booking.InboundReply) {
			r.PartStat, r.Author = booking.PartDeclined, "mallory@example.net"
		}, booking.ReplyNotCustomer, booking.Confirmed, ""},
		{"ForgedAttendee", func(f *replyFixture, r *booking.InboundReply) {
			r.PartStat, r.Attendee = booking.PartDeclined, "mallory@example.net"
		}, booking.ReplyNotCustomer, booking.Confirmed, ""},
		{"NoAuthor", func(f *replyFixture, r *booking.InboundReply) { r.PartStat, r.Author = booking.PartDeclined, "" }, booking.ReplyNotCustomer, booking.Confirmed, ""},
		{"DMARCFailed", func(f *replyFixture, r *booking.InboundReply) {
			r.PartStat, r.Unauthenticated = booking.PartDeclined, true
		}, booking.ReplyUnauthenticated, booking.Confirmed, ""},
		{"OldSequence", func(f *replyFixture, r *booking.InboundReply) {
			if _, err := f.a.StaffReschedule(ctx, replyAdmin, f.b.ID, app.RescheduleRequest{Start: instant("2026-12-02T14:00:00+08:00")}); err != nil {
				panic(err)
			}
			r.PartStat = booking.PartDeclined
		}, booking.ReplyStale, booking.Confirmed, ""},
		{"FutureSequence", func(f *replyFixture, r *booking.InboundReply) { r.PartStat, r.Sequence = booking.PartDeclined, 3 }, booking.ReplyStale, booking.Confirmed, ""},
		{"AfterTheStart", func(f *replyFixture, r *booking.InboundReply) {
			*f.clock = time.Date(2026, 12, 2, 10, 5, 0, 0, sgt)
			r.PartStat = booking.PartDeclined
		}, booking.ReplyPast, booking.Confirmed, ""},
		{"NeedsAction", func(f *replyFixture, r *booking.InboundReply) { r.PartStat = "NEEDS-ACTION" }, booking.ReplyUnsupported, booking.Confirmed, ""},
		{"OtherHostUID", func(f *replyFixture, r *booking.InboundReply) { r.EventUID = f.b.ID + "@elsewhere.example" }, booking.ReplyUnknown, booking.Confirmed, ""},
		{"NotOurUID", func(f *replyFixture, r *booking.InboundReply) {
			r.EventUID = "040000008200E00074C5B7101A82E008@outlook.com"
		}, booking.ReplyUnknown, booking.Confirmed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newReplyFixture(t)
			r := f.reply(booking.PartAccepted)
			tc.change(f, &r)
			got, err := f.a.ApplyReply(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("outcome %q, want %q", got, tc.want)
			}
			v := f.view(t)
			if v.Status != tc.status {
				t.Errorf("status %q, want %q", v.Status, tc.status)
			}
			var reply booking.PartStat
			if v.Reply != nil {
				reply = v.Reply.PartStat
			}
			if reply != tc.reply {
				t.Errorf("customer_reply %+v, want status %q", v.Reply, tc.reply)
			}
		})
	}
}

// TestApplyReplyOnce applies the same message twice, and a second copy of
// the decline (another Message-ID) after it: one cancellation.
func TestApplyReplyOnce(t *testing.T) {
	ctx := context.Background()
	f := newReplyFixture(t)
	r := f.reply(booking.PartDeclined)
	if got, err := f.a.ApplyReply(ctx, r); err != nil || got != booking.ReplyCancelled {
		t.Fatalf("first: %q, %v", got, err)
	}
	if got, err := f.a.ApplyReply(ctx, r); err != nil || got != booking.ReplyDuplicate {
		t.Fatalf("again: %q, %v; want duplicate", got, err)
	}
	// A second message with the same answer answers a SEQUENCE the
	// cancellation has moved past.
	if got, err := f.a.ApplyReply(ctx, f.reply(booking.PartDeclined)); err != nil || got != booking.ReplyStale {
		t.Fatalf("second copy: %q, %v; want stale", got, err)
	}
	var cancels int
	audit, err := f.db.AuditLog(ctx, time.Time{}, f.clock.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range audit {
		if e.Action == "booking.cancelled" {
			cancels++
			if e.Actor != booking.ReplyActor {
				t.Errorf("cancel by %+v, want %+v", e.Actor, booking.ReplyActor)
			}
		}
	}
	if cancels != 1 {
		t.Errorf("%d cancellations in the audit log, want 1", cancels)
	}
}

// TestApplyReplyLatestStands: answers arriving out of order keep the
// latest, by the customer's own clock (DTSTAMP).
func TestApplyReplyLatestStands(t *testing.T) {
	ctx := context.Background()
	f := newReplyFixture(t)
	f.declinedNotifies()
	tentative := f.reply(booking.PartTentative)
	accepted := f.reply(booking.PartAccepted) // a later DTSTAMP
	if got, err := f.a.ApplyReply(ctx, accepted); err != nil || got != booking.ReplyRecorded {
		t.Fatalf("accepted: %q, %v", got, err)
	}
	if got, err := f.a.ApplyReply(ctx, tentative); err != nil || got != booking.ReplyOlder {
		t.Fatalf("tentative, older: %q, %v; want older", got, err)
	}
	v := f.view(t)
	if v.Reply == nil || v.Reply.PartStat != booking.PartAccepted || !v.Reply.Current {
		t.Fatalf("customer_reply %+v, want the current ACCEPTED", v.Reply)
	}
	// Once the booking moves, the answer is to an earlier invitation.
	if _, err := f.a.StaffReschedule(ctx, replyAdmin, f.b.ID, app.RescheduleRequest{Start: instant("2026-12-02T15:00:00+08:00")}); err != nil {
		t.Fatal(err)
	}
	if v := f.view(t); v.Reply == nil || v.Reply.Current {
		t.Errorf("after a move: %+v, want the answer kept and not current", v.Reply)
	}
}

// TestApplyCounter records a proposal and says whether it is free.
func TestApplyCounter(t *testing.T) {
	ctx := context.Background()
	f := newReplyFixture(t)
	counter := func(start time.Time) booking.InboundReply {
		r := f.reply(booking.PartTentative)
		r.Method, r.Start, r.End = booking.MethodCounter, start, start.Add(time.Hour)
		return r
	}
	free := time.Date(2026, 12, 3, 11, 0, 0, 0, sgt)
	if got, err := f.a.ApplyReply(ctx, counter(free)); err != nil || got != booking.ReplyCountered {
		t.Fatalf("counter: %q, %v", got, err)
	}
	v := f.view(t)
	c := v.Reply
	if c.PartStat != "" || c.Counter == nil || !c.CounterCurrent || !c.Counter.Start.Equal(free) || c.CounterFree == nil || !*c.CounterFree {
		t.Fatalf("customer_reply %+v counter %+v, want a current, free proposal at %s", v.Reply, c.Counter, free)
	}
	if v.Status != booking.Confirmed {
		t.Errorf("a proposal changed the booking: %s", v.Status)
	}

	// Someone else takes that time: the proposal is no longer free.
	other := request(free, booking.InPerson)
	other.Artisan = f.b.ArtisanID
	other.Customer.Email = "bo@example.com"
	if _, err := f.a.CreateBooking(ctx, other, app.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c = f.view(t).Reply
	if c.CounterFree == nil || *c.CounterFree || c.CounterReason == "" {
		t.Errorf("taken proposal: free %v reason %q, want not free with a reason", c.CounterFree, c.CounterReason)
	}

	// Off the grid, in the past, or backwards: not a proposal we can use.
	for _, start := range []time.Time{time.Date(2026, 11, 30, 11, 0, 0, 0, sgt)} {
		if got, _ := f.a.ApplyReply(ctx, counter(start)); got != booking.ReplyUnsupported {
			t.Errorf("counter at %s: %q, want unsupported", start, got)
		}
	}
	offGrid := time.Date(2026, 12, 3, 11, 10, 0, 0, sgt)
	if got, err := f.a.ApplyReply(ctx, counter(offGrid)); err != nil || got != booking.ReplyCountered {
		t.Fatalf("off-grid counter: %q, %v", got, err)
	}
	c = f.view(t).Reply
	if c.CounterFree == nil || *c.CounterFree || c.CounterReason == "" {
		t.Errorf("off-grid proposal: free %v reason %q, want not free with a reason", c.CounterFree, c.CounterReason)
	}
}

// TestInviteRSVP: the invite asks for an answer only while replies are
// read.
func TestInviteRSVP(t *testing.T) {
	ctx := context.Background()
	for _, on := range []bool{false, true} {
		a, _ := MustOpenApp(t, func(d *app.Deps) { d.Replies = on })
		created, err := a.CreateBooking(ctx, request(time.Date(2026, 12, 2, 10, 0, 0, 0, sgt), booking.InPerson), app.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ics, _, err := a.Invite(ctx, made(created).ID, made(created).ManageToken)
		if err != nil {
			t.Fatal(err)
		}
		if got := containsFolded(string(ics), "RSVP=TRUE"); got != on {
			t.Errorf("replies read %v: RSVP=TRUE in the invite %v", on, got)
		}
	}
}

// containsFolded looks for s in an iCalendar text with its lines unfolded.
func containsFolded(ics, s string) bool {
	return strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), s)
}
