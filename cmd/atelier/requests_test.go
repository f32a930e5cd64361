package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/outbox"
)

// testClock is a clock a test moves on.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// hasCalendarPart reports whether a message carries an invite.
func hasCalendarPart(raw []byte) bool { return bytes.Contains(raw, []byte("text/calendar")) }

// TestRequestsEndToEnd runs the real server on the demo atelier, whose
// private viewing staff confirm: a request is pending, its customer hears
// it arrived (no invite), its time is held against a second customer
// (availability does not offer it, a direct booking is 409); staff confirm
// it and the confirmation brings a real invitation. Another request is
// left undecided until the clock passes booking.pending_hours: the job
// queue declines it, the customer is told, and the time is free again.
func TestRequestsEndToEnd(t *testing.T) {
	clock := &testClock{}
	s := newTestServer(t)
	s.seams = Seams{Now: clock.Now, JobPolicy: outbox.Policy{Poll: 50 * time.Millisecond}}
	s.start()

	var services []struct {
		ID                   string `json:"id"`
		RequiresConfirmation bool   `json:"requires_confirmation"`
	}
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/services", nil, http.StatusOK, &services)
	viewing := false
	for _, sv := range services {
		viewing = viewing || sv.ID == "private-viewing" && sv.RequiresConfirmation
	}
	if !viewing {
		t.Fatalf("the demo's private viewing does not require confirmation: %+v", services)
	}

	from := time.Now().AddDate(0, 0, 4).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 11).Format(time.DateOnly)
	slotsQuery := s.base + "/api/v1/availability?service=private-viewing&mode=in_person&artisan=mei&from=" + from + "&to=" + to
	slots := func() []string {
		t.Helper()
		var av struct{ Slots []struct{ Start string } }
		call(t, http.DefaultClient, http.MethodGet, slotsQuery, nil, http.StatusOK, &av)
		var out []string
		for _, sl := range av.Slots {
			out = append(out, sl.Start)
		}
		return out
	}
	offered := func(start string) bool {
		for _, sl := range slots() {
			if sl == start {
				return true
			}
		}
		return false
	}
	free := slots()
	if len(free) < 6 {
		t.Fatalf("only %d free viewings with Mei", len(free))
	}
	type bookingAnswer struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		ManageToken string `json:"manage_token"`
		DecideBy    string `json:"decide_by"`
	}
	ask := func(start, name, email string, want int) bookingAnswer {
		t.Helper()
		var b bookingAnswer
		var out any = &b
		if want != http.StatusCreated {
			out = nil
		}
		call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
			"service": "private-viewing", "mode": "in_person", "artisan": "mei", "start": start,
			"customer": map[string]string{"name": name, "email": email},
		}, want, out)
		return b
	}

	// A request: pending, the customer told it arrived, without an invite.
	first := ask(free[0], "Ada Lovelace", "ada@example.com", http.StatusCreated)
	if first.Status != "pending" || first.DecideBy == "" {
		t.Fatalf("request: %+v", first)
	}
	received := s.customerMail("request_received", first.ID)
	if text := mailText(t, received); !strings.Contains(text, "Request received") || hasCalendarPart(received) {
		t.Errorf("the request's e-mail has no 'Request received' or carries an invite:\n%s", received)
	}
	if notice := mailText(t, s.customerMail("staff_notice", first.ID)); !strings.Contains(notice, "Request to confirm") {
		t.Errorf("the artisan's notice:\n%s", notice)
	}

	// Its time is held against a second customer.
	if offered(free[0]) {
		t.Error("availability offers the requested time")
	}
	ask(free[0], "Grace Hopper", "grace@example.com", http.StatusConflict)
	if page := s.page(http.DefaultClient, "/bookings/"+first.ID+"?token="+first.ManageToken); !strings.Contains(page, "the atelier will confirm") {
		t.Errorf("the manage page does not say the atelier will confirm:\n%s", page)
	}

	// Staff confirm it: the confirmation carries a real invitation.
	admin := s.signIn("admin@example.com", "admin", "")
	var confirmed bookingAnswer
	call(t, admin, http.MethodPost, s.base+"/api/v1/staff/bookings/"+first.ID+"/confirm", nil, http.StatusOK, &confirmed)
	if confirmed.Status != "confirmed" {
		t.Fatalf("confirmed: %+v", confirmed)
	}
	confirmation := s.customerMail("confirmation", first.ID)
	ev := inviteEvent(t, confirmation)
	start, _ := time.Parse(time.RFC3339, free[0])
	if got, err := ev.Props.DateTime(ical.PropDateTimeStart, time.UTC); err != nil || !got.Equal(start) || ev.Props.Get(ical.PropUID) == nil {
		t.Errorf("the invitation: start %v (%v), want %v; UID %v", got, err, start, ev.Props.Get(ical.PropUID))
	}
	if text := mailText(t, confirmation); !strings.Contains(text, "confirmed your request") {
		t.Errorf("the confirmation does not say the request was confirmed:\n%s", text)
	}
	call(t, admin, http.MethodPost, s.base+"/api/v1/staff/bookings/"+first.ID+"/confirm", nil, http.StatusConflict, nil)

	// Another request, left undecided past booking.pending_hours (48):
	// the job queue declines it, once, and tells the customer.
	second := ask(free[3], "Grace Hopper", "grace@example.com", http.StatusCreated)
	if second.Status != "pending" || offered(free[3]) {
		t.Fatalf("second request: %+v (offered: %v)", second, offered(free[3]))
	}
	clock.advance(47 * time.Hour)
	// Not yet: an hour before its time the request still holds.
	var got bookingAnswer
	status := func() string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.base+"/api/v1/bookings/"+second.ID, nil)
		req.Header.Set("Authorization", "Bearer "+second.ManageToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got = bookingAnswer{}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	if st := status(); st != "pending" {
		t.Fatalf("47 hours on: %s, want pending", st)
	}
	clock.advance(2 * time.Hour)
	declined := s.customerMail("request_declined", second.ID)
	if text := mailText(t, declined); !strings.Contains(text, "could not confirm your request in time") || hasCalendarPart(declined) {
		t.Errorf("the expiry's e-mail:\n%s", text)
	}
	if st := status(); st != "declined" {
		t.Errorf("after the expiry: %s, want declined", st)
	}
	if !offered(free[3]) {
		t.Error("the expired request's time is not free again")
	}
	if names, _ := filepath.Glob(filepath.Join(s.dir, "mail-outbox", "*-request_declined-"+second.ID+"-*.eml")); len(names) != 1 {
		t.Errorf("%d e-mails of the expiry, want 1", len(names))
	}
}
