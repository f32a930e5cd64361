package gcal

import (
	"encoding/json"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
)

// Queue is the job queue name of outbound sync jobs.
const Queue = "gcal"

// jobPayload is the payload of a "gcal" job. Only the booking id matters:
// the worker syncs the booking's state at the time it runs.
type jobPayload struct {
	BookingID string `json:"booking_id"`
}

// Jobs returns the JobsFunc that enqueues one sync job per booking change
// (created, rescheduled, cancelled). It does no I/O, as the store requires.
func Jobs() booking.JobsFunc {
	return func(e booking.Event) ([]booking.Job, error) {
		switch e.Kind {
		case booking.EventCreated, booking.EventRescheduled, booking.EventCancelled:
		default:
			return nil, nil
		}
		if e.Booking == nil || e.Booking.ID == "" {
			return nil, fmt.Errorf("gcal: %s event without a booking", e.Kind)
		}
		p, err := json.Marshal(jobPayload{BookingID: e.Booking.ID})
		if err != nil {
			return nil, fmt.Errorf("gcal: encode job: %w", err)
		}
		return []booking.Job{{Queue: Queue, Kind: string(e.Kind), BookingID: e.Booking.ID, Payload: p}}, nil
	}
}

// jobBookingID returns the booking id of a job.
func jobBookingID(j booking.QueuedJob) (string, error) {
	if len(j.Payload) > 0 {
		var p jobPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return "", fmt.Errorf("gcal: decode job %d: %w", j.ID, err)
		}
		if p.BookingID != "" {
			return p.BookingID, nil
		}
	}
	if j.BookingID != "" {
		return j.BookingID, nil
	}
	return "", fmt.Errorf("gcal: job %d has no booking id", j.ID)
}
