package replies

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/sqlite"
)

const (
	imapUser     = "hello@atelier.example"
	imapPassword = "correct horse battery staple"
	processed    = "Atelier replies"
)

// imapServer is a real IMAP server in the test process (go-imap's
// imapserver over the in-memory backend), on loopback.
type imapServer struct {
	addr string
	user *imapmemserver.User
	srv  *imapserver.Server
}

// serverOptions shape the test server.
type serverOptions struct {
	noIdle bool   // hide IDLE from the client, as a server without it
	noMove bool   // offer neither MOVE nor UIDPLUS
	addr   string // listen there (a port just freed) instead of a new port
}

func startIMAP(tb testing.TB, o serverOptions) *imapServer {
	tb.Helper()
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond) // the port is being released
	}
	if err != nil {
		tb.Fatal(err)
	}
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	if err := user.Create("INBOX", nil); err != nil {
		tb.Fatal(err)
	}
	mem.AddUser(user)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
	if o.noMove {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	var l net.Listener = ln
	if o.noIdle {
		l = &noIdleListener{ln}
	}
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return &imapServer{addr: ln.Addr().String(), user: user, srv: srv}
}

// deliver puts a message in the INBOX, as the mail server does when it
// arrives.
func (s *imapServer) deliver(tb testing.TB, raw []byte) {
	tb.Helper()
	if _, err := s.user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{}); err != nil {
		tb.Fatal(err)
	}
}

type literal struct {
	io.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// mailboxes returns, per folder, the Message-IDs in it and whether each
// is \Seen, read through a client of its own.
func (s *imapServer) messages(tb testing.TB, mailbox string) map[string]bool {
	tb.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(imapUser, imapPassword).Wait(); err != nil {
		tb.Fatal(err)
	}
	out := map[string]bool{}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return out // no such mailbox: nothing in it
	}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range msgs {
		out[m.Envelope.MessageID] = slices.Contains(m.Flags, imap.FlagSeen)
	}
	return out
}

// count returns how many messages mailbox holds.
func (s *imapServer) count(tb testing.TB, mailbox string) int {
	tb.Helper()
	st, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0
	}
	return int(*st.NumMessages)
}

// noIdleListener hides IDLE from the server's capabilities, as a server
// that does not offer it (the reader then polls).
type noIdleListener struct{ net.Listener }

func (l *noIdleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &noIdleConn{Conn: c}, nil
}

type noIdleConn struct{ net.Conn }

func (c *noIdleConn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("CAPABILITY")) {
		q := bytes.ReplaceAll(p, []byte(" IDLE"), nil)
		if _, err := c.Conn.Write(q); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// stack is the application behind the reader: a real store, the app's
// decisions, the mail the changes queue, and an outbox runner that writes
// them as .eml files.
type stack struct {
	db      *sqlite.Store
	app     *app.App
	clock   time.Time
	outbox  *outbox.Runner
	mailDir string
}

var testAdmin = &booking.User{ID: "us_admin", Email: "owner@atelier.example", Name: "Owner", Role: booking.RoleAdmin}

func stackCatalog() *booking.Catalog {
	var w booking.WeekHours
	for d := range w {
		w[d] = []booking.Span{{Start: 10 * 60, End: 19 * 60}}
	}
	return &booking.Catalog{
		Atelier: booking.Atelier{
			Name: "Keong Saik Atelier", Timezone: "Asia/Singapore", Location: sgt, Address: "1 Test Street",
			Email: "hello@atelier.example", Rooms: []booking.Room{{ID: "salon", Name: "Salon"}}, Hours: w,
			Rules: booking.Rules{MinNotice: 2 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute},
		},
		Services: []booking.Service{{ID: "design", Name: "Bespoke design consultation", Duration: 90 * time.Minute,
			Modes: []booking.Mode{booking.InPerson}, Artisans: []string{"mei"}}},
		Artisans: []booking.Artisan{{ID: "mei", Name: "Mei", Email: "mei@atelier.example", Services: []string{"design"}, Hours: w}},
	}
}

func newStack(tb testing.TB) *stack {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "atelier.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s := &stack{db: db, clock: time.Date(2026, 11, 30, 9, 0, 0, 0, sgt), mailDir: filepath.Join(tb.TempDir(), "mail")}
	now := func() time.Time { return s.clock }
	db.Now = now
	cat := stackCatalog()
	if _, err := db.SyncCatalog(ctx, cat); err != nil {
		tb.Fatal(err)
	}
	opts := mail.Options{
		From: &gomail.Address{Name: "Keong Saik Atelier", Address: "hello@atelier.example"}, PublicURL: "https://atelier.example",
		Catalog: func() *booking.Catalog { return cat }, Now: now, RSVP: true,
	}
	db.Jobs = mail.Jobs(opts)
	db.ReplyJobs = mail.ReplyJobs(opts)
	s.app = app.New(app.Deps{Store: db, Now: now, PublicURL: "https://atelier.example", Replies: true})
	s.outbox, err = outbox.New(outbox.Config{Queue: mail.Queue, Store: db, Now: now,
		Handler: &mail.Sender{Transport: &mail.Dir{Path: s.mailDir, Now: now}, Bookings: db, Links: db, Options: opts}})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// book makes the booking of ana@example.com on 2 December at 10:00 and
// returns it as stored.
func (s *stack) book(tb testing.TB, email string) *booking.Booking {
	tb.Helper()
	made, err := s.app.CreateBooking(context.Background(), app.BookingRequest{
		Service: "design", Mode: booking.InPerson, Start: apptStart,
		Customer: booking.Customer{Name: "Ana Lovelace", Email: email},
	}, app.CreateOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := s.db.Booking(context.Background(), made.Booking.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (s *stack) view(tb testing.TB, id string) *app.StaffBooking {
	tb.Helper()
	v, err := s.app.StaffGetBooking(context.Background(), testAdmin, id)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// slotFree says whether 2 December at 10:00 is offered with Mei.
func (s *stack) slotFree(tb testing.TB) bool {
	tb.Helper()
	d := booking.DateOf(apptStart)
	av, err := s.app.Availability(context.Background(), app.AvailabilityQuery{Service: "design", Mode: "in_person", Artisan: "mei", From: d, To: d})
	if err != nil {
		tb.Fatal(err)
	}
	for _, sl := range av.Slots {
		if sl.Start.Equal(apptStart) {
			return true
		}
	}
	return false
}

// sent returns the messages the outbox wrote, by kind.
func (s *stack) sent(tb testing.TB) map[string][]string {
	tb.Helper()
	if _, err := s.outbox.RunOnce(context.Background()); err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	files, _ := os.ReadDir(s.mailDir)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(s.mailDir, f.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		for _, kind := range []string{"confirmation", "cancellation", "staff_notice", "reply_notice"} {
			if strings.Contains(f.Name(), "-"+kind+"-") {
				out[kind] = append(out[kind], string(data))
			}
		}
	}
	return out
}

// logBuffer collects log lines for the tests to read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startReader runs a reader against srv for s until the test ends.
func startReader(tb testing.TB, s *stack, addr, password string, change ...func(*Reader)) (*Reader, *logBuffer) {
	tb.Helper()
	logs := &logBuffer{}
	r := &Reader{
		Config: Config{Addr: addr, TLS: "none", Username: imapUser, Password: password, Mailbox: "INBOX",
			Processed: processed, PollInterval: 100 * time.Millisecond, Location: sgt},
		Replies: s.app, Cursor: s.db, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
	}
	for _, f := range change {
		f(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			tb.Error("the reader did not stop")
		}
	})
	return r, logs
}

// eventually waits for cond, failing the test after a generous deadline
// (a slow machine is not a failure; a condition never met is).
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReplies delivers replies as each client writes them and checks what
// staff and the customer see.
func TestReplies(t *testing.T) {
	tests := []struct {
		name   string
		client string
		part   string
		check  func(t *testing.T, s *stack, b *booking.Booking)
	}{
		{"GmailDeclineCancels", "gmail", "DECLINED", func(t *testing.T, s *stack, b *booking.Booking) {
			if v := s.view(t, b.ID); v.Status != booking.Cancelled || v.Reply == nil || v.Reply.PartStat != booking.PartDeclined {
				t.Errorf("booking %s, reply %+v; want cancelled, DECLINED", v.Status, v.Reply)
			}
			if !s.slotFree(t) {
				t.Error("the time is not free again")
			}
			sent := s.sent(t)
			if len(sent["cancellation"]) != 1 {
				t.Fatalf("%d cancellation mails, want 1", len(sent["cancellation"]))
			}
			m, err := Parse([]byte(sent["cancellation"][0]), sgt) // not a reply: read its parts another way
			if m != nil || !errors.Is(err, errNotReply) {
				t.Errorf("the cancellation reads as a reply: %v", err)
			}
			to, ics := envelopeOf(t, sent["cancellation"][0])
			if to != "ana.lovelace@gmail.com" || !strings.Contains(ics, "METHOD:CANCEL") || !strings.Contains(ics, b.UID) {
				t.Errorf("cancellation to %q with invite:\n%s", to, ics)
			}
		}},
		{"OutlookAcceptShown", "outlook", "ACCEPTED", func(t *testing.T, s *stack, b *booking.Booking) {
			v := s.view(t, b.ID)
			if v.Status != booking.Confirmed || v.Reply == nil || v.Reply.PartStat != booking.PartAccepted || !v.Reply.Current {
				t.Errorf("booking %s, reply %+v; want confirmed, ACCEPTED", v.Status, v.Reply)
			}
			if got := s.sent(t); len(got["cancellation"]) != 0 || len(got["reply_notice"]) != 0 {
				t.Errorf("an acceptance sent mail: %v", got)
			}
		}},
		{"AppleTentativeShown", "apple", "TENTATIVE", func(t *testing.T, s *stack, b *booking.Booking) {
			if v := s.view(t, b.ID); v.Status != booking.Confirmed || v.Reply == nil || v.Reply.PartStat != booking.PartTentative {
				t.Errorf("booking %s, reply %+v; want confirmed, TENTATIVE", v.Status, v.Reply)
			}
		}},
		{"AttachmentOnlyDeclineCancels", "attachment", "DECLINED", func(t *testing.T, s *stack, b *booking.Booking) {
			if v := s.view(t, b.ID); v.Status != booking.Cancelled {
				t.Errorf("booking %s, want cancelled", v.Status)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := map[string]string{"gmail": "ana.lovelace@gmail.com", "outlook": "ana@outlook.com", "apple": "ana@icloud.com", "attachment": "ana@webmail.example"}[tc.client]
			s := newStack(t)
			b := s.book(t, addr)
			srv := startIMAP(t, serverOptions{})
			r, _ := startReader(t, s, srv.addr, imapPassword)
			raw := reply{Client: tc.client, PartStat: tc.part, UID: b.UID, From: addr, Start: b.Start, End: b.End}.build(t)
			srv.deliver(t, raw)
			eventually(t, "the reply to be acted on", func() bool { return r.Status().Acted == 1 })
			eventually(t, "the reply to be filed", func() bool { return srv.count(t, processed) == 1 })
			if inbox := srv.messages(t, "INBOX"); len(inbox) != 0 {
				t.Errorf("INBOX still holds %v", inbox)
			}
			for id, seen := range srv.messages(t, processed) {
				if !seen {
					t.Errorf("%s filed without \\Seen", id)
				}
			}
			tc.check(t, s, b)
			if st := r.Status(); st.State != StateOK || st.Refused != 0 {
				t.Errorf("status %+v", st)
			}
		})
	}
}

// TestRepliesThatChangeNothing: a forged reply, one to an older
// invitation, the same message twice, and mail that is no reply.
func TestRepliesThatChangeNothing(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@gmail.com")
	srv := startIMAP(t, serverOptions{})
	r, logs := startReader(t, s, srv.addr, imapPassword)

	// Someone else answers for Ana: another From, and the right From with
	// another attendee.
	srv.deliver(t, reply{Client: "gmail", PartStat: "DECLINED", UID: b.UID, From: "mallory@gmail.com", Attendee: "ana@gmail.com",
		MessageID: "forged-1@mail.example", Start: b.Start, End: b.End}.build(t))
	srv.deliver(t, reply{Client: "outlook", PartStat: "DECLINED", UID: b.UID, From: "ana@gmail.com", Attendee: "mallory@outlook.com",
		MessageID: "forged-2@mail.example", Start: b.Start, End: b.End}.build(t))
	// A customer's ordinary e-mail.
	srv.deliver(t, reply{Client: "plain", From: "ana@gmail.com", MessageID: "question@mail.example"}.build(t))
	eventually(t, "the forged replies to be refused", func() bool { return r.Status().Refused == 2 })
	if v := s.view(t, b.ID); v.Status != booking.Confirmed || v.Reply != nil {
		t.Fatalf("after forged replies: %s, %+v", v.Status, v.Reply)
	}

	// The booking moves: an answer to the first invitation is stale.
	if _, err := s.app.StaffReschedule(context.Background(), testAdmin, b.ID, app.RescheduleRequest{Start: apptStart.Add(4 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv.deliver(t, reply{Client: "gmail", PartStat: "DECLINED", UID: b.UID, Seq: 0, From: "ana@gmail.com", MessageID: "old@mail.example", Start: b.Start, End: b.End}.build(t))
	eventually(t, "the stale reply to be refused", func() bool { return r.Status().Refused == 3 })
	if v := s.view(t, b.ID); v.Status != booking.Confirmed {
		t.Fatalf("a reply to an old SEQUENCE cancelled the booking")
	}

	// The same decline twice (the same Message-ID, delivered twice): one
	// cancellation.
	decline := reply{Client: "gmail", PartStat: "DECLINED", UID: b.UID, Seq: 1, From: "ana@gmail.com", MessageID: "twice@mail.example",
		Start: b.Start.Add(4 * time.Hour), End: b.End.Add(4 * time.Hour)}.build(t)
	srv.deliver(t, decline)
	srv.deliver(t, decline)
	eventually(t, "both copies to be filed", func() bool { return srv.count(t, processed) == 5 })
	if v := s.view(t, b.ID); v.Status != booking.Cancelled {
		t.Fatalf("the decline did not cancel: %s", v.Status)
	}
	if got := len(s.sent(t)["cancellation"]); got != 1 {
		t.Errorf("%d cancellation mails, want 1", got)
	}
	audit, err := s.db.AuditLog(context.Background(), time.Time{}, s.clock.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	cancels := 0
	for _, e := range audit {
		if e.Action == "booking.cancelled" {
			cancels++
		}
	}
	if cancels != 1 {
		t.Errorf("%d cancellations in the audit log, want 1", cancels)
	}
	if st := r.Status(); st.Acted != 1 || st.Refused != 3 {
		t.Errorf("status %+v, want 1 acted, 3 refused", st)
	}

	// The question stays where it was, unread.
	inbox := srv.messages(t, "INBOX")
	if seen, ok := inbox["question@mail.example"]; !ok || seen || len(inbox) != 1 {
		t.Errorf("INBOX %v, want only the question, unread", inbox)
	}
	// The log names no address and no Message-ID.
	for _, secret := range []string{"ana@gmail.com", "mallory", "twice@mail.example", "forged-1"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows %q:\n%s", secret, logs)
		}
	}
}

// TestCrashBetweenEffectAndMove: a reader that recorded a decline and died
// before moving it leaves the message in the INBOX; the next one files it
// and acts no more.
func TestCrashBetweenEffectAndMove(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@outlook.com")
	srv := startIMAP(t, serverOptions{})
	raw := reply{Client: "outlook", PartStat: "DECLINED", UID: b.UID, From: "ana@outlook.com", MessageID: "crash@mail.example", Start: b.Start, End: b.End}.build(t)
	srv.deliver(t, raw)
	// The first reader got as far as the transaction.
	msg, err := Parse(raw, sgt)
	if err != nil {
		t.Fatal(err)
	}
	first := msg.Reply
	first.Key, first.Mailbox, first.UIDValidity, first.MessageUID = Key(msg.MessageID, "INBOX", 1, 1), "INBOX", 1, 1
	if o, err := s.app.ApplyReply(context.Background(), first); err != nil || o != booking.ReplyCancelled {
		t.Fatalf("first reader: %q %v", o, err)
	}
	r, _ := startReader(t, s, srv.addr, imapPassword)
	eventually(t, "the reply to be filed", func() bool { return srv.count(t, processed) == 1 })
	if st := r.Status(); st.Acted != 0 {
		t.Errorf("the second reader acted again: %+v", st)
	}
	if got := len(s.sent(t)["cancellation"]); got != 1 {
		t.Errorf("%d cancellation mails, want 1", got)
	}
}

// TestCounterProposal: Outlook's "propose a new time" is shown to staff,
// free, and told to the artisan; the booking does not change.
func TestCounterProposal(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@outlook.com")
	srv := startIMAP(t, serverOptions{})
	r, _ := startReader(t, s, srv.addr, imapPassword)
	proposed := apptStart.Add(25 * time.Hour) // 3 December, 11:00
	srv.deliver(t, reply{Client: "outlook_counter", PartStat: "TENTATIVE", UID: b.UID, From: "ana@outlook.com",
		Start: proposed, End: proposed.Add(90 * time.Minute), OriginalStart: b.Start, OriginalEnd: b.End}.build(t))
	eventually(t, "the proposal to be read", func() bool { return r.Status().Acted == 1 })
	v := s.view(t, b.ID)
	c := v.Reply
	if v.Status != booking.Confirmed || !v.Start.Equal(apptStart) || c == nil || c.Counter == nil || !c.Counter.Start.Equal(proposed) || c.CounterFree == nil || !*c.CounterFree {
		t.Fatalf("booking %s at %s, proposal %+v", v.Status, v.Start, c)
	}
	notices := s.sent(t)["reply_notice"]
	if len(notices) != 1 || !strings.Contains(notices[0], "To: Mei <mei@atelier.example>") {
		t.Errorf("reply notices %d, want one to Mei", len(notices))
	}
}

// TestPolling: with a server that offers no IDLE the reader polls, and
// still sees new mail.
func TestPolling(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@icloud.com")
	srv := startIMAP(t, serverOptions{noIdle: true})
	r, _ := startReader(t, s, srv.addr, imapPassword)
	eventually(t, "the first check", func() bool { return !r.Status().LastCheck.IsZero() })
	if r.Status().Idle {
		t.Fatal("the reader believes the server offers IDLE")
	}
	srv.deliver(t, reply{Client: "apple", PartStat: "ACCEPTED", UID: b.UID, From: "ana@icloud.com", Start: b.Start, End: b.End}.build(t))
	eventually(t, "the reply to be read by polling", func() bool { return r.Status().Acted == 1 })
}

// TestIdle: with IDLE the reader waits on the server, not on its poll.
func TestIdle(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@icloud.com")
	srv := startIMAP(t, serverOptions{})
	r, _ := startReader(t, s, srv.addr, imapPassword, func(r *Reader) { r.PollInterval = time.Hour })
	eventually(t, "the first check", func() bool { return !r.Status().LastCheck.IsZero() })
	if !r.Status().Idle {
		t.Fatal("the reader does not use IDLE")
	}
	srv.deliver(t, reply{Client: "apple", PartStat: "ACCEPTED", UID: b.UID, From: "ana@icloud.com", Start: b.Start, End: b.End}.build(t))
	eventually(t, "the reply to be read at once", func() bool { return r.Status().Acted == 1 })
}

// TestNoMove: a server with neither MOVE nor UIDPLUS: replies are flagged
// \Seen and stay, and the other messages are untouched.
func TestNoMove(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@icloud.com")
	srv := startIMAP(t, serverOptions{noMove: true})
	r, _ := startReader(t, s, srv.addr, imapPassword)
	srv.deliver(t, reply{Client: "plain", From: "ana@icloud.com", MessageID: "question@mail.example"}.build(t))
	srv.deliver(t, reply{Client: "apple", PartStat: "ACCEPTED", UID: b.UID, From: "ana@icloud.com", MessageID: "yes@mail.example", Start: b.Start, End: b.End}.build(t))
	eventually(t, "the reply to be read", func() bool { return r.Status().Acted == 1 })
	eventually(t, "the reply to be flagged", func() bool { return srv.messages(t, "INBOX")["yes@mail.example"] })
	if inbox := srv.messages(t, "INBOX"); inbox["question@mail.example"] || len(inbox) != 2 {
		t.Errorf("INBOX %v", inbox)
	}
	// The server shows the flag as soon as it has stored it; the reader
	// notes that it cannot move the reply once the STORE has answered, a
	// moment later.
	eventually(t, "the status to say replies are not moved", func() bool { return r.Status().NotMoved })
}

// TestMessageFaults: a huge message and a malformed reply are passed over
// (counted, left in place) and the reader goes on to the next.
func TestMessageFaults(t *testing.T) {
	s := newStack(t)
	b := s.book(t, "ana@outlook.com")
	srv := startIMAP(t, serverOptions{})
	r, logs := startReader(t, s, srv.addr, imapPassword)

	ok := reply{Client: "outlook", PartStat: "ACCEPTED", UID: b.UID, From: "ana@outlook.com", MessageID: "ok@mail.example", Start: b.Start, End: b.End}.build(t)
	huge := bytes.Replace(reply{Client: "gmail", PartStat: "DECLINED", UID: b.UID, From: "ana@outlook.com", MessageID: "huge@mail.example", Start: b.Start, End: b.End}.build(t),
		[]byte("You are receiving"), append(bytes.Repeat([]byte("padding padding padding padding\r\n"), MaxMessageBytes/33+10), "You are receiving"...), 1)
	broken := []byte("From: ana@outlook.com\r\nMessage-ID: <broken@mail.example>\r\nContent-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n")
	srv.deliver(t, huge)
	srv.deliver(t, broken)
	srv.deliver(t, ok)
	eventually(t, "the good reply after the bad ones", func() bool { return srv.count(t, processed) == 1 })
	st := r.Status()
	if st.Skipped[SkipTooLarge] != 1 || st.Skipped[SkipMalformed] != 1 || st.State != StateOK {
		t.Errorf("status %+v, want one too large and one malformed, ok", st)
	}
	inbox := srv.messages(t, "INBOX")
	if _, ok := inbox["huge@mail.example"]; !ok || len(inbox) != 2 {
		t.Errorf("INBOX %v, want the huge and the broken messages left", inbox)
	}
	if v := s.view(t, b.ID); v.Status != booking.Confirmed {
		t.Errorf("the huge decline was acted on")
	}
	if n := strings.Count(logs.String(), "passed over"); n != 2 {
		t.Errorf("%d log lines for the two bad messages, want 2:\n%s", n, logs)
	}
}

// TestWrongPassword: a refused login is failing in the status, logged
// once however often the reader tries, and recovers once fixed.
func TestWrongPassword(t *testing.T) {
	s := newStack(t)
	srv := startIMAP(t, serverOptions{})
	r, logs := startReader(t, s, srv.addr, "wrong password")
	eventually(t, "the reader to fail", func() bool { return r.Status().State == StateFailing })
	if st := r.Status(); st.Problem != ProblemLogin {
		t.Fatalf("status %+v, want a login problem", st)
	}
	eventually(t, "several attempts", func() bool { return r.Status().Failures >= 4 })
	if n := strings.Count(logs.String(), "cannot read the mailbox"); n != 1 {
		t.Errorf("%d log lines for one cause, want 1:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), "wrong password") {
		t.Error("the log shows the password")
	}
}

// TestServerDown: no server is failing (unreachable), bookings go on, and
// the reader recovers when the server comes back.
func TestServerDown(t *testing.T) {
	s := newStack(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	r, logs := startReader(t, s, addr, imapPassword)
	eventually(t, "the reader to fail", func() bool { return r.Status().State == StateFailing })
	if st := r.Status(); st.Problem != ProblemUnreachable {
		t.Fatalf("status %+v, want unreachable", st)
	}
	eventually(t, "several attempts", func() bool { return r.Status().Failures >= 3 })
	// Bookings do not wait for the mailbox.
	b := s.book(t, "ana@icloud.com")

	// The server comes back on the same address.
	srv := startIMAP(t, serverOptions{addr: addr})
	srv.deliver(t, reply{Client: "apple", PartStat: "ACCEPTED", UID: b.UID, From: "ana@icloud.com", Start: b.Start, End: b.End}.build(t))
	eventually(t, "the reader to recover and read", func() bool { return r.Status().Acted == 1 })
	if st := r.Status(); st.State != StateOK {
		t.Errorf("status %+v, want ok", st)
	}
	if !strings.Contains(logs.String(), "reading the mailbox again") || strings.Count(logs.String(), "cannot read the mailbox") != 1 {
		t.Errorf("log:\n%s", logs)
	}
}

// envelopeOf returns the To address of a message and its text/calendar
// part, decoded.
func envelopeOf(tb testing.TB, raw string) (to, ics string) {
	tb.Helper()
	e, err := message.Read(strings.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	h := gomail.Header{Header: e.Header}
	if list, err := h.AddressList("To"); err == nil && len(list) == 1 {
		to = list[0].Address
	}
	e.Walk(func(_ []int, p *message.Entity, _ error) error {
		if t, _, _ := p.Header.ContentType(); t == "text/calendar" {
			b, _ := io.ReadAll(p.Body)
			ics = string(b)
		}
		return nil
	})
	return to, ics
}

// testCert makes a certificate for 127.0.0.1 and a pool that trusts it.
func testCert(tb testing.TB) (tls.Certificate, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "imap.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startTLSIMAP starts the test server with implicit TLS ("tls") or
// STARTTLS.
func startTLSIMAP(tb testing.TB, mode string, cert tls.Certificate) *imapServer {
	tb.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	user.Create("INBOX", nil)
	mem.AddUser(user)
	conf := &tls.Config{Certificates: []tls.Certificate{cert}}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		Logger: log.New(io.Discard, "", 0),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var l net.Listener = ln
	if mode == "tls" {
		l = tls.NewListener(ln, conf)
		opts.InsecureAuth = true // the connection is TLS already
	} else {
		opts.TLSConfig = conf
	}
	srv := imapserver.New(opts)
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return &imapServer{addr: ln.Addr().String(), user: user, srv: srv}
}

// TestTLS reads over implicit TLS and STARTTLS, and refuses a server whose
// certificate it cannot verify.
func TestTLS(t *testing.T) {
	cert, pool := testCert(t)
	for _, mode := range []string{"tls", "starttls"} {
		t.Run(mode, func(t *testing.T) {
			s := newStack(t)
			b := s.book(t, "ana@icloud.com")
			srv := startTLSIMAP(t, mode, cert)
			r, _ := startReader(t, s, srv.addr, imapPassword, func(r *Reader) {
				r.TLS, r.TLSConfig = mode, &tls.Config{RootCAs: pool}
			})
			srv.deliver(t, reply{Client: "apple", PartStat: "ACCEPTED", UID: b.UID, From: "ana@icloud.com", Start: b.Start, End: b.End}.build(t))
			eventually(t, "the reply to be read", func() bool { return r.Status().Acted == 1 })
		})
		t.Run(mode+"Untrusted", func(t *testing.T) {
			s := newStack(t)
			srv := startTLSIMAP(t, mode, cert)
			r, _ := startReader(t, s, srv.addr, imapPassword, func(r *Reader) { r.TLS = mode }) // system roots
			eventually(t, "the reader to fail", func() bool { return r.Status().State == StateFailing })
			if st := r.Status(); st.Problem != ProblemTLS {
				t.Errorf("status %+v, want a TLS problem", st)
			}
		})
	}
}
