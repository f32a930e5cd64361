package app_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The availability engine's memo of its indexes (availability.Indexes)
// never shows a stale answer: after each booking, move, cancellation and
// time off, an App that has answered the same windows before answers
// exactly as a new App over the same store.
func TestAvailabilityMemoSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenStore(t)
	warm := NewApp(db, clock)
	windows := []app.AvailabilityQuery{
		{Service: "consult", Mode: "virtual", From: booking.Date{Year: 2026, Month: 12, Day: 2}, To: booking.Date{Year: 2026, Month: 12, Day: 8}},
		{Service: "consult", Mode: "in_person", From: booking.Date{Year: 2026, Month: 12, Day: 1}, To: booking.Date{Year: 2027, Month: 1, Day: 31}},
		{Service: "consult", Mode: "virtual", Artisan: "mei", From: booking.Date{Year: 2026, Month: 12, Day: 3}, To: booking.Date{Year: 2026, Month: 12, Day: 3}},
	}
	answers := func() []string {
		var out []string
		for _, q := range windows {
			v, err := warm.Availability(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(v.Slots))
		}
		return out
	}
	check := func(what string) []string {
		t.Helper()
		got := answers()
		if again := answers(); !reflect.DeepEqual(again, got) {
			t.Fatalf("%s: the same windows asked twice answer differently", what)
		}
		fresh := NewApp(db, clock)
		for i, q := range windows {
			v, err := fresh.Availability(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprint(v.Slots); got[i] != want {
				t.Fatalf("%s: window %d answers\n%s\nwhere a new App answers\n%s", what, i, got[i], want)
			}
		}
		return got
	}
	before := check("at first")
	at := time.Date(2026, 12, 3, 11, 0, 0, 0, sgt)
	req := request(at, booking.Virtual)
	req.Artisan = "mei"
	c, err := warm.CreateBooking(ctx, req, app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := made(c)
	if after := check("after a booking"); reflect.DeepEqual(after, before) {
		t.Fatalf("a booking changed no answer: the test checks nothing")
	}
	if _, err := warm.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: at.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	check("after a move")
	if _, err := warm.CancelBooking(ctx, b.ID, b.ManageToken); err != nil {
		t.Fatal(err)
	}
	if after := check("after the cancellation"); !reflect.DeepEqual(after, before) {
		t.Fatalf("after the cancellation the answers are not those before the booking")
	}
	if _, err := warm.AddTimeOff(ctx, admin, "mei", app.TimeOffRequest{Start: at, End: at.Add(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if after := check("after time off"); reflect.DeepEqual(after, before) {
		t.Fatalf("time off changed no answer")
	}
}
