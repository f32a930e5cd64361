package gcal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// Linker returns the video-call link of a virtual booking. The mail and
// invite code define the same method set.
type Linker interface {
	Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error)
}

// LinkerFunc adapts a function to Linker.
type LinkerFunc func(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error)

// Link calls f.
func (f LinkerFunc) Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	return f(ctx, b, a)
}

// MeetLinker gets a Google Meet link for a virtual booking by creating the
// booking's event (its deterministic id) with a conference create request,
// and falls back to Fallback (e.g. Jitsi) when Meet is off, the artisan's
// sync is stopped, or Google does not deliver a link within Timeout. The
// customer always gets a working link.
//
// Call it once the booking id is fixed. The event it creates is the one the
// sync job later updates (409 → update keeps the conference). If the
// booking is then not committed, call Abandon to remove the event.
//
// A booking that moves to another artisan gets its link the same way,
// with b as it will be after the move (the new artisan, times and
// sequence): the event is made in the new artisan's calendar, and the
// booking's sync state keeps pointing at the old one until the sync job
// of the move has removed the old event.
type MeetLinker struct {
	Syncer   *Syncer
	Fallback Linker
	Timeout  time.Duration // default 8s
}

// Link returns the Meet link, or the fallback's link.
func (m *MeetLinker) Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	if m.Syncer != nil && m.Syncer.cfg.Enabled && m.Syncer.cfg.Meet && b.Mode == booking.Virtual {
		timeout := m.Timeout
		if timeout <= 0 {
			timeout = 8 * time.Second
		}
		mctx, cancel := context.WithTimeout(ctx, timeout)
		link, err := m.Syncer.meetLink(mctx, b, a)
		cancel()
		if err == nil {
			return link, nil
		}
		m.Syncer.log.Warn("gcal: no Meet link, using the fallback", "booking", b.ID, "err", err)
	}
	if m.Fallback == nil {
		return "", errors.New("gcal: no Meet link and no fallback linker")
	}
	return m.Fallback.Link(ctx, b, a)
}

// Abandon deletes the event Link created for a booking that was not
// committed after all (the slot was taken meanwhile), or for a move to
// another artisan that was refused, so the artisan's calendar does not
// keep an empty appointment. It does nothing when Link cannot have created
// one (Meet off, an in-person booking); an event that is already gone is
// fine. A new booking's id is new for every request, so its event cannot
// belong to a stored booking; a refused move's booking is stored, and its
// event is left alone when it lives in that very calendar (the booking is
// still with that artisan).
func (m *MeetLinker) Abandon(ctx context.Context, b *booking.Booking, a *booking.Artisan) error {
	if m.Syncer == nil || !m.Syncer.cfg.Enabled || !m.Syncer.cfg.Meet || b.Mode != booking.Virtual || a == nil {
		return nil
	}
	s := m.Syncer
	calID := s.CalendarID(a.ID)
	stored, err := s.opts.Bookings.Booking(ctx, b.ID)
	switch {
	case booking.ErrorKind(err) == booking.ENOTFOUND:
	case err != nil:
		return fmt.Errorf("gcal: booking %s: %w", b.ID, err)
	case stored.Status == booking.Confirmed && stored.ArtisanID == a.ID:
		return nil // its own event: the move that would have brought it here was refused, but it is here already
	}
	if err := s.deleteEvent(ctx, a.ID, calID, EventID(b.ID)); err != nil {
		return err
	}
	if stored == nil {
		return nil
	}
	// The booking stays where it was: forget the abandoned link and any
	// record of an event in this calendar.
	st, err := s.opts.Store.BookingSync(ctx, b.ID)
	if err != nil || st == nil {
		return err
	}
	changed := false
	if st.MeetURL != "" && st.MeetURL == b.MeetingURL {
		st.MeetURL, changed = "", true
	}
	if st.ArtisanID == a.ID && st.CalendarID == calID {
		st.ArtisanID, st.CalendarID, st.EventID, changed = "", "", "", true
	}
	if !changed {
		return nil
	}
	st.UpdatedAt = s.now()
	return s.opts.Store.SetBookingSync(ctx, *st)
}

// errMeetPending is returned when the conference is still being created
// after the last poll.
var errMeetPending = errors.New("google meet: conference still pending")

// meetLink creates (or finds) the booking's event with a Meet conference and
// polls while the conference request is pending.
func (s *Syncer) meetLink(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	cat, err := s.opts.Bookings.Catalog(ctx)
	if err != nil {
		return "", fmt.Errorf("gcal: catalogue: %w", err)
	}
	calID := s.CalendarID(a.ID)
	ev := s.eventFor(b, cat)
	ev.Location = ""
	ev.ConferenceData = &calendar.ConferenceData{CreateRequest: &calendar.CreateConferenceRequest{
		// One request per booking version: a retry of the same version
		// gets the same conference, a new version may ask again.
		RequestId:             b.ID + "-" + strconv.Itoa(b.Sequence),
		ConferenceSolutionKey: &calendar.ConferenceSolutionKey{Type: "hangoutsMeet"},
	}}
	var link string
	err = s.onArtisan(ctx, a, func(ctx context.Context, svc *calendar.Service) error {
		var got *calendar.Event
		err := s.call(ctx, func(ctx context.Context) error {
			var err error
			got, err = svc.Events.Insert(calID, ev).SendUpdates("none").ConferenceDataVersion(1).Context(ctx).Do()
			return err
		})
		if err != nil && classify(err, s.now()).class == classConflict {
			err = s.call(ctx, func(ctx context.Context) error {
				var err error
				got, err = svc.Events.Get(calID, ev.Id).Context(ctx).Do()
				return err
			})
			if err == nil && got.ConferenceData == nil {
				// Our event exists without a conference: ask for one.
				patch := &calendar.Event{ConferenceData: ev.ConferenceData}
				err = s.call(ctx, func(ctx context.Context) error {
					var err error
					got, err = svc.Events.Patch(calID, ev.Id, patch).SendUpdates("none").ConferenceDataVersion(1).Context(ctx).Do()
					return err
				})
			}
		}
		if err != nil {
			return wrapGoogle("create meet", err)
		}
		for i := 0; ; i++ {
			l, pending, err := meetOf(got)
			if err != nil || !pending {
				link = l
				return err
			}
			if i >= s.opts.MeetPolls {
				return errMeetPending
			}
			if err := s.opts.Sleep(ctx, s.opts.MeetPollDelay); err != nil {
				return fmt.Errorf("google meet: %w", err)
			}
			err = s.call(ctx, func(ctx context.Context) error {
				var err error
				got, err = svc.Events.Get(calID, ev.Id).Context(ctx).Do()
				return err
			})
			if err != nil {
				return wrapGoogle("poll meet", err)
			}
		}
	})
	if err != nil {
		return "", err
	}
	if err := s.recordMeet(ctx, b, a.ID, calID, link); err != nil {
		return "", err
	}
	return link, nil
}

// meetOf reads the Meet link of an event, or whether it is still pending.
func meetOf(ev *calendar.Event) (link string, pending bool, err error) {
	cd := ev.ConferenceData
	if cd == nil {
		return "", false, errors.New("google meet: the event has no conference")
	}
	if cd.CreateRequest != nil && cd.CreateRequest.Status != nil {
		switch cd.CreateRequest.Status.StatusCode {
		case "pending":
			return "", true, nil
		case "failure":
			return "", false, errors.New("google meet: conference creation failed")
		}
	}
	for _, ep := range cd.EntryPoints {
		if ep.EntryPointType == "video" && ep.Uri != "" {
			return ep.Uri, false, nil
		}
	}
	if ev.HangoutLink != "" {
		return ev.HangoutLink, false, nil
	}
	return "", false, errors.New("google meet: the conference has no video link")
}

// recordMeet notes in the booking's sync state its Meet link and, unless
// the state already places the booking's event in another calendar, where
// the new event lives. A booking moving to another artisan keeps the old
// calendar in its state: that is where the sync job of the move must
// delete the old event (it then updates the new one, keeping its Meet).
func (s *Syncer) recordMeet(ctx context.Context, b *booking.Booking, artisanID, calID, link string) error {
	st, err := s.opts.Store.BookingSync(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("gcal: booking sync state: %w", err)
	}
	if st == nil {
		st = &calsync.BookingSync{BookingID: b.ID, State: calsync.SyncPending}
	}
	if st.ArtisanID == "" {
		st.ArtisanID, st.CalendarID, st.EventID = artisanID, calID, EventID(b.ID)
	}
	st.MeetURL, st.UpdatedAt = link, s.now()
	if err := s.opts.Store.SetBookingSync(ctx, *st); err != nil {
		return fmt.Errorf("gcal: save booking sync state: %w", err)
	}
	return nil
}
