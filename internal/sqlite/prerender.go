package sqlite

import (
	"context"
	"reflect"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// prerendered are the jobs of a booking's creation (DB.Jobs: its e-mails'
// facts, its reminder) made before the booking's write transaction, for the
// booking as it will be stored if the transaction places it as predicted.
// Made inside the transaction, they held the one write connection for
// as long as they took (the e-mails were rendered there until 2026-12-02;
// their facts take about 20 µs), so every other write waited for it; made
// before, they are made beside the writer, on the other core.
//
// The jobs are used only if the event the transaction records is exactly
// the one they were made for (every field of the booking, the actor) and
// no catalogue change committed in between; otherwise the transaction
// makes its own, as it always did. So the stored jobs are the same either
// way, and they still commit with the booking, atomically: nothing of a
// booking's mail depends on the prediction being right, only the time it
// takes.
type prerendered struct {
	ev   booking.Event
	gen  uint64    // the catalogue's generation they were made with
	at   time.Time // the transaction's time they were made for
	jobs []booking.Job
}

// prerender makes the jobs of nb's creation before its transaction, at the
// time now, when the placement is known beforehand: a video call with the
// artisan named (the placement is that artisan and no room, or a refusal).
// It returns nil when there are no jobs to make, the placement is not
// known, or anything fails (the transaction then makes them itself).
func (st *BookingStore) prerender(ctx context.Context, nb booking.NewBooking, now time.Time) *prerendered {
	db := st.db
	if db.Jobs == nil || nb.Booking.ID == "" || nb.Booking.ArtisanID == "" || nb.Booking.Mode != booking.Virtual {
		return nil
	}
	gen := db.catalog.generation()
	c, err := db.fullCatalog(ctx, db.read)
	if err != nil {
		return nil
	}
	svc, art := c.Service(nb.Booking.ServiceID), c.Artisan(nb.Booking.ArtisanID)
	if svc == nil || art == nil || svc.Needed() > 1 {
		return nil // a team's placement is not known beforehand
	}
	b := createdRow(storedTimes(nb.Booking), booking.Placement{ArtisanID: nb.Booking.ArtisanID}, now)
	b.ServiceName, b.ArtisanName = svc.Name, art.Name // as the INSERT copies them
	ev := booking.Event{Kind: booking.EventCreated, Booking: &b, Actor: nb.Actor}
	jobs, err := db.Jobs(ev)
	if err != nil {
		return nil
	}
	return &prerendered{ev: ev, gen: gen, at: now, jobs: jobs}
}

// time is the time the transaction must take for the jobs to apply (zero
// without them: the transaction's own).
func (p *prerendered) time() time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.at
}

// prerenderedJobs returns the prerendered jobs if tx records exactly the event
// they were made for, with the catalogue unchanged since; each is used
// once.
func (tx *Tx) prerenderedJobs(ev booking.Event) ([]booking.Job, bool) {
	p := tx.pre
	tx.pre = nil
	if p == nil || !tx.now.Equal(p.at) || tx.catalogChanged() || tx.db.catalog.generation() != p.gen ||
		!reflect.DeepEqual(ev, p.ev) {
		return nil, false
	}
	return p.jobs, true
}

// storedTimes returns b with its times as the store keeps them: UTC, at
// the stored precision.
func storedTimes(b booking.Booking) booking.Booking {
	b.Start, b.End = b.Start.UTC().Truncate(timePrecision), b.End.UTC().Truncate(timePrecision)
	b.BlockStart, b.BlockEnd = b.BlockStart.UTC().Truncate(timePrecision), b.BlockEnd.UTC().Truncate(timePrecision)
	return b
}

// createdRow is the booking b as CreateBooking stores it with the
// placement p at the transaction's time now (the names of the service and
// the artisan aside: the INSERT copies them from the catalogue): confirmed
// unless it is a request (pending).
func createdRow(b booking.Booking, p booking.Placement, now time.Time) booking.Booking {
	if b.Status != booking.Pending {
		b.Status, b.DecideBy = booking.Confirmed, time.Time{} // a request's expiry (issue 13)
	}
	b.DecideBy, b.DeclineReason = b.DecideBy.UTC().Truncate(timePrecision), ""
	b.ArtisanID, b.RoomID, b.Artisans = p.ArtisanID, p.RoomID, p.Artisans
	b.CreatedAt, b.UpdatedAt = now, now
	return b
}
