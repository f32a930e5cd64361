package httpapi_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/booking"
)

// principal is who calls a route in the authorisation matrix.
type principal int

const (
	noSession principal = iota
	expiredSession
	otherArtisan // arjun's account, on mei's resources
	ownArtisan   // mei's account, on mei's resources
	admin
)

var principals = []principal{noSession, expiredSession, otherArtisan, ownArtisan, admin}

func (p principal) String() string {
	return [...]string{"NoSession", "ExpiredSession", "OtherArtisan", "OwnArtisan", "Admin"}[p]
}

// staffRoutes walks the router and returns "METHOD /template" for every
// staff route, so a new route shows up here without anyone listing it.
func staffRoutes(tb testing.TB, e *StaffEnv) []string {
	tb.Helper()
	var out []string
	err := e.Edge.Router().Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil || !strings.HasPrefix(tpl, "/api/v1/staff/") {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			return nil // a prefix, not an endpoint
		}
		for _, m := range methods {
			out = append(out, m+" "+tpl)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// matrixCase is one route's request and its expected status for each
// principal, in the order of principals.
type matrixCase struct {
	// prepare creates what the request needs (a fresh booking of mei, a
	// time off, a closure) and returns the path and body.
	prepare func(t *testing.T, f *matrixFixture) (path string, body any)
	want    [5]int
}

// matrixFixture hands out fresh resources so that every cell of the
// matrix starts from the same state.
type matrixFixture struct {
	e     *StaffEnv
	admin string // admin cookie, for setting things up
	day   booking.Date
	slot  int
	// closures counts the fixture's closures: each is on a day of its own
	// (the same dates twice are refused).
	closures int
}

// nextStart returns a free start for mei: three slots a day (10:00,
// 12:30, 15:00), Monday to Saturday except Christmas, with room for a
// reschedule by 30 minutes.
func (f *matrixFixture) nextStart() string {
	for {
		if f.slot == 3 {
			f.day, f.slot = f.day.AddDays(1), 0
		}
		if f.day.Weekday() == time.Sunday || (f.day.Month == 12 && f.day.Day == 25) {
			f.day = f.day.AddDays(1)
			continue
		}
		clock := []string{"10:00", "12:30", "15:00"}[f.slot]
		f.slot++
		return f.day.String() + "T" + clock + ":00+08:00"
	}
}

func (f *matrixFixture) booking(t *testing.T) Booking {
	return f.e.MustStaffBook(t, f.admin, VirtualRequest(f.nextStart(), "mei"))
}

func (f *matrixFixture) timeOff(t *testing.T) string {
	t.Helper()
	r := f.e.Do(t, f.admin, http.MethodPost, "/api/v1/staff/artisans/mei/time-off",
		map[string]string{"start": "2027-06-01T10:00:00+08:00", "end": "2027-06-01T12:00:00+08:00", "reason": "fixture"})
	if r.Status != http.StatusCreated {
		t.Fatalf("add time off: %d %s", r.Status, r.Body)
	}
	var v struct{ ID string }
	r.JSON(t, &v)
	return v.ID
}

func (f *matrixFixture) closure(t *testing.T) string {
	t.Helper()
	d := booking.Date{Year: 2027, Month: time.June, Day: 6}.AddDays(f.closures).String()
	f.closures++
	r := f.e.Do(t, f.admin, http.MethodPost, "/api/v1/staff/closures",
		map[string]string{"from": d, "to": d, "reason": "fixture"})
	if r.Status != http.StatusCreated {
		t.Fatalf("add closure: %d %s", r.Status, r.Body)
	}
	var v struct{ ID string }
	r.JSON(t, &v)
	return v.ID
}

func (f *matrixFixture) dateHours(t *testing.T) string {
	t.Helper()
	r := f.e.Do(t, f.admin, http.MethodPost, "/api/v1/staff/date-hours",
		map[string]any{"date": "2027-06-07", "artisan": "mei", "hours": [][2]string{}})
	if r.Status != http.StatusCreated {
		t.Fatalf("set date hours: %d %s", r.Status, r.Body)
	}
	var v struct{ ID string }
	r.JSON(t, &v)
	return v.ID
}

// reschedule moves a start by 30 minutes.
func later(start string) string {
	t, _ := time.Parse(time.RFC3339, start)
	return t.Add(30 * time.Minute).Format(time.RFC3339)
}

var workWeek = map[string][][2]string{
	"mon": {{"09:00", "19:00"}}, "tue": {{"09:00", "19:00"}}, "wed": {{"09:00", "19:00"}},
	"thu": {{"09:00", "19:00"}}, "fri": {{"09:00", "19:00"}}, "sat": {{"09:00", "19:00"}},
}

var openWeek = map[string][][2]string{
	"mon": {{"10:00", "19:00"}}, "tue": {{"10:00", "19:00"}}, "wed": {{"10:00", "19:00"}},
	"thu": {{"10:00", "19:00"}}, "fri": {{"10:00", "19:00"}}, "sat": {{"10:00", "19:00"}},
}

// matrix is the expected status of every staff route for {no session,
// expired session, other artisan, own artisan, admin}.
var matrix = map[string]matrixCase{
	"POST /api/v1/staff/login": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/login", map[string]string{"email": f.e.Admin.Email, "password": StaffPassword}
		},
		want: [5]int{200, 200, 200, 200, 200},
	},
	"POST /api/v1/staff/logout": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/logout", nil },
		want:    [5]int{204, 204, 204, 204, 204},
	},
	"GET /api/v1/staff/me": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/me", nil },
		want:    [5]int{401, 401, 200, 200, 200},
	},
	"GET /api/v1/staff/bookings": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings?from=2026-12-01&to=2026-12-31", nil
		},
		want: [5]int{401, 401, 200, 200, 200},
	},
	"POST /api/v1/staff/bookings": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings", VirtualRequest(f.nextStart(), "mei")
		},
		want: [5]int{401, 401, 403, 201, 201},
	},
	"GET /api/v1/staff/bookings/{id}": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings/" + f.booking(t).ID, nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	"POST /api/v1/staff/bookings/{id}/cancel": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings/" + f.booking(t).ID + "/cancel", nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	"POST /api/v1/staff/bookings/{id}/reschedule": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			b := f.booking(t)
			return "/api/v1/staff/bookings/" + b.ID + "/reschedule", map[string]string{"start": later(b.Start)}
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	"PUT /api/v1/staff/bookings/{id}/staff-notes": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings/" + f.booking(t).ID + "/staff-notes", map[string]string{"staff_notes": "VIP"}
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	// Requests (issue 13): as the other changes of a booking, an artisan
	// account decides its own artisan's requests only.
	"POST /api/v1/staff/bookings/{id}/confirm": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings/" + f.request(t).ID + "/confirm", nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	"POST /api/v1/staff/bookings/{id}/decline": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings/" + f.request(t).ID + "/decline", map[string]string{"reason": "The pieces are away."}
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	"GET /api/v1/staff/bookings/{id}/messages": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/bookings/" + f.booking(t).ID + "/messages", nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	},
	"GET /api/v1/staff/artisans": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/artisans", nil },
		want:    [5]int{401, 401, 200, 200, 200},
	},
	"GET /api/v1/staff/artisans/{id}": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/artisans/mei", nil },
		want:    [5]int{401, 401, 403, 200, 200},
	},
	"PUT /api/v1/staff/artisans/{id}/working-hours": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/artisans/mei/working-hours", workWeek
		},
		want: [5]int{401, 401, 403, 200, 200},
	},
	"POST /api/v1/staff/artisans/{id}/time-off": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/artisans/mei/time-off",
				map[string]string{"start": "2027-07-01T10:00:00+08:00", "end": "2027-07-01T11:00:00+08:00", "reason": "dentist"}
		},
		want: [5]int{401, 401, 403, 201, 201},
	},
	"DELETE /api/v1/staff/artisans/{id}/time-off/{tid}": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/artisans/mei/time-off/" + f.timeOff(t), nil
		},
		want: [5]int{401, 401, 403, 204, 204},
	},
	"POST /api/v1/staff/artisans/{id}/feed": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/artisans/mei/feed", nil },
		want:    [5]int{401, 401, 403, 201, 201},
	},
	"DELETE /api/v1/staff/artisans/{id}/feed": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/artisans/mei/feed", nil },
		want:    [5]int{401, 401, 403, 204, 204},
	},
	"POST /api/v1/staff/feed": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/feed", nil },
		want:    [5]int{401, 401, 403, 403, 201},
	},
	"DELETE /api/v1/staff/feed": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/feed", nil },
		want:    [5]int{401, 401, 403, 403, 204},
	},
	"GET /api/v1/staff/closures": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/closures", nil },
		want:    [5]int{401, 401, 200, 200, 200},
	},
	"PUT /api/v1/staff/opening-hours": {
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/opening-hours", openWeek },
		want:    [5]int{401, 401, 403, 403, 200},
	},
	"POST /api/v1/staff/closures": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/closures", map[string]string{"from": "2027-07-04", "to": "2027-07-04", "reason": "stock-take"}
		},
		want: [5]int{401, 401, 403, 403, 201},
	},
	"DELETE /api/v1/staff/closures/{cid}": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/closures/" + f.closure(t), nil
		},
		want: [5]int{401, 401, 403, 403, 204},
	},
	"GET /api/v1/staff/date-hours": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/date-hours?from=2026-12-01&to=2026-12-31", nil
		},
		want: [5]int{401, 401, 200, 200, 200},
	},
	"POST /api/v1/staff/date-hours": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/date-hours", map[string]any{"date": "2027-07-05", "artisan": "mei", "hours": [][2]string{{"10:00", "12:00"}}}
		},
		want: [5]int{401, 401, 403, 201, 201},
	},
	"DELETE /api/v1/staff/date-hours/{did}": {
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/date-hours/" + f.dateHours(t), nil
		},
		want: [5]int{401, 401, 403, 200, 200},
	},
	"GET /api/v1/staff/audit": {
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/audit?from=2026-12-01&to=2026-12-31", nil
		},
		want: [5]int{401, 401, 403, 403, 200},
	},
}

// TestStaffAuthorizationMatrix calls every staff route, found by walking
// the router, as every kind of caller. A route without expectations fails.
func TestStaffAuthorizationMatrix(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	f := &matrixFixture{e: e, admin: e.MustLogin(t, e.Admin), day: booking.Date{Year: 2026, Month: 12, Day: 1}}
	routes := staffRoutes(t, e)
	if len(routes) == 0 {
		t.Fatal("no staff routes found")
	}
	seen := map[string]bool{}
	for _, route := range routes {
		seen[route] = true
		tc, ok := matrix[route]
		if !ok {
			t.Errorf("route %s has no row in the authorisation matrix", route)
			continue
		}
		method, _, _ := strings.Cut(route, " ")
		for i, p := range principals {
			t.Run(fmt.Sprintf("%s/%s", route, p), func(t *testing.T) {
				path, body := tc.prepare(t, f)
				var cookie string
				switch p {
				case expiredSession:
					cookie = e.MustExpiredSession(t, e.Mei)
				case otherArtisan:
					cookie = e.MustLogin(t, e.Arjun)
				case ownArtisan:
					cookie = e.MustLogin(t, e.Mei)
				case admin:
					cookie = e.MustLogin(t, e.Admin)
				}
				r := e.Do(t, cookie, method, path, body)
				if got, want := r.Status, tc.want[i]; got != want {
					t.Errorf("%s %s as %s: status %d, want %d; body %s", method, path, p, got, want, r.Body)
				}
			})
		}
	}
	for route := range matrix {
		if !seen[route] {
			t.Errorf("the matrix expects %s but the router has no such route", route)
		}
	}
}

// The admins' catalogue (staff_catalogue.go): admins only. Each item is
// made for the call, so that one call's change never meets another's.
var catalogueFixtures = 0

func (f *matrixFixture) item(t *testing.T, kind string, body map[string]any) string {
	t.Helper()
	catalogueFixtures++
	body["name"] = fmt.Sprintf("Fixture %d", catalogueFixtures)
	r := f.e.Do(t, f.admin, http.MethodPost, "/api/v1/staff/"+kind, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("add %s: %d %s", kind, r.Status, r.Body)
	}
	var v struct{ Service, Artisan, Room *struct{ ID string } }
	r.JSON(t, &v)
	for _, x := range []*struct{ ID string }{v.Service, v.Artisan, v.Room} {
		if x != nil {
			return "/api/v1/staff/" + kind + "/" + x.ID
		}
	}
	t.Fatalf("add %s: no item in %s", kind, r.Body)
	return ""
}

func init() {
	adminsOnly := [5]int{401, 401, 403, 403, 200}
	created := [5]int{401, 401, 403, 403, 201}
	service := func() map[string]any { return map[string]any{"duration_minutes": 30, "modes": []string{"virtual"}} }
	for route, tc := range map[string]matrixCase{
		"GET /api/v1/staff/catalogue": {
			prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/catalogue", nil }, want: adminsOnly},
		"POST /api/v1/staff/services": {
			prepare: func(*testing.T, *matrixFixture) (string, any) {
				return "/api/v1/staff/services", map[string]any{"name": "Polishing", "duration_minutes": 30, "modes": []string{"virtual"}}
			}, want: created},
		"PUT /api/v1/staff/services/{id}": {
			prepare: func(t *testing.T, f *matrixFixture) (string, any) {
				return f.item(t, "services", service()), map[string]any{"description": "Changed"}
			}, want: adminsOnly},
		"DELETE /api/v1/staff/services/{id}": {
			prepare: func(t *testing.T, f *matrixFixture) (string, any) { return f.item(t, "services", service()), nil }, want: adminsOnly},
		"POST /api/v1/staff/artisans": {
			prepare: func(*testing.T, *matrixFixture) (string, any) {
				return "/api/v1/staff/artisans", map[string]any{"name": "Zed"}
			}, want: created},
		"PUT /api/v1/staff/artisans/{id}": {
			prepare: func(t *testing.T, f *matrixFixture) (string, any) {
				return f.item(t, "artisans", map[string]any{}), map[string]any{"bio": "Changed"}
			}, want: adminsOnly},
		"DELETE /api/v1/staff/artisans/{id}": {
			prepare: func(t *testing.T, f *matrixFixture) (string, any) {
				return f.item(t, "artisans", map[string]any{}), nil
			}, want: adminsOnly},
		"POST /api/v1/staff/rooms": {
			prepare: func(*testing.T, *matrixFixture) (string, any) {
				return "/api/v1/staff/rooms", map[string]any{"name": "Vault"}
			}, want: created},
		"DELETE /api/v1/staff/rooms/{id}": {
			prepare: func(t *testing.T, f *matrixFixture) (string, any) { return f.item(t, "rooms", map[string]any{}), nil }, want: adminsOnly},
		"PUT /api/v1/staff/booking-rules": {
			prepare: func(*testing.T, *matrixFixture) (string, any) {
				return "/api/v1/staff/booking-rules", map[string]any{"horizon_days": 120}
			}, want: adminsOnly},
	} {
		matrix[route] = tc
	}
}
