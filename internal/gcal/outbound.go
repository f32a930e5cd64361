package gcal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// sequenceProperty is the private extended property with the booking's
// sequence, for diagnosis.
const sequenceProperty = "atelierSequence"

// SyncBooking makes Google match the booking's current state: a confirmed
// booking has exactly one event in its artisan's calendar at its time; a
// cancelled one has none. It is idempotent and safe to run concurrently
// with itself only for different bookings.
func (s *Syncer) SyncBooking(ctx context.Context, bookingID string) error {
	b, err := s.opts.Bookings.Booking(ctx, bookingID)
	if err != nil {
		return fmt.Errorf("gcal: booking %s: %w", bookingID, err)
	}
	prev, err := s.opts.Store.BookingSync(ctx, bookingID)
	if err != nil {
		return fmt.Errorf("gcal: booking sync state: %w", err)
	}
	st := calsync.BookingSync{BookingID: bookingID}
	if prev != nil {
		st = *prev
	}
	err = s.syncBooking(ctx, b, &st)
	st.UpdatedAt = s.now()
	if err == nil {
		st.State, st.LastError, st.SyncedAt, st.Sequence = calsync.SyncSynced, "", s.now(), b.Sequence
	} else {
		st.State, st.LastError = calsync.SyncPending, err.Error()
		if f := classify(err, s.now()); f.class == classPermanent && !isStopped(err) {
			st.State = calsync.SyncFailed
		}
	}
	if serr := s.opts.Store.SetBookingSync(ctx, st); serr != nil {
		return errors.Join(err, fmt.Errorf("gcal: save booking sync state: %w", serr))
	}
	return err
}

func isStopped(err error) bool {
	var es *errStopped
	return errors.As(err, &es)
}

// syncBooking does the work of SyncBooking, updating st with where the
// event now lives.
func (s *Syncer) syncBooking(ctx context.Context, b *booking.Booking, st *calsync.BookingSync) error {
	a, cat, err := s.artisan(ctx, b.ArtisanID)
	if err != nil {
		return err
	}
	calID := s.CalendarID(a.ID)
	eid := EventID(b.ID)

	// The booking moved to another artisan (or calendar): remove the old
	// copy first, so the old artisan's time is not shown as taken.
	if st.ArtisanID != "" && (st.ArtisanID != a.ID || st.CalendarID != calID) {
		if err := s.deleteEvent(ctx, st.ArtisanID, st.CalendarID, eid); err != nil {
			return err
		}
		st.ArtisanID, st.CalendarID, st.EventID = "", "", ""
	}
	if !b.Status.Holds() || b.Status == booking.Pending {
		// Cancelled or declined: nothing in the calendar (a request that
		// never was confirmed had nothing there, and deleting a missing
		// event is done). Pending: not in it until confirmed.
		if err := s.deleteEvent(ctx, a.ID, calID, eid); err != nil {
			return err
		}
		st.ArtisanID, st.CalendarID, st.EventID = a.ID, calID, eid
		return nil
	}
	// Where the event is about to be written, recorded before the write:
	// an insert that fails after reaching Google (a timeout) may have
	// made the event, and a later move must then delete it from here.
	st.ArtisanID, st.CalendarID, st.EventID = a.ID, calID, eid
	ev := s.eventFor(b, cat)
	return s.onArtisan(ctx, a, func(ctx context.Context, svc *calendar.Service) error {
		return s.upsert(ctx, svc, calID, ev)
	})
}

// upsert inserts ev, or on 409 (the id exists: an earlier attempt got
// through, or the event was deleted and Google keeps the id) fetches it and
// updates it in place, keeping its conference data (the Meet link).
func (s *Syncer) upsert(ctx context.Context, svc *calendar.Service, calID string, ev *calendar.Event) error {
	err := s.call(ctx, func(ctx context.Context) error {
		_, err := svc.Events.Insert(calID, ev).SendUpdates("none").ConferenceDataVersion(1).Context(ctx).Do()
		return err
	})
	if err == nil || classify(err, s.now()).class != classConflict {
		return wrapGoogle("insert event", err)
	}
	var cur *calendar.Event
	err = s.call(ctx, func(ctx context.Context) error {
		var err error
		cur, err = svc.Events.Get(calID, ev.Id).Context(ctx).Do()
		return err
	})
	if err != nil {
		return wrapGoogle("get event", err)
	}
	upd := *ev
	upd.ConferenceData = cur.ConferenceData
	err = s.call(ctx, func(ctx context.Context) error {
		_, err := svc.Events.Update(calID, ev.Id, &upd).SendUpdates("none").ConferenceDataVersion(1).Context(ctx).Do()
		return err
	})
	return wrapGoogle("update event", err)
}

// deleteEvent removes an event; 404 and 410 mean it is gone already.
func (s *Syncer) deleteEvent(ctx context.Context, artisanID, calID, eid string) error {
	a, _, err := s.artisan(ctx, artisanID)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return nil // the artisan left the catalogue; nothing we can reach
	}
	if err != nil {
		return err
	}
	return s.onArtisan(ctx, a, func(ctx context.Context, svc *calendar.Service) error {
		err := s.call(ctx, func(ctx context.Context) error {
			return svc.Events.Delete(calID, eid).SendUpdates("none").Context(ctx).Do()
		})
		if err != nil && classify(err, s.now()).class == classGone {
			return nil
		}
		return wrapGoogle("delete event", err)
	})
}

// onArtisan runs fn with the artisan's client unless the artisan's sync is
// stopped, and records the outcome in the artisan's connection state.
func (s *Syncer) onArtisan(ctx context.Context, a *booking.Artisan, fn func(ctx context.Context, svc *calendar.Service) error) error {
	if err := s.checkRunning(ctx, a.ID); err != nil {
		return err
	}
	svc, err := s.service(ctx, a)
	if err == nil {
		err = fn(ctx, svc)
	}
	if err == nil {
		return s.succeeded(ctx, a.ID)
	}
	f := classify(err, s.now())
	if f.class == classRetry || f.class == classStop {
		if ferr := s.failed(ctx, a.ID, f); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}

// wrapGoogle adds what was being done to a Google error.
func wrapGoogle(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("google calendar: %s: %w", op, err)
}

// eventFor builds the artisan's private copy of a booking.
func (s *Syncer) eventFor(b *booking.Booking, cat *booking.Catalog) *calendar.Event {
	svcName := b.ServiceID
	if sv := cat.Service(b.ServiceID); sv != nil {
		svcName = sv.Name
	}
	zone := cat.Atelier.Timezone
	mode := "In person"
	if b.Mode == booking.Virtual {
		mode = "Virtual consultation"
	}
	staff := s.opts.StaffURL(b.ID)
	customer := b.Customer.Name
	if !b.ErasedAt.IsZero() {
		// The customer's personal data was erased: the event keeps the
		// artisan's time and the service, not who it was for.
		customer = "(erased)"
	}
	var desc strings.Builder
	fmt.Fprintf(&desc, "%s\nCustomer: %s\nMode: %s\n", svcName, customer, mode)
	if b.MeetingURL != "" {
		fmt.Fprintf(&desc, "Video call: %s\n", b.MeetingURL)
	}
	if staff != "" {
		fmt.Fprintf(&desc, "Booking: %s\n", staff)
	}
	ev := &calendar.Event{
		Id:           EventID(b.ID),
		Status:       "confirmed",
		Summary:      fmt.Sprintf("%s: %s", svcName, customer),
		Description:  desc.String(),
		Start:        &calendar.EventDateTime{DateTime: b.Start.UTC().Format(time.RFC3339), TimeZone: zone},
		End:          &calendar.EventDateTime{DateTime: b.End.UTC().Format(time.RFC3339), TimeZone: zone},
		Visibility:   "private",
		Transparency: "opaque",
		ExtendedProperties: &calendar.EventExtendedProperties{Private: map[string]string{
			BookingIDProperty: b.ID,
			sequenceProperty:  strconv.Itoa(b.Sequence),
		}},
		GuestsCanInviteOthers:   googleFalse(),
		GuestsCanSeeOtherGuests: googleFalse(),
	}
	if b.Mode == booking.Virtual {
		ev.Location = b.MeetingURL
	} else {
		ev.Location = b.Location
	}
	if staff != "" {
		ev.Source = &calendar.EventSource{Title: "Atelier booking", Url: staff}
	}
	return ev
}

func googleFalse() *bool { f := false; return &f }
