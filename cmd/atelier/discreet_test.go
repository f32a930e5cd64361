package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// TestDiscreetEndToEnd: a discreet booking (a surprise) through the real
// server. Its customer's e-mails (confirmation, update, cancellation) and
// their invites name no service, only an appointment at the atelier; the
// artisan's notice names the service and says it is discreet; the booking
// carries the flag.
func TestDiscreetEndToEnd(t *testing.T) {
	s := newTestServer(t)
	s.start()
	slots := s.freeSlots()
	var b struct {
		ID          string `json:"id"`
		ManageToken string `json:"manage_token"`
		Discreet    bool   `json:"discreet"`
	}
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "ring-sizing", "mode": "in_person", "start": slots[0], "discreet": true,
		"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.com"},
	}, http.StatusCreated, &b)
	if !b.Discreet {
		t.Fatalf("the booking does not carry the flag: %+v", b)
	}
	q := "?token=" + b.ManageToken
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings/"+b.ID+"/reschedule"+q,
		map[string]string{"start": slots[len(slots)-1]}, http.StatusOK, nil)
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings/"+b.ID+"/cancel"+q, nil, http.StatusOK, nil)

	for _, kind := range []string{"confirmation", "update", "cancellation"} {
		raw := s.customerMail(kind, b.ID)
		text := mailText(t, raw)
		subject, _, _ := strings.Cut(text, "\n")
		if strings.Contains(subject, "Ring sizing") || !strings.Contains(subject, "Keong Saik Atelier") {
			t.Errorf("%s subject %q: want only an appointment at the atelier", kind, subject)
		}
		ev := inviteEvent(t, raw)
		summary, _ := ev.Props.Text(ical.PropSummary)
		desc, _ := ev.Props.Text(ical.PropDescription)
		for name, v := range map[string]string{"SUMMARY": summary, "DESCRIPTION": desc} {
			if strings.Contains(strings.ToLower(v), "ring sizing") || strings.Contains(strings.ToLower(v), "sizing") {
				t.Errorf("%s invite %s names the service: %q", kind, name, v)
			}
		}
		if !strings.Contains(summary, "Keong Saik Atelier") {
			t.Errorf("%s invite SUMMARY %q does not name the atelier", kind, summary)
		}
	}
	notice := mailText(t, s.customerMail("staff_notice", b.ID))
	if !strings.Contains(notice, "Ring sizing") || !strings.Contains(strings.ToLower(notice), "discreet") {
		t.Errorf("the artisan's notice lacks the service or the discreet flag:\n%s", notice)
	}
}
