package availability

import (
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestSlotsStaff lists for staff the times inside the minimum notice and
// beyond the horizon, never one in the past or one that clashes, and every
// time it lists is one Place accepts for staff.
func TestSlotsStaff(t *testing.T) {
	s, _ := fixture(t)
	loc := s.Atelier.Location
	now := mustTime(t, loc, "2026-06-01 13:10")
	addBooking(t, s, "b1", "design", booking.Virtual, "ana", "", mustTime(t, loc, "2026-06-01 15:00"))
	const f = "2006-01-02 15:04"
	q := Query{ServiceID: "design", Mode: booking.Virtual, ArtisanID: "ana",
		From: mustTime(t, loc, "2026-06-01 00:00"), To: mustTime(t, loc, "2026-06-02 00:00")}

	customer, err := Slots(s, q, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(customer) != 0 {
		t.Fatalf("customers are offered %v inside the 24 hours' notice", clocks(customer, loc))
	}
	q.Staff = true
	staff, err := Slots(s, q, now)
	if err != nil {
		t.Fatal(err)
	}
	// 13:30 is the first start after now; 15:00 is booked, so the 90-minute
	// call may start at 13:30 (ends 15:00) and again from 16:30 to 17:30.
	got := clocks(staff, loc)
	want := []string{"13:30 +08", "16:30 +08", "17:00 +08", "17:30 +08"}
	if len(got) != len(want) {
		t.Fatalf("staff slots %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("staff slots %v, want %v", got, want)
		}
	}
	for _, sl := range staff {
		if _, err := Place(s, Request{ServiceID: "design", Mode: booking.Virtual, ArtisanID: "ana", Start: sl.Start, Staff: true}, now); err != nil {
			t.Errorf("staff are offered %s but Place refuses it: %v", sl.Start.In(loc).Format(f), err)
		}
	}

	// Past the 90-day horizon (29 August is the last day).
	q.From, q.To = mustTime(t, loc, "2026-09-01 00:00"), mustTime(t, loc, "2026-09-02 00:00")
	if far, err := Slots(s, q, now); err != nil || len(far) == 0 {
		t.Errorf("staff get %d slots past the horizon (%v), want the day's", len(far), err)
	}
	q.Staff = false
	if far, _ := Slots(s, q, now); len(far) != 0 {
		t.Errorf("customers are offered %v past the horizon", clocks(far, loc))
	}
}
