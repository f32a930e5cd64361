package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// querier is a pool or a transaction, for reads.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// maxTime is later than any stored instant.
var maxTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Catalog returns the active catalogue with the staff's changes to hours
// and closures. Closures and each artisan's time off are those that have
// not ended yet (closures: by the UTC date, with a day of slack).
//
// The catalogue is read from the database each time: with several servers
// on one database, a cache in one of them would not see the others'
// changes.
func (st *CatalogStore) Catalog(ctx context.Context) (*booking.Catalog, error) {
	c, err := loadCatalog(ctx, st.db.pool, st.db.now(), maxTime)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: catalog: %w", err))
	}
	return c, nil
}

// loadCatalog reads the active catalogue, with the closures that may
// matter from offFrom on and the time off that overlaps [offFrom, offTo):
// one read per table, each filling its part.
func loadCatalog(ctx context.Context, q querier, offFrom, offTo time.Time) (*booking.Catalog, error) {
	r := &catalogReader{ctx: ctx, q: q, c: &booking.Catalog{}}
	steps := []func() error{
		r.atelier, r.rooms, func() error { return r.closures(offFrom) },
		r.services, r.serviceModes, r.artisans, r.artisanServices,
		func() error { return r.dateHours(offFrom) },
		func() error { return r.timeOff(offFrom, offTo) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return r.c, nil
}

// catalogReader fills a catalogue from the tables, in loadCatalog's order:
// services and artisans before the rows that refer to them.
type catalogReader struct {
	ctx       context.Context
	q         querier
	c         *booking.Catalog
	serviceAt map[string]int // service id → index in c.Services
	artisanAt map[string]int // artisan id → index in c.Artisans
}

// each runs query and calls scan for each row; what names the table in
// the errors.
func (r *catalogReader) each(what, query string, args []any, scan func(pgx.Rows) error) error {
	rows, err := r.q.Query(r.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// atelier reads the atelier's identity, booking rules and opening hours.
func (r *catalogReader) atelier() error {
	a := &r.c.Atelier
	var hours string
	var notice, horizon, interval, cutoff, moves, pending int
	var note string
	err := r.q.QueryRow(r.ctx, `SELECT name, timezone, address, phone, email, map_url,
		min_notice_minutes, horizon_days, slot_interval_minutes, opening_hours::text,
		change_cutoff_hours, max_reschedules, policy_text, pending_hours
		FROM atelier WHERE id = 1`).
		Scan(&a.Name, &a.Timezone, &a.Address, &a.Phone, &a.Email, &a.MapURL, &notice, &horizon, &interval, &hours,
			&cutoff, &moves, &note, &pending)
	if errors.Is(err, pgx.ErrNoRows) {
		return booking.Errorf(booking.EUNAVAILABLE, booking.CodeInternal, "the atelier is not configured yet")
	}
	if err != nil {
		return fmt.Errorf("atelier: %w", err)
	}
	if a.Location, err = booking.LoadZone(a.Timezone); err != nil {
		return fmt.Errorf("atelier time zone: %w", err)
	}
	if err := json.Unmarshal([]byte(hours), &a.Hours); err != nil {
		return fmt.Errorf("opening hours: %w", err)
	}
	a.Rules = booking.Rules{
		MinNotice:    time.Duration(notice) * time.Minute,
		HorizonDays:  horizon,
		SlotInterval: time.Duration(interval) * time.Minute,
		// The booking policy (version 6).
		ChangeCutoff:   time.Duration(cutoff) * time.Hour,
		MaxReschedules: moves,
		PolicyNote:     note,
		PendingFor:     time.Duration(pending) * time.Hour, // version 14
	}
	return nil
}

// rooms reads the active rooms.
func (r *catalogReader) rooms() error {
	a := &r.c.Atelier
	return r.each("rooms", `SELECT id, name FROM rooms WHERE active ORDER BY position, id`, nil, func(rows pgx.Rows) error {
		var room booking.Room
		if err := rows.Scan(&room.ID, &room.Name); err != nil {
			return fmt.Errorf("rooms: %w", err)
		}
		a.Rooms = append(a.Rooms, room)
		return nil
	})
}

// closures reads the closures that may matter from offFrom on. Closures
// are local dates and offFrom is in UTC, so a day of slack is kept.
func (r *catalogReader) closures(offFrom time.Time) error {
	a := &r.c.Atelier
	from := utc(offFrom).AddDate(0, 0, -1).Format(time.DateOnly)
	return r.each("closures", `SELECT id, to_char(from_date, 'YYYY-MM-DD'), to_char(to_date, 'YYYY-MM-DD'), reason, source
		FROM closures WHERE to_date >= $1::date ORDER BY from_date, id`, []any{from}, func(rows pgx.Rows) error {
		cl, err := scanClosure(rows)
		if err != nil {
			return err
		}
		a.Closures = append(a.Closures, cl)
		return nil
	})
}

// services reads the active services, without their modes.
func (r *catalogReader) services() error {
	c := r.c
	r.serviceAt = map[string]int{}
	return r.each("services", `SELECT id, name, description, duration_minutes, questions, change_cutoff_hours, max_reschedules, public,
		CASE WHEN artisans_needed > 1 THEN artisans_needed ELSE 0 END,
		requires_confirmation FROM services
		WHERE active ORDER BY position, id`, nil, func(rows pgx.Rows) error {
		var s booking.Service
		var minutes int
		var questions string
		var cutoff, moves *int64
		var public bool
		if err := rows.Scan(&s.ID, &s.Name, &s.Description, &minutes, &questions, &cutoff, &moves, &public, &s.ArtisansNeeded, &s.RequiresConfirmation); err != nil {
			return fmt.Errorf("services: %w", err)
		}
		if cutoff != nil {
			d := time.Duration(*cutoff) * time.Hour
			s.ChangeCutoff = &d
		}
		if moves != nil {
			n := int(*moves)
			s.MaxReschedules = &n
		}
		var err error
		if s.Questions, err = booking.ParseQuestions(questions); err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
		s.Private = !public
		s.Duration = time.Duration(minutes) * time.Minute
		s.Buffers = map[booking.Mode]booking.Buffer{}
		r.serviceAt[s.ID] = len(c.Services)
		c.Services = append(c.Services, s)
		return nil
	})
}

// serviceModes reads the modes of the active services, with their buffers.
func (r *catalogReader) serviceModes() error {
	return r.each("service modes", `SELECT service_id, mode, buffer_before_minutes, buffer_after_minutes
		FROM service_modes ORDER BY service_id, position`, nil, func(rows pgx.Rows) error {
		var id, mode string
		var before, after int
		if err := rows.Scan(&id, &mode, &before, &after); err != nil {
			return fmt.Errorf("service modes: %w", err)
		}
		i, ok := r.serviceAt[id]
		if !ok {
			return nil // inactive service
		}
		s := &r.c.Services[i]
		s.Modes = append(s.Modes, booking.Mode(mode))
		s.Buffers[booking.Mode(mode)] = booking.Buffer{Before: time.Duration(before) * time.Minute, After: time.Duration(after) * time.Minute}
		return nil
	})
}

// artisans reads the active artisans, without their services and time off.
func (r *catalogReader) artisans() error {
	c := r.c
	r.artisanAt = map[string]int{}
	return r.each("artisans", `SELECT id, name, bio, email, working_hours::text, daily_cap, meeting_url FROM artisans
		WHERE active ORDER BY position, id`, nil, func(rows pgx.Rows) error {
		var ar booking.Artisan
		var hours string
		if err := rows.Scan(&ar.ID, &ar.Name, &ar.Bio, &ar.Email, &hours, &ar.DailyCap, &ar.MeetingURL); err != nil {
			return fmt.Errorf("artisans: %w", err)
		}
		if err := json.Unmarshal([]byte(hours), &ar.Hours); err != nil {
			return fmt.Errorf("working hours of %s: %w", ar.ID, err)
		}
		r.artisanAt[ar.ID] = len(c.Artisans)
		c.Artisans = append(c.Artisans, ar)
		return nil
	})
}

// artisanServices reads which active artisan offers which active service,
// in the artisans' catalogue order, so each service's Artisans come out in
// catalogue order too.
func (r *catalogReader) artisanServices() error {
	c := r.c
	return r.each("artisan services", `SELECT x.artisan_id, x.service_id FROM artisan_services AS x
		JOIN artisans AS a ON a.id = x.artisan_id
		WHERE a.active ORDER BY a.position, a.id, x.position`, nil, func(rows pgx.Rows) error {
		var aid, sid string
		if err := rows.Scan(&aid, &sid); err != nil {
			return fmt.Errorf("artisan services: %w", err)
		}
		ai, ok1 := r.artisanAt[aid]
		si, ok2 := r.serviceAt[sid]
		if !ok1 || !ok2 {
			return nil
		}
		c.Artisans[ai].Services = append(c.Artisans[ai].Services, sid)
		c.Services[si].Artisans = append(c.Services[si].Artisans, aid)
		return nil
	})
}

// timeOff reads the active artisans' time off that overlaps [from, to).
func (r *catalogReader) timeOff(from, to time.Time) error {
	c := r.c
	return r.each("time off", `SELECT id, artisan_id, start_at, end_at, reason FROM time_off
		WHERE end_at > $1 AND start_at < $2 ORDER BY start_at, id`, []any{utc(from), utc(to)}, func(rows pgx.Rows) error {
		t, err := scanTimeOff(rows)
		if err != nil {
			return err
		}
		if i, ok := r.artisanAt[t.ArtisanID]; ok {
			c.Artisans[i].TimeOff = append(c.Artisans[i].TimeOff, t)
		}
		return nil
	})
}

type scanner interface{ Scan(dest ...any) error }

func scanClosure(s scanner) (booking.Closure, error) {
	var c booking.Closure
	var id int64
	var from, to string
	if err := s.Scan(&id, &from, &to, &c.Reason, &c.Source); err != nil {
		return c, fmt.Errorf("closures: %w", err)
	}
	c.ID = strconv.FormatInt(id, 10)
	var err error
	if c.From, err = booking.ParseDate(from); err != nil {
		return c, fmt.Errorf("closure %d: %w", id, err)
	}
	if c.To, err = booking.ParseDate(to); err != nil {
		return c, fmt.Errorf("closure %d: %w", id, err)
	}
	return c, nil
}

func scanTimeOff(s scanner) (booking.TimeOff, error) {
	var t booking.TimeOff
	var id int64
	if err := s.Scan(&id, &t.ArtisanID, &t.Start, &t.End, &t.Reason); err != nil {
		return t, fmt.Errorf("time off: %w", err)
	}
	t.ID = strconv.FormatInt(id, 10)
	t.Start, t.End = t.Start.UTC(), t.End.UTC()
	return t, nil
}

// policyColumns are a service's own policy for the store: NULL when the
// atelier's applies.
func policyColumns(s *booking.Service) (cutoff, moves *int64) {
	if s.ChangeCutoff != nil {
		n := int64(*s.ChangeCutoff / time.Hour)
		cutoff = &n
	}
	if s.MaxReschedules != nil {
		n := int64(*s.MaxReschedules)
		moves = &n
	}
	return cutoff, moves
}
