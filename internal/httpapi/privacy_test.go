package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func init() {
	matrix["GET /api/v1/staff/customers/{id}/export"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/customers/" + f.customer(t) + "/export?format=json", nil
		},
		want: [5]int{401, 401, 403, 403, 200},
	}
	matrix["POST /api/v1/staff/customers/{id}/erase"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return "/api/v1/staff/customers/" + f.customer(t) + "/erase", nil
		},
		want: [5]int{401, 401, 403, 403, 200},
	}
}

// exportData is the part of data.json the tests read.
type exportData struct {
	Format   string `json:"format"`
	Customer struct {
		Email string `json:"email"`
		Notes string `json:"notes_by_staff"`
	} `json:"customer"`
	Commissions []struct{ Title, Stage string } `json:"commissions"`
	Bookings    []struct {
		Reference  string `json:"reference"`
		StaffNotes string `json:"notes_by_staff"`
		Customer   struct{ Name, Email string }
	} `json:"bookings"`
}

// An admin downloads a customer's copy (a ZIP with data.json) and erases
// their data: the past booking is blank, the coming one kept, the
// customer's notes gone, the search finds only the coming booking.
func TestStaffExportAndErase(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	book := func(start, name string) Booking {
		req := VirtualRequest(start, "mei")
		req["customer"] = map[string]any{"name": name, "email": "Grace@Example.com", "phone": "+1 212 555 0100"}
		e.Clock.Advance(time.Minute)
		return e.MustStaffBook(t, admin, req)
	}
	first := book("2026-12-02T10:00:00+08:00", "Grace Hopper")
	second := book("2026-12-09T10:00:00+08:00", "Grace B. Hopper")
	grace := mustCustomerOf(t, e, admin, first.ID)
	if r := e.Do(t, admin, http.MethodPut, "/api/v1/staff/customers/"+grace+"/notes", map[string]string{"notes": "Allergic to nickel."}); r.Status != http.StatusOK {
		t.Fatalf("notes: %d %s", r.Status, r.Body)
	}
	if r := e.Do(t, admin, http.MethodPut, "/api/v1/staff/bookings/"+first.ID+"/staff-notes", map[string]string{"staff_notes": "Bring the loupe."}); r.Status != http.StatusOK {
		t.Fatalf("staff notes: %d %s", r.Status, r.Body)
	}

	if r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{"title": "Sapphire ring", "booking": first.ID}); r.Status != http.StatusCreated {
		t.Fatalf("commission: %d %s", r.Status, r.Body)
	}
	r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/customers/"+grace+"/export", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "personal-data-"+grace) || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v", r.Status, r.Header)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var data exportData
	for _, f := range zr.File {
		if f.Name == "data.json" {
			rc, _ := f.Open()
			raw, _ := io.ReadAll(rc)
			rc.Close()
			if err := json.Unmarshal(raw, &data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if data.Format != "atelier-personal-data/1" || data.Customer.Email != "Grace@Example.com" || data.Customer.Notes != "Allergic to nickel." || len(data.Bookings) != 2 {
		t.Fatalf("data.json %+v", data)
	}
	if len(data.Commissions) != 1 || data.Commissions[0].Title != "Sapphire ring" {
		t.Errorf("the copy's commissions: %+v", data.Commissions)
	}
	if data.Bookings[1].Reference != strings.ToUpper(first.ID) || data.Bookings[1].StaffNotes != "Bring the loupe." || data.Bookings[1].Customer.Name != "Grace Hopper" {
		t.Errorf("the first booking in the copy: %+v", data.Bookings[1])
	}

	// After the first appointment, an erasure takes it and keeps the second.
	e.Clock.Advance(40 * time.Hour)
	admin = e.MustLogin(t, e.Admin)
	var res struct {
		Erased int  `json:"bookings_erased"`
		Kept   int  `json:"bookings_kept"`
		Gone   bool `json:"customer_gone"`
	}
	r = e.Do(t, admin, http.MethodPost, "/api/v1/staff/customers/"+grace+"/erase", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &res)
	if res.Erased != 1 || res.Kept != 1 || res.Gone {
		t.Errorf("erasure %+v", res)
	}
	var b struct {
		Customer   struct{ Name, Email string }
		StaffNotes string `json:"staff_notes"`
		ErasedAt   string `json:"erased_at"`
	}
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+first.ID, nil).JSON(t, &b)
	if b.Customer.Name != "" || b.Customer.Email != "" || b.StaffNotes != "" || b.ErasedAt == "" {
		t.Errorf("the erased booking: %+v", b)
	}
	b.ErasedAt = ""
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+second.ID, nil).JSON(t, &b)
	if b.Customer.Name != "Grace B. Hopper" || b.ErasedAt != "" {
		t.Errorf("the coming booking: %+v", b)
	}
	var found SearchResults
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/search?q=hopper", nil).JSON(t, &found)
	if len(found.Bookings) != 1 || found.Bookings[0].ID != second.ID {
		t.Errorf("search after the erasure: %+v", found.Bookings)
	}
	r = e.Do(t, admin, http.MethodGet, "/api/v1/staff/customers/"+grace+"/export?format=json", nil)
	data = exportData{}
	if err := json.Unmarshal(r.Body, &data); err != nil || r.Status != http.StatusOK {
		t.Fatalf("export after: %d %s", r.Status, r.Body)
	}
	if data.Customer.Notes != "" || len(data.Bookings) != 1 {
		t.Errorf("the copy after the erasure: %+v", data)
	}
	if r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/customers/cu_00000000000000000000/erase", nil); r.Status != http.StatusNotFound {
		t.Errorf("erasing an unknown customer: %d", r.Status)
	}
}
