package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Invitation is an invitation as the staff API answers it.
type Invitation struct {
	ID        string  `json:"id"`
	Service   string  `json:"service"`
	Mode      *string `json:"mode"`
	Artisan   *string `json:"artisan"`
	Note      string  `json:"note"`
	State     string  `json:"state"`
	ExpiresAt string  `json:"expires_at"`
	Booking   *string `json:"booking"`
	URL       string  `json:"url"`
	Token     string  `json:"token"`
}

func init() {
	invite := func(t *testing.T, f *matrixFixture) string {
		return "/api/v1/staff/commissions/" + f.commission(t) + "/invitations"
	}
	matrix["POST /api/v1/staff/commissions/{id}/invitations"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			return invite(t, f), map[string]any{"service": "sizing"}
		},
		want: [5]int{401, 401, 404, 201, 201},
	}
	matrix["GET /api/v1/staff/commissions/{id}/invitations"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) { return invite(t, f), nil },
		want:    [5]int{401, 401, 404, 200, 200},
	}
	matrix["DELETE /api/v1/staff/commissions/{id}/invitations/{iid}"] = matrixCase{
		prepare: func(t *testing.T, f *matrixFixture) (string, any) {
			path := invite(t, f)
			var iv Invitation
			if r := f.e.Do(t, f.admin, http.MethodPost, path, map[string]any{"service": "sizing"}); r.Status != http.StatusCreated {
				t.Fatalf("invite: %d %s", r.Status, r.Body)
			} else {
				r.JSON(t, &iv)
			}
			return path + "/" + iv.ID, nil
		},
		want: [5]int{401, 401, 404, 200, 200},
	}
}

// invitationEnv is a staff API with a fitting that is not public and a
// commission of Mei's for Ana Lim.
type invitationEnv struct {
	*StaffEnv
	admin, commission string
}

func newInvitationEnv(t *testing.T) *invitationEnv {
	e := &invitationEnv{StaffEnv: MustOpenStaffEnv(t, StaffOptions{})}
	e.admin = e.MustLogin(t, e.Admin)
	if r := e.Do(t, e.admin, http.MethodPost, "/api/v1/staff/services", map[string]any{
		"id": "fitting", "name": "Fitting", "duration_minutes": 30, "modes": []string{"in_person"}, "artisans": []string{"mei"}, "public": false,
	}); r.Status != http.StatusCreated {
		t.Fatalf("fitting: %d %s", r.Status, r.Body)
	}
	c := mustCommission(t, e.Do(t, e.admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{
		"title": "Emerald engagement ring", "artisan": "mei",
		"customer": map[string]string{"name": "Ana Lim", "email": "ana@example.com", "phone": "+65 9123 4567"},
	}), http.StatusCreated)
	e.commission = c.ID
	return e
}

func (e *invitationEnv) invite(t *testing.T, body map[string]any) Invitation {
	t.Helper()
	r := e.Do(t, e.admin, http.MethodPost, "/api/v1/staff/commissions/"+e.commission+"/invitations", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	var iv Invitation
	r.JSON(t, &iv)
	return iv
}

// wantProblem fails unless r is status with code.
func wantProblem(t *testing.T, what string, r Response, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d %s, want %d %s", what, r.Status, r.Body, status, code)
	}
	if p := r.Problem(t); p.Code != code {
		t.Errorf("%s: code %q, want %q", what, p.Code, code)
	}
}

// Staff invite the customer of a commission to book a fitting customers
// are not shown: its times are listed only with the token, it books once
// with the details from the commission and joins the commission; a second
// use is 409, a revoked or expired invitation 410, a token that is not one
// 404, and what staff send wrong is 422 by field (404 for a commission
// that does not exist).
func TestInvitations(t *testing.T) {
	e := newInvitationEnv(t)
	path := "/api/v1/staff/commissions/" + e.commission + "/invitations"

	// Refused, each with its field.
	if r := e.Do(t, e.admin, http.MethodPost, "/api/v1/staff/commissions/cm_aaaaaaaaaaaaaaaaaaaa/invitations", map[string]any{"service": "fitting"}); r.Status != http.StatusNotFound {
		t.Errorf("an unknown commission: %d, want 404", r.Status)
	}
	if r := e.Do(t, e.admin, http.MethodDelete, "/api/v1/staff/services/sizing", nil); r.Status != http.StatusOK {
		t.Fatalf("withdraw sizing: %d %s", r.Status, r.Body)
	}
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"NoService", map[string]any{}, "service"},
		{"UnknownService", map[string]any{"service": "polish"}, "service"},
		{"WithdrawnService", map[string]any{"service": "sizing"}, "service"},
		{"ModeNotOffered", map[string]any{"service": "fitting", "mode": "virtual"}, "mode"},
		{"ArtisanNotOffering", map[string]any{"service": "fitting", "artisan": "arjun"}, "artisan"},
		{"UnknownArtisan", map[string]any{"service": "fitting", "artisan": "zoe"}, "artisan"},
		{"NoDays", map[string]any{"service": "fitting", "expires_days": 0}, "expires_days"},
		{"TooManyDays", map[string]any{"service": "fitting", "expires_days": 366}, "expires_days"},
		{"LongNote", map[string]any{"service": "fitting", "note": strings.Repeat("x", 2001)}, "note"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantFieldError(t, e.Do(t, e.admin, http.MethodPost, path, tt.body), http.StatusUnprocessableEntity, tt.field)
		})
	}

	iv := e.invite(t, map[string]any{"service": "fitting", "note": "Bring the ring you wear on that finger.", "expires_days": 10})
	if iv.State != "open" || iv.Token == "" || !strings.HasPrefix(iv.URL, "https://atelier.example/book/invitation?token=") ||
		iv.URL != "https://atelier.example/book/invitation?"+(url.Values{"token": {iv.Token}}).Encode() || iv.ExpiresAt != "2026-12-11T09:00:00+08:00" {
		t.Fatalf("created: %+v", iv)
	}

	// Customers are not shown the fitting; with the token, its times.
	var services []struct{ ID string }
	e.Do(t, "", http.MethodGet, "/api/v1/services", nil).JSON(t, &services)
	if strings.Contains(mustJSON(services), `"fitting"`) {
		t.Fatal("the fitting is listed to customers")
	}
	days := "from=2026-12-02&to=2026-12-02"
	if r := e.Do(t, "", http.MethodGet, "/api/v1/availability?service=fitting&mode=in_person&"+days, nil); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("the fitting's times without an invitation: %d, want 422", r.Status)
	}
	var av Availability
	if r := e.Do(t, "", http.MethodGet, "/api/v1/availability?invitation="+url.QueryEscape(iv.Token)+"&"+days, nil); r.Status != http.StatusOK {
		t.Fatalf("the invitation's times: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &av)
	}
	if av.Service != "fitting" || av.Mode != "in_person" || !av.HasSlot("2026-12-02T14:00:00+08:00", "mei") {
		t.Fatalf("the invitation's times: %+v", av)
	}
	wantFieldError(t, e.Do(t, "", http.MethodGet, "/api/v1/availability?service=design&mode=in_person&invitation="+url.QueryEscape(iv.Token)+"&"+days, nil),
		http.StatusUnprocessableEntity, "service")
	wantProblem(t, "availability with a wrong token", e.Do(t, "", http.MethodGet, "/api/v1/availability?invitation=nope&"+days, nil),
		http.StatusNotFound, "not_found")

	// Booked with only the token and a time: the commission's customer.
	book := func(token, start string) Response {
		return e.Do(t, "", http.MethodPost, "/api/v1/bookings", map[string]any{"invitation": token, "start": start})
	}
	r := book(iv.Token, "2026-12-02T14:00:00+08:00")
	if r.Status != http.StatusCreated {
		t.Fatalf("book with the invitation: %d %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(t, &b)
	if b.Service != "fitting" || b.Artisan != "mei" || b.Customer.Name != "Ana Lim" || b.Customer.Email != "ana@example.com" {
		t.Errorf("booked: %+v", b)
	}
	c := mustCommission(t, e.Do(t, e.admin, http.MethodGet, "/api/v1/staff/commissions/"+e.commission, nil), http.StatusOK)
	if ids := c.bookingIDs(); len(ids) != 1 || ids[0] != b.ID {
		t.Errorf("the commission's bookings: %v, want %s", ids, b.ID)
	}
	wantProblem(t, "a second use", book(iv.Token, "2026-12-02T15:00:00+08:00"), http.StatusConflict, "invitation_used")
	wantProblem(t, "availability of a used one", e.Do(t, "", http.MethodGet, "/api/v1/availability?invitation="+url.QueryEscape(iv.Token)+"&"+days, nil),
		http.StatusConflict, "invitation_used")
	wantProblem(t, "revoking a used one", e.Do(t, e.admin, http.MethodDelete, path+"/"+iv.ID, nil), http.StatusConflict, "invitation_used")
	wantProblem(t, "a wrong token", book("nope", "2026-12-02T15:00:00+08:00"), http.StatusNotFound, "not_found")

	// Revoked.
	e.Clock.Advance(time.Minute) // the list is the newest first
	rv := e.invite(t, map[string]any{"service": "fitting", "mode": "in_person", "artisan": "mei"})
	var revoked Invitation
	if r := e.Do(t, e.admin, http.MethodDelete, path+"/"+rv.ID, nil); r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &revoked)
	}
	if revoked.State != "revoked" || revoked.Token != "" {
		t.Errorf("revoked: %+v", revoked)
	}
	wantProblem(t, "a revoked one", book(rv.Token, "2026-12-02T15:00:00+08:00"), http.StatusGone, "invitation_revoked")
	wantProblem(t, "availability of a revoked one", e.Do(t, "", http.MethodGet, "/api/v1/availability?invitation="+url.QueryEscape(rv.Token)+"&"+days, nil),
		http.StatusGone, "invitation_revoked")
	if r := e.Do(t, e.admin, http.MethodDelete, path+"/iv_nothing", nil); r.Status != http.StatusNotFound {
		t.Errorf("revoking an unknown one: %d, want 404", r.Status)
	}

	// Expired after a day.
	e.Clock.Advance(time.Minute)
	ex := e.invite(t, map[string]any{"service": "fitting", "expires_days": 1})
	e.Clock.Advance(25 * time.Hour)
	wantProblem(t, "an expired one", book(ex.Token, "2026-12-03T15:00:00+08:00"), http.StatusGone, "invitation_expired")

	var list []Invitation
	e.admin = e.MustLogin(t, e.Admin) // a day later: the session has lapsed
	e.Do(t, e.admin, http.MethodGet, path, nil).JSON(t, &list)
	var states []string
	for _, x := range list {
		states = append(states, x.State)
		if x.Token != "" || x.URL != "" {
			t.Errorf("the list shows a token: %+v", x)
		}
	}
	if strings.Join(states, " ") != "expired revoked used" || list[2].Booking == nil || *list[2].Booking != b.ID {
		t.Errorf("the commission's invitations: %v %+v", states, list)
	}
}

// Two customers' bookings with one invitation at once: one is booked, the
// other refused invitation_used (the store's contract tests the race at
// length; this is through the API).
func TestInvitationUsedOnce(t *testing.T) {
	e := newInvitationEnv(t)
	iv := e.invite(t, map[string]any{"service": "fitting"})
	results := make(chan int, 2)
	for _, start := range []string{"2026-12-02T14:00:00+08:00", "2026-12-02T16:00:00+08:00"} {
		go func() {
			r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", map[string]any{"invitation": iv.Token, "start": start})
			if r.Status == http.StatusConflict && !strings.Contains(string(r.Body), `"code":"invitation_used"`) {
				r.Status = 0
			}
			results <- r.Status
		}()
	}
	got := map[int]int{}
	for range 2 {
		got[<-results]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != 1 {
		t.Errorf("answers %v, want one 201 and one 409 invitation_used", got)
	}
}

// The token of one of a commission's invitations opens the customer's
// view of the commission (API.md), without manage links for its bookings
// (those come from each booking's own e-mails); a revoked invitation's
// token, or one of another commission, opens nothing.
func TestCommissionViewByInvitation(t *testing.T) {
	e := newInvitationEnv(t)
	iv := e.invite(t, map[string]any{"service": "fitting"})
	gone := e.invite(t, map[string]any{"service": "fitting"})
	if r := e.Do(t, e.admin, http.MethodDelete, "/api/v1/staff/commissions/"+e.commission+"/invitations/"+gone.ID, nil); r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	view := "/api/v1/commissions/" + e.commission + "?token="
	r := e.Do(t, "", http.MethodGet, view+url.QueryEscape(iv.Token), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("the commission with an invitation's token: %d %s", r.Status, r.Body)
	}
	var v struct {
		Title  string
		Coming []Booking
	}
	r.JSON(t, &v)
	if v.Title != "Emerald engagement ring" {
		t.Errorf("view %+v", v)
	}
	// Booked through the invitation, the fitting is listed, with no
	// manage link: the invitation's token does not open the booking.
	slots := e.Do(t, "", http.MethodGet, "/api/v1/availability?invitation="+url.QueryEscape(iv.Token)+"&from=2026-12-02&to=2026-12-09", nil)
	var av struct{ Slots []struct{ Start string } }
	slots.JSON(t, &av)
	if len(av.Slots) == 0 {
		t.Fatalf("no times for the invitation: %s", slots.Body)
	}
	made := e.Do(t, "", http.MethodPost, "/api/v1/bookings", map[string]any{"invitation": iv.Token, "start": av.Slots[0].Start})
	if made.Status != http.StatusCreated {
		t.Fatalf("book with the invitation: %d %s", made.Status, made.Body)
	}
	r = e.Do(t, "", http.MethodGet, view+url.QueryEscape(iv.Token), nil)
	v.Coming = nil
	r.JSON(t, &v)
	if r.Status != http.StatusOK || len(v.Coming) != 1 || v.Coming[0].Links.Manage != "" {
		t.Errorf("after booking, the view by the used invitation: %d %+v", r.Status, v)
	}
	var b Booking
	made.JSON(t, &b)
	if r := e.Do(t, "", http.MethodGet, "/api/v1/bookings/"+b.ID+"?token="+url.QueryEscape(iv.Token), nil); r.Status != http.StatusNotFound {
		t.Errorf("the booking with the invitation's token: %d, want 404", r.Status)
	}
	other := mustCommission(t, e.Do(t, e.admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{
		"title": "Another piece", "artisan": "mei", "customer": map[string]string{"name": "Ana Lim", "email": "ana@example.com"},
	}), http.StatusCreated)
	for name, path := range map[string]string{
		"Revoked":         view + url.QueryEscape(gone.Token),
		"OtherCommission": "/api/v1/commissions/" + other.ID + "?token=" + url.QueryEscape(iv.Token),
		"NotAnInvitation": view + "nope",
	} {
		if r := e.Do(t, "", http.MethodGet, path, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, r.Status)
		}
	}
}
