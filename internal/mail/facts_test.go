package mail

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// fullBooking is a booking with every field set, so that a field the
// facts' JSON would lose shows in TestFactsRenderAsTheChange.
func fullBooking(t *testing.T) *booking.Booking {
	t.Helper()
	b := goldenBooking("bk_full", booking.InPerson, "zh-Hans", "America/New_York")
	b.ServiceID, b.ArtisanID, b.Artisans = "pair", "mei", []string{"mei", "ana"}
	b.BlockStart, b.BlockEnd = b.Start.Add(-15*time.Minute), b.End.Add(10*time.Minute)
	b.Location, b.MeetingURL = "12 Ann Siang Road", "https://meet.example/x"
	b.Sequence, b.Reschedules, b.Discreet, b.CommissionID = 3, 1, true, "cm_9"
	b.ServiceName, b.ArtisanName = "Wedding bands (as booked)", "Mei (as booked)"
	b.Answers = booking.Answers{"size": json.RawMessage(`"N½"`), "stones": json.RawMessage(`[1,2]`)}
	b.ErasedAt = time.Date(2026, 11, 21, 1, 2, 3, 456789000, time.UTC)
	b.DecideBy = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	b.DeclineReason = "Closed that week."
	v := reflect.ValueOf(*b)
	for i := range v.NumField() {
		if v.Field(i).IsZero() && v.Type().Field(i).Name != "Status" {
			t.Fatalf("fullBooking leaves %s unset: set it, so that the facts are shown to keep it", v.Type().Field(i).Name)
		}
	}
	return b
}

// fixedToken is every manage token of TestFactsRenderAsTheChange.
const fixedToken = "tok-fixed-000000000000000000000000000000000"

// TestFactsRenderAsTheChange: a message rendered from the facts its job
// holds, after their trip through the stored JSON, is byte for byte the
// one rendered from the change itself, whatever the booking holds and
// whatever zone and clock reading the time of the change has.
func TestFactsRenderAsTheChange(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	FixSecrets(t, fixedToken)
	full := fullBooking(t)
	prev := *full
	prev.Start, prev.End, prev.ArtisanID, prev.Artisans, prev.Sequence = full.Start.Add(-26*time.Hour), full.End.Add(-26*time.Hour), "tom", []string{"tom", "mei"}, 2
	virtual := *full
	virtual.Mode, virtual.RoomID, virtual.Artisans, virtual.ServiceID = booking.Virtual, "", nil, "design"
	pending := virtual
	pending.Status = booking.Pending
	cancelled := *full
	cancelled.Status = booking.Cancelled
	declined := pending
	declined.Status = booking.Declined
	confirmed := pending
	confirmed.Status = booking.Confirmed
	events := []booking.Event{
		{Kind: booking.EventCreated, Booking: full, Actor: booking.Actor{Kind: "staff", ID: "u1"}},
		{Kind: booking.EventCreated, Booking: &virtual},
		{Kind: booking.EventCreated, Booking: &pending},
		{Kind: booking.EventConfirmed, Booking: &confirmed, Previous: &pending},
		{Kind: booking.EventDeclined, Booking: &declined, Previous: &pending},
		{Kind: booking.EventRescheduled, Booking: full, Previous: &prev, Actor: booking.Actor{Kind: "customer"}},
		{Kind: booking.EventCancelled, Booking: &cancelled, Previous: full, Actor: booking.ReplyActor},
	}
	for _, now := range []time.Time{
		time.Now(), // a clock reading with its monotonic part, in the machine's zone
		time.Now().In(london),
		time.Date(2026, 7, 1, 12, 0, 0, 123456789, london), // summer time
		time.Date(2026, 11, 20, 3, 4, 5, 0, time.UTC),
	} {
		o := goldenOptions(t, false)
		o.Now = func() time.Time { return now }
		for _, e := range events {
			jobs, err := o.jobs(e)
			if err != nil {
				t.Fatal(err)
			}
			sent := 0
			for _, j := range jobs {
				pl, err := decodePayload(j.Payload)
				if err != nil {
					t.Fatal(err)
				}
				if pl.Render == nil {
					continue // the reminder
				}
				sent++
				f := *pl.Render
				if !reflect.DeepEqual(f.Event, e) {
					t.Errorf("%s %s: the facts' event came back as\n%+v\nwant\n%+v", e.Kind, j.Kind, f.Event, e)
				}
				got, token, err := o.renderFacts(j.Kind, pl)
				if err != nil {
					t.Fatal(err)
				}
				if (token != nil) != (j.Kind != KindStaffNotice) || token != nil && (token.BookingID != e.Booking.ID || token.Purpose != j.Kind) {
					t.Errorf("%s %s: manage token %+v, want one of the booking for the customer's message only", e.Kind, j.Kind, token)
				}
				// The same message rendered from the change, its time
				// and its token as they were, before any JSON.
				d := o.display(e.Booking)
				d.byReply = e.Actor == booking.ReplyActor
				var want []byte
				if j.Kind == KindStaffNotice {
					want, err = o.staffMessage(e, d, address(f.Name, pl.To[0]), f.Index, now, f.Notice)
				} else {
					want, err = o.customerMessage(j.Kind, d, e.Previous, now, fixedToken)
				}
				if err != nil {
					t.Fatal(err)
				}
				if g, w := normalizeBoundaries(got), normalizeBoundaries(want); !bytes.Equal(g, w) {
					t.Errorf("%s %s at %s: rendered from the facts differs:\n%s", e.Kind, j.Kind, now, firstDifference(g, w))
				}
			}
			if sent < 3 {
				t.Errorf("%s: %d messages, want the customer's and the staff's", e.Kind, sent)
			}
		}
	}
}
