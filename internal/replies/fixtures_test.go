package replies

import (
	"bytes"
	"encoding/base64"
	"mime/quotedprintable"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"
)

// reply describes a reply message to build from one of the fixtures in
// testdata: each writes a reply the way one calendar client does, from
// the public shape of its messages (RFC 6047 structure, headers, PRODID,
// time zones, encodings).
type reply struct {
	Client    string // gmail, outlook, outlook_counter, apple, attachment, plain
	UID       string
	Seq       int
	PartStat  string
	Name      string
	From      string // the From address
	Attendee  string // the ATTENDEE address; From when empty
	Sender    string // Gmail's Sender; Google Calendar's when empty
	DMARC     string // the receiving server's DMARC result; pass when empty
	MessageID string
	// Start and End are the appointment (or, in a COUNTER, the time
	// proposed); OriginalStart/End the one it counters.
	Start, End                 time.Time
	OriginalStart, OriginalEnd time.Time
	Stamp                      time.Time
}

// verb is the word of the subject line for the answer.
func (r reply) Verb() string {
	switch r.PartStat {
	case "DECLINED":
		return "Declined"
	case "TENTATIVE":
		return "Tentative"
	}
	return "Accepted"
}

var zones = map[string]*time.Location{}

func zone(name string) *time.Location {
	if l, ok := zones[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	zones[name] = l
	return l
}

var fixtureFuncs = template.FuncMap{
	"utc":   func(t time.Time) string { return t.UTC().Format("20060102T150405Z") },
	"wall":  func(name string, t time.Time) string { return t.In(zone(name)).Format("20060102T150405") },
	"lower": strings.ToLower,
}

// build renders r as the raw message its client would send: CRLF line
// ends, the calendar part encoded as that client encodes it.
func (r reply) build(tb testing.TB) []byte {
	tb.Helper()
	if r.Attendee == "" {
		r.Attendee = r.From
	}
	if r.Sender == "" {
		r.Sender = "Google Calendar <calendar-notification@google.com>"
	}
	if r.DMARC == "" {
		r.DMARC = "pass"
	}
	if r.Name == "" {
		r.Name = "Ana Lovelace"
	}
	if r.MessageID == "" {
		r.MessageID = "reply-" + r.Client + "-" + r.PartStat + "@mail.example"
	}
	if r.Stamp.IsZero() {
		r.Stamp = time.Date(2026, 11, 30, 9, 14, 7, 0, time.UTC)
	}
	t, err := template.New("").Funcs(fixtureFuncs).ParseFiles(filepath.Join("testdata", r.Client+".eml.tmpl"))
	if err != nil {
		tb.Fatal(err)
	}
	var ics bytes.Buffer
	if err := t.ExecuteTemplate(&ics, "ics", r); err != nil {
		tb.Fatal(err)
	}
	data := struct {
		reply
		Verb, ICS, ICS64, ICSQP string
	}{reply: r, Verb: r.Verb()}
	data.ICS = crlf(ics.String())
	b64 := base64.StdEncoding.EncodeToString([]byte(data.ICS))
	var lines []string
	for len(b64) > 76 {
		lines, b64 = append(lines, b64[:76]), b64[76:]
	}
	data.ICS64 = strings.Join(append(lines, b64), "\n")
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(data.ICS))
	w.Close()
	data.ICSQP = qp.String()
	var msg bytes.Buffer
	if err := t.ExecuteTemplate(&msg, "message", data); err != nil {
		tb.Fatal(err)
	}
	return []byte(crlf(msg.String()))
}

// crlf makes every line end CRLF, as on the wire.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
