package gcal

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestEventCarriesNoIntake: the artisan's Google event of a booking names
// the service, the customer and the staff link, never the customer's
// answers (nor photos, which are not in the booking at all): a calendar is
// shared and synced to phones far more widely than the staff pages.
func TestEventCarriesNoIntake(t *testing.T) {
	s := &Syncer{opts: Options{StaffURL: func(id string) string { return "https://atelier.example/staff/bookings/" + id }}}
	start := time.Date(2026, 12, 9, 6, 0, 0, 0, time.UTC)
	b := &booking.Booking{ID: "bk_intake", ServiceID: "design", Mode: booking.InPerson, ArtisanID: "mei",
		Start: start, End: start.Add(90 * time.Minute), Customer: booking.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Answers: booking.Answers{"stones": json.RawMessage(`"A padparadscha sapphire"`), "budget": json.RawMessage(`"Over S$10,000"`),
			"ring-size": json.RawMessage(`{"value":"N½","unit":"UK/AU"}`)}}
	cat := &booking.Catalog{Atelier: booking.Atelier{Timezone: "Asia/Singapore"}, Services: []booking.Service{{ID: "design", Name: "Bespoke design consultation",
		Questions: []booking.Question{{ID: "stones", Label: "Which stones?", Type: booking.QText}}}}}
	ev := s.eventFor(b, cat)
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ev.Description, "/staff/bookings/bk_intake") || !strings.Contains(ev.Summary, "Bespoke design consultation") {
		t.Fatalf("event %s", raw)
	}
	for _, secret := range []string{"padparadscha", "S$10,000", "N½", "Which stones"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the Google event carries %q: %s", secret, raw)
		}
	}
}
