package config_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// minimal is the smallest valid file; invalid cases edit it.
const minimal = `
atelier:
  name: Test Atelier
  timezone: Europe/London
  address: 1 High Street
  rooms:
    - {id: room-a, name: Room A}
  opening_hours:
    mon: [["09:00", "17:00"]]
    tue: ["09:00-12:00", "13:00-17:00"]
  closures:
    - {from: 2026-12-25, reason: Christmas}
services:
  - id: fitting
    name: Fitting
    duration_minutes: 30
    modes: [in_person, virtual]
artisans:
  - id: ann
    name: Ann
    services: [fitting]
`

// MustParse parses data and fails the test on error.
func MustParse(tb testing.TB, data string) *config.Config {
	tb.Helper()
	c, err := config.Parse([]byte(data))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return c
}

// MustCatalog returns the catalogue of c and fails the test on error.
func MustCatalog(tb testing.TB, c *config.Config) *booking.Catalog {
	tb.Helper()
	cat, err := c.Catalog()
	if err != nil {
		tb.Fatalf("Catalog: %v", err)
	}
	return cat
}

func date(tb testing.TB, s string) booking.Date {
	tb.Helper()
	d, err := booking.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestExample(t *testing.T) {
	c := MustParse(t, string(atelier.ExampleConfig))
	cat := MustCatalog(t, c)
	a := cat.Atelier

	if got, want := c.Database.Path, "atelier.db"; got != want {
		t.Errorf("database.path = %q, want %q", got, want)
	}
	if a.Timezone != "Asia/Singapore" || a.Location == nil || a.Location.String() != "Asia/Singapore" {
		t.Errorf("zone = %q (%v), want Asia/Singapore", a.Timezone, a.Location)
	}
	if a.Name == "" || a.Address == "" || a.Phone == "" || a.Email == "" {
		t.Errorf("atelier identity incomplete: %+v", a)
	}

	t.Run("TwoArtisansAtOnce", func(t *testing.T) {
		svc := cat.Service("design-with-stones")
		if svc == nil || svc.Needed() != 2 || !slices.Equal(sorted(svc.Artisans), []string{"arjun", "mei"}) {
			t.Fatalf("design-with-stones = %+v, want two of arjun and mei", svc)
		}
		for _, s := range cat.Services {
			if s.ID != svc.ID && s.Needed() != 1 {
				t.Errorf("%s needs %d artisans, want 1", s.ID, s.Needed())
			}
		}
	})

	t.Run("Hours", func(t *testing.T) {
		if got := a.Hours.On(time.Monday); len(got) != 0 {
			t.Errorf("Monday hours = %v, want closed", got)
		}
		if sun, tue := a.Hours.On(time.Sunday), a.Hours.On(time.Tuesday); slices.Equal(sun, tue) || len(sun) == 0 {
			t.Errorf("Sunday %v should be open and differ from Tuesday %v", sun, tue)
		}
		if thu, tue := a.Hours.On(time.Thursday), a.Hours.On(time.Tuesday); len(thu) == 0 || len(tue) == 0 ||
			thu[len(thu)-1].End <= tue[len(tue)-1].End {
			t.Errorf("Thursday %v should close later than Tuesday %v", thu, tue)
		}
	})

	t.Run("Rooms", func(t *testing.T) {
		if len(a.Rooms) != 2 {
			t.Errorf("rooms = %v, want 2", a.Rooms)
		}
	})

	t.Run("Closures", func(t *testing.T) {
		// Singapore's public holidays from 2026-11-26 for twelve months.
		// Lunar and Islamic dates are the expected ones.
		holidays := map[string]string{
			"2026-12-25": "Christmas",
			"2027-01-01": "New Year",
			"2027-02-06": "Chinese New Year",
			"2027-02-07": "Chinese New Year",
			"2027-02-08": "Chinese New Year", // in lieu of Sunday
			"2027-03-10": "Hari Raya Puasa",
			"2027-03-26": "Good Friday",
			"2027-05-01": "Labour Day",
			"2027-05-16": "Hari Raya Haji",
			"2027-05-17": "Hari Raya Haji", // in lieu of Sunday
			"2027-05-20": "Vesak",
			"2027-08-09": "National Day",
			"2027-10-29": "Deepavali",
		}
		for day, name := range holidays {
			d := date(t, day)
			i := slices.IndexFunc(a.Closures, func(c booking.Closure) bool { return c.Covers(d) })
			if i < 0 {
				t.Errorf("%s (%s) is not a closure", day, name)
				continue
			}
			if !strings.Contains(a.Closures[i].Reason, name) {
				t.Errorf("closure on %s has reason %q, want it to name %s", day, a.Closures[i].Reason, name)
			}
		}
		start, end := date(t, "2026-11-26"), date(t, "2027-11-26")
		expected := 0
		for _, cl := range a.Closures {
			if cl.From.Before(start) || cl.To.After(end) {
				t.Errorf("closure %v–%v is outside the next twelve months", cl.From, cl.To)
			}
			if cl.Source != "config" || cl.Reason == "" {
				t.Errorf("closure %+v: want source config and a reason", cl)
			}
			if strings.Contains(cl.Reason, "expected") {
				expected++
			}
		}
		if expected == 0 {
			t.Error(`no closure is marked "expected", but 2027's lunar holidays are not all gazetted`)
		}
	})

	t.Run("Services", func(t *testing.T) {
		tests := []struct {
			id       string
			duration time.Duration
			modes    []booking.Mode
			private  bool // a commission's step, booked through an invitation
		}{
			{"bespoke-design", 90 * time.Minute, []booking.Mode{booking.InPerson, booking.Virtual}, false},
			{"ring-sizing", 30 * time.Minute, []booking.Mode{booking.InPerson}, false},
			{"private-viewing", 60 * time.Minute, []booking.Mode{booking.InPerson}, false},
			{"recycled-gold-remodelling", 60 * time.Minute, []booking.Mode{booking.InPerson, booking.Virtual}, false},
			{"design-review", 45 * time.Minute, []booking.Mode{booking.InPerson, booking.Virtual}, true},
			{"fitting", 30 * time.Minute, []booking.Mode{booking.InPerson}, true},
			{"collection", 30 * time.Minute, []booking.Mode{booking.InPerson}, true},
		}
		for _, tt := range tests {
			s := cat.Service(tt.id)
			if s == nil {
				t.Errorf("no service %q", tt.id)
				continue
			}
			if s.Duration != tt.duration || !slices.Equal(s.Modes, tt.modes) || s.Private != tt.private {
				t.Errorf("%s: %v %v private %v, want %v %v private %v", tt.id, s.Duration, s.Modes, s.Private, tt.duration, tt.modes, tt.private)
			}
		}
		for _, s := range cat.Services {
			if len(s.Description) < 100 || s.Name == "" {
				t.Errorf("%s: customers need a name and a real description, got %q", s.ID, s.Description)
			}
			if len(s.Artisans) == 0 {
				t.Errorf("%s: nobody offers it", s.ID)
			}
		}
		// Laying out stones before a visit; a video call needs none.
		s := cat.Service("bespoke-design")
		if in, virt := s.Buffers[booking.InPerson], s.Buffers[booking.Virtual]; in.Before <= 0 || virt.Before != 0 {
			t.Errorf("bespoke-design buffers before: in person %v, virtual %v; want preparation in person only", in.Before, virt.Before)
		}
	})

	t.Run("Artisans", func(t *testing.T) {
		if len(cat.Artisans) < 3 {
			t.Fatalf("artisans = %d, want at least 3", len(cat.Artisans))
		}
		capped := 0
		for i, x := range cat.Artisans {
			if x.DailyCap > 0 {
				capped++
			}
			if x.Bio == "" || x.Name == "" {
				t.Errorf("%s: customers need a name and a bio", x.ID)
			}
			for _, y := range cat.Artisans[i+1:] {
				if hoursEqual(x.Hours, y.Hours) {
					t.Errorf("%s and %s have the same working hours", x.ID, y.ID)
				}
				if slices.Equal(sorted(x.Services), sorted(y.Services)) {
					t.Errorf("%s and %s offer the same services", x.ID, y.ID)
				}
			}
		}
		if capped == 0 {
			t.Error("no artisan has a daily cap")
		}
	})

	t.Run("Rules", func(t *testing.T) {
		want := booking.Rules{MinNotice: 24 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute, PendingFor: 48 * time.Hour}
		if a.Rules != want {
			t.Errorf("rules = %+v, want %+v", a.Rules, want)
		}
	})

	t.Run("FixedKeys", func(t *testing.T) {
		// The key paths API.md fixes must be spelled out in the demo.
		var root yaml.Node
		if err := yaml.Unmarshal(atelier.ExampleConfig, &root); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{
			"server.addr", "server.public_url", "server.trusted_proxies", "database.path",
			"limits.bookings_per_minute", "limits.logins_per_minute",
			"mail.from", "mail.outbox_dir", "mail.smtp.host", "mail.smtp.port", "mail.smtp.username",
			"mail.smtp.password", "mail.smtp.tls",
			"google_calendar.enabled", "google_calendar.endpoint", "google_calendar.auth",
		} {
			if lookup(root.Content[0], strings.Split(path, ".")) == nil {
				t.Errorf("%s is missing from config.example.yaml", path)
			}
		}
	})
}

func lookup(n *yaml.Node, keys []string) *yaml.Node {
	if len(keys) == 0 {
		return n
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == keys[0] {
			return lookup(n.Content[i+1], keys[1:])
		}
	}
	return nil
}

func hoursEqual(a, b booking.WeekHours) bool {
	for d := range a {
		if !slices.Equal(a[d], b[d]) {
			return false
		}
	}
	return true
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestDefaults(t *testing.T) {
	c := MustParse(t, minimal)
	if got, want := c.Server, (config.Server{
		Addr: "127.0.0.1:8080", PublicURL: "http://127.0.0.1:8080",
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		ReadHeaderTimeout: 5 * time.Second, ShutdownTimeout: 20 * time.Second,
		TrustedPrefixes: []netip.Prefix{},
	}); !serverEqual(got, want) {
		t.Errorf("server = %+v, want %+v", got, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"log", c.Log, config.Log{Format: "text", Level: "info"}},
		{"database.path", c.Database.Path, "atelier.db"},
		{"limits", c.Limits, config.Limits{BookingsPerMinute: 20, LoginsPerMinute: 10, LinkRequestsPerHour: 5}},
		{"booking", c.Booking, config.Booking{MinNoticeMinutes: 1440, HorizonDays: 90, SlotIntervalMinutes: 30, IdempotencyTTLHours: 24, PendingHours: 48}},
		{"mail.from", c.Mail.From, "Atelier <bookings@example.com>"},
		{"mail.outbox_dir", c.Mail.OutboxDir, "mail-outbox"},
		{"mail.smtp", c.Mail.SMTP, config.SMTP{Port: 587, TLS: "starttls"}},
		{"mail.reminder_hours_before", c.Mail.ReminderHoursBefore, 24},
		{"meetings", c.Meetings, config.Meetings{Provider: "jitsi", JitsiBaseURL: "https://meet.jit.si"}},
		{"google_calendar.auth", c.GoogleCalendar.Auth, "service_account"},
		{"google_calendar.sync_interval", c.GoogleCalendar.SyncInterval, 2 * time.Minute},
		{"google_calendar.freebusy_timeout", c.GoogleCalendar.FreeBusyTimeout, 2 * time.Second},
		{"staff", c.Staff, config.Staff{SessionIdleTimeout: 12 * time.Hour, SessionMaxAge: 168 * time.Hour}},
		{"artisans[0].google_calendar_id", c.Artisans[0].GoogleCalendarID, "primary"},
		{"atelier.closures[0].to", c.Atelier.Closures[0].To, "2026-12-25"},
		{"commissions.stages", strings.Join(c.Commissions.StageList(), " "), "consultation design approved making fitting ready collected closed"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %+v, want %+v", ck.name, ck.got, ck.want)
		}
	}
	if c.GoogleCalendar.Enabled || !c.GoogleCalendar.Meet {
		t.Errorf("google_calendar enabled=%v meet=%v, want false, true", c.GoogleCalendar.Enabled, c.GoogleCalendar.Meet)
	}

	cat := MustCatalog(t, c)
	ann := cat.Artisan("ann")
	if !hoursEqual(ann.Hours, cat.Atelier.Hours) {
		t.Errorf("artisan with no working_hours works %v, want the opening hours %v", ann.Hours, cat.Atelier.Hours)
	}
	if got := cat.Atelier.Hours.On(time.Tuesday); len(got) != 2 || got[1].String() != "13:00-17:00" {
		t.Errorf(`"HH:MM-HH:MM" spans: Tuesday = %v`, got)
	}
	if s := cat.Service("fitting"); !slices.Equal(s.Artisans, []string{"ann"}) || s.Buffers[booking.InPerson] != (booking.Buffer{}) {
		t.Errorf("service = %+v, want offered by ann with no buffers", s)
	}
}

func serverEqual(a, b config.Server) bool {
	pa, pb := a.TrustedPrefixes, b.TrustedPrefixes
	a.TrustedPrefixes, b.TrustedPrefixes = nil, nil
	a.TrustedProxies, b.TrustedProxies = nil, nil
	return reflect.DeepEqual(a, b) && len(pa) == len(pb)
}

// edit returns minimal with each old string replaced by new, failing the
// test if old is not there (so a case cannot pass by editing nothing).
func edit(tb testing.TB, pairs ...string) string {
	tb.Helper()
	s := minimal
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			tb.Fatalf("minimal config has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name  string
		edits []string // old, new, old, new...
		extra string   // appended to the file
		want  []string // the problems, each (part of) one "path: message" line
	}{
		{name: "ArtisansNeededMoreThanOffer", edits: []string{"    duration_minutes: 30\n", "    duration_minutes: 30\n    artisans_needed: 2\n"},
			want: []string{`services[0].artisans_needed: is 2 but only 1 artisans offer "fitting"`}},
		{name: "ArtisansNeededNegative", edits: []string{"    duration_minutes: 30\n", "    duration_minutes: 30\n    artisans_needed: -1\n"},
			want: []string{`services[0].artisans_needed: must be at least 1 (got -1)`}},
		{name: "UnknownTopLevelKey", extra: "colour: red\n",
			want: []string{"colour: unknown key (allowed here: server, log, database, limits, atelier, booking, services, artisans, mail, meetings, google_calendar, staff, commissions, privacy) (line 22)"}},
		{name: "StageNotAnIdentifier", extra: "commissions: {stages: [consultation, Making]}\n",
			want: []string{`commissions.stages[1]: "Making" is not a stage identifier`}},
		{name: "StageTwice", extra: "commissions: {stages: [consultation, design, consultation]}\n",
			want: []string{`commissions.stages[2]: "consultation" is listed twice`}},
		{name: "StageEmpty", extra: "commissions: {stages: [consultation, \"\"]}\n",
			want: []string{`commissions.stages[1]: is empty`}},
		{name: "UnknownNestedKey", edits: []string{"    name: Ann\n", "    name: Ann\n    colour: red\n"},
			want: []string{"artisans[0].colour: unknown key (allowed here: id, name, bio, email, services, working_hours, date_hours, daily_cap, photo, meeting_url, google_calendar_id) (line 21)"}},
		{name: "DuplicateKey", edits: []string{"  name: Test Atelier\n", "  name: Test Atelier\n  name: Again\n"},
			want: []string{"atelier.name: key given twice (first at line 3) (line 4)"}},
		{name: "NotANumber", extra: "booking: {horizon_days: soon}\n",
			want: []string{`booking.horizon_days: "soon" is not a whole number (line 22)`}},
		{name: "NotADuration", extra: "server: {read_timeout: 10 seconds}\n",
			want: []string{`server.read_timeout: "10 seconds" is not a duration such as 30s, 2m or 12h`}},
		{name: "NotAList", edits: []string{"modes: [in_person, virtual]", "modes: in_person"},
			want: []string{`services[0].modes: "in_person" is not a list`}},
		{name: "NotYAML", extra: "server: [\n",
			want: []string{"not valid YAML"}},
		{name: "BadTimeZone", edits: []string{"Europe/London", "Mars/Base"},
			want: []string{`atelier.timezone: unknown time zone "Mars/Base"`}},
		{name: "LocalTimeZone", edits: []string{"Europe/London", "Local"},
			want: []string{`atelier.timezone: unknown time zone "Local"`}},
		{name: "MissingTimeZone", edits: []string{"  timezone: Europe/London\n", ""},
			want: []string{"atelier.timezone: is required"}},
		{name: "BadClock", edits: []string{`"17:00"]]`, `"17:60"]]`},
			want: []string{`atelier.opening_hours.mon[0]: "17:60" is not a time of day (HH:MM)`}},
		{name: "SpanEndsBeforeStart", edits: []string{`mon: [["09:00", "17:00"]]`, `mon: ["18:00-10:00"]`},
			want: []string{`atelier.opening_hours.mon[0]: "18:00-10:00" ends before it starts (line 9)`}},
		{name: "EmptySpan", edits: []string{`mon: [["09:00", "17:00"]]`, `mon: ["10:00-10:00"]`},
			want: []string{`atelier.opening_hours.mon[0]: "10:00-10:00" is empty`}},
		{name: "OverlappingSpans", edits: []string{`"13:00-17:00"`, `"11:00-17:00"`},
			want: []string{`atelier.opening_hours.tue[1]: "11:00-17:00" overlaps tue[0] (09:00-12:00)`}},
		{name: "NotASpan", edits: []string{`"13:00-17:00"`, `["13:00", "14:00", "15:00"]`},
			want: []string{`atelier.opening_hours.tue[1]: a list of 3 values is not a span`}},
		{name: "DateHoursBadSpan", edits: []string{"  closures:\n", "  date_hours:\n    - {date: 2026-12-23, hours: [\"10:00-21:00\", \"20:00-22:00\"]}\n  closures:\n"},
			want: []string{`atelier.date_hours[0].hours[1]: "20:00-22:00" overlaps hours[0] (10:00-21:00)`}},
		{name: "DateHoursBadDate", edits: []string{"  closures:\n", "  date_hours:\n    - {date: 2026-12-32, hours: []}\n  closures:\n"},
			want: []string{`atelier.date_hours[0].date: `}},
		{name: "DateHoursTwice", edits: []string{"    services: [fitting]\n", "    services: [fitting]\n    date_hours:\n      - {date: 2026-12-23}\n      - {date: 2026-12-23, hours: [\"10:00-12:00\"]}\n"},
			want: []string{`artisans[0].date_hours[1].date: 2026-12-23 is given twice (also artisans[0].date_hours[0])`}},
		{name: "UnknownDay", edits: []string{"    mon:", "    monday:"},
			want: []string{`atelier.opening_hours.monday: unknown day "monday"`}},
		{name: "SameDayTwice", edits: []string{"    tue:", "    Mon: [\"18:00-19:00\"]\n    tue:"},
			want: []string{`atelier.opening_hours.mon: "mon" is the same day as "Mon" (give each day once)`}},
		{name: "ClosedEveryDay", edits: []string{`    mon: [["09:00", "17:00"]]` + "\n", "", `    tue: ["09:00-12:00", "13:00-17:00"]` + "\n", "    sat: []\n"},
			want: []string{"atelier.opening_hours: the atelier is closed every day"}},
		{name: "BadArtisanHours", edits: []string{"    services: [fitting]\n", "    services: [fitting]\n    working_hours: {wed: [\"12:00-09:00\"]}\n"},
			want: []string{`artisans[0].working_hours.wed[0]: "12:00-09:00" ends before it starts`}},
		{name: "ClosureEndsBeforeStart", edits: []string{"{from: 2026-12-25,", "{from: 2026-12-25, to: 2026-12-24,"},
			want: []string{"atelier.closures[0].to: 2026-12-24 is before from (2026-12-25)"}},
		{name: "ClosureBadDate", edits: []string{"2026-12-25", "2026-02-30"},
			want: []string{`atelier.closures[0].from: "2026-02-30" is not a date (YYYY-MM-DD)`}},
		{name: "DuplicateServiceID", edits: []string{"artisans:\n", "  - {id: fitting, name: Again, duration_minutes: 30, modes: [virtual]}\nartisans:\n"},
			want: []string{`services[1].id: duplicate id "fitting" (also services[0])`}},
		{name: "BadID", edits: []string{"id: room-a", "id: Room_A"},
			want: []string{`atelier.rooms[0].id: "Room_A" is not a valid id`}},
		{name: "LongID", edits: []string{"id: room-a", "id: " + strings.Repeat("a", 41)},
			want: []string{`atelier.rooms[0].id: "aaaa`}},
		{name: "NoModes", edits: []string{"modes: [in_person, virtual]", "modes: []"},
			want: []string{"services[0].modes: needs at least one of in_person, virtual"}},
		{name: "UnknownMode", edits: []string{"modes: [in_person, virtual]", "modes: [in_person, phone]"},
			want: []string{`services[0].modes[1]: unknown mode "phone"`}},
		{name: "DurationNotMultipleOf5", edits: []string{"duration_minutes: 30", "duration_minutes: 32"},
			want: []string{"services[0].duration_minutes: must be a positive multiple of 5 minutes"}},
		{name: "DurationZero", edits: []string{"duration_minutes: 30", "duration_minutes: 0"},
			want: []string{"services[0].duration_minutes: must be a positive multiple of 5 minutes"}},
		{name: "NegativeBuffer", edits: []string{"modes: [in_person, virtual]", "modes: [in_person, virtual]\n    buffers: {in_person: {before_minutes: -5}}"},
			want: []string{"services[0].buffers.in_person.before_minutes: must be between 0 and 1440 (got -5)"}},
		{name: "InPersonWithoutRooms", edits: []string{"    - {id: room-a, name: Room A}\n", "", "  rooms:\n", "  rooms: []\n"},
			want: []string{"services[0].modes: in_person needs at least one room in atelier.rooms"}},
		{name: "UnknownService", edits: []string{"services: [fitting]", "services: [fitting, ring-resizing]"},
			want: []string{`artisans[0].services[1]: unknown service "ring-resizing"`}},
		{name: "ServiceNobodyOffers", edits: []string{"artisans:\n", "  - {id: polishing, name: Polishing, duration_minutes: 30, modes: [virtual]}\nartisans:\n"},
			want: []string{`services[1].id: no artisan offers "polishing"`}},
		{name: "NegativeDailyCap", edits: []string{"    name: Ann\n", "    name: Ann\n    daily_cap: -1\n"},
			want: []string{"artisans[0].daily_cap: must be at least 0 (got -1)"}},
		{name: "NegativeNotice", extra: "booking: {min_notice_minutes: -60}\n",
			want: []string{"booking.min_notice_minutes: must be at least 0 (got -60)"}},
		{name: "HorizonTooLong", extra: "booking: {horizon_days: 731}\n",
			want: []string{"booking.horizon_days: must be between 1 and 730 (got 731)"}},
		{name: "HorizonZero", extra: "booking: {horizon_days: 0}\n",
			want: []string{"booking.horizon_days: must be between 1 and 730 (got 0)"}},
		{name: "SlotIntervalNotDividingDay", extra: "booking: {slot_interval_minutes: 25}\n",
			want: []string{"booking.slot_interval_minutes: must divide a day evenly and be between 5 and 240"}},
		{name: "SlotIntervalTooLong", extra: "booking: {slot_interval_minutes: 360}\n",
			want: []string{"booking.slot_interval_minutes: must divide a day evenly"}},
		{name: "BadTLS", extra: "mail: {smtp: {tls: ssl}}\n",
			want: []string{`mail.smtp.tls: "ssl" is not one of starttls, tls, none`}},
		{name: "BadFrom", extra: "mail: {from: bookings}\n",
			want: []string{`mail.from: "bookings" is not an e-mail address`}},
		{name: "BadAdminEmail", extra: "mail: {admin_emails: [ok@example.com, nope]}\n",
			want: []string{`mail.admin_emails[1]: "nope" is not an e-mail address`}},
		{name: "BadIDNAdminEmail", extra: "mail: {admin_emails: [\"ann@-bücher.de\"]}\n",
			want: []string{`mail.admin_emails[0]: "ann@-bücher.de": "-bücher.de" is not a valid domain name`}},
		{name: "BadIDNFrom", extra: "mail: {from: \"Atelier <a@bü_cher.de>\"}\n",
			want: []string{`mail.from: "Atelier <a@bü_cher.de>": "bü_cher.de" is not a valid domain name`}},
		{name: "UTF8LocalWithoutSMTPUTF8", extra: "mail: {from: \"Atelier <zoë@example.com>\", smtp: {host: smtp.example.com}}\n",
			want: []string{`mail.from: "zoë@example.com" has non-ASCII letters before the @, which only an SMTP server with SMTPUTF8 takes`}},
		{name: "UTF8LocalArtisanWithoutSMTPUTF8", edits: []string{"    name: Ann\n", "    name: Ann\n    email: \"zoë@example.com\"\n"},
			extra: "mail: {smtp: {host: smtp.example.com}}\n",
			want:  []string{`artisans[0].email: "zoë@example.com" has non-ASCII letters before the @`}},
		{name: "BadGoogleAuth", extra: "google_calendar: {auth: apikey}\n",
			want: []string{`google_calendar.auth: "apikey" is not one of service_account, oauth, none`}},
		{name: "GoogleAuthNoneWithoutEndpoint", extra: "google_calendar: {auth: none}\n",
			want: []string{"google_calendar.auth: none is only allowed with google_calendar.endpoint set"}},
		{name: "GoogleEnabledWithoutKey", extra: "google_calendar: {enabled: true}\n",
			want: []string{"google_calendar.service_account_key_file: is required"}},
		{name: "PublicURLRelative", extra: "server: {public_url: /atelier}\n",
			want: []string{`server.public_url: "/atelier" is not an absolute http(s) URL`}},
		{name: "PublicURLNotHTTP", extra: "server: {public_url: \"ftp://example.com\"}\n",
			want: []string{`server.public_url: "ftp://example.com" is not an absolute http(s) URL`}},
		{name: "BadTrustedProxy", extra: "server: {trusted_proxies: [10.0.0.0/8, proxy.local]}\n",
			want: []string{`server.trusted_proxies[1]: "proxy.local" is not an IP address or CIDR`}},
		{name: "BadAddr", extra: "server: {addr: 8080}\n",
			want: []string{`server.addr: "8080" is not host:port`}},
		{name: "BadLogFormat", extra: "log: {format: xml}\n",
			want: []string{`log.format: "xml" is not one of text, json`}},
		{name: "NegativeTimeout", extra: "server: {write_timeout: -1s}\n",
			want: []string{"server.write_timeout: must be a positive duration"}},
		{name: "StaticMeetingsNeedURL", extra: "meetings: {provider: static}\n",
			want: []string{`artisans[0].meeting_url: is required with meetings.provider static`}},
		{name: "MissingAddressForVisits", edits: []string{"  address: 1 High Street\n", ""},
			want: []string{"atelier.address: is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := edit(t, tt.edits...) + tt.extra
			_, err := config.Parse([]byte(data))
			if err == nil {
				t.Fatalf("Parse accepted the file:\n%s", data)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			// One problem per mistake: no noise that follows from it.
			if len(ce.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(ce.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

func TestEveryProblemReported(t *testing.T) {
	data := edit(t,
		"Europe/London", "Mars/Base",
		`mon: [["09:00", "17:00"]]`, `mon: ["18:00-10:00"]`,
		"services: [fitting]", "services: [fitting, ring-resizing]",
		"    name: Ann\n", "    name: Ann\n    colour: red\n",
	) + "booking: {horizon_days: 0}\n"
	_, err := config.Parse([]byte(data))
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	var paths []string
	for _, p := range ce.Problems {
		paths = append(paths, p.Path)
	}
	// In file order.
	want := []string{"atelier.timezone", "atelier.opening_hours.mon[0]", "artisans[0].colour", "artisans[0].services[1]", "booking.horizon_days"}
	if !slices.Equal(paths, want) {
		t.Errorf("problems at %q, want %q\n%v", paths, want, err)
	}
	for _, p := range ce.Problems {
		if p.Line == 0 {
			t.Errorf("%s: no line number", p.Path)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()

	t.Run("Valid", func(t *testing.T) {
		path := filepath.Join(dir, "ok.yaml")
		if err := os.WriteFile(path, []byte(minimal), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if c.Atelier.Name != "Test Atelier" {
			t.Errorf("name = %q", c.Atelier.Name)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(edit(t, "Europe/London", "Mars/Base")), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path)
		want := path + `: atelier.timezone: unknown time zone "Mars/Base"`
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("err = %v, want it to start with %s", err, want)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		path := filepath.Join(dir, "absent.yaml")
		_, err := config.Load(path)
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("err = %v, want not-exist naming %s", err, path)
		}
	})
}

func TestTrustedProxies(t *testing.T) {
	c := MustParse(t, minimal+"server: {trusted_proxies: [10.1.2.3/8, 192.168.0.7, \"::1\"]}\n")
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.0.7/32"),
		netip.MustParsePrefix("::1/128"),
	}
	if !slices.Equal(c.Server.TrustedPrefixes, want) {
		t.Errorf("prefixes = %v, want %v", c.Server.TrustedPrefixes, want)
	}
}

func TestPublicURL(t *testing.T) {
	c := MustParse(t, minimal+"server: {public_url: \"https://book.example.com/\"}\n")
	if c.Server.PublicURL != "https://book.example.com" || !c.Server.Secure() {
		t.Errorf("public_url = %q secure=%v, want no trailing slash and secure", c.Server.PublicURL, c.Server.Secure())
	}
}

func TestCatalogOfInvalidConfig(t *testing.T) {
	c := MustParse(t, minimal)
	c.Artisans[0].Services = append(c.Artisans[0].Services, "engraving")
	_, err := c.Catalog()
	if err == nil || !strings.Contains(err.Error(), `artisans[0].services[1]: unknown service "engraving"`) {
		t.Errorf("err = %v, want the unknown service named", err)
	}
}

func TestCatalogIsACopy(t *testing.T) {
	c := MustParse(t, minimal)
	first := MustCatalog(t, c)
	first.Atelier.Hours[time.Monday][0].End = 0
	first.Services[0].Artisans[0] = "someone"
	second := MustCatalog(t, c)
	if got := second.Atelier.Hours.On(time.Monday)[0].String(); got != "09:00-17:00" {
		t.Errorf("Monday = %s after changing an earlier catalogue", got)
	}
	if got := second.Services[0].Artisans[0]; got != "ann" {
		t.Errorf("artisan = %s after changing an earlier catalogue", got)
	}
}

// TestSenderIsOrganizer: the sender of the mails and the ORGANIZER of the
// invitations (the atelier's address) are one address unless the file
// says otherwise, and then the start-up log says why that is a mistake.
func TestSenderIsOrganizer(t *testing.T) {
	for _, tc := range []struct {
		name             string
		extra            string
		edits            []string
		wantFrom         string
		wantAtelierEmail string
		warn             bool
	}{
		{name: "FromDefaultsToAtelier", edits: []string{"  address: 1 High Street\n", "  address: 1 High Street\n  email: hello@test.example\n"},
			wantFrom: `"Test Atelier" <hello@test.example>`, wantAtelierEmail: "hello@test.example"},
		{name: "AtelierDefaultsToFrom", extra: "mail: {from: \"Test Atelier <desk@test.example>\"}\n",
			wantFrom: "Test Atelier <desk@test.example>", wantAtelierEmail: "desk@test.example"},
		{name: "Neither", wantFrom: "Atelier <bookings@example.com>", wantAtelierEmail: "bookings@example.com"},
		{name: "SameAddress", edits: []string{"  address: 1 High Street\n", "  address: 1 High Street\n  email: Hello@Test.example\n"},
			extra: "mail: {from: \"Test Atelier <hello@test.example>\"}\n", wantFrom: "Test Atelier <hello@test.example>", wantAtelierEmail: "Hello@Test.example"},
		{name: "DifferentAddresses", edits: []string{"  address: 1 High Street\n", "  address: 1 High Street\n  email: hello@test.example\n"},
			extra: "mail: {from: \"Test Atelier <bookings@test.example>\"}\n", wantFrom: "Test Atelier <bookings@test.example>", wantAtelierEmail: "hello@test.example", warn: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := MustParse(t, edit(t, tc.edits...)+tc.extra)
			if c.Mail.From != tc.wantFrom {
				t.Errorf("mail.from = %q, want %q", c.Mail.From, tc.wantFrom)
			}
			if got := MustCatalog(t, c).Atelier.Email; got != tc.wantAtelierEmail {
				t.Errorf("the atelier's (organizer's) address = %q, want %q", got, tc.wantAtelierEmail)
			}
			w := c.Warnings()
			if got := len(w) > 0; got != tc.warn {
				t.Errorf("warnings = %q, want a warning %v", w, tc.warn)
			}
			if tc.warn && !strings.Contains(w[0], "ORGANIZER") {
				t.Errorf("warning %q does not say why", w[0])
			}
		})
	}
}

// TestSMTPUTF8 decides where addresses with non-ASCII local parts can go:
// into the .eml folder always, by SMTP only with mail.smtp.smtputf8.
func TestSMTPUTF8(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra string
		want  bool
	}{
		{"Outbox", "", true},
		{"SMTP", "mail: {smtp: {host: smtp.example.com}}\n", false},
		{"SMTPWithSMTPUTF8", "mail: {smtp: {host: smtp.example.com, smtputf8: true}}\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MustParse(t, minimal+tc.extra).Mail.UTF8LocalParts(); got != tc.want {
				t.Errorf("UTF8LocalParts = %v, want %v", got, tc.want)
			}
		})
	}
	// With it, configured addresses may have them too.
	MustParse(t, minimal+"mail: {from: \"Atelier <zoë@example.com>\", smtp: {host: smtp.example.com, smtputf8: true}}\n")
}

// privacy.retention_years is 7 by default, 0 keeps the data, and a
// negative or absurd value is refused.
func TestPrivacyRetention(t *testing.T) {
	base := minimal
	cfg, err := config.Parse([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Privacy.RetentionYears != 7 {
		t.Errorf("default retention %d, want 7", cfg.Privacy.RetentionYears)
	}
	if cfg, err := config.Parse([]byte(base + "\nprivacy:\n  retention_years: 0\n")); err != nil || cfg.Privacy.RetentionYears != 0 {
		t.Errorf("retention 0: %v", err)
	}
	_, err = config.Parse([]byte(base + "\nprivacy:\n  retention_years: -1\n"))
	if err == nil || !strings.Contains(err.Error(), "privacy.retention_years") {
		t.Errorf("retention -1: %v", err)
	}
}
