package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/invite"
)

const feedPublicURL = "https://atelier.example"

// FeedLink is the answer to POST .../feed.
type FeedLink struct {
	URL    string `json:"url"`
	Webcal string `json:"webcal"`
}

// MustFeedLink makes (or rotates) the feed at path as the holder of cookie.
func (e *StaffEnv) MustFeedLink(tb testing.TB, cookie, path string) FeedLink {
	tb.Helper()
	r := e.Do(tb, cookie, http.MethodPost, path, nil)
	if r.Status != http.StatusCreated {
		tb.Fatalf("POST %s: status %d, body %s", path, r.Status, r.Body)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("POST %s: Cache-Control %q, want no-store", path, got)
	}
	var l FeedLink
	r.JSON(tb, &l)
	return l
}

// Fetch GETs a feed URL as a calendar client would: no cookie.
func (e *StaffEnv) Fetch(tb testing.TB, url string, headers ...string) Response {
	tb.Helper()
	path, ok := strings.CutPrefix(url, feedPublicURL)
	if !ok {
		tb.Fatalf("feed URL %q is not under %s", url, feedPublicURL)
	}
	return e.Do(tb, "", http.MethodGet, path, nil, headers...)
}

// MustFeed fetches url, checks the headers of a feed and returns its events
// by UID, parsed with go-ical.
func (e *StaffEnv) MustFeed(tb testing.TB, url string) (map[string]ical.Event, Response) {
	tb.Helper()
	r := e.Fetch(tb, url)
	if r.Status != http.StatusOK {
		tb.Fatalf("GET %s: status %d, body %s", url, r.Status, r.Body)
	}
	for name, want := range map[string]string{
		"Content-Type":  "text/calendar; charset=utf-8",
		"Cache-Control": "private, max-age=300",
	} {
		if got := r.Header.Get(name); got != want {
			tb.Errorf("feed %s = %q, want %q", name, got, want)
		}
	}
	if etag := r.Header.Get("ETag"); !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		tb.Errorf("feed ETag = %q, want a strong quoted tag", etag)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(r.Body)).Decode()
	if err != nil {
		tb.Fatalf("parse feed: %v\n%s", err, r.Body)
	}
	if m := cal.Props.Get(ical.PropMethod); m != nil {
		tb.Errorf("feed has METHOD:%s; a subscription must have none", m.Value)
	}
	events := map[string]ical.Event{}
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text(ical.PropUID)
		if err != nil {
			tb.Fatal(err)
		}
		events[uid] = ev
	}
	return events, r
}

func mustRFC3339(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func uidOf(b Booking) string { return invite.UID(b.ID, feedPublicURL) }

func wantGone(tb testing.TB, e *StaffEnv, url string) {
	tb.Helper()
	r := e.Fetch(tb, url)
	if r.Status != http.StatusNotFound {
		tb.Fatalf("GET old feed URL: status %d, want 404", r.Status)
	}
	r.Problem(tb)
}

func TestFeed(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	adminC, meiC, arjunC := e.MustLogin(t, e.Admin), e.MustLogin(t, e.Mei), e.MustLogin(t, e.Arjun)

	visit := e.MustStaffBook(t, adminC, Request("2026-12-02T10:00:00+08:00"))
	call := e.MustStaffBook(t, adminC, VirtualRequest("2026-12-03T12:00:00+08:00", "mei"))
	cancelled := e.MustStaffBook(t, adminC, Request("2026-12-04T10:00:00+08:00"))
	if r := e.Do(t, adminC, http.MethodPost, "/api/v1/staff/bookings/"+cancelled.ID+"/cancel", nil); r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	arjuns := e.MustStaffBook(t, adminC, VirtualRequest("2026-12-02T10:00:00+08:00", "arjun"))

	mei := e.MustFeedLink(t, meiC, "/api/v1/staff/artisans/mei/feed")
	if !strings.HasPrefix(mei.URL, feedPublicURL+"/feeds/") || !strings.HasSuffix(mei.URL, ".ics") {
		t.Errorf("url = %q, want %s/feeds/….ics", mei.URL, feedPublicURL)
	}
	if want := "webcal://" + strings.TrimPrefix(mei.URL, "https://"); mei.Webcal != want {
		t.Errorf("webcal = %q, want %q", mei.Webcal, want)
	}
	token := strings.TrimSuffix(strings.TrimPrefix(mei.URL, feedPublicURL+"/feeds/"), ".ics")
	if len(token) < 22 { // 128 bits in base64url
		t.Errorf("token %q is shorter than 128 bits", token)
	}

	events, r := e.MustFeed(t, mei.URL)
	t.Run("OwnConfirmedBookingsOnly", func(t *testing.T) {
		for _, b := range []Booking{visit, call} {
			if _, ok := events[uidOf(b)]; !ok {
				t.Errorf("mei's feed lacks booking %s (UID %s)", b.ID, uidOf(b))
			}
		}
		if _, ok := events[uidOf(cancelled)]; ok {
			t.Errorf("mei's feed still lists cancelled booking %s", cancelled.ID)
		}
		if _, ok := events[uidOf(arjuns)]; ok {
			t.Errorf("mei's feed lists arjun's booking %s", arjuns.ID)
		}
		if len(events) != 2 {
			t.Errorf("mei's feed has %d events, want 2", len(events))
		}
	})
	t.Run("EventContent", func(t *testing.T) {
		ev := events[uidOf(visit)]
		summary, _ := ev.Props.Text(ical.PropSummary)
		if !strings.Contains(summary, "Ana Lim") || !strings.Contains(summary, "Bespoke design consultation") {
			t.Errorf("SUMMARY = %q, want the service and the customer's name", summary)
		}
		loc, _ := ev.Props.Text(ical.PropLocation)
		if !strings.Contains(loc, "Salon") || !strings.Contains(loc, "1 Test Street") {
			t.Errorf("LOCATION = %q, want the room and the address", loc)
		}
		start, err := ev.DateTimeStart(nil)
		if err != nil || !start.Equal(mustRFC3339(t, visit.Start)) {
			t.Errorf("DTSTART = %v (%v), want %s", start, err, visit.Start)
		}
		desc, _ := events[uidOf(call)].Props.Text(ical.PropDescription)
		if !strings.Contains(desc, "Virtual consultation") {
			t.Errorf("virtual DESCRIPTION = %q, want the mode", desc)
		}
	})
	t.Run("NoPhoneOrNotes", func(t *testing.T) {
		unfolded := strings.ReplaceAll(string(r.Body), "\r\n ", "")
		for _, secret := range []string{"+65 9123 4567", "9123", "sapphire", "engagement ring"} {
			if strings.Contains(unfolded, secret) {
				t.Errorf("feed contains %q", secret)
			}
		}
	})
	t.Run("ETag", func(t *testing.T) {
		etag := r.Header.Get("ETag")
		again := e.Fetch(t, mei.URL)
		if got := again.Header.Get("ETag"); got != etag || !bytes.Equal(again.Body, r.Body) {
			t.Fatalf("unchanged feed: ETag %s then %s, or body changed", etag, got)
		}
		nm := e.Fetch(t, mei.URL, "If-None-Match", etag)
		if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Errorf("If-None-Match with the current ETag: status %d, %d bytes; want 304, empty", nm.Status, len(nm.Body))
		}
		if got := nm.Header.Get("ETag"); got != etag {
			t.Errorf("304 ETag = %q, want %q", got, etag)
		}
		// A new booking changes the feed: the old tag no longer matches.
		extra := e.MustStaffBook(t, adminC, Request("2026-12-05T15:00:00+08:00"))
		changed := e.Fetch(t, mei.URL, "If-None-Match", etag)
		if changed.Status != http.StatusOK || changed.Header.Get("ETag") == etag {
			t.Fatalf("after a new booking: status %d, ETag %s (old %s); want 200 and a new tag",
				changed.Status, changed.Header.Get("ETag"), etag)
		}
		if !strings.Contains(strings.ReplaceAll(string(changed.Body), "\r\n ", ""), uidOf(extra)) {
			t.Errorf("the changed feed lacks the new booking %s", extra.ID)
		}
	})
	t.Run("OtherArtisanCannotMakeIt", func(t *testing.T) {
		if r := e.Do(t, arjunC, http.MethodPost, "/api/v1/staff/artisans/mei/feed", nil); r.Status != http.StatusForbidden {
			t.Errorf("arjun making mei's feed: status %d, want 403", r.Status)
		}
		e.MustFeed(t, mei.URL) // and mei's URL still works
	})
	t.Run("AdminFeedHasEveryone", func(t *testing.T) {
		all := e.MustFeedLink(t, adminC, "/api/v1/staff/feed")
		events, _ := e.MustFeed(t, all.URL)
		for _, b := range []Booking{visit, call, arjuns} {
			if _, ok := events[uidOf(b)]; !ok {
				t.Errorf("the atelier feed lacks booking %s of %s", b.ID, b.Artisan)
			}
		}
		if _, ok := events[uidOf(cancelled)]; ok {
			t.Errorf("the atelier feed lists cancelled booking %s", cancelled.ID)
		}
		if r := e.Do(t, adminC, http.MethodDelete, "/api/v1/staff/feed", nil); r.Status != http.StatusNoContent {
			t.Fatalf("revoke the atelier feed: %d %s", r.Status, r.Body)
		}
		wantGone(t, e, all.URL)
	})
	t.Run("RotateAndRevoke", func(t *testing.T) {
		rotated := e.MustFeedLink(t, adminC, "/api/v1/staff/artisans/mei/feed")
		if rotated.URL == mei.URL {
			t.Fatal("rotation returned the same URL")
		}
		wantGone(t, e, mei.URL)
		e.MustFeed(t, rotated.URL)
		if r := e.Do(t, meiC, http.MethodDelete, "/api/v1/staff/artisans/mei/feed", nil); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		wantGone(t, e, rotated.URL)
	})
	t.Run("UnknownToken", func(t *testing.T) {
		for _, path := range []string{"/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "/feeds/x.ics"} {
			r := e.Do(t, "", http.MethodGet, path, nil)
			if r.Status != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, r.Status)
			}
			r.Problem(t)
		}
	})
	t.Run("UnknownArtisan", func(t *testing.T) {
		if r := e.Do(t, adminC, http.MethodPost, "/api/v1/staff/artisans/zoe/feed", nil); r.Status != http.StatusNotFound {
			t.Errorf("feed of an unknown artisan: status %d, want 404", r.Status)
		}
	})
}

// TestFeedCrossCheck has an independent parser (python3-icalendar,
// through .ci/check-ics.py) read a feed fetched over HTTP.
func TestFeedCrossCheck(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import icalendar").Run(); err != nil {
		if os.Getenv("ATELIER_REQUIRE_PYTHON_ICS") == "1" {
			t.Fatalf("ATELIER_REQUIRE_PYTHON_ICS=1 but %s cannot import icalendar: %v", python, err)
		}
		t.Skipf("%s with icalendar not available: %v", python, err)
	}
	e := MustOpenStaffEnv(t, StaffOptions{})
	adminC := e.MustLogin(t, e.Admin)
	tricky := Request("2026-12-02T10:00:00+08:00")
	tricky["customer"] = map[string]any{"name": `Zoë "Nan" O'Neil, Jr.; 💍`, "email": "zoe@example.com"}
	e.MustStaffBook(t, adminC, tricky)
	e.MustStaffBook(t, adminC, VirtualRequest("2026-12-03T12:00:00+08:00", "arjun"))
	l := e.MustFeedLink(t, adminC, "/api/v1/staff/feed")
	_, r := e.MustFeed(t, l.URL)

	file := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(file, r.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../../.ci/check-ics.py")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(python, script, file).CombinedOutput(); err != nil {
		t.Errorf("check-ics.py: %v\n%s\n%s", err, out, r.Body)
	}
}

// TestStaffClosures lists closures with their ids, and deletes one by the
// id found in the list.
func TestStaffClosures(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	adminC, meiC := e.MustLogin(t, e.Admin), e.MustLogin(t, e.Mei)
	if r := e.Do(t, adminC, http.MethodPost, "/api/v1/staff/closures",
		map[string]string{"from": "2027-01-01", "to": "2027-01-02", "reason": "New Year"}); r.Status != http.StatusCreated {
		t.Fatalf("add closure: %d %s", r.Status, r.Body)
	}
	type closure struct{ ID, From, To, Reason, Source string }
	list := func(t *testing.T) []closure {
		t.Helper()
		r := e.Do(t, meiC, http.MethodGet, "/api/v1/staff/closures", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("list closures as an artisan: %d %s", r.Status, r.Body)
		}
		var cs []closure
		r.JSON(t, &cs)
		return cs
	}
	cs := list(t)
	want := []closure{
		{From: "2026-12-25", To: "2026-12-25", Reason: "Christmas Day", Source: "config"},
		{From: "2027-01-01", To: "2027-01-02", Reason: "New Year", Source: "staff"},
	}
	if len(cs) != len(want) {
		t.Fatalf("closures = %+v, want %d", cs, len(want))
	}
	for i := range want {
		if cs[i].ID == "" {
			t.Errorf("closure %d has no id", i)
		}
		want[i].ID = cs[i].ID
		if cs[i] != want[i] {
			t.Errorf("closure %d = %+v, want %+v", i, cs[i], want[i])
		}
	}

	var at struct{ Closures []closure }
	e.Do(t, "", http.MethodGet, "/api/v1/atelier", nil).JSON(t, &at)
	if len(at.Closures) != 2 || at.Closures[1].ID != cs[1].ID {
		t.Errorf("GET /api/v1/atelier closures = %+v, want the same ids as the staff list", at.Closures)
	}

	if r := e.Do(t, adminC, http.MethodDelete, "/api/v1/staff/closures/"+cs[1].ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete closure %s: %d %s", cs[1].ID, r.Status, r.Body)
	}
	if got := list(t); len(got) != 1 || got[0].Source != "config" {
		t.Errorf("after delete: %+v, want only the config closure", got)
	}
}

// TestFeedOfDisabledAccount: a disabled account's calendar feeds stop
// serving customers' names at once, and enabling the account does not
// bring them back.
func TestFeedOfDisabledAccount(t *testing.T) {
	ctx := context.Background()
	e := MustOpenStaffEnv(t, StaffOptions{})
	adminC, meiC, arjunC := e.MustLogin(t, e.Admin), e.MustLogin(t, e.Mei), e.MustLogin(t, e.Arjun)
	e.MustStaffBook(t, adminC, VirtualRequest("2026-12-03T12:00:00+08:00", "mei"))
	e.MustStaffBook(t, adminC, VirtualRequest("2026-12-03T12:00:00+08:00", "arjun"))

	mei := e.MustFeedLink(t, meiC, "/api/v1/staff/artisans/mei/feed")
	arjun := e.MustFeedLink(t, arjunC, "/api/v1/staff/artisans/arjun/feed")
	atelier := e.MustFeedLink(t, adminC, "/api/v1/staff/feed")
	for _, f := range []struct {
		link FeedLink
		want int
	}{{mei, 1}, {arjun, 1}, {atelier, 2}} {
		if events, _ := e.MustFeed(t, f.link.URL); len(events) != f.want {
			t.Fatalf("feed %s has %d events before, want %d", f.link.URL, len(events), f.want)
		}
	}

	t.Run("DisableRevokes", func(t *testing.T) {
		if err := e.DB.DisableUser(ctx, e.Mei.Email); err != nil {
			t.Fatal(err)
		}
		wantGone(t, e, mei.URL)
		// Feeds other accounts made are not touched.
		e.MustFeed(t, arjun.URL)
		e.MustFeed(t, atelier.URL)
	})

	t.Run("EnableDoesNotRestore", func(t *testing.T) {
		if err := e.DB.EnableUser(ctx, e.Mei.Email); err != nil {
			t.Fatal(err)
		}
		wantGone(t, e, mei.URL)
		// The account signs in again and makes a new URL, which works.
		again := e.MustFeedLink(t, e.MustLogin(t, e.Mei), "/api/v1/staff/artisans/mei/feed")
		e.MustFeed(t, again.URL)
	})

	t.Run("SurvivingTokenRefused", func(t *testing.T) {
		// An account disabled as an earlier version did: the flag set,
		// the feed left in place.
		raw := mustRawDB(t, e)
		if _, err := raw.ExecContext(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, e.Arjun.ID); err != nil {
			t.Fatal(err)
		}
		wantGone(t, e, arjun.URL)
		// Enabling it revokes the surviving feed rather than reviving it.
		if err := e.DB.EnableUser(ctx, e.Arjun.Email); err != nil {
			t.Fatal(err)
		}
		wantGone(t, e, arjun.URL)
	})

	t.Run("FeedsAnAdminMade", func(t *testing.T) {
		// An admin makes a feed of Mei's calendar; disabling the admin
		// revokes it and the atelier-wide feed (the admin saw both URLs).
		forMei := e.MustFeedLink(t, adminC, "/api/v1/staff/artisans/mei/feed")
		e.MustFeed(t, forMei.URL)
		if err := e.DB.DisableUser(ctx, e.Admin.Email); err != nil {
			t.Fatal(err)
		}
		wantGone(t, e, forMei.URL)
		wantGone(t, e, atelier.URL)
	})
}

// mustRawDB opens the test store's file directly, as another program
// (or an earlier version of atelier) would.
func mustRawDB(t *testing.T, e *StaffEnv) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+e.DB.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
