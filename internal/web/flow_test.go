package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// These tests walk the pages over plain HTTP, as a browser without
// JavaScript would, for the cases that go wrong.

func TestCalendarTellsWhatIsFree(t *testing.T) {
	env := MustOpenEnv(t)
	ctx := context.Background()
	admin := &booking.User{ID: "us_test", Role: booking.RoleAdmin}
	if _, err := env.App.AddClosure(ctx, admin, app.ClosureRequest{From: booking.Date{Year: 2027, Month: 1, Day: 1}, To: booking.Date{Year: 2027, Month: 1, Day: 31}, Reason: "Winter break"}); err != nil {
		t.Fatalf("add closure: %v", err)
	}
	const base = "/book?service=ring-sizing&mode=in_person&artisan=any&tz=Asia%2FSingapore"
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"ClosedDay", "&date=2026-12-25", []string{"The atelier is closed on this day: Christmas Day.", "The next free day is", "Saturday 26 December 2026"}},
		{"FullyBookedMonth", "&month=2027-01", []string{"Every appointment in January 2027 is taken.", "The next free day is", "Tuesday 2 February 2027"}},
		{"DayWithTimes", "&date=2026-12-12", []string{"Saturday 12 December 2026", "10:30 am", "5:00 pm"}},
		{"PastMonthClamped", "&month=2020-01", []string{"December 2026"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := env.MustGet(t, base+tc.query)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

func TestDetailsFormKeepsInput(t *testing.T) {
	env := MustOpenEnv(t)
	start := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)
	form := url.Values{
		"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Europe/London"},
		"start": {start}, "name": {"<b>Ada</b>"}, "email": {"not an address"}, "phone": {"abc"}, "notes": {"size N"},
	}
	p := env.MustPost(t, "/book/details", form)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.Status)
	}
	for _, w := range []string{
		"Your e-mail must be a valid e-mail address.", "The phone number may contain only digits",
		`value="&lt;b&gt;Ada&lt;/b&gt;"`, `value="not an address"`, ">size N</textarea>", `aria-invalid="true"`,
	} {
		if !strings.Contains(p.Body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if strings.Contains(p.Body, "<b>Ada</b>") {
		t.Error("the name is not escaped")
	}
}

func TestBookingThroughPagesRedirectsToManageLink(t *testing.T) {
	env := MustOpenEnv(t)
	start := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore)
	form := url.Values{
		"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Europe/London"},
		"start": {start.Format(time.RFC3339)}, "name": {"Ada"}, "email": {"ada@example.com"},
	}
	p := env.MustPost(t, "/book/details", form)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/bookings/bk_") || !strings.Contains(p.Location, "token=") {
		t.Fatalf("status %d Location %q, want 303 to the manage page", p.Status, p.Location)
	}
	page := env.MustGet(t, p.Location)
	if !strings.Contains(page.Body, "Your appointment is confirmed") || !strings.Contains(page.Body, "Saturday 12 December 2026, 2:30 am – 3:00 am") {
		t.Errorf("confirmation page does not show the booking in London time")
	}
	if got := page.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("manage page Cache-Control %q, want no-store", got)
	}
}

func TestManageLinkIsSafeFromScanners(t *testing.T) {
	env := MustOpenEnv(t)
	start := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
	bk := env.MustBookIn(t, "private-viewing", "in_person", "", start, "Europe/London")
	u, _ := url.Parse(bk.Links.Manage)
	id, token := strings.TrimPrefix(u.Path, "/bookings/"), u.Query().Get("token")
	q := url.Values{"token": {token}, "start": {time.Date(2026, 12, 11, 13, 0, 0, 0, Singapore).Format(time.RFC3339)}}
	for _, path := range []string{
		u.RequestURI(),
		"/bookings/" + id + "/cancel?token=" + url.QueryEscape(token),
		"/bookings/" + id + "/reschedule?token=" + url.QueryEscape(token),
		"/bookings/" + id + "/reschedule/confirm?" + q.Encode(),
	} {
		if p := env.MustGet(t, path); p.Status != http.StatusOK {
			t.Errorf("GET %s: status %d", path, p.Status)
		}
	}
	got := mustStored(t, env, id)
	if got.Status != booking.Confirmed || !got.Start.Equal(start) || got.Sequence != 0 {
		t.Fatalf("following the links changed the booking: %s at %s, sequence %d", got.Status, got.Start, got.Sequence)
	}
	if p := env.MustGet(t, "/bookings/"+id+"?token=wrong"); p.Status != http.StatusNotFound {
		t.Errorf("wrong token: status %d, want 404", p.Status)
	}

	// Someone takes the Friday slot first: the move fails kindly.
	env.MustBookAs(t, "private-viewing", "mei", time.Date(2026, 12, 11, 13, 0, 0, 0, Singapore), "Someone")
	p := env.MustPost(t, "/bookings/"+id+"/reschedule", url.Values{"token": {token}, "start": q["start"], "tz": {"Europe/London"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "Your appointment is unchanged") {
		t.Errorf("move to a taken time: status %d", p.Status)
	}
	if got := mustStored(t, env, id); !got.Start.Equal(start) {
		t.Errorf("the failed move changed the booking to %s", got.Start)
	}
}

func TestStaffPagesNeedASession(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	for _, path := range []string{"/staff", "/staff/bookings/new", "/staff/hours", "/staff/artisans/mei"} {
		p := env.MustGet(t, path)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/staff/login?next=") {
			t.Errorf("GET %s without a session: %d %q, want 303 to sign-in", path, p.Status, p.Location)
		}
	}
	p := env.MustPost(t, "/staff/login", url.Values{"email": {"boss@example.com"}, "password": {"nope nope nope"}})
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "Wrong e-mail address or password") {
		t.Errorf("bad password: status %d", p.Status)
	}
	p = env.MustPost(t, "/staff/login", url.Values{"email": {"boss@example.com"}, "password": {StaffPassword}, "next": {"https://evil.example/"}})
	if p.Status != http.StatusSeeOther || p.Location != "/staff" {
		t.Errorf("sign-in: status %d Location %q, want 303 to /staff (never off-site)", p.Status, p.Location)
	}
	if c := p.Header.Get("Set-Cookie"); !strings.Contains(c, "atelier_session=") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("session cookie %q", c)
	}
}

func TestParseHoursEditor(t *testing.T) {
	// The editor is exercised through the page: a wrong span is shown
	// beside its day and nothing is saved.
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	login := env.MustPost(t, "/staff/login", url.Values{"email": {"boss@example.com"}, "password": {StaffPassword}})
	cookie := strings.Split(login.Header.Get("Set-Cookie"), ";")[0]
	for _, tc := range []struct {
		name, value string
		status      int
		want        string
	}{
		{"NotASpan", "ten to seven", http.StatusUnprocessableEntity, "is not a span such as 10:00-19:00"},
		{"Backwards", "19:00-10:00", http.StatusUnprocessableEntity, "ends before it starts"},
		{"Overlap", "10:00-14:00, 13:00-19:00", http.StatusUnprocessableEntity, "overlaps"},
		{"Good", "10:00-13:00, 14:00-19:00", http.StatusSeeOther, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"hours_tue": {tc.value}, "hours_wed": {"10:00-19:00"}}
			req, _ := http.NewRequest(http.MethodPost, env.URL+"/staff/hours", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", cookie)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("status %d, want %d with %q", resp.StatusCode, tc.status, tc.want)
			}
		})
	}
	at, err := atelierOf(env.App.Catalog(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if got := at.Hours.On(time.Tuesday); len(got) != 2 || got[1].String() != "14:00-19:00" {
		t.Errorf("Tuesday hours after the editor: %v", got)
	}
	if got := at.Hours.On(time.Monday); len(got) != 0 {
		t.Errorf("Monday (left empty) is open: %v", got)
	}
}
