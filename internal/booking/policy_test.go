package booking

import (
	"testing"
	"time"
)

func TestPolicy(t *testing.T) {
	day := time.Hour * 24
	at := &Atelier{Phone: "+65 6000 0000", Email: "hello@example.com"}
	start := time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)
	b := &Booking{Start: start, Reschedules: 2, Status: Confirmed}
	p := Policy{ChangeCutoff: 2 * day, MaxReschedules: 3}
	tests := []struct {
		name         string
		now          time.Time
		moves        int
		cancel, move string // wanted codes, "" for allowed
	}{
		{"WellBefore", start.Add(-3 * day), 2, "", ""},
		{"JustBeforeTheCutoff", start.Add(-2*day - time.Second), 2, "", ""},
		{"AtTheCutoff", start.Add(-2 * day), 2, CodeChangeWindowClosed, CodeChangeWindowClosed},
		{"LimitReached", start.Add(-3 * day), 3, "", CodeRescheduleLimit},
		{"InsideAndLimit", start.Add(-time.Hour), 3, CodeChangeWindowClosed, CodeChangeWindowClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.Reschedules = tt.moves
			if got := ErrorCode(p.CheckCustomerCancel(b, tt.now, at)); tt.cancel != "" && got != tt.cancel || tt.cancel == "" && p.CheckCustomerCancel(b, tt.now, at) != nil {
				t.Errorf("cancel: %v, want %q", p.CheckCustomerCancel(b, tt.now, at), tt.cancel)
			}
			if got := ErrorCode(p.CheckCustomerReschedule(b, tt.now, at)); tt.move != "" && got != tt.move || tt.move == "" && p.CheckCustomerReschedule(b, tt.now, at) != nil {
				t.Errorf("move: %v, want %q", p.CheckCustomerReschedule(b, tt.now, at), tt.move)
			}
		})
	}
	msg := ErrorMessage(p.CheckCustomerCancel(b, start.Add(-time.Hour), at))
	if want := "this appointment can no longer be cancelled or moved online (changes close 48 hours before the appointment); please call +65 6000 0000 or write to hello@example.com"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	// No cutoff: until it starts; no limit: never refused for moves.
	free := Policy{}
	b.Reschedules = 40
	if free.CheckCustomerReschedule(b, start.Add(-time.Minute), at) != nil || free.CheckCustomerCancel(b, start, at) == nil {
		t.Error("without a policy a customer changes until the start, as often as they like")
	}
	if got, want := p.Text(), "You can cancel or move your appointment yourself until 48 hours before it starts; after that, please contact the atelier. It can be moved at most 3 times."; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	c := &Catalog{Atelier: Atelier{Rules: Rules{ChangeCutoff: 2 * day, MaxReschedules: 3, PolicyNote: "Deposits are kept."}},
		Services: []Service{{ID: "a"}, {ID: "b", ChangeCutoff: new(time.Duration), MaxReschedules: func() *int { n := 1; return &n }()}}}
	if got := c.PolicyOf("a"); got.ChangeCutoff != 2*day || got.MaxReschedules != 3 || got.Note != "Deposits are kept." {
		t.Errorf("a: %+v", got)
	}
	if got := c.PolicyOf("b"); got.ChangeCutoff != 0 || got.MaxReschedules != 1 || got.Text() != "You can cancel or move your appointment yourself until it starts. It can be moved at most once. Deposits are kept." {
		t.Errorf("b: %+v %q", got, got.Text())
	}
}
