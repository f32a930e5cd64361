package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// matrixCustomers numbers the customers the matrix makes.
var matrixCustomers int

// customer books a fresh customer with mei and returns the
// customer's id.
func (f *matrixFixture) customer(t *testing.T) string {
	t.Helper()
	matrixCustomers++
	req := VirtualRequest(f.nextStart(), "mei")
	req["customer"] = map[string]any{"name": "Matrix Customer", "email": fmt.Sprintf("matrix-%d@example.com", matrixCustomers)}
	b := f.e.MustStaffBook(t, f.admin, req)
	return mustCustomerOf(t, f.e, f.admin, b.ID)
}

// mustCustomerOf finds the customer id of booking id through the search.
func mustCustomerOf(t *testing.T, e *StaffEnv, cookie, id string) string {
	t.Helper()
	var res SearchResults
	e.Do(t, cookie, http.MethodGet, "/api/v1/staff/search?q="+url.QueryEscape(id), nil).JSON(t, &res)
	if len(res.Bookings) != 1 || res.Bookings[0].CustomerID == "" {
		t.Fatalf("search for %s: %+v", id, res)
	}
	return res.Bookings[0].CustomerID
}

func init() {
	matrix["GET /api/v1/staff/search"] = matrixCase{
		prepare: func(*testing.T, *matrixFixture) (string, any) { return "/api/v1/staff/search?q=ana", nil },
		want:    [5]int{401, 401, 200, 200, 200},
	}
	matrix["GET /api/v1/staff/customers/{id}"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/customers/" + f.customer(t), nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
	matrix["PUT /api/v1/staff/customers/{id}/notes"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/customers/" + f.customer(t) + "/notes", map[string]string{"notes": "Prefers mornings."}
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
}

// SearchResults is the answer of GET /api/v1/staff/search.
type SearchResults struct {
	Bookings []struct {
		Booking
		CustomerID string `json:"customer_id"`
	} `json:"bookings"`
	Customers []CustomerSummary `json:"customers"`
}

// CustomerSummary is a customer in a search's answer.
type CustomerSummary struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	BookingCount int    `json:"booking_count"`
}

// StaffCustomer is the answer of GET /api/v1/staff/customers/{id}.
type StaffCustomer struct {
	CustomerSummary
	Notes       string    `json:"notes"`
	Bookings    []Booking `json:"bookings"`
	Commissions []any     `json:"commissions"`
}

// TestStaffSearchAndCustomers: the search finds a booking by its
// upper-case reference and a customer by part of a name or by phone
// number; the customer's page holds every booking made with the address
// in any case, and notes kept across them; an artisan account sees only
// its own artisan's.
func TestStaffSearchAndCustomers(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	book := func(start, artisan, name, email, phone string) Booking {
		req := VirtualRequest(start, artisan)
		req["customer"] = map[string]any{"name": name, "email": email, "phone": phone}
		e.Clock.Advance(time.Minute) // one booking after the other
		return e.MustStaffBook(t, admin, req)
	}
	first := book("2026-12-02T10:00:00+08:00", "mei", "Grace Hopper", "grace@example.com", "+1 (212) 555-0100")
	second := book("2026-12-03T10:00:00+08:00", "arjun", "Grace B. Hopper", "GRACE@Example.COM", "")
	other := book("2026-12-04T10:00:00+08:00", "mei", "Ada Lovelace", "ada@example.org", "+44 20 7946 0018")

	search := func(cookie, q string) SearchResults {
		t.Helper()
		r := e.Do(t, cookie, http.MethodGet, "/api/v1/staff/search?q="+url.QueryEscape(q), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("search %q: %d %s", q, r.Status, r.Body)
		}
		var res SearchResults
		r.JSON(t, &res)
		return res
	}
	res := search(admin, strings.ToUpper(first.ID))
	if len(res.Bookings) != 1 || res.Bookings[0].ID != first.ID {
		t.Fatalf("search by the upper-case reference: %+v", res.Bookings)
	}
	res = search(admin, "hopp")
	if len(res.Customers) != 1 || res.Customers[0].Name != "Grace B. Hopper" || res.Customers[0].BookingCount != 2 || res.Customers[0].Phone != "+1 (212) 555-0100" {
		t.Fatalf("customers found by part of a name: %+v", res.Customers)
	}
	if len(res.Bookings) != 2 || res.Bookings[0].ID != second.ID {
		t.Errorf("bookings found by part of a name: %+v, want the two, the latest first", res.Bookings)
	}
	grace := res.Customers[0].ID
	if strings.Contains(grace, "grace") || !strings.HasPrefix(grace, "cu_") {
		t.Errorf("customer id %q", grace)
	}
	if res := search(admin, "+44 20 7946 0018"); len(res.Bookings) != 1 || res.Bookings[0].ID != other.ID {
		t.Errorf("search by phone number: %+v", res.Bookings)
	}

	var c StaffCustomer
	r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/customers/"+strings.ToUpper(grace), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("customer: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &c)
	if len(c.Bookings) != 2 || c.Bookings[0].ID != second.ID || c.Bookings[1].ID != first.ID || c.Commissions == nil || len(c.Commissions) != 0 {
		t.Errorf("customer %+v: want both bookings (latest first) and an empty list of commissions", c)
	}
	r = e.Do(t, admin, http.MethodPut, "/api/v1/staff/customers/"+grace+"/notes", map[string]string{"notes": "Allergic to nickel."})
	if r.Status != http.StatusOK {
		t.Fatalf("notes: %d %s", r.Status, r.Body)
	}
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/customers/"+grace, nil).JSON(t, &c)
	if c.Notes != "Allergic to nickel." {
		t.Errorf("notes after saving: %q", c.Notes)
	}

	// Mei's account: Grace's booking with Mei only; Arjun's is not found.
	mei := e.MustLogin(t, e.Mei)
	if res := search(mei, "grace"); len(res.Bookings) != 1 || res.Bookings[0].ID != first.ID || len(res.Customers) != 1 || res.Customers[0].BookingCount != 1 {
		t.Errorf("mei's search: %+v", res)
	}
	if res := search(mei, second.ID); len(res.Bookings) != 0 {
		t.Errorf("mei's account finds arjun's booking %s", second.ID)
	}
	e.Do(t, mei, http.MethodGet, "/api/v1/staff/customers/"+grace, nil).JSON(t, &c)
	if len(c.Bookings) != 1 || c.Bookings[0].ID != first.ID {
		t.Errorf("mei's view of grace: %+v", c.Bookings)
	}

	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"Empty", "/api/v1/staff/search?q=", 422},
		{"OnlySpaces", "/api/v1/staff/search?q=%20%20", 422},
		{"Twice", "/api/v1/staff/search?q=a&q=b", 400},
		{"TooLong", "/api/v1/staff/search?q=" + strings.Repeat("a", 201), 422},
		{"UnknownCustomer", "/api/v1/staff/customers/cu_00000000000000000000", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.Do(t, admin, http.MethodGet, tc.path, nil); r.Status != tc.status {
				t.Errorf("GET %s: %d, want %d (%s)", tc.path, r.Status, tc.status, r.Body)
			}
		})
	}
	if r := e.Do(t, admin, http.MethodPut, "/api/v1/staff/customers/"+grace+"/notes", map[string]string{"notes": strings.Repeat("x", 4001)}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("notes too long: %d", r.Status)
	}
}
