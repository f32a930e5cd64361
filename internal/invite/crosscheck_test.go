package invite_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/invite"
)

// The invites and feeds are read back by two independent parsers:
// python3-icalendar (.ci/check-ics.py) and ical.js, the parser of
// Thunderbird and Nextcloud Calendar (testdata/check-icaljs.mjs). Both
// check the same files against the same manifest of what a reader must
// see in them.

const python = "/usr/bin/python3"

// requirePython skips the test when python3-icalendar is missing, unless
// ATELIER_REQUIRE_PYTHON_ICS=1 (as in CI), where a missing parser fails.
func requirePython(tb testing.TB) {
	tb.Helper()
	err := exec.Command(python, "-c", "import icalendar").Run()
	if err == nil {
		return
	}
	if os.Getenv("ATELIER_REQUIRE_PYTHON_ICS") == "1" {
		tb.Fatalf("ATELIER_REQUIRE_PYTHON_ICS=1 but %s cannot import icalendar: %v", python, err)
	}
	tb.Skipf("%s with icalendar not available: %v", python, err)
}

// requireICALJS returns node's path, or skips the test when node or
// testdata/node_modules/ical.js is missing, unless ATELIER_REQUIRE_ICALJS=1
// (as in CI, which runs npm ci first), where it fails.
func requireICALJS(tb testing.TB) string {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("testdata", "node_modules", "ical.js", "package.json"))
	}
	if err == nil {
		return node
	}
	if os.Getenv("ATELIER_REQUIRE_ICALJS") == "1" {
		tb.Fatalf("ATELIER_REQUIRE_ICALJS=1 but node or ical.js is missing (npm ci --prefix internal/invite/testdata): %v", err)
	}
	tb.Skipf("node or ical.js not available (npm ci --prefix internal/invite/testdata): %v", err)
	return ""
}

func runCheck(tb testing.TB, args ...string) (string, error) {
	tb.Helper()
	script, err := filepath.Abs("../../.ci/check-ics.py")
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(python, append([]string{script}, args...)...).CombinedOutput()
	return string(out), err
}

func runICALJS(tb testing.TB, node string, args ...string) (string, error) {
	tb.Helper()
	out, err := exec.Command(node, append([]string{filepath.Join("testdata", "check-icaljs.mjs")}, args...)...).CombinedOutput()
	return string(out), err
}

func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// expect is one manifest entry: a file and what its reader must see.
type expect struct {
	Path   string                       `json:"path"`
	RSVP   bool                         `json:"rsvp"`
	Events int                          `json:"events"`
	People map[string]map[string]string `json:"people,omitempty"` // UID → organizer/attendee CN, conference label
	Zone   *expectZone                  `json:"zone,omitempty"`
}

type expectZone struct {
	TZID string `json:"tzid"`
	// Samples are [unix time, UTC offset in seconds, 1 if that local
	// time occurs once (not in the hour a change repeats or skips)].
	Samples [][3]int64 `json:"samples"`
}

// zoneSamples are Go's offsets of loc every three hours of [from, to] and
// on both sides of every change.
func zoneSamples(loc *time.Location, from, to time.Time) [][3]int64 {
	offset := func(t time.Time) int {
		_, off := t.In(loc).Zone()
		return off
	}
	var out [][3]int64
	add := func(t time.Time) {
		off := offset(t)
		// The local time t shows, and how many instants show it.
		wall := t.Add(time.Duration(off) * time.Second)
		seen := map[int]bool{}
		for _, o := range []int{offset(t.Add(-24 * time.Hour)), off, offset(t.Add(24 * time.Hour))} {
			if offset(wall.Add(-time.Duration(o)*time.Second)) == o {
				seen[o] = true
			}
		}
		unique := int64(0)
		if len(seen) == 1 {
			unique = 1
		}
		out = append(out, [3]int64{t.Unix(), int64(off), unique})
	}
	for t := from; !t.After(to); t = t.Add(3 * time.Hour) {
		next := t.Add(3 * time.Hour)
		add(t)
		if a := offset(t); a != offset(next) {
			lo, hi := t, next
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
				if offset(mid) == a {
					lo = mid
				} else {
					hi = mid
				}
			}
			add(lo)
			add(hi)
		}
	}
	return out
}

// people is what a reader must show for d: the CNs as they were meant
// (a double quote, which a parameter cannot hold, becomes a single one).
func people(d invite.Details) map[string]map[string]string {
	p := map[string]string{
		"organizer": strings.ReplaceAll(d.Atelier.Name, `"`, `'`),
		"attendee":  strings.ReplaceAll(d.Booking.Customer.Name, `"`, `'`),
	}
	if d.Booking.Mode == booking.Virtual {
		p["label"] = "Video call"
	}
	return map[string]map[string]string{invite.UID(d.Booking.ID, d.PublicURL): p}
}

// MustSamples writes the sample invites and feeds into dir and returns
// the manifest.
func MustSamples(t *testing.T, dir string) []expect {
	t.Helper()
	var m []expect
	tricky := MustDetails(t, booking.Virtual)
	tricky.Booking.ID = "bk_tricky"
	tricky.Booking.Customer.Name = `Zoë "Nan" O'Neil^n, Jr.; 💍 ^^ a^b ^`
	tricky.Atelier.Name = `Maison "Lumière" ^' & Fils`
	tricky.ServiceName = strings.Repeat("Création sur mesure ✨ ", 6)
	rsvp := MustDetails(t, booking.InPerson)
	rsvp.RSVP = true
	for name, d := range map[string]invite.Details{
		"in-person.ics": MustDetails(t, booking.InPerson),
		"virtual.ics":   MustDetails(t, booking.Virtual),
		"tricky.ics":    tricky,
		"rsvp.ics":      rsvp,
	} {
		for _, cancel := range []bool{false, true} {
			if cancel {
				d.Booking.Status, d.Booking.Sequence = booking.Cancelled, 1
				name = "cancel-" + name
			}
			raw, err := invite.Build(d)
			if err != nil {
				t.Fatal(err)
			}
			m = append(m, expect{Path: writeFile(t, dir, name, raw), RSVP: d.RSVP, Events: 1, People: people(d)})
		}
	}

	// Discreet bookings (a surprise): a reader shows the title and the
	// description as written, naming no service, piece or stone.
	for _, tc := range []struct{ lang, title string }{{"en", "Appointment at Maison Lumière"}, {"zh-Hans", "Maison Lumière的预约"}} {
		d := discreetDetails(t, booking.InPerson, tc.lang)
		raw, _, ev := MustBuild(t, d)
		desc, _ := ev.Props.Text(ical.PropDescription)
		for _, w := range giveaways {
			if strings.Contains(desc, w) {
				t.Fatalf("discreet %s DESCRIPTION holds %q", tc.lang, w)
			}
		}
		ps := people(d)
		for _, p := range ps {
			p["summary"], p["description"] = tc.title, desc
		}
		m = append(m, expect{Path: writeFile(t, dir, "discreet-"+tc.lang+".ics", raw), Events: 1, People: ps})
	}

	// A booking of two artisans together: the title and the description
	// name both, and a reader shows them as written.
	team := MustDetails(t, booking.InPerson)
	team.Booking.ID, team.Booking.Artisans = "bk_team", []string{"mei", "arjun"}
	team.ArtisanName = "Tan Mei Ling and Arjun Nair"
	raw, _, ev := MustBuild(t, team)
	summary, _ := ev.Props.Text(ical.PropSummary)
	desc, _ := ev.Props.Text(ical.PropDescription)
	for _, name := range []string{"Tan Mei Ling", "Arjun Nair"} {
		if !strings.Contains(summary, name) || !strings.Contains(desc, name) {
			t.Fatalf("the team's invite does not name %s: SUMMARY %q DESCRIPTION %q", name, summary, desc)
		}
	}
	ps := people(team)
	for _, p := range ps {
		p["summary"], p["description"] = summary, desc
	}
	m = append(m, expect{Path: writeFile(t, dir, "team.ics", raw), Events: 1, People: ps})

	info := MustFeedInfo(t, "Mei")
	feedEvents := []invite.Details{MustDetails(t, booking.InPerson), tricky}
	tricky.Booking.Status = booking.Confirmed
	feed, err := invite.Feed(info, feedEvents)
	if err != nil {
		t.Fatal(err)
	}
	ps = people(feedEvents[0])
	for k, v := range people(feedEvents[1]) {
		ps[k] = v
	}
	m = append(m, expect{Path: writeFile(t, dir, "feed.ics", feed), Events: 2, People: ps,
		Zone: &expectZone{"Asia/Singapore", zoneSamples(info.Location, info.From, info.To)}})

	// A feed with no bookings, in every shape of zone.
	for _, tc := range zoneCases {
		loc, from, to, raw, _ := feedZone(t, tc.zone, tc.from, tc.to)
		name := "empty-" + strings.ReplaceAll(tc.zone, "/", "_") + "-" + tc.from[:4] + ".ics"
		m = append(m, expect{Path: writeFile(t, dir, name, raw), Events: 0,
			Zone: &expectZone{tc.zone, zoneSamples(loc, from, to)}})
	}
	return m
}

func writeManifest(t *testing.T, dir string, m []expect) string {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, "manifest.json", data)
}

// TestCrossCheck has python3-icalendar read the sample invites and feeds.
func TestCrossCheck(t *testing.T) {
	requirePython(t)
	dir := t.TempDir()
	manifest := writeManifest(t, dir, MustSamples(t, dir))
	if out, err := runCheck(t, "--manifest", manifest); err != nil {
		t.Errorf("check-ics.py: %v\n%s", err, out)
	}

	// The checker itself must catch what it is there to catch.
	t.Run("CatchesBadInvite", func(t *testing.T) {
		raw, err := invite.Build(MustDetails(t, booking.InPerson))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(raw), "\r\n ", "") // unfolded: long lines
		s = strings.Replace(s, "DTSTART:20261201T020000Z", "DTSTART;TZID=Asia/Singapore:20261201T100000", 1)
		s = strings.Replace(s, "METHOD:REQUEST", "METHOD:CANCEL", 1)
		s = strings.Replace(s, "PARTSTAT=NEEDS-ACTION", "PARTSTAT=NEEDS-ACTION;RSVP=TRUE", 1)
		bad := writeFile(t, t.TempDir(), "bad.ics", []byte(s))
		out, err := runCheck(t, bad)
		if err == nil {
			t.Fatalf("check-ics.py accepted a bad invite:\n%s", out)
		}
		for _, want := range []string{"octets", "DTSTART has a TZID", "METHOD:CANCEL with STATUS", "RSVP=TRUE"} {
			if !strings.Contains(out, want) {
				t.Errorf("check-ics.py output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("CatchesBadFeed", func(t *testing.T) {
		m, dir := catchesBadFeed(t)
		out, err := runCheck(t, "--manifest", writeManifest(t, dir, m))
		if err == nil {
			t.Fatalf("check-ics.py accepted bad feeds:\n%s", out)
		}
		for _, want := range []string{"no component", "REFRESH-INTERVAL without VALUE=DURATION", "VTIMEZONE Europe/Berlin at", "ATTENDEE reads"} {
			if !strings.Contains(out, want) {
				t.Errorf("check-ics.py output lacks %q:\n%s", want, out)
			}
		}
	})
}

// TestCrossCheckICALJS has ical.js read the same samples: the parsed
// structure, the RFC 6868 decoding of names, and the offsets its own
// VTIMEZONE engine computes from ours.
func TestCrossCheckICALJS(t *testing.T) {
	node := requireICALJS(t)
	dir := t.TempDir()
	manifest := writeManifest(t, dir, MustSamples(t, dir))
	if out, err := runICALJS(t, node, manifest); err != nil {
		t.Errorf("check-icaljs.mjs: %v\n%s", err, out)
	}

	t.Run("CatchesBadFeed", func(t *testing.T) {
		m, dir := catchesBadFeed(t)
		out, err := runICALJS(t, node, writeManifest(t, dir, m))
		if err == nil {
			t.Fatalf("check-icaljs.mjs accepted bad feeds:\n%s", out)
		}
		for _, want := range []string{"no component", "REFRESH-INTERVAL without VALUE=DURATION", "VTIMEZONE Europe/Berlin at", "ATTENDEE reads"} {
			if !strings.Contains(out, want) {
				t.Errorf("check-icaljs.mjs output lacks %q:\n%s", want, out)
			}
		}
	})
}

// catchesBadFeed writes feeds with the defects the checkers must see: no
// component, REFRESH-INTERVAL without VALUE, a VTIMEZONE with the wrong
// rule and a name whose caret was not escaped.
func catchesBadFeed(t *testing.T) ([]expect, string) {
	t.Helper()
	dir := t.TempDir()
	info := MustFeedInfo(t, "Mei")
	d := MustDetails(t, booking.InPerson)
	d.Booking.Customer.Name = "Anna^nLee"
	raw, err := invite.Feed(info, []invite.Details{d})
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), "REFRESH-INTERVAL;VALUE=DURATION:", "REFRESH-INTERVAL:", 1)
	s = strings.Replace(s, "Anna^^nLee", "Anna^nLee", 1)
	unescaped := writeFile(t, dir, "unescaped.ics", []byte(s))

	empty := writeFile(t, dir, "empty.ics", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n"))

	loc, from, to, zraw, _ := feedZone(t, "Europe/Berlin", "2026-11-01", "2027-12-01")
	wrong := strings.Replace(string(zraw), "BYMONTH=3;BYDAY=-1SU", "BYMONTH=3;BYDAY=2SU", 1)
	if wrong == string(zraw) {
		t.Fatalf("Berlin's VTIMEZONE has no last-Sunday-of-March rule:\n%s", zraw)
	}
	berlin := writeFile(t, dir, "berlin.ics", []byte(wrong))

	return []expect{
		{Path: unescaped, Events: 1, People: map[string]map[string]string{
			invite.UID(d.Booking.ID, d.PublicURL): {"attendee": "Anna^nLee"}}},
		{Path: empty, Events: 0},
		{Path: berlin, Events: 0, Zone: &expectZone{"Europe/Berlin", zoneSamples(loc, from, to)}},
	}, dir
}
