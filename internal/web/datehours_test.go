package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// mustSlots lists the starts customers are offered on at's date.
func mustSlots(tb testing.TB, env *Env, service, mode, artisan string, at time.Time) []time.Time {
	tb.Helper()
	d := booking.DateOf(at.In(Singapore))
	a, err := env.App.Availability(context.Background(), app.AvailabilityQuery{Service: service, Mode: mode, Artisan: artisan, From: d, To: d})
	if err != nil {
		tb.Fatal(err)
	}
	var out []time.Time
	for _, sl := range a.Slots {
		out = append(out, sl.Start)
	}
	return out
}

var dateHoursRemove = regexp.MustCompile(`action="/staff/date-hours/([0-9]+)/delete"`)

// Hours for one date through the staff pages: set with a plain form on the
// "Hours and closures" page and an artisan's page, shown there, offered to
// customers, refused with the form kept when wrong, removed again.
func TestStaffPagesDateHours(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	env.MustCreateUser(t, "mei@example.com", "Mei", "mei")
	admin := env.mustSignIn(t, "boss@example.com")
	mei := env.mustSignIn(t, "mei@example.com")
	post := func(cookie, path string, form url.Values) Page {
		t.Helper()
		return env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	}
	get := func(cookie, path string) Page {
		t.Helper()
		return env.Send(t, http.MethodGet, path, "", "", "Cookie", cookie)
	}

	// The file's entry is listed (the demo opens late on 23 December).
	p := get(admin, "/staff/hours")
	if !strings.Contains(p.Body, "Wednesday 23 December 2026") || !strings.Contains(p.Body, "10:00–21:00") || !strings.Contains(p.Body, "from the configuration") {
		t.Errorf("the hours page does not list the file's 23 December:\n%s", p.Body)
	}

	// Monday 14 December: the demo atelier is closed on Mondays.
	monday := time.Date(2026, 12, 14, 12, 0, 0, 0, Singapore)
	if n := len(mustSlots(t, env, "bespoke-design", "virtual", "mei", monday)); n != 0 {
		t.Fatalf("precondition: %d slots on a Monday", n)
	}
	p = post(admin, "/staff/date-hours", url.Values{"date": {"2026-12-14"}, "hours": {"11:00-13:00, 14:00-17:00"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/staff/hours?") {
		t.Fatalf("set the atelier's hours: %d %s", p.Status, p.Header.Get("Location"))
	}
	p = post(mei, "/staff/date-hours", url.Values{"date": {"2026-12-14"}, "artisan": {"mei"}, "hours": {"12:00-16:00"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/staff/artisans/mei?") {
		t.Fatalf("set Mei's hours: %d %s", p.Status, p.Header.Get("Location"))
	}
	// A 90-minute call fits both the atelier's 14:00-17:00 and Mei's
	// 12:00-16:00 (with its 5 minutes after) only at 14:00.
	slots := mustSlots(t, env, "bespoke-design", "virtual", "mei", monday)
	if len(slots) != 1 || slots[0].In(Singapore).Format("15:04") != "14:00" {
		t.Errorf("slots on the opened Monday: %v, want 14:00 alone", slots)
	}
	p = get(admin, "/staff/hours")
	if !strings.Contains(p.Body, "Monday 14 December 2026") || !strings.Contains(p.Body, "11:00–13:00, 14:00–17:00") {
		t.Errorf("the hours page does not list the Monday:\n%s", p.Body)
	}
	// Customers see the coming dates with their own hours on the landing page.
	if p := env.MustGet(t, "/"); !strings.Contains(p.Body, "Different hours on these dates") ||
		!strings.Contains(p.Body, "Monday 14 December 2026") || !strings.Contains(p.Body, "Wednesday 23 December 2026") {
		t.Errorf("the landing page does not list the dates with their own hours:\n%s", p.Body)
	}
	p = get(mei, "/staff/artisans/mei")
	if !strings.Contains(p.Body, "Monday 14 December 2026") || !strings.Contains(p.Body, "12:00–16:00") || strings.Contains(p.Body, "11:00–13:00") {
		t.Errorf("Mei's page does not list her Monday alone:\n%s", p.Body)
	}

	// Wrong input: the same page again, with the message and what was typed.
	for _, tc := range []struct {
		name, cookie string
		form         url.Values
		status       int
		says         string
	}{
		{"NotASpan", admin, url.Values{"date": {"2026-12-15"}, "hours": {"all day"}}, 422, "is not a span such as 10:00-19:00"},
		{"Backwards", admin, url.Values{"date": {"2026-12-15"}, "hours": {"19:00-10:00"}}, 422, "ends before it starts"},
		{"Nothing", admin, url.Values{"date": {"2026-12-15"}}, 422, "Closed all day"},
		{"ClosedWithHours", admin, url.Values{"date": {"2026-12-15"}, "hours": {"10:00-12:00"}, "closed": {"1"}}, 422, "must be empty"},
		{"Past", admin, url.Values{"date": {"2026-11-02"}, "closed": {"1"}}, 422, "must not be before today"},
		{"ArtisanForAtelier", mei, url.Values{"date": {"2026-12-15"}, "closed": {"1"}}, 403, ""},
		{"ArtisanForAnother", mei, url.Values{"date": {"2026-12-15"}, "artisan": {"siti"}, "closed": {"1"}}, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := post(tc.cookie, "/staff/date-hours", tc.form)
			if p.Status != tc.status || !strings.Contains(p.Body, tc.says) {
				t.Errorf("status %d, want %d saying %q:\n%s", p.Status, tc.status, tc.says, p.Body)
			}
			if tc.status == 422 && !strings.Contains(p.Body, `value="`+tc.form.Get("date")+`"`) {
				t.Errorf("the date typed is not kept")
			}
		})
	}

	// A closed date, then removed: the weekly hours are back.
	p = post(admin, "/staff/date-hours", url.Values{"date": {"2026-12-16"}, "closed": {"1"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("close a date: %d", p.Status)
	}
	wednesday := time.Date(2026, 12, 16, 12, 0, 0, 0, Singapore)
	if n := len(mustSlots(t, env, "bespoke-design", "virtual", "mei", wednesday)); n != 0 {
		t.Errorf("%d slots on a date its hours close", n)
	}
	p = get(admin, "/staff/hours")
	if !strings.Contains(p.Body, "Wednesday 16 December 2026</td><td>Closed") {
		t.Errorf("the closed date is not listed as closed:\n%s", p.Body)
	}
	var ids []string
	for _, m := range dateHoursRemove.FindAllStringSubmatch(p.Body, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) != 3 {
		t.Fatalf("remove buttons for %v, want the 14th, the 16th and the 23rd", ids)
	}
	p = post(admin, "/staff/date-hours/"+ids[1]+"/delete", url.Values{})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Header.Get("Location"), "date-hours-removed") {
		t.Fatalf("remove: %d %s", p.Status, p.Header.Get("Location"))
	}
	if n := len(mustSlots(t, env, "bespoke-design", "virtual", "mei", wednesday)); n == 0 {
		t.Error("no slots after the date's hours were removed")
	}
	if p := post(mei, "/staff/date-hours/"+ids[0]+"/delete", url.Values{}); p.Status != http.StatusForbidden {
		t.Errorf("an artisan removing the atelier's hours: %d", p.Status)
	}
}
