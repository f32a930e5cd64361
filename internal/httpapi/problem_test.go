package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// domainKinds reads the error kinds declared in internal/booking/error.go,
// so that a kind added there later is checked here without editing this
// test.
func domainKinds(tb testing.TB) []booking.Kind {
	tb.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../booking/error.go", nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var kinds []booking.Kind
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				lit := v.(*ast.BasicLit)
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					tb.Fatal(err)
				}
				kinds = append(kinds, booking.Kind(s))
			}
		}
	}
	if len(kinds) < 10 {
		tb.Fatalf("found only %d kinds in error.go: %v", len(kinds), kinds)
	}
	return kinds
}

// TestEveryKindHasAStatus: the one table answers every kind the domain
// declares; only an internal error is a 500, and only a passing refusal
// asks for a retry.
func TestEveryKindHasAStatus(t *testing.T) {
	want := map[booking.Kind]int{
		booking.EINVALID: 422, booking.EMALFORMED: 400, booking.ENOTFOUND: 404, booking.ECONFLICT: 409,
		booking.EUNAUTHORIZED: 401, booking.EFORBIDDEN: 403, booking.ETOOLARGE: 413, booking.ERATELIMIT: 429,
		booking.EUNAVAILABLE: 503, booking.EINTERNAL: 500,
	}
	for _, k := range domainKinds(t) {
		t.Run(string(k), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &booking.Error{Kind: k, Message: "m"})
			got := httpapi.StatusOf(err)
			if w, ok := want[k]; ok && got != w {
				t.Errorf("status %d, want %d", got, w)
			}
			if got == http.StatusInternalServerError && k != booking.EINTERNAL {
				t.Errorf("kind %q has no status of its own: it would be a 500", k)
			}
			h := http.Header{}
			set := httpapi.SetRetryAfter(h, err)
			if set != (got == http.StatusServiceUnavailable) {
				t.Errorf("Retry-After set %v (%q) for a %d", set, h.Get("Retry-After"), got)
			}
		})
	}
	if got := httpapi.StatusOf(errors.New("disk on fire")); got != 500 {
		t.Errorf("a plain error: %d, want 500", got)
	}
	h := http.Header{"Retry-After": {"42"}}
	httpapi.SetRetryAfter(h, &booking.Error{Kind: booking.EUNAVAILABLE})
	if got := h.Get("Retry-After"); got != "42" {
		t.Errorf("Retry-After already set was replaced by %q", got)
	}
}

// failingLinker cannot make video links: the booking is refused with
// EUNAVAILABLE and nothing stored.
type failingLinker struct{}

func (failingLinker) Link(context.Context, *booking.Booking, *booking.Artisan) (string, error) {
	return "", errors.New("jitsi: connection refused")
}

func TestUnavailableAsksForARetry(t *testing.T) {
	e := MustOpenEnv(t, httpapi.Config{})
	e.App.Meetings = failingLinker{}
	req := Request(tomorrow10)
	req["mode"] = "virtual"
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", req)
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", r.Status, r.Body)
	}
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q, want a number of seconds", r.Header.Get("Retry-After"))
	}
	if p := r.Problem(t); p.Status != 503 || strings.Contains(p.Detail, "jitsi") {
		t.Errorf("problem %+v: want 503 without the internal detail", p)
	}
}

// TestBookingReferenceInAnyCase: references are printed in capitals, so
// the API finds "BK_…" as the booking "bk_…", for customers and staff.
func TestBookingReferenceInAnyCase(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, Request(tomorrow10))
	upper := strings.ToUpper(b.ID)
	for _, tc := range []struct {
		name, cookie, path string
	}{
		{"Customer", "", "/api/v1/bookings/" + upper + "?token=" + b.ManageToken},
		{"Invite", "", "/api/v1/bookings/" + upper + "/invite.ics?token=" + b.ManageToken},
		{"Staff", admin, "/api/v1/staff/bookings/" + upper},
		{"StaffMessages", admin, "/api/v1/staff/bookings/" + upper + "/messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.cookie, http.MethodGet, tc.path, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", tc.path, r.Status, r.Body)
			}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && !strings.Contains(string(r.Body), `"`+b.ID+`"`) &&
				tc.name != "StaffMessages" {
				t.Errorf("answer does not carry the id %s: %s", b.ID, r.Body)
			}
		})
	}
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings/"+upper+"/cancel?token="+b.ManageToken, nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"cancelled"`) {
		t.Fatalf("cancel through %s: %d %s", upper, r.Status, r.Body)
	}
}
