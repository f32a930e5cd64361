package gcal

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"google.golang.org/api/calendar/v3"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// The other artisans of a booking whose service needs several together
// (booking.Booking.Artisans): each gets the booking's event in their own
// calendar, as the booking's artisan does. The job of a change names every
// artisan the booking held before it and holds after it (jobPayload), so
// that one who left the team loses the event. Each (booking, artisan) has
// its own sync state, under teamSyncKey; the booking's own artisan keeps
// the booking's (SyncBooking), so that a booking of one artisan syncs
// exactly as before.

// teamSyncKey is the key of the sync state of booking id in the calendar
// of one of its other artisans.
func teamSyncKey(bookingID, artisanID string) string { return bookingID + "/" + artisanID }

// teamOf lists the artisans of e's booking before and after the change,
// besides its own artisan: nil for a booking of one artisan throughout.
func teamOf(e booking.Event) []string {
	if len(e.Booking.Extras()) == 0 && (e.Previous == nil || len(e.Previous.Extras()) == 0) {
		return nil
	}
	var ids []string
	for _, b := range []*booking.Booking{e.Previous, e.Booking} {
		if b == nil {
			continue
		}
		for _, id := range b.ArtisanIDs() {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// syncTeam makes the calendars of artisans (the booking's team before and
// after a change) match booking id: the event in the calendar of each who
// takes part besides its own artisan, in no other's.
func (s *Syncer) syncTeam(ctx context.Context, id string, artisans []string) error {
	if len(artisans) == 0 {
		return nil
	}
	b, err := s.opts.Bookings.Booking(ctx, id)
	if err != nil {
		return fmt.Errorf("gcal: booking %s: %w", id, err)
	}
	var errs []error
	for _, a := range artisans {
		if a == b.ArtisanID {
			continue // SyncBooking's
		}
		errs = append(errs, s.syncOther(ctx, b, a))
	}
	return errors.Join(errs...)
}

// syncOther puts b's event in artisanID's calendar while they take part in
// b, and takes it out once they do not, recording where it is.
func (s *Syncer) syncOther(ctx context.Context, b *booking.Booking, artisanID string) error {
	key := teamSyncKey(b.ID, artisanID)
	prev, err := s.opts.Store.BookingSync(ctx, key)
	if err != nil {
		return fmt.Errorf("gcal: booking sync state: %w", err)
	}
	st := calsync.BookingSync{BookingID: key}
	if prev != nil {
		st = *prev
	}
	err = s.writeOther(ctx, b, artisanID, &st)
	st.UpdatedAt = s.now()
	if err == nil {
		st.State, st.LastError, st.SyncedAt, st.Sequence = calsync.SyncSynced, "", s.now(), b.Sequence
	} else {
		st.State, st.LastError = calsync.SyncPending, err.Error()
	}
	if serr := s.opts.Store.SetBookingSync(ctx, st); serr != nil {
		return errors.Join(err, fmt.Errorf("gcal: save booking sync state: %w", serr))
	}
	return err
}

func (s *Syncer) writeOther(ctx context.Context, b *booking.Booking, artisanID string, st *calsync.BookingSync) error {
	eid := EventID(b.ID)
	calID := s.CalendarID(artisanID)
	if st.ArtisanID != "" && st.CalendarID != calID {
		if err := s.deleteEvent(ctx, st.ArtisanID, st.CalendarID, eid); err != nil {
			return err
		}
		st.ArtisanID, st.CalendarID, st.EventID = "", "", ""
	}
	if b.Status == booking.Cancelled || !b.HasArtisan(artisanID) {
		if err := s.deleteEvent(ctx, artisanID, calID, eid); err != nil {
			return err
		}
		st.ArtisanID, st.CalendarID, st.EventID = "", "", ""
		return nil
	}
	a, cat, err := s.artisan(ctx, artisanID)
	if err != nil {
		return err
	}
	st.ArtisanID, st.CalendarID, st.EventID = a.ID, calID, eid
	ev := s.eventFor(b, cat)
	return s.onArtisan(ctx, a, func(ctx context.Context, svc *calendar.Service) error {
		return s.upsert(ctx, svc, calID, ev)
	})
}
