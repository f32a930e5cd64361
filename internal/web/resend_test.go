package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/outbox"
)

// Mailer is the outbox of a test server: booking changes queue their mail
// in the store, and Run sends what is due into a folder, on its own clock.
type Mailer struct {
	dir    string
	worker *outbox.Runner
	mu     sync.Mutex
	now    time.Time
	seen   map[string]bool
}

// MustOpenMailEnv is MustOpenEnvConfig with the real mail outbox wired as
// the server wires it: every booking change queues its e-mails, and
// "send me my link again" queues its own.
func MustOpenMailEnv(tb testing.TB, apiCfg httpx.Config) (*Env, *Mailer) {
	tb.Helper()
	m := &Mailer{dir: tb.TempDir(), now: Now, seen: map[string]bool{}}
	var o mail.Options
	env := mustOpenEnv(tb, apiCfg, envOptions{parts: func(d *app.Deps, env *Env) {
		cat, err := env.DB.Catalog(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		o = mail.Options{
			From:           &gomail.Address{Name: "Keong Saik Atelier", Address: "bookings@atelier.example"},
			PublicURL:      env.URL,
			Catalog:        func() *booking.Catalog { return cat },
			Now:            m.Now,
			ReminderBefore: 24 * time.Hour,
		}
		d.ManageLinks = mail.ManageLinksJob(o)
		d.StaffInvite = mail.StaffInviteJob(o)
	}})
	env.DB.Jobs = mail.Jobs(o)
	var err error
	m.worker, err = outbox.New(outbox.Config{Queue: mail.Queue, Store: env.DB, Now: m.Now,
		Handler: &mail.Sender{Transport: &mail.Dir{Path: m.dir, Now: m.Now}, Bookings: env.DB, Links: env.DB, Options: o}})
	if err != nil {
		tb.Fatal(err)
	}
	return env, m
}

// Now is the mailer's clock.
func (m *Mailer) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Advance moves the mailer's clock (the server's stays).
func (m *Mailer) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
}

// Run sends every due message and returns those new since the last Run,
// by file name (which starts with the time and holds the kind).
func (m *Mailer) Run(tb testing.TB) map[string][]byte {
	tb.Helper()
	for {
		n, err := m.worker.RunOnce(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	names, _ := filepath.Glob(filepath.Join(m.dir, "*.eml"))
	sort.Strings(names)
	out := map[string][]byte{}
	for _, n := range names {
		if m.seen[n] {
			continue
		}
		m.seen[n] = true
		data, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(n)] = data
	}
	return out
}

// Sent is a sent message: its recipients, text part and invite (if any).
type Sent struct {
	To      []string
	Subject string
	Text    string
	Invite  *ical.Component // the VEVENT
}

func MustParseSent(tb testing.TB, raw []byte) Sent {
	tb.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	var s Sent
	s.Subject, _ = mr.Header.Subject()
	to, _ := mr.Header.AddressList("To")
	for _, a := range to {
		s.To = append(s.To, a.Address)
	}
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	err = e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		ct, _, _ := p.Header.ContentType()
		switch {
		case ct == "text/plain" && s.Text == "":
			b, err := io.ReadAll(p.Body)
			s.Text = string(b)
			return err
		case ct == "text/calendar" && s.Invite == nil:
			cal, err := ical.NewDecoder(p.Body).Decode()
			if err != nil {
				return err
			}
			for _, c := range cal.Children {
				if c.Name == ical.CompEvent {
					s.Invite = c
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var manageLinkRE = regexp.MustCompile(`/bookings/(bk_[a-z0-9]+)\?token=([A-Za-z0-9_-]{43})`)

// tokenOf returns the one manage token for booking id that text links to.
func tokenOf(tb testing.TB, text, id string) string {
	tb.Helper()
	toks := map[string]bool{}
	for _, m := range manageLinkRE.FindAllStringSubmatch(text, -1) {
		if m[1] == id {
			toks[m[2]] = true
		}
	}
	if len(toks) != 1 {
		tb.Fatalf("%d manage tokens for %s, want one, in:\n%s", len(toks), id, text)
	}
	for t := range toks {
		return t
	}
	return ""
}

// one returns the single message whose file name holds "-kind-".
func one(tb testing.TB, msgs map[string][]byte, kind string) Sent {
	tb.Helper()
	var found []Sent
	for name, raw := range msgs {
		if strings.Contains(name, "-"+kind+"-") {
			found = append(found, MustParseSent(tb, raw))
		}
	}
	if len(found) != 1 {
		tb.Fatalf("%d %s messages, want one; got %d messages", len(found), kind, len(msgs))
	}
	return found[0]
}

// TestEveryEmailLinkOpensTheBooking follows a booking through its life:
// the confirmation, the update, the reminder, the links sent again and the
// cancellation each carry their own fresh manage link (and the invites the
// same link in DESCRIPTION and URL), and every token given out, the
// answer's included, still opens the booking at the end.
func TestEveryEmailLinkOpensTheBooking(t *testing.T) {
	env, m := MustOpenMailEnv(t, httpx.Config{})
	bk := env.MustBookIn(t, "bespoke-design", "in_person", "", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
	u, _ := url.Parse(bk.Links.Manage)
	tokens := map[string]string{"answer": u.Query().Get("token")}
	checkInvite := func(kind string, s Sent, token string) {
		t.Helper()
		link := env.URL + "/bookings/" + bk.ID + "?token=" + token
		if s.Invite == nil {
			t.Fatalf("%s has no invite", kind)
		}
		if desc, _ := s.Invite.Props.Text(ical.PropDescription); !strings.Contains(desc, link) {
			t.Errorf("%s invite DESCRIPTION lacks %s:\n%s", kind, link, desc)
		}
		if p := s.Invite.Props.Get(ical.PropURL); p == nil || p.Value != link {
			t.Errorf("%s invite URL = %v, want %s", kind, p, link)
		}
	}

	s := one(t, m.Run(t), mail.KindConfirmation)
	tokens["confirmation"] = tokenOf(t, s.Text, bk.ID)
	checkInvite("confirmation", s, tokens["confirmation"])

	// Move it with the confirmation's token: the update has its own.
	var av struct{ Slots []struct{ Start string } }
	p := env.MustGet(t, "/api/v1/availability?service=bespoke-design&mode=in_person&from=2026-12-10&to=2026-12-10")
	if err := json.Unmarshal([]byte(p.Body), &av); err != nil || len(av.Slots) == 0 {
		t.Fatalf("availability: %s", p.Body)
	}
	moved := env.Send(t, http.MethodPost, "/api/v1/bookings/"+bk.ID+"/reschedule", "application/json",
		`{"start":"`+av.Slots[0].Start+`"}`, "Authorization", "Bearer "+tokens["confirmation"])
	if moved.Status != http.StatusOK {
		t.Fatalf("reschedule: %d %s", moved.Status, moved.Body)
	}
	s = one(t, m.Run(t), mail.KindUpdate)
	tokens["update"] = tokenOf(t, s.Text, bk.ID)
	checkInvite("update", s, tokens["update"])

	// The reminder, rendered when it is due.
	newStart, _ := time.Parse(time.RFC3339, av.Slots[0].Start)
	m.Advance(newStart.Add(-23 * time.Hour).Sub(m.Now()))
	tokens["reminder"] = tokenOf(t, one(t, m.Run(t), mail.KindReminder).Text, bk.ID)

	// "Send me my link again".
	if p := env.MustPost(t, "/bookings/resend", url.Values{"email": {"ADA@example.com"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("resend: %d", p.Status)
	}
	s = one(t, m.Run(t), mail.KindLinks)
	tokens["links"] = tokenOf(t, s.Text, bk.ID)
	if len(s.To) != 1 || s.To[0] != "ada@example.com" {
		t.Errorf("links sent to %v, want the booking's address", s.To)
	}

	// Cancel with the newest token: the cancellation has its own.
	cancelled := env.Send(t, http.MethodPost, "/api/v1/bookings/"+bk.ID+"/cancel", "application/json", "",
		"Authorization", "Bearer "+tokens["links"])
	if cancelled.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", cancelled.Status, cancelled.Body)
	}
	s = one(t, m.Run(t), mail.KindCancellation)
	tokens["cancellation"] = tokenOf(t, s.Text, bk.ID)
	checkInvite("cancellation", s, tokens["cancellation"])

	seen := map[string]string{}
	for kind, tok := range tokens {
		if other, dup := seen[tok]; dup {
			t.Errorf("the %s and the %s carry the same token", kind, other)
		}
		seen[tok] = kind
		t.Run(kind, func(t *testing.T) {
			page := env.MustGet(t, "/bookings/"+bk.ID+"?token="+tok)
			if page.Status != http.StatusOK || !strings.Contains(page.Body, "Your appointment is cancelled") {
				t.Errorf("manage page with the %s token: %d", kind, page.Status)
			}
			api := env.Send(t, http.MethodGet, "/api/v1/bookings/"+bk.ID, "", "", "Authorization", "Bearer "+tok)
			if api.Status != http.StatusOK {
				t.Errorf("API with the %s token: %d", kind, api.Status)
			}
		})
	}
}

// TestResendAnswersAlike: asking for the links of an address with
// bookings and of one without gets the same answer, byte for byte, and
// mail goes only to the address with bookings.
func TestResendAnswersAlike(t *testing.T) {
	env, m := MustOpenMailEnv(t, httpx.Config{})
	bk := env.MustBookIn(t, "bespoke-design", "in_person", "", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
	m.Run(t) // the confirmation

	known := env.MustPost(t, "/bookings/resend", url.Values{"email": {"ada@example.com"}})
	unknown := env.MustPost(t, "/bookings/resend", url.Values{"email": {"stranger@example.com"}})
	if known.Status != unknown.Status || known.Body != unknown.Body || known.Location != unknown.Location {
		t.Errorf("answers differ:\nknown   %d %q %q\nunknown %d %q %q", known.Status, known.Location, known.Body,
			unknown.Status, unknown.Location, unknown.Body)
	}
	if known.Status != http.StatusSeeOther {
		t.Errorf("status %d, want 303", known.Status)
	}
	if p := env.MustGet(t, known.Location); p.Status != http.StatusOK || !strings.Contains(p.Body, "If this address has coming appointments with us") {
		t.Errorf("the page after the request: %d", p.Status)
	}

	msgs := m.Run(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages sent, want one (to the address with a booking)", len(msgs))
	}
	s := one(t, msgs, mail.KindLinks)
	if len(s.To) != 1 || s.To[0] != "ada@example.com" {
		t.Errorf("links sent to %v", s.To)
	}
	if p := env.MustGet(t, "/bookings/"+bk.ID+"?token="+tokenOf(t, s.Text, bk.ID)); p.Status != http.StatusOK {
		t.Errorf("the link sent again does not open the booking: %d", p.Status)
	}

	// A malformed address is a form error, not a request.
	if p := env.MustPost(t, "/bookings/resend", url.Values{"email": {"not an address"}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Please enter the e-mail address you booked with") {
		t.Errorf("malformed address: %d", p.Status)
	}
	if msgs := m.Run(t); len(msgs) != 0 {
		t.Errorf("%d messages after a malformed request", len(msgs))
	}
}

// TestResendRateLimit: "send me my link again" is limited per client
// address and, apart, per e-mail address; past either limit the answer is
// 429 with Retry-After, and nothing is sent.
func TestResendRateLimit(t *testing.T) {
	env, m := MustOpenMailEnv(t, httpx.Config{
		TrustedProxies:      []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		LinkRequestsPerHour: 2,
	})
	env.MustBookIn(t, "bespoke-design", "in_person", "", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
	env.MustBookAs(t, "ring-sizing", "", time.Date(2026, 12, 9, 16, 0, 0, 0, Singapore), "Bob Other")
	m.Run(t) // the confirmations
	ask := func(client, email string) Page {
		return env.Send(t, http.MethodPost, "/bookings/resend", "application/x-www-form-urlencoded",
			url.Values{"email": {email}}.Encode(), "X-Forwarded-For", client)
	}
	for _, tc := range []struct {
		name, client, email string
		want                int
	}{
		{"First", "203.0.113.1", "ada@example.com", http.StatusSeeOther},
		{"Second", "203.0.113.1", "ada@example.com", http.StatusSeeOther},
		{"ThirdForTheAddress", "203.0.113.1", "ada@example.com", http.StatusTooManyRequests},
		{"SameAddressFromAnotherClient", "203.0.113.2", "ADA@example.com", http.StatusTooManyRequests},
		{"SameClientAnotherAddress", "203.0.113.1", "other@example.com", http.StatusTooManyRequests},
		{"AnotherClientAnotherAddress", "203.0.113.3", "other@example.com", http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ask(tc.client, tc.email)
			if p.Status != tc.want {
				t.Fatalf("status %d, want %d", p.Status, tc.want)
			}
			if tc.want == http.StatusTooManyRequests && (p.Header.Get("Retry-After") == "" || !strings.Contains(p.Body, "Please wait")) {
				t.Errorf("429 without Retry-After or the wait: %q", p.Header.Get("Retry-After"))
			}
		})
	}
	// Both addresses have a booking: each request let through sends one
	// e-mail, each refused one none.
	sent := map[string]int{}
	for _, raw := range m.Run(t) {
		for _, to := range MustParseSent(t, raw).To {
			sent[to]++
		}
	}
	if sent["ada@example.com"] != 2 || sent["other@example.com"] != 1 || len(sent) != 2 {
		t.Errorf("link e-mails sent: %v, want 2 to ada@ and 1 to other@", sent)
	}
}

// TestBrowserResend: a customer whose link no longer opens asks for it
// again from the page the link lands on, in a real browser, with and
// without script; the pages pass axe-core.
func TestBrowserResend(t *testing.T) {
	b := MustStartBrowser(t)
	for _, script := range []bool{true, false} {
		t.Run(map[bool]string{true: "Script", false: "NoScript"}[script], func(t *testing.T) {
			env, m := MustOpenMailEnv(t, httpx.Config{})
			bk := env.MustBookIn(t, "bespoke-design", "in_person", "", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
			m.Run(t)
			tab := b.MustOpenTab(t, "Europe/London", script)
			tab.Go(env.URL + "/bookings/" + bk.ID + "?token=part-of-a-link")
			tab.MustContain("This link is not valid", "The e-mail address you booked with")
			if script {
				tab.CheckA11y("invalid link")
			}
			tab.Fill("resend-email", "ada@example.com")
			tab.Click(`//button[normalize-space()="E-mail me my links"]`)
			tab.MustContain("If this address has coming appointments with us")
			if script {
				tab.CheckA11y("links sent")
			}
			s := one(t, m.Run(t), mail.KindLinks)
			tab.Go(env.URL + "/bookings/" + bk.ID + "?token=" + tokenOf(t, s.Text, bk.ID))
			tab.MustContain("Your appointment", "Send me my links again")
			if got := tab.Value("resend-email"); got != "ada@example.com" {
				t.Errorf("the manage page's form holds %q, want the booking's address", got)
			}
		})
	}
}
