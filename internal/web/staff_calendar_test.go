package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// TestStaffCalendarPages: the calendar through HTTP, as the pages answer
// an admin and an artisan's account.
func TestStaffCalendarPages(t *testing.T) {
	env := mustOpenCalendarEnv(t)
	admin := env.mustSignIn(t, "boss@example.com")
	arjun := env.mustSignIn(t, "arjun@example.com")
	get := func(t *testing.T, cookie, path string, headers ...string) Page {
		t.Helper()
		return env.Send(t, http.MethodGet, path, "", "", append([]string{"Cookie", cookie}, headers...)...)
	}

	t.Run("RoomFilter", func(t *testing.T) {
		p := get(t, admin, "/staff/calendar?view=day&date=2026-12-09&room=stone-room")
		if p.Status != http.StatusOK {
			t.Fatalf("status %d", p.Status)
		}
		salon, stone := 0, 0
		for _, b := range []*Booked{env.design, env.sizing, env.meis} {
			if !strings.Contains(p.Body, `data-id="`+b.ID+`"`) {
				continue
			}
			if b.RoomID == "stone-room" {
				stone++
			} else {
				salon++
			}
		}
		if stone == 0 || salon != 0 {
			t.Errorf("the Stone Room's day shows %d of its bookings and %d of other rooms'", stone, salon)
		}
	})

	t.Run("PhoneGetsTheDay", func(t *testing.T) {
		p := get(t, admin, "/staff/calendar", "Sec-CH-UA-Mobile", "?1")
		if !strings.Contains(p.Body, `data-view="day"`) {
			t.Errorf("a phone asking for the calendar with no view does not get the day view")
		}
		if p := get(t, admin, "/staff/calendar"); !strings.Contains(p.Body, `data-view="week"`) {
			t.Errorf("a desktop asking for the calendar with no view does not get the week")
		}
	})

	t.Run("OldAddressesLeadToTheCalendar", func(t *testing.T) {
		p := get(t, admin, "/staff?view=week&date=2026-12-09")
		if p.Status != http.StatusSeeOther || p.Location != "/staff/calendar?date=2026-12-09&view=week" {
			t.Errorf("got %d to %q", p.Status, p.Location)
		}
	})

	t.Run("CancelledListedNotTiled", func(t *testing.T) {
		if _, err := env.App.StaffCancel(context.Background(), testAdmin, env.meis.ID); err != nil {
			t.Fatal(err)
		}
		p := get(t, admin, "/staff/calendar?view=day&date=2026-12-09")
		if strings.Contains(p.Body, `data-id="`+env.meis.ID+`"`) {
			t.Error("a cancelled booking holds a tile on the grid")
		}
		if !strings.Contains(p.Body, "Cancelled this day") || !strings.Contains(p.Body, "Customer of Mei") {
			t.Error("the day does not list the cancelled booking")
		}
	})

	t.Run("ArtisanMoves", func(t *testing.T) {
		stranded := get(t, arjun, "/staff/bookings/"+env.stranded.ID+"/move?date=2026-12-10&time=15:00")
		if stranded.Status != http.StatusNotFound {
			t.Errorf("an artisan opening the move of another's booking: %d, want 404", stranded.Status)
		}
		other := get(t, arjun, "/staff/bookings/"+env.sizing.ID+"/move?date=2026-12-10&time=15:00&artisan=mei")
		if other.Status != http.StatusForbidden {
			t.Errorf("an artisan moving its booking to another artisan: %d, want 403", other.Status)
		}
		own := get(t, arjun, "/staff/bookings/"+env.sizing.ID+"/move?date=2026-12-10&time=15:00")
		if own.Status != http.StatusOK || !strings.Contains(own.Body, "Move the booking") {
			t.Errorf("an artisan moving its own booking: %d", own.Status)
		}
		bad := get(t, arjun, "/staff/bookings/"+env.sizing.ID+"/move?date=2026-12-10&time=soon")
		if bad.Status != http.StatusOK || !strings.Contains(bad.Body, "Give a date and a time") || strings.Contains(bad.Body, `type="submit" class="button">Move`) {
			t.Errorf("a time that cannot be read: %d without the message, or with the button", bad.Status)
		}
	})

	t.Run("SheetOfAnotherArtisan", func(t *testing.T) {
		p := get(t, arjun, "/staff/calendar/sheet?date=2026-12-11&artisan=siti")
		if p.Status != http.StatusOK || strings.Contains(p.Body, "Stranded Customer") || strings.Contains(p.Body, "Siti Rahmah") {
			t.Errorf("an artisan asking for another's day sheet: %d, or it shows theirs", p.Status)
		}
	})
}

// stoppedGoogle is Google Calendar sync as the app sees it, with Arjun's
// sync stopped (access revoked) and Siti never connected.
type stoppedGoogle struct{}

func (stoppedGoogle) FreeBusy(context.Context, string, time.Time, time.Time) ([]booking.Busy, error) {
	return nil, nil
}

func (stoppedGoogle) Status(context.Context) ([]app.GoogleArtisan, error) {
	return []app.GoogleArtisan{
		{ArtisanID: "mei", State: "connected"},
		{ArtisanID: "arjun", State: "disconnected", LastError: "invalid_grant: Token has been expired or revoked."},
		{ArtisanID: "siti", State: "not_connected"},
	}, nil
}

func (stoppedGoogle) BookingStatus(context.Context, string) (*app.GoogleBooking, error) {
	return nil, nil
}
func (stoppedGoogle) SyncNow(context.Context) error           { return nil }
func (stoppedGoogle) Reconnect(context.Context, string) error { return nil }

// TestStaffHomeGoogleProblems: the home page tells of Google Calendar
// sync that stopped or never started, each account of the artisans it
// may see; an account whose artisan syncs well hears nothing.
func TestStaffHomeGoogleProblems(t *testing.T) {
	env := mustOpenEnv(t, httpx.Config{}, envOptions{parts: func(d *app.Deps, _ *Env) { d.Google = stoppedGoogle{} }})
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	env.MustCreateUser(t, "mei@example.com", "Tan Mei Ling", "mei")
	env.MustCreateUser(t, "arjun@example.com", "Arjun Nair", "arjun")
	for _, tc := range []struct {
		email         string
		want, notWant []string
	}{
		{"boss@example.com", []string{"Google Calendar needs attention", "Sync has stopped for Arjun Nair", "Token has been expired or revoked", "Siti Rahmah&#39;s Google Calendar is not connected yet"}, []string{"for Tan Mei Ling"}},
		{"arjun@example.com", []string{"Sync has stopped for Arjun Nair"}, []string{"Siti Rahmah"}},
		{"mei@example.com", nil, []string{"Google Calendar needs attention"}},
	} {
		t.Run(tc.email, func(t *testing.T) {
			p := env.Send(t, http.MethodGet, "/staff", "", "", "Cookie", env.mustSignIn(t, tc.email))
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Body, w) {
					t.Errorf("the home page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(p.Body, w) {
					t.Errorf("the home page shows %q", w)
				}
			}
		})
	}
}

// A booking of two artisans together (the demo's design with goldsmith and
// gemmologist) sits in each one's column of the day, and the account of
// either artisan sees it.
func TestStaffCalendarTeamInEachColumn(t *testing.T) {
	env := mustOpenCalendarEnv(t)
	admin := env.mustSignIn(t, "boss@example.com")
	arjun := env.mustSignIn(t, "arjun@example.com")
	team := env.MustBookAs(t, "design-with-stones", "mei", time.Date(2026, 12, 10, 15, 0, 0, 0, Singapore), "Two Of Them")
	get := func(cookie string) string {
		t.Helper()
		p := env.Send(t, http.MethodGet, "/staff/calendar?view=day&date=2026-12-10", "", "", "Cookie", cookie)
		if p.Status != http.StatusOK {
			t.Fatalf("status %d", p.Status)
		}
		return p.Body
	}
	columns := func(body string) map[string]bool {
		in := map[string]bool{}
		parts := strings.Split(body, `class="cal-col`)
		for _, part := range parts[1:] {
			_, rest, ok := strings.Cut(part, `data-artisan="`)
			if !ok {
				continue
			}
			id, _, _ := strings.Cut(rest, `"`)
			if strings.Contains(part, `data-id="`+team.ID+`"`) {
				in[id] = true
			}
		}
		return in
	}
	body := get(admin)
	if in := columns(body); !in["mei"] || !in["arjun"] || in["siti"] {
		t.Errorf("the team booking is in the columns %v, want mei's and arjun's", in)
	}
	// In each artisan's column the tile wears that artisan's colour, as the
	// column's heading does (the headings come in the columns' order).
	heads := regexp.MustCompile(`class="col-head[^"]*\b(c\d+)"`).FindAllStringSubmatch(body, -1)
	cols := strings.Split(body, `class="cal-col`)[1:]
	if len(heads) != len(cols) {
		t.Fatalf("%d column headings with a colour for %d columns", len(heads), len(cols))
	}
	seen := 0
	for i, part := range cols {
		tile := regexp.MustCompile(`<a class="tile ([^"]*)"[^>]*data-id="` + team.ID + `"`).FindStringSubmatch(part)
		if tile == nil {
			continue
		}
		seen++
		if !slices.Contains(strings.Fields(tile[1]), heads[i][1]) {
			t.Errorf("column %d: the team tile's classes %q lack the column's colour %s", i, tile[1], heads[i][1])
		}
	}
	if seen != 2 {
		t.Errorf("the team tile is in %d columns, want 2", seen)
	}
	if in := columns(get(arjun)); !in["arjun"] {
		t.Errorf("Arjun's own calendar lacks the booking he takes part in (%v)", in)
	}
	// The booking's page names both.
	p := env.Send(t, http.MethodGet, "/staff/bookings/"+team.ID, "", "", "Cookie", admin)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Tan Mei Ling and Arjun Nair") {
		t.Errorf("the booking's page does not name both artisans: %d", p.Status)
	}
}

// TestStaffMoveTeamInItsColumn: a two-artisan booking's tile dragged in
// its second artisan's column (artisan=arjun on the confirm step) keeps
// the whole team: the step checks both artisans, names both, and its
// button moves the booking with both, also for that artisan's own
// account, which may move a booking it takes part in.
func TestStaffMoveTeamInItsColumn(t *testing.T) {
	env := mustOpenCalendarEnv(t)
	arjun := env.mustSignIn(t, "arjun@example.com")
	admin := env.mustSignIn(t, "boss@example.com")
	team := env.MustBookAs(t, "design-with-stones", "mei", time.Date(2026, 12, 10, 15, 0, 0, 0, Singapore), "Two Of Them")
	ctx := context.Background()
	if _, err := env.App.AddTimeOff(ctx, testAdmin, "mei", app.TimeOffRequest{
		Start: time.Date(2026, 12, 10, 11, 0, 0, 0, Singapore), End: time.Date(2026, 12, 10, 13, 30, 0, 0, Singapore), Reason: "Workshop"}); err != nil {
		t.Fatal(err)
	}
	step := func(cookie, at string) Page {
		t.Helper()
		return env.Send(t, http.MethodGet, "/staff/bookings/"+team.ID+"/move?date=2026-12-10&time="+at+"&artisan=arjun", "", "", "Cookie", cookie)
	}
	// Mei is away at 12:00: the team cannot go there, though Arjun could.
	for _, c := range []string{admin, arjun} {
		p := step(c, "12:00")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "It cannot move there") {
			t.Errorf("moving the team to 12:00, when Mei is away, in Arjun's column: %d, the step does not refuse it:\n%s", p.Status, p.Body)
		}
	}
	p := step(arjun, "17:00")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Move the booking") {
		t.Fatalf("Arjun moving the team he is part of to 17:00: %d\n%s", p.Status, p.Body)
	}
	if body := html.UnescapeString(p.Body); strings.Contains(body, "both artisans are told") || strings.Count(body, "Tan Mei Ling and Arjun Nair") < 2 {
		t.Errorf("the step does not say the team stays together:\n%s", body)
	}
	done := env.Send(t, http.MethodPost, "/staff/bookings/"+team.ID+"/reschedule", "application/x-www-form-urlencoded",
		url.Values{"date": {"2026-12-10"}, "time": {"17:00"}, "artisan": {"arjun"}}.Encode(), "Cookie", arjun)
	if done.Status != http.StatusSeeOther {
		t.Fatalf("the move: %d %s", done.Status, done.Body)
	}
	b, err := env.App.StaffGetBooking(ctx, testAdmin, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.ArtisanIDs(); !slices.Equal(got, []string{"mei", "arjun"}) || b.Start.In(Singapore).Hour() != 17 {
		t.Errorf("after the move: %v at %s, want [mei arjun] at 17:00", got, b.Start.In(Singapore))
	}
}
