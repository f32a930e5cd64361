package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestNoPageAnswers5xx sends bad, stale and altered input to every page
// handler, GET and POST, customer and staff: each must answer with a
// clear page and a 2xx, 3xx or 4xx status (the one table's, where one is
// named), never a 5xx.
func TestNoPageAnswers5xx(t *testing.T) {
	env := MustOpenEnv(t)
	ctx := context.Background()
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	env.MustCreateUser(t, "siti@example.com", "Siti", "siti")
	admin := env.mustSignIn(t, "boss@example.com")
	siti := env.mustSignIn(t, "siti@example.com")

	bk := env.MustBookIn(t, "private-viewing", "in_person", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
	mu, _ := url.Parse(bk.Links.Manage)
	id, token := bk.ID, mu.Query().Get("token")
	gone := env.MustBookIn(t, "ring-sizing", "in_person", "siti", time.Date(2026, 12, 12, 11, 0, 0, 0, Singapore), "")
	gu, _ := url.Parse(gone.Links.Manage)
	if _, err := env.App.CancelBooking(ctx, gone.ID, gu.Query().Get("token")); err != nil {
		t.Fatal(err)
	}
	at, err := atelierOf(env.App.Catalog(ctx))
	if err != nil {
		t.Fatal(err)
	}
	fromFile, christmas := "", "" // Christmas Day comes from the configuration file
	for _, c := range at.Closures {
		if c.Reason == "Christmas Day" {
			fromFile, christmas = c.ID, c.From.String()
		}
	}
	if fromFile == "" {
		t.Fatal("the demo configuration has no Christmas closure")
	}

	start := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)
	details := func(kv ...string) url.Values {
		v := url.Values{
			"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Europe/London"},
			"start": {start}, "name": {"Ada"}, "email": {"ada@example.com"},
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	manage := "/bookings/" + id
	staffBk := "/staff/bookings/" + id

	tests := []struct {
		name, method, path string
		form               url.Values
		cookie             string
		want               int // 0: any status below 500
		says               string
	}{
		// The booking flow.
		{"BookUnknownService", "GET", "/book?service=nope", nil, "", 200, ""},
		{"BookUnknownMode", "GET", "/book?service=ring-sizing&mode=teleport", nil, "", 0, ""},
		{"BookUnknownArtisan", "GET", "/book?service=bespoke-design&mode=in_person&artisan=nobody", nil, "", 200, ""},
		{"BookArtisanWithoutService", "GET", "/book?service=ring-sizing&mode=in_person&artisan=mei", nil, "", 0, ""},
		{"BookBadZoneMonthDate", "GET", "/book?service=ring-sizing&mode=in_person&artisan=any&tz=Mars%2FOlympus&month=2099-99&date=someday", nil, "", 200, ""},
		{"BookFarMonth", "GET", "/book?service=ring-sizing&mode=in_person&artisan=any&month=2999-01", nil, "", 200, ""},
		{"DetailsUnknownArtisan", "GET", "/book/details?service=ring-sizing&mode=in_person&artisan=nobody&start=" + url.QueryEscape(start), nil, "", 303, ""},
		{"DetailsArtisanWithoutService", "GET", "/book/details?service=ring-sizing&mode=in_person&artisan=mei&start=" + url.QueryEscape(start), nil, "", 303, ""},
		{"DetailsBadStart", "GET", "/book/details?service=ring-sizing&mode=in_person&artisan=any&start=soon", nil, "", 303, ""},
		{"DetailsBadKey", "GET", "/book/details?service=ring-sizing&mode=in_person&artisan=any&key=x&start=" + url.QueryEscape(start), nil, "", 303, ""},
		{"PostUnknownArtisan", "POST", "/book/details", details("artisan", "nobody"), "", 422, "does not offer this appointment"},
		{"PostArtisanWithoutService", "POST", "/book/details", details("artisan", "mei"), "", 422, "does not offer this appointment"},
		{"PostUnknownService", "POST", "/book/details", details("service", "nope"), "", 422, "not offered"},
		{"PostModeNotOffered", "POST", "/book/details", details("mode", "virtual"), "", 422, "not offered"},
		{"PostBadMode", "POST", "/book/details", details("mode", "teleport"), "", 422, "not offered"},
		{"PostNothing", "POST", "/book/details", url.Values{}, "", 422, ""},
		{"PostNoStart", "POST", "/book/details", details("start", ""), "", 422, "Please choose a time."},
		{"PostBadStart", "POST", "/book/details", details("start", "tomorrow"), "", 422, "Please choose a time."},
		{"PostPastStart", "POST", "/book/details", details("start", "2026-11-30T10:30:00+08:00"), "", 422, "Your details are kept"},
		{"PostOffGrid", "POST", "/book/details", details("start", "2026-12-12T10:31:00+08:00"), "", 422, "Your details are kept"},
		{"PostBeyondHorizon", "POST", "/book/details", details("start", "2028-12-12T10:30:00+08:00"), "", 409, "Your details are kept"},
		{"PostOnClosure", "POST", "/book/details", details("start", "2026-12-25T10:30:00+08:00"), "", 409, "Your details are kept"},
		{"PostBadZone", "POST", "/book/details", details("tz", "Mars/Olympus", "email", "nope"), "", 422, "valid e-mail"},
		{"PostBadKey", "POST", "/book/details", details("key", strings.Repeat("k", 300), "email", "nope"), "", 422, "valid e-mail"},
		{"PostHugeForm", "POST", "/book/details", details("notes", strings.Repeat("n", 70<<10)), "", 413, "too long"},
		{"PostNotUTF8", "POST", "/book/details", details("name", "A\xffda"), "", 400, "could not be read"},

		// The manage pages.
		{"ManageUnknown", "GET", "/bookings/bk_nope?token=x", nil, "", 404, "This link is not valid"},
		{"ManageWrongToken", "GET", manage + "?token=wrong", nil, "", 404, "This link is not valid"},
		{"CancelPageWrongToken", "GET", manage + "/cancel?token=wrong", nil, "", 404, ""},
		{"CancelWrongToken", "POST", manage + "/cancel", form("token", "wrong"), "", 404, ""},
		{"CancelCancelled", "POST", "/bookings/" + gone.ID + "/cancel", form("token", gu.Query().Get("token")), "", 303, ""},
		{"MovePageBadZone", "GET", manage + "/reschedule?token=" + url.QueryEscape(token) + "&tz=Mars%2FOlympus&date=never", nil, "", 200, ""},
		{"MoveConfirmBadStart", "GET", manage + "/reschedule/confirm?token=" + url.QueryEscape(token) + "&start=soon", nil, "", 303, ""},
		{"MoveBadStart", "POST", manage + "/reschedule", form("token", token, "start", "soon"), "", 422, ""},
		{"MovePast", "POST", manage + "/reschedule", form("token", token, "start", "2026-11-30T14:00:00+08:00"), "", 422, ""},
		{"MoveWrongToken", "POST", manage + "/reschedule", form("token", "wrong", "start", start), "", 404, ""},
		{"MoveCancelled", "POST", "/bookings/" + gone.ID + "/reschedule", form("token", gu.Query().Get("token"), "start", start), "", 0, ""},

		// Staff sign-in.
		{"LoginNothing", "POST", "/staff/login", url.Values{}, "", 401, ""},
		{"LogoutWithoutSession", "POST", "/staff/logout", url.Values{}, "", 303, ""},
		{"StaffHomeNonsense", "GET", "/staff/calendar?view=year&date=someday&artisan=nobody", nil, admin, 200, ""},

		// Staff bookings.
		{"StaffUnknownBooking", "GET", "/staff/bookings/bk_nope", nil, admin, 404, ""},
		{"StaffOthersBooking", "GET", staffBk, nil, siti, 404, ""},
		{"StaffNotesTooLong", "POST", staffBk + "/notes", form("staff_notes", strings.Repeat("x", 5000)), admin, 422, ""},
		{"StaffNotesUnknown", "POST", "/staff/bookings/bk_nope/notes", form("staff_notes", "x"), admin, 404, ""},
		{"StaffCancelUnknown", "POST", "/staff/bookings/bk_nope/cancel", url.Values{}, admin, 404, ""},
		{"StaffCancelOthers", "POST", staffBk + "/cancel", url.Values{}, siti, 404, ""},
		{"StaffCancelCancelled", "POST", "/staff/bookings/" + gone.ID + "/cancel", url.Values{}, admin, 303, ""},
		{"StaffMoveBadTime", "POST", staffBk + "/reschedule", form("date", "someday", "time", "noon"), admin, 422, ""},
		{"StaffMoveUnknownArtisan", "POST", staffBk + "/reschedule", form("date", "2026-12-11", "time", "13:00", "artisan", "nobody"), admin, 422, ""},
		{"StaffMoveArtisanWithoutService", "POST", staffBk + "/reschedule", form("date", "2026-12-11", "time", "13:00", "artisan", "siti"), admin, 422, ""},
		{"StaffMoveOffGrid", "POST", staffBk + "/reschedule", form("date", "2026-12-11", "time", "13:07"), admin, 422, ""},
		{"StaffMoveCancelled", "POST", "/staff/bookings/" + gone.ID + "/reschedule", form("date", "2026-12-11", "time", "13:00"), admin, 0, ""},
		{"StaffMovePageUnknown", "GET", "/staff/bookings/bk_nope/reschedule", nil, admin, 404, ""},
		{"StaffNewWithoutKey", "GET", "/staff/bookings/new?service=nope&mode=teleport&artisan=nobody", nil, admin, 303, ""},
		{"StaffNewUnknownService", "GET", "/staff/bookings/new?service=nope&mode=teleport&artisan=nobody&key=AAAAAAAAAAAAAAAAAAAAAA", nil, admin, 200, ""},
		{"StaffNewPostUnknownService", "POST", "/staff/bookings/new", form("service", "nope", "mode", "in_person", "date", "2026-12-11", "time", "13:00", "name", "A", "email", "a@example.com"), admin, 422, ""},
		{"StaffNewPostUnknownArtisan", "POST", "/staff/bookings/new", form("service", "ring-sizing", "mode", "in_person", "artisan", "nobody", "date", "2026-12-11", "time", "13:00", "name", "A", "email", "a@example.com"), admin, 422, ""},
		{"StaffNewPostArtisanWithoutService", "POST", "/staff/bookings/new", form("service", "ring-sizing", "mode", "in_person", "artisan", "mei", "date", "2026-12-11", "time", "13:00", "name", "A", "email", "a@example.com"), admin, 422, ""},
		{"StaffNewPostOthersArtisan", "POST", "/staff/bookings/new", form("service", "private-viewing", "mode", "in_person", "artisan", "mei", "date", "2026-12-11", "time", "13:00", "name", "A", "email", "a@example.com"), siti, 0, ""},
		{"StaffNewPostBadTime", "POST", "/staff/bookings/new", form("service", "ring-sizing", "mode", "in_person", "date", "x", "time", "y"), admin, 422, ""},

		// Hours, closures, time off.
		{"HoursAsArtisan", "GET", "/staff/hours", nil, siti, 403, ""},
		{"HoursPostAsArtisan", "POST", "/staff/hours", form("hours_tue", "10:00-19:00"), siti, 403, ""},
		{"HoursPostGarbage", "POST", "/staff/hours", form("hours_tue", "all day"), admin, 422, ""},
		{"ClosureBadDates", "POST", "/staff/closures", form("from", "someday", "to", "2026-01-01"), admin, 422, ""},
		{"ClosureAsArtisan", "POST", "/staff/closures", form("from", "2027-03-01"), siti, 403, ""},
		{"ClosureAgain", "POST", "/staff/closures", form("from", christmas, "reason", "Closed"), admin, 409, "already closed on exactly these dates"},
		{"DeleteClosureFromFile", "POST", "/staff/closures/" + fromFile + "/delete", url.Values{}, admin, 409, "configuration file"},
		{"DeleteUnknownClosure", "POST", "/staff/closures/99999/delete", url.Values{}, admin, 404, ""},
		{"DeleteClosureNotANumber", "POST", "/staff/closures/abc/delete", url.Values{}, admin, 404, ""},
		{"DeleteClosureAsArtisan", "POST", "/staff/closures/" + fromFile + "/delete", url.Values{}, siti, 403, ""},
		{"ArtisanUnknown", "GET", "/staff/artisans/nobody", nil, admin, 404, ""},
		{"ArtisanOther", "GET", "/staff/artisans/mei", nil, siti, 0, ""},
		{"ArtisanHoursUnknown", "POST", "/staff/artisans/nobody/hours", form("hours_tue", "10:00-19:00"), admin, 0, ""},
		{"ArtisanHoursGarbage", "POST", "/staff/artisans/mei/hours", form("hours_tue", "whenever"), admin, 422, ""},
		{"ArtisanHoursOther", "POST", "/staff/artisans/mei/hours", form("hours_tue", "10:00-19:00"), siti, 0, ""},
		{"TimeOffGarbage", "POST", "/staff/artisans/mei/time-off", form("start", "soon", "end", "later"), admin, 422, ""},
		{"TimeOffBackwards", "POST", "/staff/artisans/mei/time-off", form("start", "2026-12-11T15:00", "end", "2026-12-11T10:00"), admin, 422, ""},
		{"TimeOffUnknownArtisan", "POST", "/staff/artisans/nobody/time-off", form("start", "2026-12-11T10:00", "end", "2026-12-11T15:00"), admin, 0, ""},
		{"TimeOffOther", "POST", "/staff/artisans/mei/time-off", form("start", "2026-12-11T10:00", "end", "2026-12-11T15:00"), siti, 0, ""},
		{"DeleteUnknownTimeOff", "POST", "/staff/artisans/mei/time-off/99999/delete", url.Values{}, admin, 404, ""},
		{"DeleteTimeOffNotANumber", "POST", "/staff/artisans/mei/time-off/abc/delete", url.Values{}, admin, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.cookie != "" {
				headers = []string{"Cookie", tc.cookie}
			}
			var p Page
			if tc.method == http.MethodGet {
				p = env.Send(t, http.MethodGet, tc.path, "", "", headers...)
			} else {
				p = env.Send(t, tc.method, tc.path, "application/x-www-form-urlencoded", tc.form.Encode(), headers...)
			}
			if p.Status >= 500 {
				t.Fatalf("%s %s: %d\n%s", tc.method, tc.path, p.Status, p.Body)
			}
			if tc.want != 0 && p.Status != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, p.Status, tc.want)
			}
			if tc.says != "" && !strings.Contains(p.Body, tc.says) {
				t.Errorf("%s %s: the page does not say %q:\n%s", tc.method, tc.path, tc.says, p.Body)
			}
			if p.Status >= 400 && !strings.Contains(p.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s %s: a %d answered with %q, not a page", tc.method, tc.path, p.Status, p.Header.Get("Content-Type"))
			}
		})
	}
	// Nothing bad input did changed the booking.
	if got := mustStored(t, env, id); got.Status != "confirmed" || !got.Start.Equal(time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)) {
		t.Errorf("bad input changed the booking: %s at %s", got.Status, got.Start)
	}
}
