package gcal

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/outbox"
)

// Queue is the job queue name of outbound sync jobs.
const Queue = "gcal"

// jobPayload is the payload of a "gcal" job. Only the booking id matters:
// the worker syncs the booking's state at the time it runs.
type jobPayload struct {
	BookingID string `json:"booking_id"`
	// Artisans, for a booking of several artisans, are those it held
	// before the change and holds after it (team.go); absent otherwise.
	Artisans []string `json:"artisans,omitempty"`
}

// Jobs returns the JobsFunc that enqueues one sync job per booking change
// (created, rescheduled, cancelled, and erased: the event is written again
// without the customer). It does no I/O, as the store requires.
func Jobs() booking.JobsFunc {
	return func(e booking.Event) ([]booking.Job, error) {
		if e.Booking == nil || e.Booking.ID == "" {
			return nil, fmt.Errorf("gcal: %s event without a booking", e.Kind)
		}
		if !calendarChange(e) {
			return nil, nil
		}
		p, err := json.Marshal(jobPayload{BookingID: e.Booking.ID, Artisans: teamOf(e)})
		if err != nil {
			return nil, fmt.Errorf("gcal: encode job: %w", err)
		}
		return []booking.Job{{Queue: Queue, Kind: string(e.Kind), BookingID: e.Booking.ID, Payload: p}}, nil
	}
}

// jobArtisans returns the team a job names (none for one artisan).
func jobArtisans(j booking.QueuedJob) []string {
	var p jobPayload
	if len(j.Payload) == 0 || json.Unmarshal(j.Payload, &p) != nil {
		return nil
	}
	return p.Artisans
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

// Handle makes Google match the booking of a "gcal" job: the Syncer is the
// outbox.Handler of Queue. A booking (or artisan) that no longer exists,
// and a request Google refuses, fail the job; a job of an artisan whose
// sync is stopped (access revoked, quota spent) is put off, looked at again
// every ParkInterval and never given up, so it runs once the artisan is
// reconnected; any other failure is retried, not before Google's
// Retry-After.
func (s *Syncer) Handle(ctx context.Context, j booking.QueuedJob) error {
	id, err := jobBookingID(j)
	if err != nil {
		return outbox.Permanent(err)
	}
	err = s.SyncBooking(ctx, id)
	if err == nil {
		err = s.syncTeam(ctx, id, jobArtisans(j)) // team.go
	}
	switch {
	case err == nil:
		return nil
	case booking.ErrorKind(err) == booking.ENOTFOUND:
		return outbox.Permanent(err) // nothing left to match
	case isStopped(err):
		return outbox.PutOff(s.now().Add(s.opts.ParkInterval), err)
	}
	f := classify(err, s.now())
	switch f.class {
	case classPermanent:
		return outbox.Permanent(err)
	case classStop:
		return outbox.PutOff(s.now().Add(s.opts.ParkInterval), err)
	}
	return outbox.RetryAfter(f.retryAfter, err)
}

// GaveUp marks the booking's sync failed when the runner gives up on its
// job after the last of its retries (outbox.GiveUpHandler), so staff do not
// read "pending" for a write that will not be tried again.
func (s *Syncer) GaveUp(ctx context.Context, j booking.QueuedJob, err error) error {
	id, jerr := jobBookingID(j)
	if jerr != nil {
		return nil
	}
	st, serr := s.opts.Store.BookingSync(ctx, id)
	if serr != nil {
		return fmt.Errorf("gcal: booking sync state: %w", serr)
	}
	if st == nil {
		st = &calsync.BookingSync{BookingID: id}
	}
	st.State, st.LastError, st.UpdatedAt = calsync.SyncFailed, err.Error(), s.now()
	if serr := s.opts.Store.SetBookingSync(ctx, *st); serr != nil {
		return fmt.Errorf("gcal: save booking sync state: %w", serr)
	}
	return nil
}

// calendarChange reports whether e changes what the artisan's calendar
// shows. A request (status pending) is not in it until staff confirm it:
// its making, its decline and its withdrawal change nothing there, and
// its confirmation puts it in (the time is held in the booking engine all
// along).
func calendarChange(e booking.Event) bool {
	switch e.Kind {
	case booking.EventCreated:
		return e.Booking.Status != booking.Pending
	case booking.EventRescheduled, booking.EventConfirmed, booking.EventErased:
		return true
	case booking.EventCancelled:
		return e.Previous == nil || e.Previous.Status != booking.Pending
	}
	return false
}
