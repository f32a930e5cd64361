package sqlite_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

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

// TestApplyReplyConcurrent applies one message from several goroutines at
// once (two readers on one mailbox, or a retry racing the first try): one
// cancellation, one set of jobs, and every other call sees a duplicate.
func TestApplyReplyConcurrent(t *testing.T) {
	db := MustOpenDB(t)
	db.Jobs = func(e booking.Event) ([]booking.Job, error) {
		return []booking.Job{{Queue: "mail", Kind: string(e.Kind), BookingID: e.Booking.ID}}, nil
	}
	b := MustCreateBooking(t, db, req{ID: "bk_once", Artisan: "ana", Start: at(10, 0)})
	r := declineOf(b, "k1")

	const n = 8
	var wg sync.WaitGroup
	outcomes := make(chan booking.ReplyOutcome, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, _, err := db.ApplyReply(context.Background(), r, b.ID, decline)
			if err != nil {
				t.Error(err)
				return
			}
			outcomes <- o
		}()
	}
	wg.Wait()
	close(outcomes)
	got := map[booking.ReplyOutcome]int{}
	for o := range outcomes {
		got[o]++
	}
	if got[booking.ReplyCancelled] != 1 || got[booking.ReplyDuplicate] != n-1 {
		t.Errorf("outcomes %v, want one cancelled and %d duplicates", got, n-1)
	}
	if c := count(t, db, `SELECT count(*) FROM jobs WHERE kind = 'cancelled' AND booking_id = ?`, b.ID); c != 1 {
		t.Errorf("%d cancellation jobs, want 1", c)
	}
	if c := count(t, db, `SELECT count(*) FROM reply_messages WHERE message_key = 'k1' AND outcome = 'cancelled'`); c != 1 {
		t.Errorf("%d records of the message, want 1", c)
	}
	got2, err := db.Booking(context.Background(), b.ID)
	if err != nil || got2.Status != booking.Cancelled || got2.Sequence != 1 {
		t.Fatalf("booking after: %+v, %v", got2, err)
	}
}

// TestApplyReplyRollsBack: when the effect fails, the message is not
// recorded either, so it is tried again and acts then.
func TestApplyReplyRollsBack(t *testing.T) {
	db := MustOpenDB(t)
	b := MustCreateBooking(t, db, req{ID: "bk_retry", Artisan: "ana", Start: at(10, 0)})
	boom := errors.New("jobs failed")
	db.Jobs = func(booking.Event) ([]booking.Job, error) { return nil, boom }
	r := declineOf(b, "k2")
	if _, _, err := db.ApplyReply(context.Background(), r, b.ID, decline); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if c := count(t, db, `SELECT count(*) FROM reply_messages`); c != 0 {
		t.Fatalf("%d messages recorded after a failed effect, want 0", c)
	}
	if got, _ := db.Booking(context.Background(), b.ID); got.Status != booking.Confirmed {
		t.Fatalf("status %s after a failed effect", got.Status)
	}
	db.Jobs = nil
	if o, _, err := db.ApplyReply(context.Background(), r, b.ID, decline); err != nil || o != booking.ReplyCancelled {
		t.Fatalf("retry: %q, %v", o, err)
	}
}

// TestApplyReplyUnknownIsNotRecorded: a message of no booking of ours is
// left alone, so nothing is kept of it.
func TestApplyReplyUnknownIsNotRecorded(t *testing.T) {
	db := MustOpenDB(t)
	o, b, err := db.ApplyReply(context.Background(), booking.InboundReply{Key: "k3", Method: booking.MethodReply}, "bk_nobody", decline)
	if err != nil || o != booking.ReplyUnknown || b != nil {
		t.Fatalf("%q %v %v", o, b, err)
	}
	if c := count(t, db, `SELECT count(*) FROM reply_messages`); c != 0 {
		t.Errorf("%d messages recorded", c)
	}
}

// TestReplyJobsInTheSameTransaction: a reply staff are told of queues its
// jobs with the record.
func TestReplyJobsInTheSameTransaction(t *testing.T) {
	db := MustOpenDB(t)
	b := MustCreateBooking(t, db, req{ID: "bk_told", Artisan: "ana", Start: at(10, 0)})
	var seen []booking.ReplyEvent
	db.ReplyJobs = func(e booking.ReplyEvent) ([]booking.Job, error) {
		seen = append(seen, e)
		return []booking.Job{{Queue: "mail", Kind: "reply_notice", BookingID: e.Booking.ID}}, nil
	}
	notify := func(b *booking.Booking, _ *booking.CustomerReply) booking.ReplyAction {
		return booking.ReplyAction{Outcome: booking.ReplyNotified, Record: true, Notify: true, Actor: booking.ReplyActor}
	}
	o, _, err := db.ApplyReply(context.Background(), declineOf(b, "k4"), b.ID, notify)
	if err != nil || o != booking.ReplyNotified {
		t.Fatalf("%q %v", o, err)
	}
	if len(seen) != 1 || seen[0].Booking.ID != b.ID || seen[0].Outcome != booking.ReplyNotified {
		t.Fatalf("reply events %+v", seen)
	}
	if c := count(t, db, `SELECT count(*) FROM jobs WHERE kind = 'reply_notice'`); c != 1 {
		t.Errorf("%d notices queued, want 1", c)
	}
	if c := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'booking.reply' AND booking_id = ? AND actor_id = 'reply'`, b.ID); c != 1 {
		t.Errorf("%d audit rows of the reply, want 1", c)
	}
	replies, err := db.CustomerReplies(context.Background(), b.ID, "bk_other")
	if err != nil {
		t.Fatal(err)
	}
	if cr := replies[b.ID]; cr.PartStat != booking.PartDeclined || !cr.At.Equal(testNow.Truncate(time.Millisecond)) || len(replies) != 1 {
		t.Errorf("customer replies %+v", replies)
	}
}

func TestReplyCursor(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if v, u, err := db.ReplyCursor(ctx, "INBOX"); err != nil || v != 0 || u != 0 {
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
	}
	for _, s := range steps {
		if err := db.SetReplyCursor(ctx, "INBOX", s.validity, s.uid); err != nil {
			t.Fatal(err)
		}
		v, u, err := db.ReplyCursor(ctx, "INBOX")
		if err != nil || v != s.wantValidity || u != s.wantUID {
			t.Errorf("after (%d, %d): (%d, %d) %v, want (%d, %d)", s.validity, s.uid, v, u, err, s.wantValidity, s.wantUID)
		}
	}
	if v, u, _ := db.ReplyCursor(ctx, "Other"); v != 0 || u != 0 {
		t.Errorf("another mailbox shares the cursor: %d %d", v, u)
	}
}

var _ booking.ReplyStore = (*sqlite.Store)(nil)
