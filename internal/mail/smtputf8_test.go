package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// TestSMTPInternationalAddresses sends through the in-process go-smtp
// server: a non-ASCII domain goes out as IDNA A-labels in the envelope
// and the headers, with or without SMTPUTF8; a non-ASCII local part goes
// out with SMTPUTF8 where the server offers it and is refused for good
// where it does not, before anything is sent.
func TestSMTPInternationalAddresses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		offer    bool // the server offers SMTPUTF8
		from, to string
		wantErr  bool
		wantFrom string
		wantTo   string
		wantUTF8 bool
		wantHdr  string // the To field as sent
	}{
		{"IDNDomain", false, "bookings@atelier-lumière.example", "juergen@bücher.de", false,
			"bookings@xn--atelier-lumire-6jb.example", "juergen@xn--bcher-kva.de", false, "To: <juergen@xn--bcher-kva.de>"},
		{"IDNDomainServerWithUTF8", true, "bookings@maison.example", "info@例え.テスト", false,
			"bookings@maison.example", "info@xn--r8jz45g.xn--zckzah", false, "To: <info@xn--r8jz45g.xn--zckzah>"},
		{"UTF8Local", true, "bookings@maison.example", "zoë@bücher.de", false,
			"bookings@maison.example", "zoë@xn--bcher-kva.de", true, "To: <zoë@xn--bcher-kva.de>"},
		{"UTF8LocalNoSupport", false, "bookings@maison.example", "zoë@bücher.de", true, "", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *smtpServer
			if tc.offer {
				srv = MustStartSMTPUTF8(t)
			} else {
				srv = MustStartSMTP(t)
			}
			msg, err := mail.Compose(mail.Message{
				From: &gomail.Address{Address: tc.from}, To: []*gomail.Address{{Address: tc.to}},
				Subject: "Hello", Date: t0, Text: "x", HTML: "<p>x</p>",
			})
			if err != nil {
				t.Fatal(err)
			}
			AssertHeaderLines(t, msg, tc.wantUTF8 || tc.wantErr)
			tr := &mail.SMTP{Host: "127.0.0.1", Port: srv.Port(), TLS: mail.TLSNone, DialTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second}
			err = tr.Send(context.Background(), mail.Envelope{From: tc.from, To: []string{tc.to}, Kind: "confirmation"}, msg)
			got := srv.Received()
			if tc.wantErr {
				if err == nil || !errors.Is(err, mail.ErrNoSMTPUTF8) || !mail.Permanent(err) {
					t.Fatalf("Send = %v, want a permanent ErrNoSMTPUTF8", err)
				}
				if len(got) != 0 {
					t.Errorf("the server got %d messages", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("the server got %d messages, want 1", len(got))
			}
			r := got[0]
			if r.From != tc.wantFrom || len(r.To) != 1 || r.To[0] != tc.wantTo || r.UTF8 != tc.wantUTF8 {
				t.Errorf("envelope MAIL FROM %q RCPT %q SMTPUTF8 %v; want %q, %q, %v", r.From, r.To, r.UTF8, tc.wantFrom, tc.wantTo, tc.wantUTF8)
			}
			if !strings.Contains(string(r.Data), "\r\n"+tc.wantHdr+"\r\n") {
				t.Errorf("message lacks %q:\n%s", tc.wantHdr, r.Data)
			}
		})
	}
}

// TestWorkerNoSMTPUTF8 fails the job for staff to see at the first try
// rather than retrying it for a day and a half.
func TestWorkerNoSMTPUTF8(t *testing.T) {
	srv := MustStartSMTP(t)
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	q := newMemQueue()
	o := MustOptions(t, clk)
	b := MustBooking(t, "bk_utf8", booking.InPerson, t0)
	b.Customer.Email = "zoë@example.org"
	q.Add(clk.Now(), MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
	w := MustRunner(t, q, &mail.Sender{Options: o,
		Transport: &mail.SMTP{Host: "127.0.0.1", Port: srv.Port(), TLS: mail.TLSNone, DialTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second}})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var failed, done int
	for _, j := range q.Snapshot() {
		switch {
		case j.Kind == mail.KindConfirmation && j.state == "failed":
			failed++
			if !strings.Contains(j.LastError, "SMTPUTF8") {
				t.Errorf("failed job says %q, want the reason", j.LastError)
			}
		case j.Kind == mail.KindStaffNotice && j.state == "done":
			done++
		}
	}
	if failed != 1 || done == 0 {
		t.Errorf("confirmation failed %d, staff notices sent %d; want 1 and the notices sent: %+v", failed, done, q.Snapshot())
	}
}

// TestRenderedIDNSender: with an atelier on an internationalised domain,
// every header of every message stays ASCII (the Message-ID is made from
// the sender's domain).
func TestRenderedIDNSender(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.From = &gomail.Address{Name: "Maison Lumière", Address: "bookings@maison-lumière.example"}
	b := MustBooking(t, "bk_idn", booking.InPerson, t0)
	b.Customer.Email = "anna@bücher.de"
	for _, j := range MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b}) {
		_, _, msg, err := mail.ParsePayload(j.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) == 0 {
			continue
		}
		AssertHeaderLines(t, msg, false)
		if !strings.Contains(string(msg), "@xn--maison-lumire-") {
			t.Errorf("%s: the sender's domain is not in A-labels:\n%s", j.Kind, msg[:strings.Index(string(msg), "\r\n\r\n")])
		}
	}
}
