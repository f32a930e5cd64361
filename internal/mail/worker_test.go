package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/outbox"
)

// MustWorker returns a runner of the mail queue sending through srv with
// short timeouts, backoff from a minute and no jitter (delays are exactly
// the backoff step... less a thousandth of its half), changed by opts.
func MustWorker(tb testing.TB, q booking.JobQueue, srv *smtpServer, o mail.Options, bookings mail.BookingGetter, opts ...func(*outbox.Config)) *outbox.Runner {
	tb.Helper()
	if bookings == nil {
		// No bookings, and a place for the customers' manage tokens.
		bookings = &bookingMap{m: map[string]*booking.Booking{}}
	}
	s := &mail.Sender{
		Transport: &mail.SMTP{Host: "127.0.0.1", Port: srv.Port(), TLS: mail.TLSNone, DialTimeout: 2 * time.Second, CommandTimeout: 300 * time.Millisecond},
		Bookings:  bookings,
		Options:   o,
	}
	if ls, ok := bookings.(mail.LinkStore); ok {
		s.Links = ls
	}
	opts = append([]func(*outbox.Config){func(c *outbox.Config) {
		c.Policy.Backoff = outbox.Backoff{Base: time.Minute, Max: time.Hour}
		c.Jitter = func() float64 { return 0.999 }
	}}, opts...)
	return MustRunner(tb, q, s, opts...)
}

func runOnce(tb testing.TB, w *outbox.Runner) int {
	tb.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		tb.Fatalf("RunOnce: %v", err)
	}
	return n
}

// TestDeliveryOutage: the mail server times out, refuses with 451, is
// down, and comes back; every message arrives exactly once, intact.
func TestDeliveryOutage(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.ReminderBefore = 0
	q := newMemQueue()
	var bookings []*booking.Booking
	for i := range 3 {
		b := MustBooking(t, fmt.Sprintf("bk_%d", i), booking.InPerson, t0.Add(time.Duration(i)*time.Hour))
		bookings = append(bookings, b)
		q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
	}
	const total = 9 // per booking: confirmation, Mei, admin
	srv := MustStartSMTP(t)
	w := MustWorker(t, q, srv, o, nil)

	wantAttempts := 0
	for _, step := range []struct {
		mode    string
		wantErr string
	}{
		{"hang", "timeout"},
		{"tempfail", "451"},
		{"down", "refused"},
	} {
		srv.SetMode(step.mode)
		if n := runOnce(t, w); n != total {
			t.Fatalf("%s: claimed %d jobs, want %d", step.mode, n, total)
		}
		wantAttempts++
		for _, j := range q.Snapshot() {
			if j.state != "pending" || j.Attempts != wantAttempts || !strings.Contains(j.LastError, step.wantErr) {
				t.Fatalf("%s: job %d state %s attempts %d error %q", step.mode, j.ID, j.state, j.Attempts, j.LastError)
			}
			// Exponential backoff: the n-th retry waits up to 2^(n-1) minutes.
			wait := j.RunAt.Sub(clk.Now())
			if maxWait := time.Minute << (wantAttempts - 1); wait < maxWait/2 || wait > maxWait {
				t.Errorf("%s: retry in %v, want within [%v, %v]", step.mode, wait, maxWait/2, maxWait)
			}
		}
		if got := len(srv.Received()); got != 0 {
			t.Fatalf("%s: server received %d messages", step.mode, got)
		}
		// Nothing is due before its backoff has passed.
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("%s: %d jobs claimed again before their backoff", step.mode, n)
		}
		clk.Advance(time.Minute << (wantAttempts - 1))
	}

	srv.SetMode("accept")
	if n := runOnce(t, w); n != total {
		t.Fatalf("claimed %d jobs after recovery, want %d", n, total)
	}
	if n := runOnce(t, w); n != 0 {
		t.Fatalf("claimed %d jobs after all were sent", n)
	}
	if st := q.States(); st["done"] != total {
		t.Errorf("queue states %v, want %d done", st, total)
	}
	got := srv.Received()
	if len(got) != total {
		t.Fatalf("server received %d messages, want %d", len(got), total)
	}
	seen := map[string]int{}
	for _, r := range got {
		h, _ := MustParseMIME(t, r.Data)
		id, err := h.MessageID()
		if err != nil {
			t.Fatal(err)
		}
		seen[id]++
		if r.From != "bookings@maison.example" || len(r.To) != 1 {
			t.Errorf("envelope %s → %v", r.From, r.To)
		}
	}
	for _, b := range bookings {
		for _, id := range []string{b.ID + ".0.confirmation.0@maison.example", b.ID + ".0.staff_notice.1@maison.example", b.ID + ".0.staff_notice.2@maison.example"} {
			if seen[id] != 1 {
				t.Errorf("message %s delivered %d times, want exactly once", id, seen[id])
			}
		}
	}
	// The confirmations survived the trip intact.
	for _, r := range got {
		if r.To[0] != "zoe@example.org" {
			continue
		}
		_, _, _, cal, ev := inviteOf(t, r.Data)
		if m, _ := cal.Props.Text(ical.PropMethod); m != "REQUEST" {
			t.Errorf("METHOD = %s", m)
		}
		uid, _ := ev.Props.Text(ical.PropUID)
		if !strings.HasPrefix(uid, "bk_") || !strings.HasSuffix(uid, "@book.maison.example") {
			t.Errorf("UID = %s", uid)
		}
	}
}

// TestPermanentFailure: a 550 fails the job for staff to see; the other
// messages still go out.
func TestPermanentFailure(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.ReminderBefore = 0
	q := newMemQueue()
	b := MustBooking(t, "bk_bounce", booking.InPerson, t0)
	b.Customer.Email = "nobody@example.org"
	q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
	srv := MustStartSMTP(t)
	srv.mu.Lock()
	srv.reject["nobody@example.org"] = true
	srv.mu.Unlock()
	w := MustWorker(t, q, srv, o, nil)

	runOnce(t, w)
	clk.Advance(48 * time.Hour)
	if n := runOnce(t, w); n != 0 {
		t.Errorf("a failed job was claimed again")
	}
	for _, j := range q.Snapshot() {
		switch j.Kind {
		case mail.KindConfirmation:
			if j.state != "failed" || !strings.Contains(j.LastError, "550") {
				t.Errorf("confirmation: state %s error %q, want failed with 550", j.state, j.LastError)
			}
		default:
			if j.state != "done" {
				t.Errorf("%s: state %s, want done", j.Kind, j.state)
			}
		}
	}
	if got := len(srv.Received()); got != 2 {
		t.Errorf("server received %d messages, want the 2 staff notices", got)
	}
}

func TestGiveUpAfterMaxAttempts(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	q := newMemQueue()
	o.StaffCopies = nil
	q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: MustBooking(t, "bk_x", booking.InPerson, t0)})[:1]...)
	srv := MustStartSMTP(t)
	srv.SetMode("tempfail")
	w := MustWorker(t, q, srv, o, nil, func(c *outbox.Config) { c.Policy.MaxAttempts = 3 })
	for range 3 {
		runOnce(t, w)
		clk.Advance(time.Hour)
	}
	if j := q.Snapshot()[0]; j.state != "failed" || j.Attempts != 3 {
		t.Errorf("after 3 temporary failures: state %s attempts %d, want failed after 3", j.state, j.Attempts)
	}
}

// bookingMap is a BookingGetter over a map.
type bookingMap struct {
	mu     sync.Mutex
	m      map[string]*booking.Booking
	tokens []booking.ManageToken
	// tokensErr, when set, is what AddManageTokens fails with, the
	// first failures calls (all of them when failures is 0).
	tokensErr error
	failures  int
	// calls counts the calls of AddManageTokens.
	calls int
}

// AddManageTokens records the tokens (mail.LinkStore).
func (bm *bookingMap) AddManageTokens(_ context.Context, tokens ...booking.ManageToken) error {
	bm.mu.Lock()
	defer bm.mu.Unlock()
	bm.calls++
	if bm.tokensErr != nil && (bm.failures == 0 || bm.calls <= bm.failures) {
		return bm.tokensErr
	}
	bm.tokens = append(bm.tokens, tokens...)
	return nil
}

// CustomerBookings returns the confirmed bookings of email not ended at
// now, soonest first (mail.LinkStore).
func (bm *bookingMap) CustomerBookings(_ context.Context, email string, now time.Time, limit int) ([]booking.Booking, error) {
	bm.mu.Lock()
	defer bm.mu.Unlock()
	var out []booking.Booking
	for _, b := range bm.m {
		if strings.EqualFold(b.Customer.Email, email) && b.Status == booking.Confirmed && b.End.After(now) {
			out = append(out, *b)
		}
	}
	slices.SortFunc(out, func(a, b booking.Booking) int { return a.Start.Compare(b.Start) })
	return out[:min(limit, len(out))], nil
}

// opens reports whether token is one of the tokens stored for booking id.
func (bm *bookingMap) opens(id, token string) bool {
	bm.mu.Lock()
	defer bm.mu.Unlock()
	for _, t := range bm.tokens {
		if t.BookingID == id && bytes.Equal(t.Hash, auth.HashSecret(token)) {
			return true
		}
	}
	return false
}

func (bm *bookingMap) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	bm.mu.Lock()
	defer bm.mu.Unlock()
	b, ok := bm.m[id]
	if !ok {
		return nil, booking.ErrNotFound("booking")
	}
	c := *b
	return &c, nil
}

func TestReminder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(b *booking.Booking) *booking.Booking // what happens after booking; nil: nothing
		want   bool
	}{
		{"Sent", nil, true},
		{"Cancelled", func(b *booking.Booking) *booking.Booking {
			b.Status, b.Sequence = booking.Cancelled, 1
			return nil
		}, false},
		{"Rescheduled", func(b *booking.Booking) *booking.Booking {
			prev := *b
			b.Start, b.End, b.Sequence = b.Start.Add(2*time.Hour), b.End.Add(2*time.Hour), 1
			return &prev
		}, true}, // only the new reminder
		{"Deleted", func(b *booking.Booking) *booking.Booking { return nil }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: t0.Add(-72 * time.Hour)}
			o := MustOptions(t, clk)
			o.StaffCopies = nil
			q := newMemQueue()
			b := MustBooking(t, "bk_r", booking.InPerson, t0)
			store := &bookingMap{m: map[string]*booking.Booking{b.ID: b}}
			q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
			srv := MustStartSMTP(t)
			w := MustWorker(t, q, srv, o, store)
			runOnce(t, w) // confirmation and Mei's notice
			sentBefore := len(srv.Received())

			if tc.change != nil {
				cur := *b
				prev := tc.change(&cur)
				if tc.name == "Deleted" {
					delete(store.m, b.ID)
				} else {
					store.m[b.ID] = &cur
				}
				if prev != nil { // a reschedule queues its own messages
					q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventRescheduled, Booking: &cur, Previous: prev})...)
					runOnce(t, w)
					sentBefore = len(srv.Received())
				}
			}

			clk.Advance(72*time.Hour - 24*time.Hour - time.Minute)
			if n := runOnce(t, w); n != 0 {
				t.Fatalf("%d jobs ran before the reminder was due", n)
			}
			clk.Advance(3 * time.Hour) // past both reminder times
			runOnce(t, w)
			reminders := srv.Received()[sentBefore:]
			if got := len(reminders); got != map[bool]int{false: 0, true: 1}[tc.want] {
				t.Fatalf("%d reminders sent, want want=%v", got, tc.want)
			}
			if st := q.States(); st["pending"] != 0 || st["failed"] != 0 {
				t.Errorf("queue states %v", st)
			}
			if !tc.want {
				return
			}
			h, root := MustParseMIME(t, reminders[0].Data)
			subj, _ := h.Subject()
			cur, _ := store.Booking(context.Background(), b.ID)
			wantWhen := cur.Start.In(MustCatalog(t).Atelier.Location).Format("15:04")
			if !strings.HasPrefix(subj, "Reminder:") || !strings.Contains(subj, wantWhen) {
				t.Errorf("reminder subject %q, want the current time %s", subj, wantWhen)
			}
			if root.ContentType != "multipart/alternative" {
				t.Errorf("reminder is %s", root.ContentType)
			}
			// Rendered when sent, with a fresh manage token stored first.
			if tok := MustManageToken(t, string(root.Children[0].Body), b.ID); !store.opens(b.ID, tok) {
				t.Errorf("the reminder's manage link carries a token that was not stored")
			}
		})
	}
}

// errQueue fails every call, to check queue errors surface.
type errQueue struct{ booking.JobQueue }

func (errQueue) ClaimJobs(context.Context, string, time.Time, int, time.Duration) ([]booking.QueuedJob, error) {
	return nil, errors.New("database is locked")
}

func TestRunWakesAndStops(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.StaffCopies, o.ReminderBefore = nil, 0
	q := newMemQueue()
	srv := MustStartSMTP(t)
	w := MustWorker(t, q, srv, o, nil, func(c *outbox.Config) { c.Policy.Poll = time.Hour }) // only Wake can make it look again

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()

	q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: MustBooking(t, "bk_w", booking.InPerson, t0)})...)
	deadline := time.After(10 * time.Second)
	for len(srv.Received()) < 2 {
		w.Wake()
		select {
		case <-deadline:
			t.Fatalf("worker did not send after Wake: %v", q.States())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v", err)
	}

	if _, err := MustRunner(t, errQueue{}, &mail.Sender{Options: o}).RunOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("queue error not reported: %v", err)
	}
}

// TestSMTPModes sends through STARTTLS, implicit TLS and plain text, with
// and without AUTH PLAIN.
func TestSMTPModes(t *testing.T) {
	serverTLS, clientTLS := MustTLS(t)
	for _, tc := range []struct {
		name      string
		mode      string
		serverTLS string    // "starttls", "implicit", ""
		user      string    // server requires AUTH with this user
		client    [2]string // the client's user name and password
		wantErr   string    // stage of the failure, "" for success
		wantTLS   bool
	}{
		{"StartTLSWithAuth", mail.TLSStartTLS, "starttls", "bookings", [2]string{"bookings", "s3cret"}, "", true},
		{"ImplicitTLSWithAuth", mail.TLSImplicit, "implicit", "bookings", [2]string{"bookings", "s3cret"}, "", true},
		{"PlainNoAuth", mail.TLSNone, "", "", [2]string{}, "", false},
		{"StartTLSNotOffered", mail.TLSStartTLS, "", "", [2]string{}, "tls", false},
		{"WrongPassword", mail.TLSStartTLS, "starttls", "bookings", [2]string{"bookings", "nope"}, "auth", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := MustStartSMTP(t)
			// Under the lock: the accept loop takes it before serving.
			srv.mu.Lock()
			switch tc.serverTLS {
			case "starttls":
				srv.server.TLSConfig = serverTLS
			case "implicit":
				srv.implicitTLS = serverTLS
			}
			srv.user, srv.pass = tc.user, "s3cret"
			srv.mu.Unlock()
			c := &mail.SMTP{Username: tc.client[0], Password: tc.client[1], Host: "127.0.0.1", Port: srv.Port(), TLS: tc.mode, TLSConfig: clientTLS, CommandTimeout: 2 * time.Second}
			err := c.Send(context.Background(), mail.Envelope{From: "a@example.com", To: []string{"b@example.com"}}, []byte("Subject: hi\r\n\r\nhello\r\n"))
			if tc.wantErr != "" {
				var se *mail.SendError
				if !errors.As(err, &se) || se.Stage != tc.wantErr {
					t.Fatalf("err = %v, want a failure at %s", err, tc.wantErr)
				}
				if mail.Permanent(err) {
					t.Errorf("a %s failure is treated as permanent; it should be retried once staff fix the configuration", se.Stage)
				}
				if len(srv.Received()) != 0 {
					t.Errorf("message delivered despite the failure")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.Received(); len(got) != 1 || !strings.Contains(string(got[0].Data), "hello") {
				t.Fatalf("received %v", got)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if srv.tlsSeen != tc.wantTLS {
				t.Errorf("over TLS = %v, want %v", srv.tlsSeen, tc.wantTLS)
			}
		})
	}
}

// TestSenderRendersTheFacts: the Sender renders the messages of a change
// from the facts its jobs hold, the ones the change's own rendering gives
// (boundaries aside), with what it shows of the atelier as it is when the
// message goes out; a job whose facts do not fit its kind fails at once.
func TestSenderRendersTheFacts(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.ReminderBefore = 0
	b := MustBooking(t, "bk_facts", booking.InPerson, t0)
	e := booking.Event{Kind: booking.EventCreated, Booking: b}
	const token = "tok-facts-000000000000000000000000000000000"
	mail.FixSecrets(t, token) // the same in both renderings
	stored := MustStoredJobs(t, o, e)
	for _, j := range stored {
		if _, _, msg, err := mail.ParsePayload(j.Payload); err != nil || len(msg) != 0 {
			t.Fatalf("%s: stored with a message of %d bytes (%v), want the facts alone", j.Kind, len(msg), err)
		}
	}
	// What the change itself renders, before the atelier moves.
	want := map[string][]byte{}
	for _, j := range stored {
		out, err := o.JobMessage(j)
		if err != nil {
			t.Fatal(err)
		}
		want[out.To[0]] = withoutRandom(out.Message)
	}
	q := newMemQueue()
	q.Add(clk.Now(), stored...)
	srv := MustStartSMTP(t)
	links := &bookingMap{m: map[string]*booking.Booking{}}
	runOnce(t, MustWorker(t, q, srv, o, links))
	got := srv.Received()
	if len(got) != len(stored) {
		t.Fatalf("server received %d messages, want %d", len(got), len(stored))
	}
	for _, r := range got {
		if w, ok := want[r.To[0]]; !ok || !bytes.Equal(withoutRandom(r.Data), w) {
			t.Errorf("the message to %s differs from the change's own rendering", r.To[0])
		}
		if r.To[0] != b.Customer.Email {
			continue
		}
		// Its link's token was made when it was sent, and stored first.
		_, text, _, _, _ := inviteOf(t, r.Data)
		if MustManageToken(t, text, b.ID) != token || !links.opens(b.ID, token) {
			t.Errorf("the confirmation's manage token is not in it, or was not stored before it was sent")
		}
	}

	// A store that cannot keep the token: nothing is sent, and the job
	// is tried again later.
	q = newMemQueue()
	q.Add(clk.Now(), stored[0])
	srv = MustStartSMTP(t)
	broken := &bookingMap{m: map[string]*booking.Booking{}, tokensErr: errors.New("database is locked")}
	runOnce(t, MustWorker(t, q, srv, o, broken))
	if j := q.Snapshot()[0]; j.state != "pending" || !strings.Contains(j.LastError, "manage token") || len(srv.Received()) != 0 {
		t.Errorf("token not stored: state %s error %q, %d sent; want pending, retried, none sent", j.state, j.LastError, len(srv.Received()))
	}

	// The atelier's telephone number changes before the next change's
	// messages go out: they give the new one.
	moved := *o.Catalog()
	moved.Atelier.Phone = "+65 6111 2222"
	o.Catalog = func() *booking.Catalog { return &moved }
	cancelled := *b
	cancelled.Status, cancelled.Sequence = booking.Cancelled, 1
	q = newMemQueue()
	o2 := MustOptions(t, clk)
	o2.ReminderBefore = 0
	q.Add(clk.Now(), MustStoredJobs(t, o2, booking.Event{Kind: booking.EventCancelled, Booking: &cancelled, Previous: b})...)
	srv = MustStartSMTP(t)
	runOnce(t, MustWorker(t, q, srv, o, nil))
	for _, r := range srv.Received() {
		if r.To[0] == b.Customer.Email && !bytes.Contains(r.Data, []byte("+65 6111 2222")) {
			t.Errorf("the cancellation sent after the change does not give the new number:\n%s", r.Data)
		}
	}

	// A confirmation's facts under another kind: failed, not sent.
	bad := stored[0]
	bad.Kind = mail.KindCancellation
	q = newMemQueue()
	q.Add(clk.Now(), bad)
	srv = MustStartSMTP(t)
	runOnce(t, MustWorker(t, q, srv, o, nil))
	if j := q.Snapshot()[0]; j.state != "failed" || len(srv.Received()) != 0 {
		t.Errorf("facts of a confirmation sent as a cancellation: state %s, %d sent; want failed, none", j.state, len(srv.Received()))
	}
}

// withoutRandom is msg with its MIME boundaries, random in every
// rendering, numbered in order of appearance.
func withoutRandom(msg []byte) []byte {
	re := regexp.MustCompile(`boundary=([0-9a-f]{60})`)
	for i, m := range re.FindAllSubmatch(msg, -1) {
		msg = bytes.ReplaceAll(msg, m[1], fmt.Appendf(nil, "boundary-%051d", i+1))
	}
	return msg
}

// TestSenderPreparesTheClaim: the manage tokens of a claim's messages are
// stored in one write before the first is sent; when that write fails,
// each message stores its own and is sent all the same.
func TestSenderPreparesTheClaim(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.ReminderBefore, o.StaffCopies = 0, nil
	for _, tc := range []struct {
		name      string
		failures  int
		wantCalls int
	}{
		{"OneWrite", 0, 1},
		{"WriteFails", 1, 1 + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newMemQueue()
			var bs []*booking.Booking
			for i := range 3 {
				b := MustBooking(t, fmt.Sprintf("bk_claim%d", i), booking.InPerson, t0.Add(time.Duration(i)*time.Hour))
				b.Customer.Email = fmt.Sprintf("c%d@example.org", i)
				bs = append(bs, b)
				q.Add(clk.Now(), MustStoredJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
			}
			links := &bookingMap{m: map[string]*booking.Booking{}}
			if tc.failures > 0 {
				links.tokensErr, links.failures = errors.New("database is locked"), tc.failures
			}
			srv := MustStartSMTP(t)
			if n := runOnce(t, MustWorker(t, q, srv, o, links)); n != 6 {
				t.Fatalf("claimed %d jobs, want the 6 of one claim", n)
			}
			if links.calls != tc.wantCalls || len(links.tokens) != 3 {
				t.Errorf("%d writes of %d tokens, want %d writes of 3", links.calls, len(links.tokens), tc.wantCalls)
			}
			got := srv.Received()
			if len(got) != 6 {
				t.Fatalf("server received %d messages, want 6", len(got))
			}
			for _, b := range bs {
				found := false
				for _, r := range got {
					if r.To[0] != b.Customer.Email {
						continue
					}
					found = true
					_, text, _, _, _ := inviteOf(t, r.Data)
					if token := MustManageToken(t, text, b.ID); !links.opens(b.ID, token) {
						t.Errorf("%s: the link's token was not stored", b.ID)
					}
				}
				if !found {
					t.Errorf("%s: no confirmation sent", b.ID)
				}
			}
			for _, j := range q.Snapshot() {
				if j.state != "done" {
					t.Errorf("job %d (%s): %s, want done", j.ID, j.Kind, j.state)
				}
			}
		})
	}
}
