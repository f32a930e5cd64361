package mail

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden from the messages rendered now")

// TestMessagesByteForByte renders every kind of message the atelier sends,
// over the cases that change their words (language, mode, zones, a team, a
// request, a move, a discreet booking, hostile text), and compares each
// job with the copy kept in testdata/golden, byte for byte: the payload's
// envelope and the whole RFC 5322 message, headers, MIME structure,
// quoted-printable and base64 included. The files were written by the
// renderer before the speed work of issue 18, so any change a recipient
// could notice fails here. Only what is random in a real message is fixed
// for the test: the manage tokens (a counter), the MIME boundaries
// (numbered in order of appearance) and the random part of the
// Message-ID of a message about no booking state.
//
// Rewrite the files, after a deliberate change of the messages, with
// go test ./internal/mail -run TestMessagesByteForByte -update-golden.
func TestMessagesByteForByte(t *testing.T) {
	n := 0
	newSecret = func() (string, []byte) {
		n++
		s := fmt.Sprintf("tok%040d", n) // 43 characters, like a real one
		return s, auth.HashSecret(s)
	}
	t.Cleanup(func() { newSecret = auth.NewSecret })

	for _, tc := range goldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			n = 0
			var out bytes.Buffer
			for i, j := range tc.jobs(t) {
				fmt.Fprintf(&out, "=== job %d: queue %s kind %s booking %q run_at %s token_hash %t\n",
					i, j.Queue, j.Kind, j.BookingID, j.RunAt.Format(time.RFC3339Nano), len(j.ManageTokenHash) > 0)
				pl, err := decodePayload(j.Payload)
				if err != nil {
					t.Fatalf("payload of job %d: %v", i, err)
				}
				msg := pl.Message
				pl.Message = nil
				env, _ := json.Marshal(pl)
				fmt.Fprintf(&out, "payload %s\n", env)
				out.Write(normalizeBoundaries(msg))
				out.WriteString("\n")
			}
			path := filepath.Join("testdata", "golden", tc.name+".txt")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", tc.name, path, firstDifference(got, want))
			}
		})
	}
}

var (
	boundaryParam   = regexp.MustCompile(`boundary=([0-9a-f]{60})`)
	randomMessageID = regexp.MustCompile(`(?m)^(Message-Id: <[a-z_]+\.)[0-9a-f]{24}@`)
)

// normalizeBoundaries replaces each random MIME boundary of msg with
// "boundary-N", N in order of appearance, and the random part of a
// Message-ID (uniqueMessageID) with zeros.
func normalizeBoundaries(msg []byte) []byte {
	for i, m := range boundaryParam.FindAllSubmatch(msg, -1) {
		msg = bytes.ReplaceAll(msg, m[1], fmt.Appendf(nil, "boundary-%051d", i+1))
	}
	return randomMessageID.ReplaceAll(msg, []byte("${1}000000000000000000000000@"))
}

// firstDifference shows the lines around where got and want part.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "same lines, different bytes"
}

type goldenCase struct {
	name string
	jobs func(t *testing.T) []booking.Job
}

// goldenOptions are the demo atelier's: Singapore, two artisans, a team
// service with questions, two languages, admin copies.
func goldenOptions(t *testing.T, clock24 bool) Options {
	t.Helper()
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		t.Fatal(err)
	}
	cat := &booking.Catalog{
		Atelier: booking.Atelier{Name: "Maison Lumière", Timezone: "Asia/Singapore", Location: sgt,
			Address: "12 Ann Siang Road, Singapore 069692", Email: "hello@maison.example", Phone: "+65 6000 0000",
			MapURL: "https://maps.example/?q=Ann+Siang&x=<1>",
			Rooms:  []booking.Room{{ID: "salon", Name: "Salon"}, {ID: "stone", Name: ""}}},
		Services: []booking.Service{
			{ID: "design", Name: "Bespoke design consultation", Duration: 90 * time.Minute},
			{ID: "ring", Name: "Ring fitting & <sizing>", Duration: 30 * time.Minute,
				Questions: []booking.Question{{ID: "size", Label: "Ring size", Type: "text"}}},
			{ID: "pair", Name: "Wedding bands, two artisans", Duration: 60 * time.Minute, ArtisansNeeded: 2},
		},
		Artisans: []booking.Artisan{
			{ID: "mei", Name: "Mei", Email: "mei@maison.example"},
			{ID: "tom", Name: "Tom O'Hara", Email: "tom@maison.example"},
			{ID: "ana", Name: "Ana Lúcia", Email: "ana@maison.example"},
		},
	}
	clk := i18n.Clock24
	if !clock24 {
		clk = i18n.Clock12
	}
	langs, err := i18n.New([]string{"en", "zh-Hans"}, clk)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 3, 4, 5, 0, time.UTC)
	return Options{
		Languages:      langs,
		From:           &gomail.Address{Name: "Maison Lumière", Address: "bookings@maison.example"},
		PublicURL:      "https://book.maison.example",
		Catalog:        func() *booking.Catalog { return cat },
		Now:            func() time.Time { return now },
		ReminderBefore: 24 * time.Hour,
		StaffCopies:    []string{"admin@maison.example", "MEI@maison.example"},
		Advice:         invite.Advice{"ring": invite.BringText{InPerson: i18n.Text{"en": "Bring the ring you wear most.", "zh-Hans": "请带上您最常戴的戒指。"}}},
	}
}

func goldenBooking(id string, mode booking.Mode, lang, zone string) *booking.Booking {
	start := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	b := &booking.Booking{
		ID: id, Status: booking.Confirmed, ServiceID: "design", Mode: mode, ArtisanID: "mei", Sequence: 0,
		Start: start, End: start.Add(90 * time.Minute), UID: id + "@book.maison.example",
		Customer: booking.Customer{Name: `Zoë "Nan" O'Neil, Jr.`, Email: "zoe@example.org", Phone: "+44 7700 900123",
			Timezone: zone, Language: lang},
		Notes:     "Grandmother's <ring> & a note\nover two lines",
		CreatedAt: time.Date(2026, 11, 20, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 11, 20, 3, 4, 5, 0, time.UTC),
	}
	if mode == booking.Virtual {
		b.MeetingURL = "https://meet.jit.si/atelier-mei-Qx3"
	} else {
		b.RoomID = "salon"
	}
	return b
}

func goldenCases(t *testing.T) []goldenCase {
	event := func(o Options, e booking.Event) func(t *testing.T) []booking.Job {
		return func(t *testing.T) []booking.Job {
			jobs, err := o.jobs(e)
			if err != nil {
				t.Fatal(err)
			}
			for i := range jobs {
				jobs[i] = renderedForm(t, o, jobs[i])
			}
			return jobs
		}
	}
	o := goldenOptions(t, true)
	o12 := goldenOptions(t, false)
	oRSVP := goldenOptions(t, true)
	oRSVP.RSVP = true
	oRSVP.StaffCopies = nil

	var cs []goldenCase
	add := func(name string, f func(t *testing.T) []booking.Job) { cs = append(cs, goldenCase{name, f}) }

	// New bookings.
	add("created-virtual-en-london", event(o, booking.Event{Kind: booking.EventCreated, Booking: goldenBooking("bk_a1", booking.Virtual, "en", "Europe/London")}))
	add("created-visit-en-london", event(o, booking.Event{Kind: booking.EventCreated, Booking: goldenBooking("bk_a2", booking.InPerson, "en", "Europe/London")}))
	add("created-visit-zh-singapore", event(o, booking.Event{Kind: booking.EventCreated, Booking: goldenBooking("bk_a3", booking.InPerson, "zh-Hans", "Asia/Singapore")}))
	add("created-virtual-zh-12h", event(o12, booking.Event{Kind: booking.EventCreated, Booking: goldenBooking("bk_a4", booking.Virtual, "zh-Hans", "America/New_York")}))
	add("created-visit-12h-rsvp", event(oRSVP, booking.Event{Kind: booking.EventCreated, Booking: goldenBooking("bk_a5", booking.InPerson, "", "")}))
	ring := goldenBooking("bk_a6", booking.InPerson, "en", "")
	ring.ServiceID, ring.Discreet, ring.RoomID = "ring", true, "stone"
	ring.Answers = booking.Answers{"size": json.RawMessage(`"N"`)}
	ring.End = ring.Start.Add(30 * time.Minute)
	add("created-discreet-questions", event(o, booking.Event{Kind: booking.EventCreated, Booking: ring, Actor: booking.Actor{Kind: "staff", ID: "u1"}}))
	team := goldenBooking("bk_a7", booking.InPerson, "en", "Europe/Paris")
	team.ServiceID, team.Artisans = "pair", []string{"mei", "ana"}
	add("created-team", event(o, booking.Event{Kind: booking.EventCreated, Booking: team}))
	noMail := goldenBooking("bk_a8", booking.InPerson, "en", "")
	noMail.Customer.Email, noMail.Customer.Phone, noMail.Notes = "", "", ""
	add("created-no-customer-email", event(o, booking.Event{Kind: booking.EventCreated, Booking: noMail}))
	hostile := goldenBooking("bk_a9", booking.Virtual, "en", "Europe/London")
	hostile.Customer.Name = "Eve <script>alert('x')</script> & \"friends\" +1 =?utf-8?q?x?="
	hostile.MeetingURL = "https://meet.example/room?a=1&b=<2>#\"frag\""
	hostile.Notes = strings.Repeat("A long line of notes with ünïcödé and = signs. ", 6)
	add("created-hostile-text", event(o, booking.Event{Kind: booking.EventCreated, Booking: hostile}))

	// Requests.
	req := goldenBooking("bk_r1", booking.InPerson, "en", "Europe/London")
	req.Status, req.DecideBy = booking.Pending, time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	add("request-received", event(o, booking.Event{Kind: booking.EventCreated, Booking: req}))
	conf := *req
	conf.Status, conf.Sequence = booking.Confirmed, 1
	add("request-confirmed", event(o, booking.Event{Kind: booking.EventConfirmed, Booking: &conf, Previous: req}))
	dec := *req
	dec.Status, dec.DeclineReason, dec.Sequence = booking.Declined, "The atelier is closed that week.", 1
	add("request-declined", event(o, booking.Event{Kind: booking.EventDeclined, Booking: &dec, Previous: req}))
	exp := *req
	exp.Status, exp.Sequence = booking.Declined, 1
	add("request-expired-zh", event(o, booking.Event{Kind: booking.EventDeclined, Booking: func() *booking.Booking { e := exp; e.Customer.Language = "zh-Hans"; return &e }(), Previous: req}))
	wd := *req
	wd.Status, wd.Sequence = booking.Cancelled, 1
	add("request-withdrawn", event(o, booking.Event{Kind: booking.EventCancelled, Booking: &wd, Previous: req}))

	// Moves and cancellations.
	prev := goldenBooking("bk_m1", booking.Virtual, "en", "Europe/London")
	moved := *prev
	moved.Start, moved.End, moved.Sequence = prev.Start.Add(26*time.Hour), prev.End.Add(26*time.Hour), 1
	add("rescheduled-time", event(o, booking.Event{Kind: booking.EventRescheduled, Booking: &moved, Previous: prev}))
	other := *prev
	other.ArtisanID, other.Sequence, other.MeetingURL = "tom", 1, "https://meet.jit.si/atelier-tom-Zz9"
	add("rescheduled-artisan", event(o, booking.Event{Kind: booking.EventRescheduled, Booking: &other, Previous: prev}))
	both := other
	both.Start, both.End = moved.Start, moved.End
	add("rescheduled-both-zh", event(o, booking.Event{Kind: booking.EventRescheduled, Booking: func() *booking.Booking { b := both; b.Customer.Language = "zh-Hans"; return &b }(), Previous: prev}))
	teamMoved := *team
	teamMoved.Artisans, teamMoved.ArtisanID, teamMoved.Sequence = []string{"tom", "ana"}, "tom", 1
	add("rescheduled-team", event(o, booking.Event{Kind: booking.EventRescheduled, Booking: &teamMoved, Previous: team}))
	cancelled := *prev
	cancelled.Status, cancelled.Sequence = booking.Cancelled, 1
	add("cancelled", event(o, booking.Event{Kind: booking.EventCancelled, Booking: &cancelled, Previous: prev}))
	add("cancelled-by-reply", event(o, booking.Event{Kind: booking.EventCancelled, Booking: &cancelled, Previous: prev, Actor: booking.ReplyActor}))
	add("cancelled-by-staff-12h", event(o12, booking.Event{Kind: booking.EventCancelled, Booking: &cancelled, Previous: prev, Actor: booking.Actor{Kind: "staff", ID: "u1"}}))

	// Rendered when sent, and the other messages.
	add("reminder", func(t *testing.T) []booking.Job {
		b := goldenBooking("bk_s1", booking.InPerson, "zh-Hans", "Europe/London")
		msg, err := o.renderReminder(b, o.Now(), "tok-reminder-0000000000000000000000000000000")
		if err != nil {
			t.Fatal(err)
		}
		return []booking.Job{goldenJob(t, KindReminder, msg)}
	})
	add("links", func(t *testing.T) []booking.Job {
		bs := []booking.Booking{*goldenBooking("bk_s2", booking.InPerson, "en", "Europe/London"), *goldenBooking("bk_s3", booking.Virtual, "en", "Europe/London")}
		links, _ := mintLinks(bs, KindLinks)
		msg, err := o.linksMessage("zoe@example.org", links, o.Now())
		if err != nil {
			t.Fatal(err)
		}
		return []booking.Job{goldenJob(t, KindLinks, msg)}
	})
	add("admin-notice", func(t *testing.T) []booking.Job {
		jobs, err := AdminNotice(o, "Calendar sync stopped: Mei", "Mei's Google Calendar stopped syncing.\nReconnect it on the team page.")
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	})
	add("reply-notice", func(t *testing.T) []booking.Job {
		b := goldenBooking("bk_s4", booking.InPerson, "en", "Europe/London")
		r := &booking.InboundReply{Method: "COUNTER", EventUID: b.UID, Attendee: "zoe@example.org", PartStat: "DECLINED",
			Stamp: o.Now(), Author: "zoe@example.org", Start: b.Start.Add(48 * time.Hour), End: b.End.Add(48 * time.Hour)}
		jobs, err := o.replyJobs(booking.ReplyEvent{Booking: b, Reply: r, Outcome: booking.ReplyCountered})
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	})
	add("invitation", func(t *testing.T) []booking.Job {
		cm := booking.Commission{ID: "cm_1", Title: "Engagement ring <sapphire>", Customer: goldenBooking("bk_x", booking.InPerson, "en", "Europe/London").Customer}
		iv := booking.Invitation{ID: "iv_1", ServiceID: "ring", Mode: booking.InPerson, ArtisanID: "mei", Note: "Bring the stone's certificate.", ExpiresAt: o.Now().Add(14 * 24 * time.Hour)}
		j, err := InvitationJob(o)(iv, cm, "https://book.maison.example/invitations/iv_1?token=abc")
		if err != nil {
			t.Fatal(err)
		}
		return []booking.Job{j}
	})
	add("staff-invite", func(t *testing.T) []booking.Job {
		u := booking.User{ID: "u2", Email: "new@maison.example", Name: "Lin", Role: booking.RoleArtisan, ArtisanID: "ana"}
		j, err := StaffInviteJob(o)(u, "Mei", "https://book.maison.example/staff/welcome?token=xyz", o.Now().Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return []booking.Job{j}
	})
	add("privacy-link", func(t *testing.T) []booking.Job {
		b := goldenBooking("bk_s5", booking.InPerson, "zh-Hans", "Europe/London")
		j, err := PrivacyLinkJob(o)(b, "export", "https://book.maison.example/privacy/abc", o.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return []booking.Job{j}
	})
	return cs
}

// renderedForm is j with its message rendered from its facts as the
// Sender renders it when it sends it, the facts left out, and the hash of
// the manage token the message carries: the form every job had before the
// facts (the golden files' one format).
func renderedForm(t *testing.T, o Options, j booking.Job) booking.Job {
	t.Helper()
	pl, err := decodePayload(j.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Render == nil {
		return j
	}
	var token *booking.ManageToken
	if pl.Message, token, err = o.renderFacts(j.Kind, pl); err != nil {
		t.Fatal(err)
	}
	pl.Render = nil
	if j.Payload, err = pl.encode(); err != nil {
		t.Fatal(err)
	}
	if token != nil {
		j.ManageTokenHash = token.Hash // stored by the Sender before it sends
	}
	return j
}

// goldenJob wraps a message rendered at send time as the job it is sent
// from, for the golden files' one format.
func goldenJob(t *testing.T, kind string, msg []byte) booking.Job {
	t.Helper()
	p, err := json.Marshal(payload{From: "bookings@maison.example", To: []string{"zoe@example.org"}, Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	return booking.Job{Queue: Queue, Kind: kind, Payload: p}
}
