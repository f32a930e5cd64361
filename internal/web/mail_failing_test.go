package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/outbox"
)

// smtpFake is an in-process SMTP server (go-smtp) that accepts, defers
// (451 to MAIL) or refuses (550 to RCPT) every message, as switched.
type smtpFake struct {
	mu       sync.Mutex
	mode     string // "accept", "tempfail", "reject"
	received int
	port     int
}

func MustStartSMTP(tb testing.TB) *smtpFake {
	tb.Helper()
	f := &smtpFake{mode: "accept"}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{f: f}, nil }))
	srv.Domain = "mx.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return f
}

func (f *smtpFake) Set(mode string) { f.mu.Lock(); f.mode = mode; f.mu.Unlock() }

func (f *smtpFake) Received() int { f.mu.Lock(); defer f.mu.Unlock(); return f.received }

func (f *smtpFake) current() string { f.mu.Lock(); defer f.mu.Unlock(); return f.mode }

type smtpSession struct{ f *smtpFake }

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	if s.f.current() == "tempfail" {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error {
	if s.f.current() == "reject" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.f.mu.Lock()
	s.f.received++
	s.f.mu.Unlock()
	return nil
}

// workerClock is the mail worker's own clock, moved on by the test so that
// a retry comes due without waiting.
type workerClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *workerClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *workerClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// health is the body of /healthz.
type health struct {
	Status string `json:"status"`
	Mail   *struct {
		Queued  int `json:"queued"`
		Failing int `json:"failing"`
	} `json:"mail"`
}

func (e *Env) mustHealth(tb testing.TB) health {
	tb.Helper()
	p := e.MustGet(tb, "/healthz")
	if p.Status != http.StatusOK {
		tb.Fatalf("/healthz: status %d, want 200 (only a database that is down is 503): %s", p.Status, p.Body)
	}
	var h health
	if err := json.Unmarshal([]byte(p.Body), &h); err != nil || h.Mail == nil {
		tb.Fatalf("/healthz: %v, body %s", err, p.Body)
	}
	return h
}

func wantHealth(tb testing.TB, h health, status string, queued, failing int) {
	tb.Helper()
	if h.Status != status || h.Mail.Queued != queued || h.Mail.Failing != failing {
		tb.Errorf("/healthz = %s, mail queued %d failing %d; want %s, %d, %d", h.Status, h.Mail.Queued, h.Mail.Failing, status, queued, failing)
	}
}

// TestFailingMailIsVisible: the real mail worker sends through an SMTP
// server that defers, then accepts, then refuses. While messages are being
// retried or were given up, /healthz is "degraded" with the count and the
// staff home says how many and links to the booking (only for staff who
// may see it); once they go through, both are clear again.
func TestFailingMailIsVisible(t *testing.T) {
	env := MustOpenEnv(t)
	ctx := context.Background()
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	env.MustCreateUser(t, "arjun@example.com", "Arjun Nair", "arjun")
	boss, arjun := env.mustSignIn(t, "boss@example.com"), env.mustSignIn(t, "arjun@example.com")
	staffHome := func(cookie string) string {
		t.Helper()
		p := env.Send(t, http.MethodGet, "/staff", "", "", "Cookie", cookie)
		if p.Status != http.StatusOK {
			t.Fatalf("staff home: status %d", p.Status)
		}
		return p.Body
	}

	smtpd := MustStartSMTP(t)
	cat, err := env.DB.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock := &workerClock{t: Now}
	opts := mail.Options{
		From: &gomail.Address{Name: "Atelier", Address: "bookings@example.com"}, PublicURL: env.URL,
		Catalog: func() *booking.Catalog { return cat }, Now: clock.Now, ReminderBefore: 24 * time.Hour,
	}
	env.DB.Jobs = mail.Jobs(opts)
	worker, err := outbox.New(outbox.Config{
		Queue: mail.Queue, Store: env.DB, Now: clock.Now,
		Handler: &mail.Sender{Bookings: env.DB, Links: env.DB, Options: opts, Transport: &mail.SMTP{Host: "127.0.0.1", Port: smtpd.port, TLS: mail.TLSNone}},
		Policy:  outbox.Policy{Backoff: outbox.Backoff{Base: time.Minute, Max: time.Minute}},
	})
	if err != nil {
		t.Fatal(err)
	}
	send := func() {
		t.Helper()
		if _, err := worker.RunOnce(ctx); err != nil {
			t.Fatalf("mail worker: %v", err)
		}
	}

	wantHealth(t, env.mustHealth(t), "ok", 0, 0)

	// The SMTP server defers everything: the customer's confirmation and
	// Mei's notice are retried.
	smtpd.Set("tempfail")
	b := env.MustBookAs(t, "private-viewing", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Ada Lovelace")
	wantHealth(t, env.mustHealth(t), "ok", 2, 0) // queued, not yet tried; the reminder is for later
	send()
	wantHealth(t, env.mustHealth(t), "degraded", 0, 2)
	home := staffHome(boss)
	for _, w := range []string{"2 e-mails are not getting through", "2 are being retried",
		`href="/staff/bookings/` + b.ID + `#mail-title"`, "Ada Lovelace · Wed 9 Dec, 2:00 pm", "2 retrying"} {
		if !strings.Contains(home, w) {
			t.Errorf("the admin's staff home lacks %q", w)
		}
	}
	if strings.Contains(staffHome(arjun), "not getting through") {
		t.Error("Arjun's staff home warns of the mail of Mei's booking, which his account may not see")
	}

	// The server recovers: the retries go through and the warnings clear.
	smtpd.Set("accept")
	clock.Advance(2 * time.Minute)
	send()
	if got := smtpd.Received(); got != 2 {
		t.Errorf("the SMTP server got %d messages after recovering, want 2", got)
	}
	wantHealth(t, env.mustHealth(t), "ok", 0, 0)
	if strings.Contains(staffHome(boss), "not getting through") {
		t.Error("the staff home still warns after every message went through")
	}

	// A refusal (550) is final: the message is given up and stays on the
	// staff home, and /healthz is degraded, with no retry to wait for.
	smtpd.Set("reject")
	b2 := env.MustBookAs(t, "ring-sizing", "arjun", time.Date(2026, 12, 9, 16, 0, 0, 0, Singapore), "Grace Hopper")
	send()
	wantHealth(t, env.mustHealth(t), "degraded", 0, 2)
	for _, cookie := range []string{boss, arjun} {
		home := staffHome(cookie)
		for _, w := range []string{"2 e-mails are not getting through", "2 could not be delivered in the last 7 days",
			`href="/staff/bookings/` + b2.ID + `#mail-title"`, "Grace Hopper", "2 not delivered"} {
			if !strings.Contains(home, w) {
				t.Errorf("staff home lacks %q", w)
			}
		}
	}
}
