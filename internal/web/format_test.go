package web_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// TestDateRangesAreWrittenInFull checks that a span of days shows the
// weekday of both ends and, when it crosses New Year, both years: on the
// home page's closures, the staff closures list and the staff week.
func TestDateRangesAreWrittenInFull(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	admin := &booking.User{ID: "us_test", Role: booking.RoleAdmin}
	if _, err := env.App.AddClosure(context.Background(), admin, app.ClosureRequest{From: booking.Date{Year: 2026, Month: 12, Day: 30}, To: booking.Date{Year: 2027, Month: 1, Day: 2}, Reason: "Stocktaking"}); err != nil {
		t.Fatalf("add closure: %v", err)
	}
	const (
		sameYear   = "Saturday 6 February – Monday 8 February 2027" // from the demo configuration
		acrossYear = "Wednesday 30 December 2026 – Saturday 2 January 2027"
		week       = "Monday 28 December 2026 – Sunday 3 January 2027"
	)
	for _, tc := range []struct {
		name, path string
		headers    []string
		want       []string
	}{
		{"HomeClosures", "/", nil, []string{sameYear, acrossYear, "Friday 1 January 2027"}},
		{"StaffClosures", "/staff/hours", []string{"Cookie", cookie}, []string{sameYear, acrossYear}},
		{"StaffWeekAcrossNewYear", "/staff/calendar?view=week&date=2026-12-30", []string{"Cookie", cookie}, []string{week}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := env.Send(t, http.MethodGet, tc.path, "", "", tc.headers...)
			if p.Status != http.StatusOK {
				t.Fatalf("GET %s: status %d", tc.path, p.Status)
			}
			body := html.UnescapeString(p.Body)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}
