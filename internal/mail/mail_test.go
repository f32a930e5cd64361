package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/mail"
)

var t0 = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Singapore, 02:00 in London

// MustCatalog returns the demo atelier: Singapore, two artisans.
func MustCatalog(tb testing.TB) *booking.Catalog {
	tb.Helper()
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		tb.Fatal(err)
	}
	return &booking.Catalog{
		Atelier: booking.Atelier{Name: "Maison Lumière", Timezone: "Asia/Singapore", Location: sgt,
			Address: "12 Ann Siang Road, Singapore 069692", Email: "hello@maison.example", Phone: "+65 6000 0000",
			Rooms: []booking.Room{{ID: "salon", Name: "Salon"}}},
		Services: []booking.Service{{ID: "design", Name: "Bespoke design consultation", Duration: 90 * time.Minute}},
		Artisans: []booking.Artisan{
			{ID: "mei", Name: "Mei", Email: "mei@maison.example"},
			{ID: "tom", Name: "Tom", Email: "tom@maison.example"},
		},
	}
}

// MustBooking returns a confirmed booking starting at start.
func MustBooking(tb testing.TB, id string, mode booking.Mode, start time.Time) *booking.Booking {
	tb.Helper()
	b := &booking.Booking{
		ID: id, Status: booking.Confirmed, ServiceID: "design", Mode: mode, ArtisanID: "mei",
		Start: start, End: start.Add(90 * time.Minute),
		Customer: booking.Customer{Name: `Zoë "Nan" O'Neil, Jr.`, Email: "zoe@example.org", Phone: "+44 7700 900123", Timezone: "Europe/London"},
		Notes:    "Grandmother's <ring>",
	}
	if mode == booking.Virtual {
		b.MeetingURL = "https://meet.jit.si/atelier-mei-Qx3"
	} else {
		b.RoomID = "salon"
		b.Location = "12 Ann Siang Road, Singapore 069692"
	}
	return b
}

func MustOptions(tb testing.TB, clk *clock) mail.Options {
	tb.Helper()
	cat := MustCatalog(tb)
	// The 24-hour clock the messages were first written with; language_test
	// checks both clocks against the pages.
	langs, err := i18n.New([]string{"en", "zh-Hans"}, i18n.Clock24)
	if err != nil {
		tb.Fatal(err)
	}
	return mail.Options{
		Languages:      langs,
		From:           &gomail.Address{Name: "Maison Lumière", Address: "bookings@maison.example"},
		PublicURL:      "https://book.maison.example",
		Catalog:        func() *booking.Catalog { return cat },
		Now:            clk.Now,
		ReminderBefore: 24 * time.Hour,
		StaffCopies:    []string{"admin@maison.example", "MEI@maison.example"}, // Mei only once
	}
}

// MustStoredJobs runs the JobsFunc for an event and returns its jobs as
// the store keeps them: the messages of the change not yet rendered (the
// Sender renders them).
func MustStoredJobs(tb testing.TB, o mail.Options, e booking.Event) []booking.Job {
	tb.Helper()
	jobs, err := mail.Jobs(o)(e)
	if err != nil {
		tb.Fatalf("Jobs(%s): %v", e.Kind, err)
	}
	return jobs
}

// MustJobs runs the JobsFunc for an event and returns its jobs with each
// message rendered from its facts, as the Sender renders it when it sends
// it (mail.Options.JobMessage), in the payload's message, and the hash of
// the manage token it carries, which the Sender stores, in the job's.
func MustJobs(tb testing.TB, o mail.Options, e booking.Event) []booking.Job {
	tb.Helper()
	jobs, err := mail.Jobs(o)(e)
	if err != nil {
		tb.Fatalf("Jobs(%s): %v", e.Kind, err)
	}
	for i, j := range jobs {
		if j.Queue != mail.Queue || j.BookingID != e.Booking.ID {
			tb.Errorf("job %+v: wrong queue or booking", j.Kind)
		}
		out, err := o.JobMessage(j)
		if err != nil {
			tb.Fatalf("JobMessage(%s): %v", j.Kind, err)
		}
		if len(out.Message) == 0 {
			continue // a reminder, rendered when it is due
		}
		head, err := json.Marshal(struct {
			From string   `json:"from"`
			To   []string `json:"to"`
		}{out.From, out.To})
		if err != nil {
			tb.Fatal(err)
		}
		jobs[i].Payload = append(append(head, '\n'), out.Message...)
		if out.Token != nil {
			jobs[i].ManageTokenHash = out.Token.Hash // what the Sender stores
		}
	}
	return jobs
}

type jobSummary struct {
	kind  string
	to    string
	runAt time.Time
	msg   []byte
}

func summarize(tb testing.TB, jobs []booking.Job) []jobSummary {
	tb.Helper()
	var out []jobSummary
	for _, j := range jobs {
		from, to, msg, err := mail.ParsePayload(j.Payload)
		if err != nil || from != "bookings@maison.example" || len(to) != 1 {
			tb.Fatalf("payload of %s: from %q to %q: %v", j.Kind, from, to, err)
		}
		out = append(out, jobSummary{j.Kind, to[0], j.RunAt, msg})
	}
	return out
}

// inviteOf checks the RFC 6047 structure of a customer message and
// returns the invite.
func inviteOf(tb testing.TB, raw []byte) (h gomail.Header, text, html string, cal *ical.Calendar, ev *ical.Component) {
	tb.Helper()
	h, root := MustParseMIME(tb, raw)
	if root.ContentType != "multipart/mixed" || len(root.Children) != 2 {
		tb.Fatalf("root is %s with %d parts, want multipart/mixed with 2", root.ContentType, len(root.Children))
	}
	alt, att := root.Children[0], root.Children[1]
	if alt.ContentType != "multipart/alternative" || len(alt.Children) != 3 {
		tb.Fatalf("first part is %s with %d parts, want multipart/alternative with 3", alt.ContentType, len(alt.Children))
	}
	var types []string
	for _, p := range alt.Children {
		types = append(types, p.ContentType)
	}
	if got, want := strings.Join(types, ","), "text/plain,text/html,text/calendar"; got != want {
		tb.Fatalf("alternatives = %s, want %s", got, want)
	}
	calPart := alt.Children[2]
	if calPart.Params["charset"] != "UTF-8" {
		tb.Errorf("text/calendar charset = %q", calPart.Params["charset"])
	}
	if att.Disposition != "attachment" || att.Filename != "invite.ics" || (att.ContentType != "application/ics" && att.ContentType != "text/calendar") {
		tb.Errorf("attachment = %s %s %q", att.ContentType, att.Disposition, att.Filename)
	}
	if string(att.Body) != string(calPart.Body) {
		tb.Errorf("attached invite differs from the inline one")
	}
	cal, ev = MustParseInvite(tb, calPart.Body)
	method, _ := cal.Props.Text(ical.PropMethod)
	if calPart.Params["method"] != method {
		tb.Errorf("Content-Type method=%q but the invite says METHOD:%s", calPart.Params["method"], method)
	}
	for _, name := range []string{"Date", "Message-Id", "From", "To", "Subject", "Mime-Version"} {
		if !h.Has(name) {
			tb.Errorf("no %s header", name)
		}
	}
	return h, string(alt.Children[0].Body), string(alt.Children[1].Body), cal, ev
}

func TestJobs(t *testing.T) {
	clk := &clock{t: t0.Add(-7 * 24 * time.Hour)}
	o := MustOptions(t, clk)

	created := MustBooking(t, "bk_one", booking.InPerson, t0)
	moved := *created
	moved.Start, moved.End, moved.Sequence, moved.ArtisanID = t0.Add(48*time.Hour), t0.Add(49*time.Hour+30*time.Minute), 1, "tom"
	cancelled := moved
	cancelled.Status, cancelled.Sequence = booking.Cancelled, 2

	for _, tc := range []struct {
		name   string
		event  booking.Event
		kinds  []string // in order
		to     []string
		method string
		seq    string
		text   []string // in the customer's text part
	}{
		{
			name:   "Created",
			event:  booking.Event{Kind: booking.EventCreated, Booking: created, Actor: booking.Actor{Kind: "customer"}},
			kinds:  []string{"confirmation", "staff_notice", "staff_notice", "reminder"},
			to:     []string{"zoe@example.org", "mei@maison.example", "admin@maison.example", "zoe@example.org"},
			method: "REQUEST", seq: "0",
			text: []string{"Dear Zoë,", "Tuesday 1 December 2026, 10:00 – 11:30 (Singapore time)",
				"In your time zone: Tuesday 1 December 2026, 02:00 – 03:30 (London time)",
				"Change or cancel: https://book.maison.example/bookings/bk_one?token=", "What to bring"},
		},
		{
			name:   "RescheduledToAnotherArtisan",
			event:  booking.Event{Kind: booking.EventRescheduled, Booking: &moved, Previous: created, Actor: booking.Actor{Kind: "staff"}},
			kinds:  []string{"update", "staff_notice", "staff_notice", "staff_notice", "reminder"},
			to:     []string{"zoe@example.org", "mei@maison.example", "tom@maison.example", "admin@maison.example", "zoe@example.org"},
			method: "REQUEST", seq: "1",
			text: []string{"has been moved", "Thursday 3 December 2026, 10:00", "Previously: Tuesday 1 December 2026, 10:00",
				"Change or cancel: https://book.maison.example/bookings/bk_one?token="},
		},
		{
			name:   "Cancelled",
			event:  booking.Event{Kind: booking.EventCancelled, Booking: &cancelled, Previous: &moved},
			kinds:  []string{"cancellation", "staff_notice", "staff_notice", "staff_notice"},
			to:     []string{"zoe@example.org", "tom@maison.example", "admin@maison.example", "MEI@maison.example"},
			method: "CANCEL", seq: "2",
			text: []string{"cancelled", "Your booking's page, to look back at it or book again: https://book.maison.example/bookings/bk_one?token="},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := MustJobs(t, o, tc.event)
			jobs := summarize(t, raw)
			var kinds, to []string
			for _, j := range jobs {
				kinds, to = append(kinds, j.kind), append(to, j.to)
			}
			if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") || strings.Join(to, ",") != strings.Join(tc.to, ",") {
				t.Fatalf("jobs = %v to %v, want %v to %v", kinds, to, tc.kinds, tc.to)
			}
			h, text, html, cal, ev := inviteOf(t, jobs[0].msg)
			if m, _ := cal.Props.Text(ical.PropMethod); m != tc.method {
				t.Errorf("METHOD = %s, want %s", m, tc.method)
			}
			if uid, _ := ev.Props.Text(ical.PropUID); uid != "bk_one@book.maison.example" {
				t.Errorf("UID = %s", uid)
			}
			if got := ev.Props.Get(ical.PropSequence).Value; got != tc.seq {
				t.Errorf("SEQUENCE = %s, want %s", got, tc.seq)
			}
			start, err := ev.Props.DateTime(ical.PropDateTimeStart, nil)
			if err != nil || !start.Equal(tc.event.Booking.Start) {
				t.Errorf("DTSTART = %v (%v), want %v", start, err, tc.event.Booking.Start)
			}
			if subj, err := h.Subject(); err != nil || !strings.Contains(subj, "Bespoke design consultation") {
				t.Errorf("Subject = %q (%v)", subj, err)
			}
			if raw := h.Get("Subject"); strings.ContainsFunc(raw, func(r rune) bool { return r > 127 }) {
				t.Errorf("raw Subject is not RFC 2047 encoded: %q", raw)
			}
			if addrs, err := h.AddressList("To"); err != nil || len(addrs) != 1 || addrs[0].Name != tc.event.Booking.Customer.Name {
				t.Errorf("To = %v (%v)", addrs, err)
			}
			for _, want := range tc.text {
				if !strings.Contains(text, want) {
					t.Errorf("text part lacks %q:\n%s", want, text)
				}
			}
			// One fresh manage token, the same in the text, the HTML and
			// the invite (DESCRIPTION and URL), whose hash the job hands
			// to the store; staff notices carry none.
			token := MustManageToken(t, text, "bk_one")
			link := "https://book.maison.example/bookings/bk_one?token=" + token
			if desc, _ := ev.Props.Text(ical.PropDescription); !strings.Contains(desc, link) {
				t.Errorf("invite DESCRIPTION lacks the manage link %s:\n%s", link, desc)
			}
			if u := ev.Props.Get(ical.PropURL); u == nil || u.Value != link {
				t.Errorf("invite URL = %v, want %s", u, link)
			}
			if !strings.Contains(html, link) {
				t.Errorf("HTML part lacks the manage link")
			}
			if !bytes.Equal(raw[0].ManageTokenHash, auth.HashSecret(token)) {
				t.Errorf("the job's token hash %x is not the hash of the link's token", raw[0].ManageTokenHash)
			}
			for _, j := range raw[1:] {
				if j.ManageTokenHash != nil {
					t.Errorf("%s job carries a manage token", j.Kind)
				}
			}
			if strings.Contains(html, `"Nan"`) || !strings.Contains(html, "Zo&#235;") && !strings.Contains(html, "Zoë") {
				t.Errorf("HTML part does not escape or show the name")
			}
			for _, secret := range []string{"+44 7700", "Grandmother"} {
				if strings.Contains(string(jobs[0].msg), secret) {
					t.Errorf("customer message contains %q", secret)
				}
			}

			// The staff notice: text and HTML only, with contact details.
			_, root := MustParseMIME(t, jobs[1].msg)
			if root.ContentType != "multipart/alternative" || len(root.Children) != 2 {
				t.Fatalf("staff notice is %s with %d parts", root.ContentType, len(root.Children))
			}
			if missing := contains(root.Children[0].Body, "+44 7700 900123", "Grandmother's <ring>", "Customer's time"); len(missing) > 0 {
				t.Errorf("staff notice lacks %q:\n%s", missing, root.Children[0].Body)
			}
			if !strings.Contains(string(root.Children[1].Body), "Grandmother&#39;s &lt;ring&gt;") {
				t.Errorf("staff HTML does not escape the notes")
			}
			if r := jobs[len(jobs)-1]; r.kind == "reminder" && !r.runAt.Equal(tc.event.Booking.Start.Add(-24*time.Hour)) {
				t.Errorf("reminder due %v, want 24h before %v", r.runAt, tc.event.Booking.Start)
			}
		})
	}

	t.Run("NoReminderInsideWindow", func(t *testing.T) {
		soon := MustBooking(t, "bk_soon", booking.Virtual, clk.Now().Add(23*time.Hour))
		for _, j := range MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: soon}) {
			if j.Kind == mail.KindReminder {
				t.Errorf("reminder queued for a booking made inside the window")
			}
		}
	})
	t.Run("NoRemindersWhenOff", func(t *testing.T) {
		off := o
		off.ReminderBefore = 0
		for _, j := range MustJobs(t, off, booking.Event{Kind: booking.EventCreated, Booking: created}) {
			if j.Kind == mail.KindReminder {
				t.Errorf("reminder queued with reminders off")
			}
		}
	})
	t.Run("Virtual", func(t *testing.T) {
		v := MustBooking(t, "bk_v", booking.Virtual, t0)
		jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: v}))
		_, text, _, _, ev := inviteOf(t, jobs[0].msg)
		if conf := ev.Props.Get(ical.PropConference); conf == nil || conf.Value != v.MeetingURL {
			t.Errorf("CONFERENCE = %+v", conf)
		}
		// A video call is shown in the customer's zone first.
		for _, want := range []string{"Tuesday 1 December 2026, 02:00 – 03:30 (London time)", "Join the video call: https://meet.jit.si/atelier-mei-Qx3"} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("PayloadHoldsTheFacts", func(t *testing.T) {
		// The stored form (payload.go): a line of JSON, the envelope with
		// the facts the message is rendered from when sent, and no
		// message: a booking's transaction writes about a kilobyte a
		// message, not the message.
		jobs, err := mail.Jobs(o)(booking.Event{Kind: booking.EventCreated, Booking: created})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			head, msg, ok := bytes.Cut(j.Payload, []byte("\n"))
			if !ok || !json.Valid(head) || len(msg) != 0 {
				t.Errorf("%s payload is not one line of JSON: %.200q", j.Kind, j.Payload)
			}
			if j.Kind == mail.KindReminder {
				continue
			}
			if !bytes.Contains(head, []byte(`"render":{"event":`)) {
				t.Errorf("%s payload holds no facts: %.300q", j.Kind, head)
			}
			if len(j.Payload) > 2500 {
				t.Errorf("%s payload is %d bytes, want the facts alone (under 2,500)", j.Kind, len(j.Payload))
			}
		}
	})
}

func TestDir(t *testing.T) {
	clk := &clock{t: t0.Add(-48 * time.Hour)}
	o := MustOptions(t, clk)
	q := newMemQueue()
	q.Add(clk.Now(), MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: MustBooking(t, "bk_dir", booking.InPerson, t0)})...)
	dir := t.TempDir() + "/outbox"
	w := MustRunner(t, q, &mail.Sender{Transport: &mail.Dir{Path: dir, Now: clk.Now}, Options: o})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	files := MustReadDir(t, dir)
	if len(files) != 3 {
		t.Fatalf("outbox has %v, want 3 .eml files", files)
	}
	if !strings.HasPrefix(files[0], "20261129T020000.000Z-confirmation-bk_dir-") || !strings.HasSuffix(files[0], ".eml") {
		t.Errorf("file name %q", files[0])
	}
	inviteOf(t, MustReadFile(t, dir+"/"+files[0]))
	if st := q.States(); st["done"] != 3 || st["pending"] != 1 { // the reminder is not due
		t.Errorf("queue states %v", st)
	}
}

// TestSubjectsNameTheZone checks that every subject line says whose clock
// its time is on: a video call in the customer's zone, a visit and every
// staff notice in the atelier's.
func TestSubjectsNameTheZone(t *testing.T) {
	const who = `Zoë "Nan" O'Neil, Jr.`

	call := MustBooking(t, "bk_call", booking.Virtual, t0)
	movedCall := *call
	movedCall.Start, movedCall.End, movedCall.Sequence, movedCall.ArtisanID = t0.Add(48*time.Hour), t0.Add(49*time.Hour+30*time.Minute), 1, "tom"
	cancelledCall := movedCall
	cancelledCall.Status, cancelledCall.Sequence = booking.Cancelled, 2
	visit := MustBooking(t, "bk_visit", booking.InPerson, t0)

	for _, tc := range []struct {
		name  string
		event booking.Event
		want  []string // subjects, in the order the jobs are queued
	}{
		{
			name:  "VideoCallCreated",
			event: booking.Event{Kind: booking.EventCreated, Booking: call},
			want: []string{
				"Confirmed: Bespoke design consultation, Tuesday 1 December at 02:00 London time",
				"New booking: " + who + ", Tuesday 1 December at 10:00 Singapore time",
				"New booking: " + who + ", Tuesday 1 December at 10:00 Singapore time",
				"Reminder: Bespoke design consultation, Tuesday 1 December at 02:00 London time",
			},
		},
		{
			name:  "VideoCallMovedToAnotherArtisan",
			event: booking.Event{Kind: booking.EventRescheduled, Booking: &movedCall, Previous: call},
			want: []string{
				"Updated: Bespoke design consultation, now with Tom, Thursday 3 December at 02:00 London time",
				"Moved away from you: " + who + ", Tuesday 1 December at 10:00 Singapore time",
				"New booking (moved from Mei): " + who + ", Thursday 3 December at 10:00 Singapore time",
				"Booking moved to Tom: " + who + ", now Thursday 3 December at 10:00 Singapore time",
				"Reminder: Bespoke design consultation, Thursday 3 December at 02:00 London time",
			},
		},
		{
			name:  "VideoCallCancelled",
			event: booking.Event{Kind: booking.EventCancelled, Booking: &cancelledCall, Previous: &movedCall},
			want: []string{
				"Cancelled: Bespoke design consultation, Thursday 3 December at 02:00 London time",
				"Booking cancelled: " + who + ", Thursday 3 December at 10:00 Singapore time",
				"Booking cancelled: " + who + ", Thursday 3 December at 10:00 Singapore time",
				"Booking cancelled: " + who + ", Thursday 3 December at 10:00 Singapore time",
			},
		},
		{
			name:  "VisitCreated",
			event: booking.Event{Kind: booking.EventCreated, Booking: visit},
			want: []string{
				"Confirmed: Bespoke design consultation, Tuesday 1 December at 10:00 Singapore time",
				"New booking: " + who + ", Tuesday 1 December at 10:00 Singapore time",
				"New booking: " + who + ", Tuesday 1 December at 10:00 Singapore time",
				"Reminder: Bespoke design consultation, Tuesday 1 December at 10:00 Singapore time",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Queue the event's messages, then send them all, the
			// reminder included (it is rendered when it is sent), an
			// hour before the appointment.
			clk := &clock{t: t0.Add(-7 * 24 * time.Hour)}
			o := MustOptions(t, clk)
			q := newMemQueue()
			q.Add(clk.Now(), MustJobs(t, o, tc.event)...)
			clk.Advance(tc.event.Booking.Start.Add(-time.Hour).Sub(clk.Now()))
			dir := t.TempDir()
			store := &bookingMap{m: map[string]*booking.Booking{tc.event.Booking.ID: tc.event.Booking}}
			w := MustRunner(t, q, &mail.Sender{Transport: &mail.Dir{Path: dir, Now: clk.Now}, Bookings: store, Links: store, Options: o})
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st := q.States(); st["done"] != len(tc.want) {
				t.Fatalf("queue states %v, want %d done", st, len(tc.want))
			}
			var got []string
			for _, f := range MustReadDir(t, dir) {
				h, _ := MustParseMIME(t, MustReadFile(t, dir+"/"+f))
				subj, err := h.Subject()
				if err != nil {
					t.Fatalf("%s: Subject: %v", f, err)
				}
				got = append(got, subj)
			}
			want := slices.Clone(tc.want)
			slices.Sort(got)
			slices.Sort(want)
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("subjects:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

var manageLink = regexp.MustCompile(`/bookings/(bk_[a-z0-9_]+)\?token=([A-Za-z0-9_-]{43})`)

// MustManageToken returns the token of the manage link of booking id in
// text, failing unless there is exactly one such token (it may appear
// several times).
func MustManageToken(tb testing.TB, text, id string) string {
	tb.Helper()
	seen := map[string]bool{}
	for _, m := range manageLink.FindAllStringSubmatch(text, -1) {
		if m[1] == id {
			seen[m[2]] = true
		}
	}
	if len(seen) != 1 {
		tb.Fatalf("%d manage tokens for %s, want one, in:\n%s", len(seen), id, text)
	}
	for tok := range seen {
		return tok
	}
	return ""
}
