package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-message"

	atelier "github.com/atelier-app/atelier"
)

// testMailbox is an IMAP server in the test process holding the
// organizer's mailbox.
type testMailbox struct {
	addr string
	user *imapmemserver.User
}

func startMailbox(t *testing.T) *testMailbox {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("hello@keongsaikatelier.example", "app-password")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &testMailbox{addr: ln.Addr().String(), user: user}
}

type rawLiteral struct {
	*bytes.Reader
	n int64
}

func (l rawLiteral) Size() int64 { return l.n }

func (m *testMailbox) deliver(t *testing.T, raw string) {
	t.Helper()
	if _, err := m.user.Append("INBOX", rawLiteral{bytes.NewReader([]byte(raw)), int64(len(raw))}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// imapConfig replaces the example's mail.imap block with one for mb.
func imapConfig(t *testing.T, mb *testMailbox, password string) []string {
	t.Helper()
	yaml := string(atelier.ExampleConfig)
	i, j := strings.Index(yaml, "  imap:\n"), strings.Index(yaml, "  declined_reply: cancel\n")
	if i < 0 || j < i {
		t.Fatal("the example configuration has no mail.imap block before declined_reply")
	}
	host, port, _ := net.SplitHostPort(mb.addr)
	return []string{yaml[i:j], fmt.Sprintf("  imap:\n    host: %s\n    port: %s\n    tls: none\n    username: hello@keongsaikatelier.example\n"+
		"    password: %q\n    poll_interval: 10s\n", host, port, password)}
}

// calendarOf returns the text/calendar part of an e-mail, decoded.
func calendarOf(t *testing.T, raw []byte) string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var ics string
	e.Walk(func(_ []int, p *message.Entity, _ error) error {
		if ct, _, _ := p.Header.ContentType(); ct == "text/calendar" {
			b, _ := io.ReadAll(p.Body)
			ics = string(b)
		}
		return nil
	})
	return strings.ReplaceAll(ics, "\r\n ", "")
}

var uidLine = regexp.MustCompile(`(?m)^UID:(\S+)\r?$`)

// TestServeReadsReplies runs the real server with mail.imap: the
// invitation asks for an answer, the customer's "No" from their calendar
// cancels the booking and frees the time, and /healthz shows the reader.
func TestServeReadsReplies(t *testing.T) {
	mb := startMailbox(t)
	s := newTestServer(t, imapConfig(t, mb, "app-password")...)
	s.start()
	slots := s.freeSlots()
	id, token := s.book(slots[0], "ada@example.com")

	invite := calendarOf(t, s.customerMail("confirmation", id))
	if !strings.Contains(invite, "RSVP=TRUE") {
		t.Fatalf("the invitation asks for no answer:\n%s", invite)
	}
	m := uidLine.FindStringSubmatch(invite)
	if m == nil {
		t.Fatalf("no UID in the invitation:\n%s", invite)
	}
	// Ada's calendar answers No, as Gmail sends it.
	mb.deliver(t, strings.ReplaceAll(`From: Ada Lovelace <ada@example.com>
Sender: Google Calendar <calendar-notification@google.com>
To: hello@keongsaikatelier.example
Subject: Declined: Ring sizing
Message-ID: <calendar-decline-1@google.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset="UTF-8"

Ada Lovelace has declined this invitation.
--b
Content-Type: text/calendar; charset="UTF-8"; method=REPLY

BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
METHOD:REPLY
BEGIN:VEVENT
UID:`+m[1]+`
SEQUENCE:0
DTSTAMP:20261130T091407Z
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=Ada Lovelace:mailto:ada@example.com
END:VEVENT
END:VCALENDAR
--b--
`, "\n", "\r\n"))

	deadline := time.Now().Add(20 * time.Second)
	for {
		var b struct{ Status string }
		call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/bookings/"+id+"?token="+token, nil, http.StatusOK, &b)
		if b.Status == "cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the decline never cancelled the booking\n%s", s.log)
		}
		time.Sleep(20 * time.Millisecond) // polling the server, not hiding a race
	}
	if ics := calendarOf(t, s.customerMail("cancellation", id)); !strings.Contains(ics, "METHOD:CANCEL") {
		t.Errorf("cancellation:\n%s", ics)
	}
	if got := s.freeSlots(); got[0] != slots[0] {
		t.Errorf("the time is not free again: first slot %s, want %s", got[0], slots[0])
	}
	h := healthOf(t, s.base)
	r, _ := h["replies"].(map[string]any)
	if r == nil || r["state"] != "ok" || r["acted"] != float64(1) || r["mode"] != "idle" || h["status"] != "ok" {
		t.Errorf("/healthz %v", h)
	}
	if strings.Contains(s.log.String(), "ada@example.com") || strings.Contains(s.log.String(), "app-password") {
		t.Errorf("the log shows personal data or the password:\n%s", s.log)
	}
}

// TestServeRepliesWrongPassword: a refused login makes /healthz degraded
// with the reader failing, and bookings go on.
func TestServeRepliesWrongPassword(t *testing.T) {
	mb := startMailbox(t)
	s := newTestServer(t, imapConfig(t, mb, "not the password")...)
	s.start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h := healthOf(t, s.base)
		if r, _ := h["replies"].(map[string]any); r != nil && r["state"] == "failing" {
			if r["problem"] != "login" || h["status"] != "degraded" {
				t.Errorf("/healthz %v", h)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never showed the reader failing: %v", h)
		}
		time.Sleep(20 * time.Millisecond) // polling the server, not hiding a race
	}
	s.book(s.freeSlots()[0], "ada@example.com")
	if strings.Contains(s.log.String(), "not the password") {
		t.Error("the log shows the password")
	}
}
