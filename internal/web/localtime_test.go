package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// mustMoveToLondon moves the demo atelier to London, open (with every
// artisan working) all day every day and booking 400 days ahead, so that
// any wall-clock time of 2027 can be booked.
func mustMoveToLondon(tb testing.TB, env *Env) {
	tb.Helper()
	cfg, err := config.Parse(atelier.ExampleConfig)
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := cfg.Catalog()
	if err != nil {
		tb.Fatal(err)
	}
	cat.Atelier.Timezone, cat.Atelier.Location = "Europe/London", London
	cat.Atelier.Closures = nil
	for d := range cat.Atelier.Hours {
		cat.Atelier.Hours[d] = []booking.Span{{Start: 0, End: 24 * 60}}
	}
	for i := range cat.Artisans {
		cat.Artisans[i].Hours = cat.Atelier.Hours
	}
	cat.Atelier.Rules.HorizonDays = 400
	if _, err := env.DB.SyncCatalog(context.Background(), cat); err != nil {
		tb.Fatal(err)
	}
}

// staffLogin signs an admin in and returns the session cookie.
func staffLogin(tb testing.TB, env *Env) string {
	tb.Helper()
	env.MustCreateUser(tb, "boss@example.com", "Boss", "")
	login := env.MustPost(tb, "/staff/login", url.Values{"email": {"boss@example.com"}, "password": {StaffPassword}})
	if login.Status != http.StatusSeeOther {
		tb.Fatalf("sign-in: %d", login.Status)
	}
	return strings.Split(login.Header.Get("Set-Cookie"), ";")[0]
}

// staffBookings lists the confirmed bookings of 2027.
func staffBookings(tb testing.TB, env *Env) []app.StaffBooking {
	tb.Helper()
	list, err := env.App.StaffBookings(context.Background(), &booking.User{Role: booking.RoleAdmin}, app.DateRange{
		From: booking.Date{Year: 2027, Month: 1, Day: 1}, To: booking.Date{Year: 2027, Month: 12, Day: 31},
	}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// TestStaffFormsRefuseATimeThatDoesNotExist: 01:30 on the day London's
// clocks go forward (28 March 2027) does not exist. The staff forms say so
// beside the fields, keep what was typed and change nothing; they used to
// book 02:30 instead. A time in the hour the clocks go back is its first
// occurrence, summer time.
func TestStaffFormsRefuseATimeThatDoesNotExist(t *testing.T) {
	env := MustOpenEnv(t)
	mustMoveToLondon(t, env)
	cookie := staffLogin(t, env)
	post := func(path string, form url.Values) Page {
		t.Helper()
		return env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	}
	const skipped = "1:30 am does not exist that day: on Sunday 28 March 2027 the clocks in London go forward from 1:00 am to 2:00 am. Choose another time."
	newBooking := func(date, clock string) url.Values {
		return url.Values{
			"service": {"bespoke-design"}, "mode": {"virtual"}, "artisan": {"mei"}, "date": {date}, "time": {clock},
			"name": {"Grace Hopper"}, "email": {"grace@example.com"},
		}
	}

	t.Run("NewBooking", func(t *testing.T) {
		p := post("/staff/bookings/new", newBooking("2027-03-28", "01:30"))
		body := html.UnescapeString(p.Body)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(body, skipped) {
			t.Fatalf("status %d, want 422 saying %q", p.Status, skipped)
		}
		// The page has a picker of free times, no time field: the day
		// stays chosen (the form's date and time are the fallback of a
		// form without a start picked).
		for _, kept := range []string{`value="2027-03-28"`, `value="Grace Hopper"`, `value="grace@example.com"`} {
			if !strings.Contains(p.Body, kept) {
				t.Errorf("the form lost %s", kept)
			}
		}
		if got := staffBookings(t, env); len(got) != 0 {
			t.Errorf("%d bookings made, want none", len(got))
		}
	})

	t.Run("RepeatedHourIsTheFirst", func(t *testing.T) {
		p := post("/staff/bookings/new", newBooking("2027-10-31", "01:30"))
		if p.Status != http.StatusSeeOther {
			t.Fatalf("status %d: %s", p.Status, p.Body)
		}
		got := staffBookings(t, env)
		if len(got) != 1 || !got[0].Start.Equal(time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)) {
			t.Fatalf("bookings %+v, want one at 01:30 BST (00:30 UTC)", got)
		}
	})

	t.Run("Move", func(t *testing.T) {
		b := staffBookings(t, env)[0]
		p := post("/staff/bookings/"+b.ID+"/reschedule", url.Values{"date": {"2027-03-28"}, "time": {"01:30"}, "artisan": {"mei"}})
		body := html.UnescapeString(p.Body)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(body, skipped) ||
			!strings.Contains(p.Body, `value="2027-03-28"`) {
			t.Fatalf("status %d, want 422 saying %q with the input kept", p.Status, skipped)
		}
		if got := staffBookings(t, env)[0]; !got.Start.Equal(b.Start) {
			t.Errorf("the refused move changed the start to %s", got.Start)
		}
		// The same hour an hour later exists.
		if p := post("/staff/bookings/"+b.ID+"/reschedule", url.Values{"date": {"2027-03-28"}, "time": {"02:30"}, "artisan": {"mei"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("move to 02:30: status %d", p.Status)
		}
		if got := staffBookings(t, env)[0]; !got.Start.Equal(time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC)) {
			t.Errorf("moved to %s, want 02:30 BST", got.Start)
		}
	})

	t.Run("TimeOff", func(t *testing.T) {
		p := post("/staff/artisans/mei/time-off", url.Values{"start": {"2027-03-28T01:30"}, "end": {"2027-03-28T05:00"}, "reason": {"dentist"}})
		body := html.UnescapeString(p.Body)
		want := "The start is a time that does not exist: on Sunday 28 March 2027 the clocks in London go forward from 1:00 am to 2:00 am."
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Fatalf("status %d, want 422 saying %q", p.Status, want)
		}
		if !strings.Contains(p.Body, `value="2027-03-28T01:30"`) || !strings.Contains(p.Body, `value="2027-03-28T05:00"`) || !strings.Contains(p.Body, `value="dentist"`) {
			t.Error("the form lost what was typed")
		}
		ar, err := env.App.StaffArtisan(context.Background(), &booking.User{Role: booking.RoleAdmin}, "mei")
		if err != nil {
			t.Fatal(err)
		}
		if len(ar.TimeOff) != 0 {
			t.Errorf("time off stored: %+v", ar.TimeOff)
		}
	})
}

// TestUnbookableTimeSaysWhy: a start that never was bookable (here after
// closing, on a closure day) is not "booked by someone else": the page
// gives the reason, in the atelier's time, naming its city when the page
// shows another zone. A time that was free and has been taken still says
// it was taken.
func TestUnbookableTimeSaysWhy(t *testing.T) {
	env := MustOpenEnv(t)
	book := func(start time.Time) Page {
		t.Helper()
		return env.MustPost(t, "/book/details", url.Values{
			"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"arjun"}, "tz": {"Europe/London"},
			"start": {start.Format(time.RFC3339)}, "name": {"Ada"}, "email": {"ada@example.com"},
		})
	}
	taken := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore)
	env.MustBook(t, "ring-sizing", "in_person", "arjun", taken)
	for _, tc := range []struct {
		name  string
		start time.Time
		want  string
	}{
		{"AfterClosing", time.Date(2026, 12, 12, 20, 30, 0, 0, Singapore),
			"The atelier is closed at 20:30 on Saturday 12 December (open 10:00-18:00 that day). Times and dates are the atelier's, in Singapore. Your details are kept"},
		{"ClosureDay", time.Date(2026, 12, 25, 11, 0, 0, 0, Singapore),
			"That is a closure day: Christmas Day (Friday 25 December). Times and dates are the atelier's, in Singapore."},
		{"Taken", taken, "Sorry, 2:30 am on Saturday 12 December 2026 was booked by someone else a moment ago."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := book(tc.start)
			body := html.UnescapeString(p.Body)
			if p.Status != http.StatusConflict || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want 409 saying %q", p.Status, tc.want)
			}
			if tc.name != "Taken" && strings.Contains(body, "booked by someone else") {
				t.Error("a time that never was bookable is said to be taken")
			}
		})
	}

	// Moving a booking there says the same.
	bk := env.MustBookIn(t, "ring-sizing", "in_person", "arjun", time.Date(2026, 12, 12, 14, 0, 0, 0, Singapore), "Europe/London")
	u, _ := url.Parse(bk.Links.Manage)
	p := env.MustPost(t, u.Path+"/reschedule", url.Values{"token": {u.Query().Get("token")},
		"start": {time.Date(2026, 12, 12, 20, 30, 0, 0, Singapore).Format(time.RFC3339)}, "tz": {"Europe/London"}})
	want := "The atelier is closed at 20:30 on Saturday 12 December (open 10:00-18:00 that day). Times and dates are the atelier's, in Singapore. Your appointment is unchanged"
	if body := html.UnescapeString(p.Body); p.Status != http.StatusConflict || !strings.Contains(body, want) {
		t.Errorf("move after closing: status %d, want 409 saying %q", p.Status, want)
	}
}

// TestRepeatedHourSlotsAreTold: on the night London's clocks go back
// (31 October 2027) the list of times has 1:00 am and 1:30 am twice, once
// in summer time and once in winter time; each says which it is, and the
// other times of the day are written as usual.
func TestRepeatedHourSlotsAreTold(t *testing.T) {
	env := MustOpenEnv(t)
	mustMoveToLondon(t, env)
	p := env.MustGet(t, "/book?service=bespoke-design&mode=virtual&artisan=mei&tz=Europe%2FLondon&date=2027-10-31")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	for _, w := range []string{"1:00 am BST", "1:30 am BST", "1:00 am GMT", "1:30 am GMT", "12:30 am", "2:00 am"} {
		if !strings.Contains(p.Body, w) {
			t.Errorf("the day lacks %q", w)
		}
	}
	for _, w := range []string{"12:30 am BST", "2:00 am GMT"} {
		if strings.Contains(p.Body, w) {
			t.Errorf("%q carries a zone, though it comes once", w)
		}
	}
}
