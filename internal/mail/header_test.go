package mail_test

import (
	"bytes"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=`)

// AssertHeaderLines checks every line of the message's header: at most 78
// octets (RFC 5322 §2.1.1) unless it is one word that cannot be split,
// every encoded word at most 75 characters (RFC 2047 §2), no 8-bit octet
// unless allowUTF8 (an RFC 6532 message for an SMTPUTF8 server).
func AssertHeaderLines(tb testing.TB, raw []byte, allowUTF8 bool) {
	tb.Helper()
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		tb.Fatalf("no end of header")
	}
	for i, line := range strings.Split(string(raw[:end]), "\r\n") {
		if len(line) > 78 {
			words := strings.Fields(line)
			if len(words) > 2 || len(line) > 998 || (len(words) == 2 && !strings.HasSuffix(words[0], ":")) {
				tb.Errorf("header line %d is %d octets: %q", i+1, len(line), line)
			}
		}
		for _, w := range encodedWord.FindAllString(line, -1) {
			if len(w) > 75 {
				tb.Errorf("header line %d: encoded word of %d characters: %q", i+1, len(w), w)
			}
		}
		if !allowUTF8 {
			for j := 0; j < len(line); j++ {
				if line[j] >= 0x80 {
					tb.Errorf("header line %d has an 8-bit octet: %q", i+1, line)
					break
				}
			}
		}
		if strings.ContainsAny(line, "\r\n") {
			tb.Errorf("header line %d has a bare CR or LF: %q", i+1, line)
		}
	}
}

// decoded reads the message back with the standard library (net/mail and
// mime), a reader independent of go-message, which composes it.
func decoded(tb testing.TB, raw []byte) (subject string, fields map[string][]*netmail.Address) {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("net/mail: %v", err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		tb.Fatalf("Subject %q: %v", msg.Header.Get("Subject"), err)
	}
	fields = map[string][]*netmail.Address{}
	for _, name := range []string{"From", "To", "Cc", "Reply-To"} {
		if msg.Header.Get(name) == "" {
			continue
		}
		l, err := msg.Header.AddressList(name)
		if err != nil {
			tb.Fatalf("%s %q: %v", name, msg.Header.Get(name), err)
		}
		fields[name] = l
	}
	return subject, fields
}

func TestComposeHeaders(t *testing.T) {
	longLatin := strings.Repeat("Zoë Ō'Brien-Łukasz ", 6) + "💍"
	longCJK := strings.Repeat("林美玲", 12)
	for _, tc := range []struct {
		name    string
		subject string
		person  string // the display name of every address
		addr    string
		want    string // the address as sent
	}{
		{"ASCII", "Confirmed: Bespoke design consultation, Tuesday 1 December at 10:00 Singapore time", "Anna Lee", "anna@example.org", "anna@example.org"},
		{"LongLatin", strings.Repeat("Confirmé: Création sur mesure ✨ ", 6), longLatin, "zoe@example.org", "zoe@example.org"},
		{"LongCJK", strings.Repeat("確認：訂製珠寶設計諮詢 ", 6), longCJK, "lin@example.org", "lin@example.org"},
		{"Specials", `Booked: "The One" ring; 50% off? =?not-encoded?= (really)`, `Dr. Anna "Nan" Lee, Jr. (London); ` + strings.Repeat("x", 40), "anna@example.org", "anna@example.org"},
		{"LongASCIIName", "Reminder", strings.Repeat("Anastasia ", 12), "a@example.org", "a@example.org"},
		// A name that looks like an encoded word reads as typed, not as what
		// it would decode to (RFC 2047 §5: it must be encoded itself).
		{"EncodedWordInName", "Reminder", "=?UTF-8?Q?Keong_Saik_Atelier?=", "anna@example.org", "anna@example.org"},
		{"EncodedWordInQuotedName", "Reminder", `Anna "=?UTF-8?B?S2VvbmcgU2Fpaw==?="`, "anna@example.org", "anna@example.org"},
		{"ControlChars", "Line one\r\nBcc: evil@example.com", "Anna\r\nBcc: evil@example.com", "anna@example.org", "anna@example.org"},
		{"IDNDomain", "Bestätigt: Beratung", "Jürgen Müller", "juergen@bücher.de", "juergen@xn--bcher-kva.de"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			person := &gomail.Address{Name: tc.person, Address: tc.addr}
			raw, err := mail.Compose(mail.Message{
				From:      &gomail.Address{Name: tc.person, Address: "bookings@maison.example"},
				To:        []*gomail.Address{person, {Name: "Ünïcode " + tc.person, Address: "second@example.net"}},
				Cc:        []*gomail.Address{person},
				ReplyTo:   []*gomail.Address{{Name: tc.person, Address: "hello@maison.example"}},
				Subject:   tc.subject,
				Date:      t0,
				MessageID: "bk_1.0.confirmation.0@maison.example",
				Text:      "text", HTML: "<p>html</p>",
			})
			if err != nil {
				t.Fatal(err)
			}
			AssertHeaderLines(t, raw, false)

			clean := func(s string) string { return strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)) }
			subject, fields := decoded(t, raw)
			if want := clean(tc.subject); subject != want {
				t.Errorf("Subject reads %q, want %q", subject, want)
			}
			for name, want := range map[string][]string{
				"From":     {clean(tc.person), "bookings@maison.example"},
				"To":       {clean(tc.person), tc.want, "Ünïcode " + clean(tc.person), "second@example.net"},
				"Cc":       {clean(tc.person), tc.want},
				"Reply-To": {clean(tc.person), "hello@maison.example"},
			} {
				var got []string
				for _, a := range fields[name] {
					got = append(got, a.Name, a.Address)
				}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s reads %q, want %q", name, got, want)
				}
			}
			// go-message, which the tests elsewhere read with, agrees.
			h, _ := MustParseMIME(t, raw)
			if s, err := h.Subject(); err != nil || s != clean(tc.subject) {
				t.Errorf("go-message reads Subject %q (%v)", s, err)
			}
			if bytes.Contains(raw, []byte("\r\nBcc:")) {
				t.Errorf("a line break in a name or subject started a header field")
			}
		})
	}
}

// TestRenderedHeaders checks every header line of every message the
// renderer makes for a customer with a long non-ASCII name and an atelier
// and service with long accented names.
func TestRenderedHeaders(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	cat := MustCatalog(t)
	cat.Atelier.Name = strings.Repeat("Maison Lumière — Joaillerie d'Art ", 3)
	cat.Services[0].Name = strings.Repeat("Création sur mesure ✨ ", 5)
	o.Catalog = func() *booking.Catalog { return cat }
	o.From = &gomail.Address{Name: cat.Atelier.Name, Address: "bookings@maison.example"}
	b := MustBooking(t, "bk_hdr", booking.Virtual, t0)
	b.Customer.Name = strings.Repeat("Zoë Ō'Brien-Łukasz ", 5) + "林美玲"
	prev := *b
	for _, e := range []booking.Event{
		{Kind: booking.EventCreated, Booking: b},
		{Kind: booking.EventRescheduled, Booking: b, Previous: &prev},
		{Kind: booking.EventCancelled, Booking: b},
	} {
		for _, j := range MustJobs(t, o, e) {
			_, _, msg, err := mail.ParsePayload(j.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if len(msg) == 0 {
				continue // a reminder is rendered when it is sent
			}
			t.Run(string(e.Kind)+"_"+j.Kind, func(t *testing.T) {
				AssertHeaderLines(t, msg, false)
				subject, fields := decoded(t, msg)
				if !strings.Contains(subject, "Création sur mesure ✨") && !strings.Contains(subject, "Zoë") {
					t.Errorf("Subject reads %q", subject)
				}
				if got := fields["From"]; len(got) != 1 || got[0].Name != strings.TrimSpace(cat.Atelier.Name) {
					t.Errorf("From reads %v", got)
				}
			})
		}
	}
}
