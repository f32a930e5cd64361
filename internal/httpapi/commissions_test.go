package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Commission is a commission as the staff API answers it.
type Commission struct {
	ID            string           `json:"id"`
	Title         string           `json:"title"`
	Stage         string           `json:"stage"`
	StageLabel    string           `json:"stage_label"`
	Customer      booking.Customer `json:"customer"`
	CustomerID    string           `json:"customer_id"`
	Artisan       string           `json:"artisan"`
	Notes         string           `json:"notes"`
	NeededBy      *string          `json:"needed_by"`
	NextBooking   *string          `json:"next_booking"`
	Overdue       bool             `json:"overdue"`
	OverdueReason string           `json:"overdue_reason"`
	Bookings      []struct {
		Booking
		Commission *struct{ ID, Title string } `json:"commission"`
	} `json:"bookings"`
}

func (c Commission) bookingIDs() []string {
	var out []string
	for _, b := range c.Bookings {
		out = append(out, b.ID)
	}
	return out
}

// matrixCommission opens a commission of mei for the customer of Request
// and returns its id.
func (f *matrixFixture) commission(t *testing.T) string {
	t.Helper()
	r := f.e.Do(t, f.admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{
		"title": "Sapphire ring", "artisan": "mei", "customer": map[string]string{"name": "Ana Lim", "email": "ana@example.com"},
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("open commission: %d %s", r.Status, r.Body)
	}
	var c Commission
	r.JSON(t, &c)
	return c.ID
}

func init() {
	matrix["POST /api/v1/staff/commissions"] = matrixCase{
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/commissions", map[string]any{
				"title": "Ring", "artisan": "mei", "customer": map[string]string{"name": "Ana Lim", "email": "ana@example.com"},
			}
		},
		want: [5]int{401, 401, 403, 201, 201},
	}
	matrix["GET /api/v1/staff/commissions"] = matrixCase{
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/commissions?artisan=mei", nil },
		want:    [5]int{401, 401, 403, 200, 200},
	}
	matrix["GET /api/v1/staff/commissions/{id}"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/commissions/" + f.commission(t), nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
	matrix["PATCH /api/v1/staff/commissions/{id}"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/commissions/" + f.commission(t), map[string]string{"stage": "design"}
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
	matrix["PUT /api/v1/staff/commissions/{id}/bookings/{booking}"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/commissions/" + f.commission(t) + "/bookings/" + f.booking(t).ID, nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
	matrix["DELETE /api/v1/staff/commissions/{id}/bookings/{booking}"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			id, b := f.commission(t), f.booking(t)
			if r := f.e.Do(t, f.admin, http.MethodPut, "/api/v1/staff/commissions/"+id+"/bookings/"+b.ID, nil); r.Status != http.StatusOK {
				t.Fatalf("attach: %d %s", r.Status, r.Body)
			}
			return "/api/v1/staff/commissions/" + id + "/bookings/" + b.ID, nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
}

func mustCommission(t *testing.T, r Response, status int) Commission {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	var c Commission
	r.JSON(t, &c)
	return c
}

func wantFieldError(t *testing.T, r Response, status int, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if p := r.Problem(t); p.Errors[field] == "" {
		t.Errorf("no error on %q: %+v", field, p)
	}
}

// TestStaffCommissions opens commissions fresh and from a booking, lists
// and filters them, changes them, attaches and detaches bookings, and
// refuses what is wrong with the field named, changing nothing.
func TestStaffCommissions(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	base := "/api/v1/staff/commissions"

	// Fresh.
	fresh := mustCommission(t, e.Do(t, admin, http.MethodPost, base, map[string]any{
		"title": "  Emerald engagement ring ", "artisan": "arjun", "notes": "Budget firm", "needed_by": "2026-12-20",
		"customer": map[string]string{"name": "Dev Patel", "email": "dev@example.net", "phone": "+65 9000 0001"},
	}), http.StatusCreated)
	if !strings.HasPrefix(fresh.ID, "cm_") || fresh.Title != "Emerald engagement ring" || fresh.Stage != "consultation" ||
		fresh.StageLabel != "Consultation" || fresh.Artisan != "arjun" || fresh.Notes != "Budget firm" ||
		fresh.Customer.Email != "dev@example.net" || !strings.HasPrefix(fresh.CustomerID, "cu_") ||
		fresh.NeededBy == nil || *fresh.NeededBy != "2026-12-20" || len(fresh.Bookings) != 0 || fresh.NextBooking != nil {
		t.Errorf("fresh commission %+v", fresh)
	}
	// Needed by in 19 days, nothing booked: not yet overdue.
	if fresh.Overdue {
		t.Errorf("overdue 19 days ahead: %+v", fresh)
	}

	// From a booking: the customer and artisan are the booking's.
	e.Clock.Advance(time.Minute)
	b := e.MustStaffBook(t, admin, VirtualRequest("2026-12-03T10:00:00+08:00", "mei"))
	other := e.MustStaffBook(t, admin, VirtualRequest("2026-12-04T10:00:00+08:00", "mei"))
	stranger := VirtualRequest("2026-12-04T15:00:00+08:00", "mei")
	stranger["customer"] = map[string]string{"name": "Someone Else", "email": "else@example.org"}
	strangers := e.MustStaffBook(t, admin, stranger)
	fromBooking := mustCommission(t, e.Do(t, admin, http.MethodPost, base, map[string]any{
		"title": "Sapphire ring", "booking": strings.ToUpper(b.ID), "stage": "design",
	}), http.StatusCreated)
	if fromBooking.Artisan != "mei" || fromBooking.Customer.Email != "ana@example.com" || fromBooking.Stage != "design" ||
		!slices.Equal(fromBooking.bookingIDs(), []string{b.ID}) || fromBooking.NextBooking == nil || *fromBooking.NextBooking != b.ID {
		t.Errorf("from a booking: %+v", fromBooking)
	}
	if c := fromBooking.Bookings[0].Commission; c == nil || c.ID != fromBooking.ID || c.Title != "Sapphire ring" {
		t.Errorf("the booking's commission in the commission: %+v", c)
	}
	// The booking's own staff view names the commission.
	var sb struct {
		Commission *struct{ ID, Title string } `json:"commission"`
	}
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+b.ID, nil).JSON(t, &sb)
	if sb.Commission == nil || sb.Commission.ID != fromBooking.ID || sb.Commission.Title != "Sapphire ring" {
		t.Errorf("staff booking view: %+v", sb.Commission)
	}
	sb.Commission = nil
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+other.ID, nil).JSON(t, &sb)
	if sb.Commission != nil {
		t.Errorf("a booking in no commission names %+v", sb.Commission)
	}

	t.Run("List", func(t *testing.T) {
		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"", []string{fromBooking.ID, fresh.ID}},
			{"?stage=design", []string{fromBooking.ID}},
			{"?artisan=arjun", []string{fresh.ID}},
			{"?stage=ready", nil},
		} {
			var cs []Commission
			r := e.Do(t, admin, http.MethodGet, base+tt.query, nil)
			r.JSON(t, &cs)
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if r.Status != http.StatusOK || !slices.Equal(ids, tt.want) {
				t.Errorf("%q: %d %v, want %v", tt.query, r.Status, ids, tt.want)
			}
		}
		wantFieldError(t, e.Do(t, admin, http.MethodGet, base+"?stage=polishing", nil), http.StatusUnprocessableEntity, "stage")
		// An artisan account sees its own only.
		var cs []Commission
		e.Do(t, e.MustLogin(t, e.Mei), http.MethodGet, base, nil).JSON(t, &cs)
		if len(cs) != 1 || cs[0].ID != fromBooking.ID {
			t.Errorf("mei sees %+v", cs)
		}
	})

	t.Run("Patch", func(t *testing.T) {
		c := mustCommission(t, e.Do(t, admin, http.MethodPatch, base+"/"+fresh.ID, map[string]any{
			"stage": "fitting", "title": "Emerald ring, pear cut", "notes": "", "artisan": "mei",
		}), http.StatusOK)
		if c.Stage != "fitting" || c.StageLabel != "Fitting" || c.Title != "Emerald ring, pear cut" || c.Notes != "" ||
			c.Artisan != "mei" || c.NeededBy == nil || c.Customer.Email != "dev@example.net" {
			t.Errorf("patched %+v", c)
		}
		c = mustCommission(t, e.Do(t, admin, http.MethodPatch, base+"/"+fresh.ID, map[string]any{"needed_by": ""}), http.StatusOK)
		if c.NeededBy != nil || c.Stage != "fitting" {
			t.Errorf("needed_by removed: %+v", c)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		for _, tt := range []struct {
			name, method, path string
			body               any
			field              string
		}{
			{"EmptyTitle", http.MethodPost, base, map[string]any{"title": " ", "artisan": "mei", "customer": map[string]string{"name": "A", "email": "a@example.com"}}, "title"},
			{"UnknownStage", http.MethodPost, base, map[string]any{"title": "T", "stage": "polishing", "artisan": "mei", "customer": map[string]string{"name": "A", "email": "a@example.com"}}, "stage"},
			{"UnknownArtisan", http.MethodPost, base, map[string]any{"title": "T", "artisan": "nobody", "customer": map[string]string{"name": "A", "email": "a@example.com"}}, "artisan"},
			{"NoCustomer", http.MethodPost, base, map[string]any{"title": "T", "artisan": "mei"}, "customer.email"},
			{"UnknownBooking", http.MethodPost, base, map[string]any{"title": "T", "booking": "bk_nobody"}, "booking"},
			{"BookingInAnother", http.MethodPost, base, map[string]any{"title": "T", "booking": b.ID}, "booking"},
			{"BadNeededBy", http.MethodPost, base, map[string]any{"title": "T", "artisan": "mei", "needed_by": "2027-02-30", "customer": map[string]string{"name": "A", "email": "a@example.com"}}, "needed_by"},
			{"PatchEmptyTitle", http.MethodPatch, base + "/" + fromBooking.ID, map[string]any{"title": ""}, "title"},
			{"PatchUnknownStage", http.MethodPatch, base + "/" + fromBooking.ID, map[string]any{"stage": "polishing"}, "stage"},
			{"PatchUnknownArtisan", http.MethodPatch, base + "/" + fromBooking.ID, map[string]any{"artisan": "nobody"}, "artisan"},
			{"AttachStrangersBooking", http.MethodPut, base + "/" + fromBooking.ID + "/bookings/" + strangers.ID, nil, "booking"},
			{"AttachUnknownBooking", http.MethodPut, base + "/" + fromBooking.ID + "/bookings/bk_nobody", nil, "booking"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantFieldError(t, e.Do(t, admin, tt.method, tt.path, tt.body), http.StatusUnprocessableEntity, tt.field)
			})
		}
		var cs []Commission
		e.Do(t, admin, http.MethodGet, base, nil).JSON(t, &cs)
		if len(cs) != 2 {
			t.Errorf("refusals made commissions: %d", len(cs))
		}
		c := mustCommission(t, e.Do(t, admin, http.MethodGet, base+"/"+fromBooking.ID, nil), http.StatusOK)
		if c.Title != "Sapphire ring" || c.Stage != "design" || c.Artisan != "mei" || len(c.Bookings) != 1 {
			t.Errorf("refused patches changed %+v", c)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		for _, r := range []Response{
			e.Do(t, admin, http.MethodGet, base+"/cm_nobody", nil),
			e.Do(t, admin, http.MethodPatch, base+"/cm_nobody", map[string]string{"stage": "design"}),
			e.Do(t, admin, http.MethodPut, base+"/cm_nobody/bookings/"+other.ID, nil),
			e.Do(t, admin, http.MethodDelete, base+"/"+fromBooking.ID+"/bookings/"+other.ID, nil), // not one of its bookings
		} {
			if r.Status != http.StatusNotFound {
				t.Errorf("status %d: %s", r.Status, r.Body)
			}
		}
	})

	t.Run("AttachDetach", func(t *testing.T) {
		c := mustCommission(t, e.Do(t, admin, http.MethodPut, base+"/"+fromBooking.ID+"/bookings/"+other.ID, nil), http.StatusOK)
		if !slices.Equal(c.bookingIDs(), []string{b.ID, other.ID}) {
			t.Errorf("attached: %v", c.bookingIDs())
		}
		c = mustCommission(t, e.Do(t, admin, http.MethodPut, base+"/"+fromBooking.ID+"/bookings/"+other.ID, nil), http.StatusOK)
		if len(c.Bookings) != 2 {
			t.Errorf("attached twice: %v", c.bookingIDs())
		}
		c = mustCommission(t, e.Do(t, admin, http.MethodDelete, base+"/"+fromBooking.ID+"/bookings/"+other.ID, nil), http.StatusOK)
		if !slices.Equal(c.bookingIDs(), []string{b.ID}) {
			t.Errorf("detached: %v", c.bookingIDs())
		}
	})

	t.Run("Authz", func(t *testing.T) {
		mei, arjun := e.MustLogin(t, e.Mei), e.MustLogin(t, e.Arjun)
		// mei opens one for herself without naming the artisan.
		c := mustCommission(t, e.Do(t, mei, http.MethodPost, base, map[string]any{
			"title": "Pendant", "customer": map[string]string{"name": "Ana Lim", "email": "ana@example.com"},
		}), http.StatusCreated)
		if c.Artisan != "mei" {
			t.Errorf("mei's commission is %s's", c.Artisan)
		}
		if r := e.Do(t, mei, http.MethodPatch, base+"/"+c.ID, map[string]string{"artisan": "arjun"}); r.Status != http.StatusForbidden {
			t.Errorf("mei hands it to arjun: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, arjun, http.MethodGet, base+"/"+c.ID, nil); r.Status != http.StatusNotFound {
			t.Errorf("arjun reads mei's: %d", r.Status)
		}
		// arjun may not open one from mei's booking: it is not his to see.
		wantFieldError(t, e.Do(t, arjun, http.MethodPost, base, map[string]any{"title": "T", "booking": other.ID}), http.StatusUnprocessableEntity, "booking")
	})

	t.Run("Customer", func(t *testing.T) {
		var cu struct {
			Commissions []Commission `json:"commissions"`
		}
		e.Do(t, admin, http.MethodGet, "/api/v1/staff/customers/"+fromBooking.CustomerID, nil).JSON(t, &cu)
		var ids []string
		for _, c := range cu.Commissions {
			ids = append(ids, c.Title)
		}
		if !slices.Contains(ids, "Sapphire ring") || !slices.Contains(ids, "Pendant") || slices.Contains(ids, "Emerald ring, pear cut") {
			t.Errorf("the customer's commissions: %v", ids)
		}
	})

	t.Run("Audit", func(t *testing.T) {
		rows, err := e.DB.AuditLog(context.Background(), Now.AddDate(0, 0, -1), Now.AddDate(0, 0, 1), 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, r := range rows {
			n[r.Action]++
		}
		if n["commission.create"] != 3 || n["commission.update"] != 2 || n["commission.link"] != 3 {
			t.Errorf("audit %v", n)
		}
	})
}

// TestCustomerCommissionView: the manage token of any booking of the
// commission opens the customer's view (no staff notes), and every booking
// of it; a token of a booking outside it, or none, is 404 as an unknown id.
func TestCustomerCommissionView(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	book := func(start string) Booking {
		r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", VirtualRequest(start, "mei"))
		if r.Status != http.StatusCreated {
			t.Fatalf("book: %d %s", r.Status, r.Body)
		}
		var b Booking
		r.JSON(t, &b)
		return b
	}
	first, second, outside := book("2026-12-03T10:00:00+08:00"), book("2026-12-10T10:00:00+08:00"), book("2026-12-11T10:00:00+08:00")
	c := mustCommission(t, e.Do(t, admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{
		"title": "Sapphire ring", "booking": first.ID, "notes": "SECRET margin 40%",
	}), http.StatusCreated)
	mustCommission(t, e.Do(t, admin, http.MethodPut, "/api/v1/staff/commissions/"+c.ID+"/bookings/"+second.ID, nil), http.StatusOK)
	e.Do(t, admin, http.MethodPut, "/api/v1/staff/bookings/"+second.ID+"/staff-notes", map[string]string{"staff_notes": "SECRET stone cost"})
	e.Clock.Advance(3 * 24 * time.Hour) // the first appointment is past
	admin = e.MustLogin(t, e.Admin)

	r := e.Do(t, "", http.MethodGet, "/api/v1/commissions/"+c.ID+"?token="+second.ManageToken, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("customer view: %d %s", r.Status, r.Body)
	}
	if strings.Contains(string(r.Body), "SECRET") {
		t.Errorf("staff notes in the customer's view: %s", r.Body)
	}
	var v struct {
		Title, Stage string
		Past, Coming []Booking
	}
	r.JSON(t, &v)
	if v.Title != "Sapphire ring" || v.Stage != "consultation" || len(v.Past) != 1 || v.Past[0].ID != first.ID ||
		len(v.Coming) != 1 || v.Coming[0].ID != second.ID || !strings.Contains(v.Past[0].Links.Manage, "token="+second.ManageToken) {
		t.Errorf("customer view %+v", v)
	}
	// The token of the second booking opens the first (the page's links).
	if r := e.Do(t, "", http.MethodGet, "/api/v1/bookings/"+first.ID+"?token="+second.ManageToken, nil); r.Status != http.StatusOK {
		t.Errorf("sibling booking with the commission's token: %d %s", r.Status, r.Body)
	}
	for name, path := range map[string]string{
		"TokenOfABookingOutside":            "/api/v1/commissions/" + c.ID + "?token=" + outside.ManageToken,
		"WrongToken":                        "/api/v1/commissions/" + c.ID + "?token=nope",
		"NoToken":                           "/api/v1/commissions/" + c.ID,
		"UnknownID":                         "/api/v1/commissions/cm_nobody?token=" + first.ManageToken,
		"OutsideBookingWithCommissionToken": "/api/v1/bookings/" + outside.ID + "?token=" + first.ManageToken,
	} {
		if r := e.Do(t, "", http.MethodGet, path, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, r.Status)
		}
	}
	// Detached, its token opens the commission no more.
	mustCommission(t, e.Do(t, admin, http.MethodDelete, "/api/v1/staff/commissions/"+c.ID+"/bookings/"+second.ID, nil), http.StatusOK)
	if r := e.Do(t, "", http.MethodGet, "/api/v1/commissions/"+c.ID+"?token="+second.ManageToken, nil); r.Status != http.StatusNotFound {
		t.Errorf("detached booking's token: %d", r.Status)
	}
}

// TestCommissionNeededByFromIntake: a commission opened from a booking
// takes the intake's "needed by" answer; close to it with nothing booked,
// it is overdue, in words.
func TestCommissionNeededByFromIntake(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	if _, err := e.DB.SyncCatalog(context.Background(), IntakeCatalog()); err != nil {
		t.Fatal(err)
	}
	admin := e.MustLogin(t, e.Admin)
	req := Request("2026-12-07T10:00:00+08:00")
	req["answers"] = map[string]any{"occasion": "Wedding", "needed-by": "2026-12-18"}
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
	if r.Status != http.StatusCreated {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(t, &b)
	c := mustCommission(t, e.Do(t, admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{"title": "Band", "booking": b.ID}), http.StatusCreated)
	if c.NeededBy == nil || *c.NeededBy != "2026-12-18" || c.Overdue {
		t.Errorf("from the intake: %+v", c)
	}
	e.Clock.Advance(7 * 24 * time.Hour) // the consultation is past; 4 days to go, nothing booked
	admin = e.MustLogin(t, e.Admin)
	c = mustCommission(t, e.Do(t, admin, http.MethodGet, "/api/v1/staff/commissions/"+c.ID, nil), http.StatusOK)
	if !c.Overdue || !strings.Contains(c.OverdueReason, "2026-12-18") || c.NextBooking != nil {
		t.Errorf("4 days before, nothing booked: %+v", c)
	}
	e.Clock.Advance(11 * 24 * time.Hour) // the date has passed
	admin = e.MustLogin(t, e.Admin)
	c = mustCommission(t, e.Do(t, admin, http.MethodGet, "/api/v1/staff/commissions/"+c.ID, nil), http.StatusOK)
	if !c.Overdue || !strings.Contains(c.OverdueReason, "which has passed") {
		t.Errorf("past the date, nothing booked: %+v", c)
	}
	c = mustCommission(t, e.Do(t, admin, http.MethodPatch, "/api/v1/staff/commissions/"+c.ID, map[string]string{"stage": "collected"}), http.StatusOK)
	if c.Overdue {
		t.Errorf("a collected piece is overdue: %+v", c)
	}
}
