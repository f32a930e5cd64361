package replies

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

var (
	sgt       = zone("Asia/Singapore")
	apptStart = time.Date(2026, 12, 2, 10, 0, 0, 0, sgt)
	apptEnd   = apptStart.Add(90 * time.Minute)
)

const testUID = "bk_abcdefghijklmnopqrst@atelier.example"

// TestParseClients reads a reply as each client writes it.
func TestParseClients(t *testing.T) {
	stamp := time.Date(2026, 11, 30, 9, 14, 7, 0, time.UTC)
	proposed := time.Date(2026, 12, 3, 11, 0, 0, 0, sgt) // 03:00 in London
	tests := []struct {
		name string
		r    reply
		want booking.InboundReply
	}{
		{"GmailDeclined", reply{Client: "gmail", PartStat: "DECLINED", From: "ana.lovelace@gmail.com"},
			booking.InboundReply{Method: "REPLY", PartStat: "DECLINED"}},
		{"OutlookAccepted", reply{Client: "outlook", PartStat: "ACCEPTED", From: "ana@outlook.com", Seq: 2},
			booking.InboundReply{Method: "REPLY", PartStat: "ACCEPTED", Sequence: 2}},
		{"AppleTentative", reply{Client: "apple", PartStat: "TENTATIVE", From: "ana@icloud.com"},
			booking.InboundReply{Method: "REPLY", PartStat: "TENTATIVE"}},
		{"ApplicationICSAttachment", reply{Client: "attachment", PartStat: "DECLINED", From: "ana@webmail.example"},
			booking.InboundReply{Method: "REPLY", PartStat: "DECLINED"}},
		{"OutlookCounter", reply{Client: "outlook_counter", PartStat: "TENTATIVE", From: "ana@outlook.com",
			Start: proposed, End: proposed.Add(90 * time.Minute), OriginalStart: apptStart, OriginalEnd: apptEnd},
			booking.InboundReply{Method: "COUNTER", PartStat: "TENTATIVE", Start: proposed, End: proposed.Add(90 * time.Minute)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.UID, r.Stamp = testUID, stamp
			if r.Start.IsZero() {
				r.Start, r.End = apptStart, apptEnd
			}
			msg, err := Parse(r.build(t), sgt)
			if err != nil {
				t.Fatal(err)
			}
			got, want := msg.Reply, tc.want
			want.EventUID, want.Attendee, want.Author, want.Stamp = testUID, r.From, r.From, stamp
			if got.Method != want.Method || got.EventUID != want.EventUID || got.Sequence != want.Sequence ||
				got.PartStat != want.PartStat || got.Attendee != want.Attendee || got.Author != want.Author ||
				!got.Stamp.Equal(want.Stamp) || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || got.Unauthenticated {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if msg.MessageID == "" || strings.ContainsAny(msg.MessageID, "<>") {
				t.Errorf("Message-ID %q", msg.MessageID)
			}
		})
	}
}

// TestParseAuthor: who the atelier takes the message to be from.
func TestParseAuthor(t *testing.T) {
	base := reply{Client: "gmail", PartStat: "DECLINED", UID: testUID, From: "ana@gmail.com", Start: apptStart, End: apptEnd}
	tests := []struct {
		name   string
		change func(r *reply)
		author string
		unauth bool
	}{
		{"GoogleCalendarSendsForTheUser", func(r *reply) {}, "ana@gmail.com", false},
		{"SenderIsTheAuthor", func(r *reply) { r.Sender = "Ana <ANA@gmail.com>" }, "ana@gmail.com", false},
		{"SentOnBehalfByAnother", func(r *reply) { r.Sender = "Assistant <pa@corp.example>" }, "", false},
		{"MailingList", func(r *reply) { r.Sender = "list-bounces@lists.example" }, "", false},
		{"DMARCFailed", func(r *reply) { r.DMARC = "fail" }, "ana@gmail.com", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.change(&r)
			msg, err := Parse(r.build(t), sgt)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Reply.Author != tc.author || msg.Reply.Unauthenticated != tc.unauth {
				t.Errorf("author %q unauthenticated %v, want %q %v", msg.Reply.Author, msg.Reply.Unauthenticated, tc.author, tc.unauth)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	ok := "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:" + testUID + "\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	msg := func(headers string) []byte {
		return []byte(headers + "Message-ID: <m1@example.com>\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n" + ok)
	}
	tests := []struct {
		name, headers, author string
	}{
		{"TwoAuthors", "From: ana@example.com, bo@example.com\r\n", ""},
		{"NoFrom", "", ""},
		{"Latin1Name", "From: =?iso-8859-1?Q?Zo=EB?= <zoe@example.com>\r\n", "zoe@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(msg(tc.headers), sgt)
			if err != nil {
				t.Fatal(err)
			}
			if m.Reply.Author != tc.author {
				t.Errorf("author %q, want %q", m.Reply.Author, tc.author)
			}
			if m.MessageID != "m1@example.com" {
				t.Errorf("Message-ID %q", m.MessageID)
			}
		})
	}
}

// TestParseNotReplies: what is not an answer is left alone, what means to
// be one but cannot be read is malformed.
func TestParseNotReplies(t *testing.T) {
	cal := func(body string) []byte {
		return []byte("From: ana@example.com\r\nContent-Type: text/calendar\r\n\r\n" + body)
	}
	event := "BEGIN:VEVENT\r\nUID:" + testUID + "\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@example.com\r\nEND:VEVENT\r\n"
	tests := []struct {
		name      string
		raw       []byte
		malformed bool
	}{
		{"PlainMail", reply{Client: "plain", From: "ana@example.com"}.build(t), false},
		{"OurOwnInvitation", cal("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" + event + "END:VCALENDAR\r\n"), false},
		{"Published", cal("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\n" + event + "END:VCALENDAR\r\n"), false},
		{"NotCalendarAtAll", cal("hello"), false},
		{"Garbage", []byte("\x00\x01\x02"), false},
		{"BrokenReply", cal("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n"), true},
		{"NoUID", cal("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE:mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), true},
		{"NoEvent", cal("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"), true},
		{"BadSequence", cal("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\nSEQUENCE:-1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), true},
		{"TwoEvents", cal("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n" + event + event + "END:VCALENDAR\r\n"), true},
		{"CounterWithoutEnd", cal("BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20261203T030000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), true},
		{"CounterUnknownZone", cal("BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Nowhere Time:20261203T030000\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), true},
		{"TooDeep", deep(20, cal("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n"+event+"END:VCALENDAR\r\n")), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.raw, sgt)
			var bad *malformedError
			switch {
			case tc.malformed && !errors.As(err, &bad):
				t.Errorf("err = %v, want malformed", err)
			case !tc.malformed && !errors.Is(err, errNotReply):
				t.Errorf("err = %v, want not a reply", err)
			}
		})
	}
}

// TestParseDisagreeingCopies: Gmail's two copies must say the same.
func TestParseDisagreeingCopies(t *testing.T) {
	r := reply{Client: "gmail", PartStat: "DECLINED", UID: testUID, From: "ana@gmail.com", Start: apptStart, End: apptEnd}
	raw := string(r.build(t))
	// Change the inline copy only (the attachment is base64).
	raw = strings.Replace(raw, "PARTSTAT=DECLINED", "PARTSTAT=ACCEPTED", 1)
	_, err := Parse([]byte(raw), sgt)
	var bad *malformedError
	if !errors.As(err, &bad) {
		t.Fatalf("err = %v, want malformed", err)
	}
}

// TestParseForwarded: a reply forwarded inside another message is not
// read.
func TestParseForwarded(t *testing.T) {
	inner := reply{Client: "outlook", PartStat: "DECLINED", UID: testUID, From: "ana@outlook.com", Start: apptStart, End: apptEnd}.build(t)
	raw := "From: bo@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n" +
		string(inner) + "\r\n--x--\r\n"
	if _, err := Parse([]byte(raw), sgt); !errors.Is(err, errNotReply) {
		t.Fatalf("err = %v, want not a reply", err)
	}
}

func TestEventTimeZones(t *testing.T) {
	london := zone("Europe/London")
	for _, tc := range []struct {
		name string
		at   time.Time // the wall clock in London
	}{
		{"Winter", time.Date(2027, 1, 14, 9, 30, 0, 0, london)},
		{"Summer", time.Date(2027, 6, 14, 9, 30, 0, 0, london)},
		{"JustAfterTheChange", time.Date(2027, 3, 28, 3, 0, 0, 0, london)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := reply{Client: "outlook_counter", PartStat: "TENTATIVE", UID: testUID, From: "ana@outlook.com",
				Start: tc.at, End: tc.at.Add(time.Hour), OriginalStart: apptStart, OriginalEnd: apptEnd}
			msg, err := Parse(r.build(t), sgt)
			if err != nil {
				t.Fatal(err)
			}
			if !msg.Reply.Start.Equal(tc.at) || !msg.Reply.End.Equal(tc.at.Add(time.Hour)) {
				t.Errorf("proposal %s – %s, want %s", msg.Reply.Start.In(london), msg.Reply.End.In(london), tc.at)
			}
		})
	}
	// A rule that could expand to millions of onsets is refused.
	hostile := "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n" +
		"TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:u\r\n" +
		"DTSTART;TZID=X:20261203T030000\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	start := time.Now()
	_, err := Parse([]byte("Content-Type: text/calendar\r\n\r\n"+hostile), sgt)
	var bad *malformedError
	if !errors.As(err, &bad) || time.Since(start) > time.Second {
		t.Errorf("hostile rule: %v after %s, want malformed at once", err, time.Since(start))
	}
}

// deep wraps a message's body in n levels of multipart/mixed.
func deep(n int, msg []byte) []byte {
	head, body, _ := strings.Cut(string(msg), "\r\n\r\n")
	part := head + "\r\n\r\n" + body
	for i := range n {
		b := fmt.Sprintf("b%d", i)
		part = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + part + "\r\n--" + b + "--\r\n"
	}
	return []byte("From: ana@example.com\r\n" + part)
}

// TestMalformedSaysNothingOfTheMessage: what is logged of a malformed
// reply holds nothing written in it.
func TestMalformedSaysNothingOfTheMessage(t *testing.T) {
	raw := "From: ana@example.com\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\n" +
		"SEQUENCE:ana.secret@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	_, err := Parse([]byte(raw), sgt)
	var bad *malformedError
	if !errors.As(err, &bad) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v", err)
	}
}
