package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Replies to invitations (booking.ReplyStore): each message acted on once,
// across every reader, all of its effect or none.

// decline decides every reply as a decline that cancels.
func decline(b *booking.Booking, _ *booking.CustomerReply) booking.ReplyAction {
	if b == nil {
		return booking.ReplyAction{Outcome: booking.ReplyUnknown}
	}
	return booking.ReplyAction{Outcome: booking.ReplyCancelled, Cancel: true, Record: true, Actor: booking.ReplyActor}
}

func declineOf(b *booking.Booking, key string) booking.InboundReply {
	return booking.InboundReply{Key: key, Mailbox: "INBOX", UIDValidity: 3, MessageUID: 9,
		Method: booking.MethodReply, EventUID: b.ID + "@x", PartStat: booking.PartDeclined, Stamp: testNow}
}

// mailJobs returns the kinds of the mail jobs of booking id.
func (e *env) mailJobs(t *testing.T, id string) []string {
	t.Helper()
	jobs, err := e.st.BookingJobs(context.Background(), id, "mail")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, j := range jobs {
		out = append(out, j.Kind)
	}
	return out
}

// One message applied by several readers at once, on two stores of one
// database (two servers reading one mailbox, or a retry racing the first
// try): one cancellation, one set of jobs, every other call a duplicate.
func testApplyReplyConcurrent(t *testing.T, open Opener) {
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{ID: "bk_once", Artisan: "ana", Start: at(10, 0)})
	stores := []Store{e.st, e.peer(t)}
	r := declineOf(b, "k1")
	const n = 8
	var wg sync.WaitGroup
	outcomes := make([]booking.ReplyOutcome, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			outcomes[i], _, errs[i] = stores[i%2].ApplyReply(context.Background(), r, b.ID, decline)
		})
	}
	close(start)
	wg.Wait()
	got := map[booking.ReplyOutcome]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("reader %d: %v", i, errs[i])
		}
		got[outcomes[i]]++
	}
	if got[booking.ReplyCancelled] != 1 || got[booking.ReplyDuplicate] != n-1 {
		t.Errorf("outcomes %v, want one cancelled and %d duplicates", got, n-1)
	}
	if k := e.mailJobs(t, b.ID); !reflect.DeepEqual(k, []string{"created", "cancelled"}) {
		t.Errorf("mail jobs %v, want one for the booking and one cancellation", k)
	}
	after, err := e.st.Booking(context.Background(), b.ID)
	if err != nil || after.Status != booking.Cancelled || after.Sequence != 1 {
		t.Fatalf("booking after: %+v, %v", after, err)
	}
	if o, _, err := e.st.ApplyReply(context.Background(), r, b.ID, decline); err != nil || o != booking.ReplyDuplicate {
		t.Errorf("the message once more: %q, %v; want a duplicate", o, err)
	}
}

// When the effect fails the message is not recorded either, so it is tried
// again and acts then.
func testApplyReplyRollsBack(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{ID: "bk_retry", Artisan: "ana", Start: at(10, 0)})
	boom := errors.New("jobs failed")
	e.setJobs(func(booking.Event) ([]booking.Job, error) { return nil, boom })
	r := declineOf(b, "k2")
	if _, _, err := e.st.ApplyReply(ctx, r, b.ID, decline); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if got, _ := e.st.Booking(ctx, b.ID); got.Status != booking.Confirmed || got.Sequence != 0 {
		t.Fatalf("booking after a failed effect: %+v", got)
	}
	if replies, err := e.st.CustomerReplies(ctx, b.ID); err != nil || len(replies) != 0 {
		t.Errorf("answer recorded by a failed effect: %+v, %v", replies, err)
	}
	e.setJobs(nil)
	o, after, err := e.st.ApplyReply(ctx, r, b.ID, decline)
	if err != nil || o != booking.ReplyCancelled || after.Status != booking.Cancelled {
		t.Fatalf("retry: %q, %+v, %v; want it cancelled now", o, after, err)
	}
}

// A message of no booking of ours is left alone: nothing is kept of it, so
// it is unknown again the next time (not a duplicate).
func testApplyReplyUnknown(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	for range 2 {
		o, b, err := e.st.ApplyReply(ctx, booking.InboundReply{Key: "k3", Method: booking.MethodReply}, "bk_nobody", decline)
		if err != nil || o != booking.ReplyUnknown || b != nil {
			t.Fatalf("%q %v %v; want unknown", o, b, err)
		}
	}
	if o, _, err := e.st.ApplyReply(ctx, booking.InboundReply{Key: "k4"}, "", decline); err != nil || o != booking.ReplyUnknown {
		t.Errorf("no booking id: %q, %v", o, err)
	}
	if _, _, err := e.st.ApplyReply(ctx, booking.InboundReply{}, "bk_nobody", decline); err == nil {
		t.Error("a reply with no message key was accepted")
	}
}

// A reply staff are told of queues its jobs with the record and its audit
// row; the answer and a proposed time are recorded, the latest of each.
func testReplyRecorded(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{ID: "bk_told", Artisan: "ana", Start: at(10, 0)})
	var (
		mu   sync.Mutex
		seen []booking.ReplyEvent
	)
	e.setReplyJobs(func(ev booking.ReplyEvent) ([]booking.Job, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, ev)
		return []booking.Job{{Queue: "mail", Kind: "reply_notice", BookingID: ev.Booking.ID}}, nil
	})
	notify := func(*booking.Booking, *booking.CustomerReply) booking.ReplyAction {
		return booking.ReplyAction{Outcome: booking.ReplyNotified, Record: true, Notify: true, Actor: booking.ReplyActor}
	}
	o, got, err := e.st.ApplyReply(ctx, declineOf(b, "k4"), b.ID, notify)
	if err != nil || o != booking.ReplyNotified || got.Status != booking.Confirmed {
		t.Fatalf("%q %+v %v", o, got, err)
	}
	if len(seen) != 1 || seen[0].Booking.ID != b.ID || seen[0].Outcome != booking.ReplyNotified || seen[0].Reply.Key != "k4" {
		t.Fatalf("reply events %+v", seen)
	}
	if k := e.mailJobs(t, b.ID); !reflect.DeepEqual(k, []string{"created", "reply_notice"}) {
		t.Errorf("mail jobs %v, want the booking's and the notice", k)
	}
	var audit []booking.AuditEntry
	log, err := e.st.AuditLog(ctx, testNow.Add(-time.Hour), testNow.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range log {
		if a.Action == "booking.reply" {
			audit = append(audit, a)
		}
	}
	if len(audit) != 1 || audit[0].BookingID != b.ID || audit[0].Actor != booking.ReplyActor {
		t.Errorf("audit rows of the reply: %+v, want one by the customer's reply", audit)
	}

	// A proposal of another time, then a later answer: both kept.
	counter := booking.InboundReply{Key: "k5", Mailbox: "INBOX", Method: booking.MethodCounter, Sequence: 0,
		Start: at(15, 0), End: at(16, 30), Stamp: testNow.Add(time.Minute)}
	accept := declineOf(b, "k6")
	accept.PartStat, accept.Stamp, accept.Sequence = booking.PartAccepted, testNow.Add(2*time.Minute), 0
	for _, r := range []booking.InboundReply{counter, accept} {
		if o, _, err := e.st.ApplyReply(ctx, r, b.ID, notify); err != nil || o != booking.ReplyNotified {
			t.Fatalf("reply %s: %q, %v", r.Key, o, err)
		}
	}
	replies, err := e.st.CustomerReplies(ctx, b.ID, "bk_other")
	if err != nil {
		t.Fatal(err)
	}
	want := booking.CustomerReply{BookingID: b.ID, PartStat: booking.PartAccepted, At: testNow.Add(2 * time.Minute),
		Counter: &booking.Counter{Start: at(15, 0).UTC(), End: at(16, 30).UTC(), At: testNow.Add(time.Minute)}}
	if len(replies) != 1 || !reflect.DeepEqual(replies[b.ID], want) {
		t.Errorf("customer replies %+v (counter %+v), want %+v (counter %+v)", replies, replies[b.ID].Counter, want, want.Counter)
	}
	if none, err := e.st.CustomerReplies(ctx); err != nil || len(none) != 0 {
		t.Errorf("no ids: %v, %v", none, err)
	}
}

// The cursor of a mailbox: never back under one UIDVALIDITY, anew under
// another, one per mailbox.
func testReplyCursor(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	if v, u, err := e.st.ReplyCursor(ctx, "INBOX"); err != nil || v != 0 || u != 0 {
		t.Fatalf("new cursor: %d %d %v", v, u, err)
	}
	steps := []struct {
		validity, uid         uint32
		wantValidity, wantUID uint32
	}{
		{5, 10, 5, 10},
		{5, 7, 5, 10},  // never back under the same UIDVALIDITY
		{5, 12, 5, 12}, // forward
		{6, 2, 6, 2},   // a new UIDVALIDITY starts again
		{4294967295, 4294967295, 4294967295, 4294967295},
	}
	for _, s := range steps {
		if err := e.st.SetReplyCursor(ctx, "INBOX", s.validity, s.uid); err != nil {
			t.Fatal(err)
		}
		v, u, err := e.st.ReplyCursor(ctx, "INBOX")
		if err != nil || v != s.wantValidity || u != s.wantUID {
			t.Errorf("after (%d, %d): (%d, %d) %v, want (%d, %d)", s.validity, s.uid, v, u, err, s.wantValidity, s.wantUID)
		}
	}
	if v, u, _ := e.st.ReplyCursor(ctx, "Other"); v != 0 || u != 0 {
		t.Errorf("another mailbox shares the cursor: %d %d", v, u)
	}
}
