package invite_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/invite"
)

var (
	t0  = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Singapore
	now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
)

// MustDetails returns the details of a confirmed booking of mode m.
func MustDetails(tb testing.TB, m booking.Mode) invite.Details {
	tb.Helper()
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		tb.Fatal(err)
	}
	b := &booking.Booking{
		ID:        "bk_7Hq2",
		Status:    booking.Confirmed,
		ServiceID: "design",
		Mode:      m,
		ArtisanID: "mei",
		Start:     t0.In(sgt), // a zoned time must still come out in UTC
		End:       t0.Add(90 * time.Minute).In(sgt),
		Customer:  booking.Customer{Name: "Anna Lee", Email: "anna@example.org", Phone: "+65 8123 4567", Timezone: "Europe/London"},
		Notes:     "My grandmother's ring; secret note",
		CreatedAt: now,
		UpdatedAt: now,
	}
	if m == booking.Virtual {
		b.MeetingURL = "https://meet.jit.si/atelier-consultation-3kq9Xw_Lz0bT7aVvR2pY1Q"
	} else {
		b.Location = "12 Ann Siang Road, Singapore 069692"
	}
	return invite.Details{
		Booking:      b,
		ServiceName:  "Bespoke design consultation",
		ArtisanName:  "Mei",
		ArtisanEmail: "mei@example.com",
		Atelier:      &booking.Atelier{Name: "Maison Lumière", Email: "hello@maison.example", Address: "12 Ann Siang Road, Singapore 069692", Timezone: "Asia/Singapore", Location: sgt},
		PublicURL:    "https://book.maison.example",
		ManageURL:    "https://book.maison.example/bookings/bk_7Hq2?token=secret",
		Now:          now,
	}
}

// MustBuild builds and parses an invite.
func MustBuild(tb testing.TB, d invite.Details) ([]byte, *ical.Calendar, *ical.Component) {
	tb.Helper()
	raw, err := invite.Build(d)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	cal, ev := MustParse(tb, raw)
	return raw, cal, ev
}

// MustParse decodes raw with go-ical and returns its only VEVENT.
func MustParse(tb testing.TB, raw []byte) (*ical.Calendar, *ical.Component) {
	tb.Helper()
	AssertFolded(tb, raw)
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		tb.Fatalf("decode: %v\n%s", err, raw)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		tb.Fatalf("got %d events, want 1", len(evs))
	}
	return cal, evs[0].Component
}

// AssertFolded checks that every line ends in CRLF, is at most 75 octets
// and is valid UTF-8 on its own.
func AssertFolded(tb testing.TB, raw []byte) {
	tb.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		tb.Errorf("output does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			tb.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			tb.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if !utf8.Valid(line) {
			tb.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
	}
}

func text(tb testing.TB, c *ical.Component, name string) string {
	tb.Helper()
	p := c.Props.Get(name)
	if p == nil {
		tb.Fatalf("no %s", name)
	}
	s, err := p.Text()
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return s
}

func TestBuild(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mode       booking.Mode
		cancel     bool
		method     string
		status     string
		location   string
		conference bool
		alarm      bool
	}{
		{"InPersonRequest", booking.InPerson, false, "REQUEST", "CONFIRMED", "12 Ann Siang Road, Singapore 069692", false, true},
		{"VirtualRequest", booking.Virtual, false, "REQUEST", "CONFIRMED", "https://meet.jit.si/atelier-consultation-3kq9Xw_Lz0bT7aVvR2pY1Q", true, true},
		{"InPersonCancel", booking.InPerson, true, "CANCEL", "CANCELLED", "12 Ann Siang Road, Singapore 069692", false, false},
		{"VirtualCancel", booking.Virtual, true, "CANCEL", "CANCELLED", "https://meet.jit.si/atelier-consultation-3kq9Xw_Lz0bT7aVvR2pY1Q", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := MustDetails(t, tc.mode)
			if tc.cancel {
				d.Booking.Status = booking.Cancelled
				d.Booking.Sequence = 1
			}
			raw, cal, ev := MustBuild(t, d)

			for name, want := range map[string]string{
				ical.PropMethod:        tc.method,
				ical.PropVersion:       "2.0",
				ical.PropProductID:     invite.ProductID,
				ical.PropCalendarScale: "GREGORIAN",
			} {
				if got := text(t, cal.Component, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got := invite.Method(d.Booking); got != tc.method {
				t.Errorf("Method = %q, want %q", got, tc.method)
			}
			for name, want := range map[string]string{
				ical.PropUID:          "bk_7Hq2@book.maison.example",
				ical.PropStatus:       tc.status,
				ical.PropTransparency: "OPAQUE",
				ical.PropSummary:      "Bespoke design consultation with Mei at Maison Lumière",
				ical.PropLocation:     tc.location,
			} {
				if got := text(t, ev, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if got, want := ev.Props.Get(ical.PropSequence).Value, map[bool]string{false: "0", true: "1"}[tc.cancel]; got != want {
				t.Errorf("SEQUENCE = %s, want %s", got, want)
			}
			for name, want := range map[string]time.Time{
				ical.PropDateTimeStart: t0,
				ical.PropDateTimeEnd:   t0.Add(90 * time.Minute),
				ical.PropDateTimeStamp: now,
			} {
				p := ev.Props.Get(name)
				if p == nil {
					t.Fatalf("no %s", name)
				}
				if !strings.HasSuffix(p.Value, "Z") || p.Params.Get(ical.ParamTimezoneID) != "" {
					t.Errorf("%s = %q with TZID %q, want UTC", name, p.Value, p.Params.Get(ical.ParamTimezoneID))
				}
				got, err := p.DateTime(time.UTC)
				if err != nil || !got.Equal(want) {
					t.Errorf("%s = %v (%v), want %v", name, got, err, want)
				}
			}

			org := ev.Props.Get(ical.PropOrganizer)
			if org == nil || org.Value != "mailto:hello@maison.example" || org.Params.Get(ical.ParamCommonName) != "Maison Lumière" {
				t.Errorf("ORGANIZER = %+v", org)
			}
			att := ev.Props.Get(ical.PropAttendee)
			if att == nil || att.Value != "mailto:anna@example.org" {
				t.Fatalf("ATTENDEE = %+v", att)
			}
			for param, want := range map[string]string{
				ical.ParamCommonName:          "Anna Lee",
				ical.ParamCalendarUserType:    "INDIVIDUAL",
				ical.ParamRole:                "REQ-PARTICIPANT",
				ical.ParamParticipationStatus: "NEEDS-ACTION",
				ical.ParamRSVP:                "", // nothing reads replies yet
			} {
				if got := att.Params.Get(param); got != want {
					t.Errorf("ATTENDEE %s = %q, want %q", param, got, want)
				}
			}

			desc := text(t, ev, ical.PropDescription)
			for _, want := range []string{"Bespoke design consultation with Mei", d.ManageURL} {
				if !strings.Contains(desc, want) {
					t.Errorf("DESCRIPTION lacks %q:\n%s", want, desc)
				}
			}
			if !tc.cancel && !strings.Contains(desc, "What to bring") {
				t.Errorf("DESCRIPTION lacks what to bring:\n%s", desc)
			}
			if tc.cancel && !strings.Contains(desc, "cancelled") {
				t.Errorf("DESCRIPTION does not say it is cancelled:\n%s", desc)
			}
			for _, secret := range []string{"+65 8123", "grandmother"} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("invite contains phone or notes %q", secret)
				}
			}
			if u := ev.Props.Get(ical.PropURL); u == nil || u.Value != d.ManageURL {
				t.Errorf("URL = %+v, want the manage link", u)
			}

			conf := ev.Props.Get(ical.PropConference)
			if tc.conference {
				if conf == nil || conf.Value != d.Booking.MeetingURL || conf.Params.Get(ical.ParamValue) != "URI" ||
					!strings.Contains(strings.Join(conf.Params.Values(ical.ParamFeature), ","), "VIDEO") || conf.Params.Get(ical.ParamLabel) == "" {
					t.Errorf("CONFERENCE = %+v", conf)
				}
			} else if conf != nil {
				t.Errorf("unexpected CONFERENCE for an in-person visit: %+v", conf)
			}

			var alarms int
			for _, c := range ev.Children {
				if c.Name == ical.CompAlarm {
					alarms++
					if c.Props.Get(ical.PropAction).Value != "DISPLAY" || c.Props.Get(ical.PropTrigger).Value != "-PT1H" {
						t.Errorf("VALARM = %+v", c.Props)
					}
				}
			}
			if got := alarms > 0; got != tc.alarm {
				t.Errorf("has VALARM = %v, want %v", got, tc.alarm)
			}
		})
	}
}

// TestRSVP: the switch for when replies are read asks for them; without
// it no reply is asked for, and the attendee stays either way.
func TestRSVP(t *testing.T) {
	for _, tc := range []struct {
		name string
		rsvp bool
		want string
	}{
		{"Off", false, ""},
		{"On", true, "TRUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := MustDetails(t, booking.InPerson)
			d.RSVP = tc.rsvp
			raw, _, ev := MustBuild(t, d)
			att := ev.Props.Get(ical.PropAttendee)
			if att == nil {
				t.Fatalf("no ATTENDEE:\n%s", raw)
			}
			if got := att.Params.Get(ical.ParamRSVP); got != tc.want {
				t.Errorf("RSVP = %q, want %q", got, tc.want)
			}
			if got := att.Params.Get(ical.ParamParticipationStatus); got != "NEEDS-ACTION" {
				t.Errorf("PARTSTAT = %q, want NEEDS-ACTION", got)
			}
			if got := bytes.Contains(raw, []byte("RSVP=TRUE")); got != tc.rsvp {
				t.Errorf("raw invite has RSVP=TRUE = %v, want %v", got, tc.rsvp)
			}
		})
	}
}

// TestLifecycle follows one booking from creation through a reschedule to
// its cancellation: the UID stays, SEQUENCE grows, the method follows.
func TestLifecycle(t *testing.T) {
	d := MustDetails(t, booking.InPerson)
	var uids []string
	var seqs []string
	var methods []string
	step := func(name string) {
		t.Helper()
		_, cal, ev := MustBuild(t, d)
		uids = append(uids, text(t, ev, ical.PropUID))
		seqs = append(seqs, ev.Props.Get(ical.PropSequence).Value)
		methods = append(methods, text(t, cal.Component, ical.PropMethod))
	}
	step("created")
	d.Booking.Start, d.Booking.End = d.Booking.Start.Add(24*time.Hour), d.Booking.End.Add(24*time.Hour)
	d.Booking.Sequence = 1
	step("rescheduled")
	d.Booking.Status, d.Booking.Sequence = booking.Cancelled, 2
	step("cancelled")

	if uids[0] != uids[1] || uids[1] != uids[2] {
		t.Errorf("UIDs differ: %q", uids)
	}
	if got, want := strings.Join(seqs, ","), "0,1,2"; got != want {
		t.Errorf("SEQUENCE = %s, want %s", got, want)
	}
	if got, want := strings.Join(methods, ","), "REQUEST,REQUEST,CANCEL"; got != want {
		t.Errorf("METHOD = %s, want %s", got, want)
	}
}

func TestTrickyNames(t *testing.T) {
	for _, tc := range []struct {
		name, customer, service, wantCN string
	}{
		{"Comma", "Lee, Anna", "Rings, resizing", "Lee, Anna"},
		{"Semicolon", "Anna; Lee", "Design; repair", "Anna; Lee"},
		{"Colon", "Dr: Anna", "Repair: rings", "Dr: Anna"},
		{"Quotes", `Anna "Nan" O'Neil`, `The "One" ring`, `Anna 'Nan' O'Neil`},
		{"Backslash", `Anna\Lee`, `C:\rings\`, `Anna\Lee`},
		{"Accents", "Zoë Brontë-Ångström", "Création sur mesure", "Zoë Brontë-Ångström"},
		{"Emoji", "Anna 💍✨", "Engagement 💎 rings", "Anna 💍✨"},
		{"Newline", "Anna\r\nLee", "Line one\nline two", "Anna  Lee"},
		{"LongCJK", strings.Repeat("林", 40), strings.Repeat("訂製珠寶設計諮詢", 8), strings.Repeat("林", 40)},
		// RFC 6868: a caret that a reader would take for an escape is
		// doubled (go-ical does not decode RFC 6868, so CN is the raw
		// value; the cross-checks decode it).
		{"CaretN", "Anna^nLee", "x", "Anna^^nLee"},
		{"CaretQuote", `Anna^"Lee"`, "x", "Anna^^'Lee'"},
		{"CaretCaret", "A^^B", "x", "A^^^B"}, // ^^ then ^B: reads A^^B
		{"CaretPlain", "A^B ^", "x", "A^B ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := MustDetails(t, booking.Virtual)
			d.Booking.Customer.Name = tc.customer
			d.ServiceName = tc.service
			d.ArtisanName = tc.customer
			raw, _, ev := MustBuild(t, d)

			wantService := strings.ReplaceAll(tc.service, "\r\n", "\n")
			if got, want := text(t, ev, ical.PropSummary), wantService+" with "+strings.ReplaceAll(tc.customer, "\r\n", "\n")+" at Maison Lumière"; got != want {
				t.Errorf("SUMMARY = %q, want %q\n%s", got, want, raw)
			}
			if got := ev.Props.Get(ical.PropAttendee).Params.Get(ical.ParamCommonName); got != tc.wantCN {
				t.Errorf("ATTENDEE CN = %q, want %q", got, tc.wantCN)
			}
			if desc := text(t, ev, ical.PropDescription); !strings.Contains(desc, wantService) {
				t.Errorf("DESCRIPTION lacks %q: %q", wantService, desc)
			}
		})
	}
}

// MustFeedInfo is the feed of Mei's calendar around now, in Singapore.
func MustFeedInfo(tb testing.TB, name string) invite.FeedInfo {
	tb.Helper()
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		tb.Fatal(err)
	}
	return invite.FeedInfo{Name: name, Location: sgt, From: now.AddDate(0, 0, -30), To: now.AddDate(1, 0, 0)}
}

func TestFeed(t *testing.T) {
	a := MustDetails(t, booking.InPerson)
	b := MustDetails(t, booking.Virtual)
	b.Booking.ID = "bk_other"
	raw, err := invite.Feed(MustFeedInfo(t, "Mei — Maison Lumière"), []invite.Details{a, b})
	if err != nil {
		t.Fatal(err)
	}
	AssertFolded(t, raw)
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if cal.Props.Get(ical.PropMethod) != nil {
		t.Errorf("feed has a METHOD")
	}
	if got := len(cal.Events()); got != 2 {
		t.Errorf("feed has %d events, want 2", got)
	}
	for _, secret := range []string{"+65 8123", "grandmother", "VALARM", "token=secret"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("feed contains %q", secret)
		}
	}
	if !bytes.Contains(raw, []byte("Anna Lee")) {
		t.Errorf("feed does not name the customer")
	}
	// RFC 7986 §5.7 requires VALUE=DURATION on REFRESH-INTERVAL; the other
	// calendar properties carry no VALUE=TEXT clutter.
	for _, want := range []string{
		"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n",
		"\r\nX-PUBLISHED-TTL:PT15M\r\n",
		"\r\nX-WR-TIMEZONE:Asia/Singapore\r\n",
		"\r\nX-WR-CALNAME:Mei — Maison Lumière\r\n",
	} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("feed lacks %q:\n%s", want, raw)
		}
	}
	if tz := components(cal, ical.CompTimezone); len(tz) != 1 || text(t, tz[0], ical.PropTimezoneID) != "Asia/Singapore" {
		t.Errorf("feed has VTIMEZONE %v, want one for Asia/Singapore", tz)
	}

	t.Run("Empty", func(t *testing.T) {
		// RFC 5545 §3.6: a calendar holds at least one component; sabre
		// and ical4j refuse one without. The zone is the one it holds.
		raw, err := invite.Feed(MustFeedInfo(t, "Nobody"), nil)
		if err != nil {
			t.Fatal(err)
		}
		AssertFolded(t, raw)
		cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
		if err != nil {
			t.Fatalf("empty feed: %v\n%s", err, raw)
		}
		if len(cal.Children) == 0 || len(cal.Events()) != 0 {
			t.Errorf("empty feed has %d components, %d events, want a VTIMEZONE only:\n%s", len(cal.Children), len(cal.Events()), raw)
		}
		tz := components(cal, ical.CompTimezone)
		if len(tz) != 1 || len(tz[0].Children) == 0 {
			t.Fatalf("empty feed has no VTIMEZONE with an observance:\n%s", raw)
		}
		if bytes.Contains(raw, []byte("X-ATELIER")) {
			t.Errorf("empty feed:\n%s", raw)
		}
	})

	t.Run("Stable", func(t *testing.T) {
		// An unchanged feed renders the same bytes (its ETag) from one day
		// to the next: the zone's rules do not move with the period.
		info := MustFeedInfo(t, "Mei")
		info.Location, _ = time.LoadLocation("Europe/London")
		first, err := invite.Feed(info, []invite.Details{a})
		if err != nil {
			t.Fatal(err)
		}
		for _, days := range []int{1, 40, 200} {
			info.From, info.To = info.From.AddDate(0, 0, days), info.To.AddDate(0, 0, days)
			again, err := invite.Feed(info, []invite.Details{a})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Errorf("feed changed %d days later:\n%s\n---\n%s", days, first, again)
			}
		}
	})

	t.Run("NoPeriod", func(t *testing.T) {
		if _, err := invite.Feed(invite.FeedInfo{Name: "x"}, nil); err == nil {
			t.Errorf("Feed without a period succeeded")
		}
	})
}

func components(cal *ical.Calendar, name string) []*ical.Component {
	var out []*ical.Component
	for _, c := range cal.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// TestInternationalAddresses: ORGANIZER and ATTENDEE are URIs, so an
// internationalised domain is in A-labels, as in the mail's envelope.
func TestInternationalAddresses(t *testing.T) {
	d := MustDetails(t, booking.InPerson)
	d.Booking.Customer.Email = "zoë@bücher.de"
	d.Atelier.Email = "hello@atelier-lumière.example"
	_, _, ev := MustBuild(t, d)
	if got, want := ev.Props.Get(ical.PropAttendee).Value, "mailto:zo%C3%AB@xn--bcher-kva.de"; got != want {
		t.Errorf("ATTENDEE = %q, want %q", got, want)
	}
	if got, want := ev.Props.Get(ical.PropOrganizer).Value, "mailto:hello@xn--atelier-lumire-6jb.example"; got != want {
		t.Errorf("ORGANIZER = %q, want %q", got, want)
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"Short", "SUMMARY:hi\r\n"},
		{"Exactly75", "X:" + strings.Repeat("a", 73) + "\r\n"},
		{"Long", "DESCRIPTION:" + strings.Repeat("abcdefghij", 30) + "\r\n"},
		{"TwoByte", "SUMMARY:" + strings.Repeat("é", 100) + "\r\n"},
		{"FourByte", "SUMMARY:" + strings.Repeat("💍", 60) + "\r\n"},
		{"MixedOffsets", "SUMMARY:a" + strings.Repeat("€💍é", 40) + "\r\n"},
		{"LFOnly", "A:b\nC:" + strings.Repeat("x", 100) + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := invite.Fold([]byte(tc.in))
			AssertFolded(t, out)
			unfolded := strings.ReplaceAll(string(out), "\r\n ", "")
			if want := strings.ReplaceAll(strings.ReplaceAll(tc.in, "\r\n", "\n"), "\n", "\r\n"); unfolded != want {
				t.Errorf("unfolded = %q, want %q", unfolded, want)
			}
		})
	}
}

func TestBuildRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*invite.Details)
	}{
		{"NoBooking", func(d *invite.Details) { d.Booking = nil }},
		{"NoID", func(d *invite.Details) { d.Booking.ID = "" }},
		{"EndBeforeStart", func(d *invite.Details) { d.Booking.End = d.Booking.Start.Add(-time.Hour) }},
		{"NoNow", func(d *invite.Details) { d.Now = time.Time{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := MustDetails(t, booking.InPerson)
			tc.edit(&d)
			if _, err := invite.Build(d); err == nil {
				t.Errorf("Build succeeded")
			}
		})
	}
}

func TestUID(t *testing.T) {
	for _, tc := range []struct{ name, url, want string }{
		{"Host", "https://book.example.com/x", "b1@book.example.com"},
		{"Port", "http://127.0.0.1:8080", "b1@127.0.0.1"},
		{"Empty", "", "b1@atelier.invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := invite.UID("b1", tc.url); got != tc.want {
				t.Errorf("UID = %q, want %q", got, tc.want)
			}
		})
	}
}
