package gcal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// fullSyncLookback is how far back a full sync reads: only busy times that
// can still affect availability matter.
const fullSyncLookback = 24 * time.Hour

// SyncArtisan reads the changes in the artisan's calendar since the last
// sync (or everything, the first time and after a 410) and stores the
// artisan's busy times. It does nothing while the artisan's sync is stopped.
func (s *Syncer) SyncArtisan(ctx context.Context, artisanID string) error {
	a, cat, err := s.artisan(ctx, artisanID)
	if err != nil {
		return err
	}
	calID := s.CalendarID(a.ID)
	cur, err := s.opts.Store.SyncCursor(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("gcal: sync cursor: %w", err)
	}
	token := ""
	if cur != nil && cur.CalendarID == calID {
		token = cur.Token
	}
	fallback := cat.Atelier.Location
	if fallback == nil {
		fallback = time.UTC
	}
	return s.onArtisan(ctx, a, func(ctx context.Context, svc *calendar.Service) error {
		events, zone, next, err := s.listAll(ctx, svc, calID, token)
		if err != nil && token != "" && classify(err, s.now()).class == classGone {
			// 410: the token expired; Google asks for a full sync.
			s.log.Info("gcal: sync token expired, full sync", "artisan", a.ID)
			token = ""
			events, zone, next, err = s.listAll(ctx, svc, calID, "")
		}
		if err != nil {
			return wrapGoogle("list events", err)
		}
		loc := fallback
		if zone != "" {
			if l, err := booking.LoadZone(zone); err == nil {
				loc = l
			}
		}
		var busy []calsync.BusyEvent
		var remove []string
		for _, ev := range events {
			if b, ok := busyOf(ev, loc); ok {
				b.ArtisanID = a.ID
				busy = append(busy, b)
			} else {
				remove = append(remove, ev.Id)
			}
		}
		c := calsync.SyncCursor{CalendarID: calID, Token: next}
		if token == "" {
			err = s.opts.Store.ReplaceBusy(ctx, a.ID, busy, c)
		} else {
			err = s.opts.Store.UpdateBusy(ctx, a.ID, busy, remove, c)
		}
		if err != nil {
			return fmt.Errorf("gcal: store busy times: %w", err)
		}
		return nil
	})
}

// listAll lists all pages of events (changes since token, or everything
// from a day ago when token is empty) and returns the calendar's zone and
// the nextSyncToken of the last page.
func (s *Syncer) listAll(ctx context.Context, svc *calendar.Service, calID, token string) (events []*calendar.Event, zone, next string, err error) {
	page := ""
	for {
		var res *calendar.Events
		err := s.call(ctx, func(ctx context.Context) error {
			q := svc.Events.List(calID).SingleEvents(true).MaxResults(250).Context(ctx)
			if token != "" {
				q = q.SyncToken(token)
			} else {
				q = q.TimeMin(s.now().Add(-fullSyncLookback).UTC().Format(time.RFC3339))
			}
			if page != "" {
				q = q.PageToken(page)
			}
			var err error
			res, err = q.Do()
			return err
		})
		if err != nil {
			return nil, "", "", err
		}
		events = append(events, res.Items...)
		if res.TimeZone != "" {
			zone = res.TimeZone
		}
		if res.NextPageToken == "" {
			if res.NextSyncToken == "" {
				return nil, "", "", errors.New("google calendar: last page of events has no nextSyncToken")
			}
			return events, zone, res.NextSyncToken, nil
		}
		page = res.NextPageToken
	}
}

// busyOf returns the busy interval of an event, or false when the event
// does not make the artisan busy: cancelled, transparent ("free"), declined
// by the artisan, or one of our own bookings (already in availability).
// All-day events block whole local days in the event's zone, else in cal.
func busyOf(ev *calendar.Event, cal *time.Location) (calsync.BusyEvent, bool) {
	if ev.Status == "cancelled" || ev.Transparency == "transparent" {
		return calsync.BusyEvent{}, false
	}
	if ev.ExtendedProperties != nil && ev.ExtendedProperties.Private[BookingIDProperty] != "" {
		return calsync.BusyEvent{}, false
	}
	for _, at := range ev.Attendees {
		if at.Self && at.ResponseStatus == "declined" {
			return calsync.BusyEvent{}, false
		}
	}
	if ev.Start == nil || ev.End == nil {
		return calsync.BusyEvent{}, false
	}
	// Both ends of an all-day event are in one zone: the event's, else
	// the calendar's.
	loc := cal
	for _, d := range []*calendar.EventDateTime{ev.Start, ev.End} {
		if d.TimeZone != "" {
			if l, err := booking.LoadZone(d.TimeZone); err == nil {
				loc = l
				break
			}
		}
	}
	start, ok1 := instant(ev.Start, loc)
	end, ok2 := instant(ev.End, loc)
	if !ok1 || !ok2 || !end.After(start) {
		return calsync.BusyEvent{}, false
	}
	return calsync.BusyEvent{EventID: ev.Id, Start: start.UTC(), End: end.UTC()}, true
}

// instant returns the time of an event boundary; a date is local midnight
// in loc.
func instant(d *calendar.EventDateTime, loc *time.Location) (time.Time, bool) {
	if d.DateTime != "" {
		t, err := time.Parse(time.RFC3339, d.DateTime)
		return t, err == nil
	}
	if d.Date == "" {
		return time.Time{}, false
	}
	day, err := booking.ParseDate(d.Date)
	if err != nil {
		return time.Time{}, false
	}
	return day.In(loc), true
}

// SyncAll syncs every artisan in the catalogue whose sync is running. One
// artisan's failure does not stop the others; the errors are joined.
func (s *Syncer) SyncAll(ctx context.Context) error {
	cat, err := s.opts.Bookings.Catalog(ctx)
	if err != nil {
		return fmt.Errorf("gcal: catalogue: %w", err)
	}
	var errs []error
	for _, a := range cat.Artisans {
		if err := s.SyncArtisan(ctx, a.ID); err != nil && !isStopped(err) && !errors.Is(err, errNotConnected) {
			errs = append(errs, fmt.Errorf("artisan %s: %w", a.ID, err))
		}
	}
	return errors.Join(errs...)
}

// RunInbound syncs all artisans every sync_interval until ctx is done.
func (s *Syncer) RunInbound(ctx context.Context) error {
	t := time.NewTicker(s.cfg.SyncInterval)
	defer t.Stop()
	for {
		if err := s.SyncAll(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("gcal: inbound sync", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ErrNoAnswer wraps FreeBusy failures: Google did not answer in time or at
// all, and the stored busy times must decide.
var ErrNoAnswer = errors.New("google calendar did not answer")

// FreeBusy asks Google which parts of [from, to) are busy in the artisan's
// calendar, within freebusy_timeout. It is the last check before a booking
// is confirmed. The answer includes our own booking events (free/busy
// cannot tell them apart): callers compare it with the slot being booked,
// and should disregard the booking's own previous time on a reschedule.
// Any failure returns an error wrapping ErrNoAnswer.
func (s *Syncer) FreeBusy(ctx context.Context, artisanID string, from, to time.Time) ([]booking.Busy, error) {
	a, _, err := s.artisan(ctx, artisanID)
	if err != nil {
		return nil, err
	}
	if err := s.checkRunning(ctx, a.ID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	svc, err := s.service(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.FreeBusyTimeout)
	defer cancel()
	calID := s.CalendarID(a.ID)
	res, err := svc.Freebusy.Query(&calendar.FreeBusyRequest{
		TimeMin: from.UTC().Format(time.RFC3339),
		TimeMax: to.UTC().Format(time.RFC3339),
		Items:   []*calendar.FreeBusyRequestItem{{Id: calID}},
	}).Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	fc, ok := res.Calendars[calID]
	if !ok {
		return nil, fmt.Errorf("%w: calendar %s missing from the answer", ErrNoAnswer, calID)
	}
	if len(fc.Errors) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoAnswer, fc.Errors[0].Reason)
	}
	out := make([]booking.Busy, 0, len(fc.Busy))
	for _, p := range fc.Busy {
		start, err1 := time.Parse(time.RFC3339, p.Start)
		end, err2 := time.Parse(time.RFC3339, p.End)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: bad busy period %q-%q", ErrNoAnswer, p.Start, p.End)
		}
		out = append(out, booking.Busy{ArtisanID: a.ID, Start: start.UTC(), End: end.UTC()})
	}
	return out, nil
}
