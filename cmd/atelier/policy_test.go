package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The booking policy reaches the customer's e-mails through the real
// server: the confirmation says when online changes close and how often
// the booking can be moved, with the atelier's own words.
func TestPolicyInTheConfirmation(t *testing.T) {
	s := newTestServer(t, "\n  change_cutoff_hours: 0\n  max_reschedules: 0\n",
		"\n  change_cutoff_hours: 48\n  max_reschedules: 2\n  policy_text: A deposit is kept for a late cancellation.\n")
	s.start()
	// Dates in the atelier's zone (the demo's Singapore): three days of the
	// machine's own zone can be under 48 hours there (an evening in Los
	// Angeles is the next morning in Singapore), and the booking would
	// already be inside its change window.
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now().In(sgt).AddDate(0, 0, 3).Format(time.DateOnly)
	to := time.Now().In(sgt).AddDate(0, 0, 12).Format(time.DateOnly)
	var av struct{ Slots []struct{ Start string } }
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/availability?service=ring-sizing&mode=in_person&artisan=siti&from="+from+"&to="+to, nil, http.StatusOK, &av)
	if len(av.Slots) == 0 {
		t.Fatal("no free time with Siti")
	}
	var b struct {
		ID     string
		Policy struct {
			CanCancel bool `json:"can_cancel"`
		}
	}
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "ring-sizing", "mode": "in_person", "start": av.Slots[0].Start, "artisan": "siti",
		"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.com"},
	}, http.StatusCreated, &b)
	if !b.Policy.CanCancel {
		t.Errorf("a booking three days ahead cannot be cancelled: %+v", b.Policy)
	}
	text := mailText(t, s.customerMail("confirmation", b.ID))
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Cancelling and changing: You can cancel or move your appointment yourself until 48 hours before it starts",
		"It can be moved at most 2 times.",
		"A deposit is kept for a late cancellation.",
		"Online changes close on",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the confirmation does not say %q:\n%s", want, text)
		}
	}
}
