package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Catalog returns the active catalogue with the staff's changes to hours
// and closures. Closures and each artisan's time off are those that have
// not ended yet (closures: by the UTC date, with a day of slack).
func (st *CatalogStore) Catalog(ctx context.Context) (*booking.Catalog, error) {
	full, err := st.db.fullCatalog(ctx, st.db.read)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: catalog: %w", err))
	}
	return catalogView(full, st.db.now(), maxTime), nil
}

// loadCatalog reads the active catalogue, with the time off that overlaps
// [offFrom, offTo).
func loadCatalog(ctx context.Context, q queryer, offFrom, offTo time.Time) (*booking.Catalog, error) {
	c := &booking.Catalog{}
	a := &c.Atelier
	var hours string
	var notice, horizon, interval int
	err := q.QueryRowContext(ctx, `SELECT name, timezone, address, phone, email, map_url,
		min_notice_minutes, horizon_days, slot_interval_minutes, opening_hours
		FROM atelier WHERE id = 1`).
		Scan(&a.Name, &a.Timezone, &a.Address, &a.Phone, &a.Email, &a.MapURL, &notice, &horizon, &interval, &hours)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.Errorf(booking.EUNAVAILABLE, booking.CodeInternal, "the atelier is not configured yet")
	}
	if err != nil {
		return nil, fmt.Errorf("atelier: %w", err)
	}
	if a.Location, err = time.LoadLocation(a.Timezone); err != nil {
		return nil, fmt.Errorf("atelier time zone: %w", err)
	}
	if err := json.Unmarshal([]byte(hours), &a.Hours); err != nil {
		return nil, fmt.Errorf("opening hours: %w", err)
	}
	a.Rules = booking.Rules{
		MinNotice:    time.Duration(notice) * time.Minute,
		HorizonDays:  horizon,
		SlotInterval: time.Duration(interval) * time.Minute,
	}

	rows, err := q.QueryContext(ctx, `SELECT id, name FROM rooms WHERE active ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("rooms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r booking.Room
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, fmt.Errorf("rooms: %w", err)
		}
		a.Rooms = append(a.Rooms, r)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("rooms: %w", err)
	}

	// Closures that end before the window of interest cannot matter; the
	// window is in UTC, closures in local dates, so keep a day either side.
	rows, err = q.QueryContext(ctx, `SELECT id, from_date, to_date, reason, source FROM closures
		WHERE to_date >= ? ORDER BY from_date, id`, offFrom.UTC().AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("closures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		cl, err := scanClosure(rows)
		if err != nil {
			return nil, err
		}
		a.Closures = append(a.Closures, cl)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("closures: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, name, description, duration_minutes FROM services
		WHERE active ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	defer rows.Close()
	serviceIndex := map[string]int{}
	for rows.Next() {
		var s booking.Service
		var minutes int
		if err := rows.Scan(&s.ID, &s.Name, &s.Description, &minutes); err != nil {
			return nil, fmt.Errorf("services: %w", err)
		}
		s.Duration = time.Duration(minutes) * time.Minute
		s.Buffers = map[booking.Mode]booking.Buffer{}
		serviceIndex[s.ID] = len(c.Services)
		c.Services = append(c.Services, s)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT service_id, mode, buffer_before_minutes, buffer_after_minutes
		FROM service_modes ORDER BY service_id, position`)
	if err != nil {
		return nil, fmt.Errorf("service modes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var mode booking.Mode
		var before, after int
		if err := rows.Scan(&id, &mode, &before, &after); err != nil {
			return nil, fmt.Errorf("service modes: %w", err)
		}
		i, ok := serviceIndex[id]
		if !ok {
			continue // inactive service
		}
		s := &c.Services[i]
		s.Modes = append(s.Modes, mode)
		s.Buffers[mode] = booking.Buffer{Before: time.Duration(before) * time.Minute, After: time.Duration(after) * time.Minute}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("service modes: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, name, bio, email, working_hours, daily_cap FROM artisans
		WHERE active ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("artisans: %w", err)
	}
	defer rows.Close()
	artisanIndex := map[string]int{}
	for rows.Next() {
		var ar booking.Artisan
		var hours string
		if err := rows.Scan(&ar.ID, &ar.Name, &ar.Bio, &ar.Email, &hours, &ar.DailyCap); err != nil {
			return nil, fmt.Errorf("artisans: %w", err)
		}
		if err := json.Unmarshal([]byte(hours), &ar.Hours); err != nil {
			return nil, fmt.Errorf("working hours of %s: %w", ar.ID, err)
		}
		artisanIndex[ar.ID] = len(c.Artisans)
		c.Artisans = append(c.Artisans, ar)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("artisans: %w", err)
	}

	// Ordered by the artisans' catalogue order, so each service's Artisans
	// come out in catalogue order too.
	rows, err = q.QueryContext(ctx, `SELECT x.artisan_id, x.service_id FROM artisan_services AS x
		JOIN artisans AS a ON a.id = x.artisan_id
		WHERE a.active ORDER BY a.position, a.id, x.position`)
	if err != nil {
		return nil, fmt.Errorf("artisan services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var aid, sid string
		if err := rows.Scan(&aid, &sid); err != nil {
			return nil, fmt.Errorf("artisan services: %w", err)
		}
		ai, ok1 := artisanIndex[aid]
		si, ok2 := serviceIndex[sid]
		if !ok1 || !ok2 {
			continue
		}
		c.Artisans[ai].Services = append(c.Artisans[ai].Services, sid)
		c.Services[si].Artisans = append(c.Services[si].Artisans, aid)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("artisan services: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT id, artisan_id, start_at, end_at, reason FROM time_off
		WHERE end_at > ? AND start_at < ? ORDER BY start_at, id`, fmtTime(offFrom), fmtTime(offTo))
	if err != nil {
		return nil, fmt.Errorf("time off: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTimeOff(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := artisanIndex[t.ArtisanID]; ok {
			c.Artisans[i].TimeOff = append(c.Artisans[i].TimeOff, t)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("time off: %w", err)
	}
	return c, nil
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
	var start, end string
	if err := s.Scan(&id, &t.ArtisanID, &start, &end, &t.Reason); err != nil {
		return t, fmt.Errorf("time off: %w", err)
	}
	t.ID = strconv.FormatInt(id, 10)
	var err error
	if t.Start, err = parseTime(start); err != nil {
		return t, err
	}
	if t.End, err = parseTime(end); err != nil {
		return t, err
	}
	return t, nil
}
