package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// SyncCatalog applies the configuration file's catalogue to the database,
// in one transaction, at start-up. The rules, so that editing the file and
// restarting applies it while changes staff make in the app are never
// silently lost:
//
//   - Identity, booking rules, rooms, services, artisans and which artisan
//     offers which service: the file is the truth. Rooms, services and
//     artisans missing from the file become inactive (not deleted: old
//     bookings keep their references) and leave the catalogue.
//   - Opening hours and each artisan's working hours: taken from the file
//     while their source is 'config'. Once staff change them in the app
//     (source 'staff') the database wins, and a warning says the file's
//     value is ignored. If the file is edited to match the staff's hours,
//     the source goes back to 'config' and later file edits apply again.
//   - Closures and time off: those from the file (source 'config') are
//     replaced by the file's; those staff added are kept.
//   - Hours for one date: as the weekly hours, date by date (datehours.go).
//
// The warnings are for the operator's log.
func (st *CatalogStore) SyncCatalog(ctx context.Context, cat *booking.Catalog) (warnings []string, err error) {
	err = st.db.inTx(ctx, func(tx *Tx) error {
		w, err := syncAtelier(ctx, tx, &cat.Atelier)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		if err := syncRooms(ctx, tx, cat.Atelier.Rooms); err != nil {
			return err
		}
		if err := syncServices(ctx, tx, cat.Services); err != nil {
			return err
		}
		w, err = syncArtisans(ctx, tx, cat.Artisans, cat.Atelier.Location)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		if err := syncClosures(ctx, tx, cat.Atelier.Closures); err != nil {
			return err
		}
		w, err = syncDateHours(ctx, tx, cat, cat.Atelier.Location)
		if err != nil {
			return err
		}
		warnings = append(warnings, w...)
		return syncTimeOff(ctx, tx, cat.Artisans)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: sync catalogue: %w", err)
	}
	return warnings, nil
}

// hoursJSON returns the canonical JSON of w: days in key order, spans sorted.
func hoursJSON(w booking.WeekHours) (string, error) {
	b, err := json.Marshal(w)
	if err != nil {
		return "", err
	}
	var n booking.WeekHours
	if err := json.Unmarshal(b, &n); err != nil {
		return "", err
	}
	b, err = json.Marshal(n)
	return string(b), err
}

// changedOn formats the day a staff change was made, in the atelier's zone
// when known.
func changedOn(stored string, loc *time.Location) string {
	t, err := parseTime(stored)
	if err != nil {
		return stored
	}
	if loc != nil {
		t = t.In(loc)
	}
	return t.Format(time.DateOnly)
}

func syncAtelier(ctx context.Context, tx *Tx, a *booking.Atelier) ([]string, error) {
	now := tx.now
	hours, err := hoursJSON(a.Hours)
	if err != nil {
		return nil, fmt.Errorf("opening hours: %w", err)
	}
	var cur, source, changed string
	err = tx.QueryRowContext(ctx, `SELECT opening_hours, opening_hours_source, opening_hours_updated_at
		FROM atelier WHERE id = 1`).Scan(&cur, &source, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO atelier (id, name, timezone, address, phone, email, map_url,
			min_notice_minutes, horizon_days, slot_interval_minutes,
			opening_hours, opening_hours_source, opening_hours_updated_at, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'config', ?, ?)`,
			a.Name, a.Timezone, a.Address, a.Phone, a.Email, a.MapURL,
			int(a.Rules.MinNotice/time.Minute), a.Rules.HorizonDays, int(a.Rules.SlotInterval/time.Minute),
			hours, fmtTime(now), fmtTime(now))
		if err != nil {
			return nil, fmt.Errorf("atelier: %w", err)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("atelier: %w", err)
	}
	var warnings []string
	switch {
	case cur == hours:
		source = "config" // the file agrees (again) with the database
	case source == "staff":
		warnings = append(warnings, fmt.Sprintf(
			"opening hours were changed by staff on %s; the file's opening_hours is ignored "+
				"(make the file match the app to manage them from the file again)", changedOn(changed, a.Location)))
		hours = cur
	default:
		changed = fmtTime(now)
	}
	_, err = tx.ExecContext(ctx, `UPDATE atelier SET name = ?, timezone = ?, address = ?, phone = ?, email = ?,
		map_url = ?, min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?,
		opening_hours = ?, opening_hours_source = ?, opening_hours_updated_at = ?, updated_at = ?
		WHERE id = 1`,
		a.Name, a.Timezone, a.Address, a.Phone, a.Email, a.MapURL,
		int(a.Rules.MinNotice/time.Minute), a.Rules.HorizonDays, int(a.Rules.SlotInterval/time.Minute),
		hours, source, changed, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("atelier: %w", err)
	}
	return warnings, nil
}

func syncRooms(ctx context.Context, tx *Tx, rooms []booking.Room) error {
	if _, err := tx.ExecContext(ctx, `UPDATE rooms SET active = 0`); err != nil {
		return fmt.Errorf("rooms: %w", err)
	}
	for i, r := range rooms {
		_, err := tx.ExecContext(ctx, `INSERT INTO rooms (id, name, position, active) VALUES (?, ?, ?, 1)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = 1`,
			r.ID, r.Name, i)
		if err != nil {
			return fmt.Errorf("room %s: %w", r.ID, err)
		}
	}
	return nil
}

func syncServices(ctx context.Context, tx *Tx, services []booking.Service) error {
	if _, err := tx.ExecContext(ctx, `UPDATE services SET active = 0`); err != nil {
		return fmt.Errorf("services: %w", err)
	}
	for i, s := range services {
		_, err := tx.ExecContext(ctx, `INSERT INTO services (id, name, description, duration_minutes, position, active)
			VALUES (?, ?, ?, ?, ?, 1)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			duration_minutes = excluded.duration_minutes, position = excluded.position, active = 1`,
			s.ID, s.Name, s.Description, int(s.Duration/time.Minute), i)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM service_modes WHERE service_id = ?`, s.ID); err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
		for j, m := range s.Modes {
			b := s.Buffers[m]
			_, err := tx.ExecContext(ctx, `INSERT INTO service_modes
				(service_id, mode, buffer_before_minutes, buffer_after_minutes, position) VALUES (?, ?, ?, ?, ?)`,
				s.ID, string(m), int(b.Before/time.Minute), int(b.After/time.Minute), j)
			if err != nil {
				return fmt.Errorf("service %s mode %s: %w", s.ID, m, err)
			}
		}
	}
	return nil
}

func syncArtisans(ctx context.Context, tx *Tx, artisans []booking.Artisan, loc *time.Location) ([]string, error) {
	now := tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE artisans SET active = 0`); err != nil {
		return nil, fmt.Errorf("artisans: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM artisan_services`); err != nil {
		return nil, fmt.Errorf("artisan services: %w", err)
	}
	var warnings []string
	for i, a := range artisans {
		hours, err := hoursJSON(a.Hours)
		if err != nil {
			return nil, fmt.Errorf("working hours of %s: %w", a.ID, err)
		}
		source, changed := "config", fmtTime(now)
		var cur, curSource, curChanged string
		err = tx.QueryRowContext(ctx, `SELECT working_hours, working_hours_source, working_hours_updated_at
			FROM artisans WHERE id = ?`, a.ID).Scan(&cur, &curSource, &curChanged)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("artisan %s: %w", a.ID, err)
		case cur == hours:
			changed = curChanged
		case curSource == "staff":
			warnings = append(warnings, fmt.Sprintf(
				"working hours of artisan %q were changed by staff on %s; the file's working_hours for %q is ignored",
				a.ID, changedOn(curChanged, loc), a.ID))
			hours, source, changed = cur, curSource, curChanged
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO artisans (id, name, bio, email, working_hours, working_hours_source,
			working_hours_updated_at, daily_cap, position, active, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, bio = excluded.bio, email = excluded.email,
			working_hours = excluded.working_hours, working_hours_source = excluded.working_hours_source,
			working_hours_updated_at = excluded.working_hours_updated_at, daily_cap = excluded.daily_cap,
			position = excluded.position, active = 1, updated_at = excluded.updated_at`,
			a.ID, a.Name, a.Bio, a.Email, hours, source, changed, a.DailyCap, i, fmtTime(now))
		if err != nil {
			return nil, fmt.Errorf("artisan %s: %w", a.ID, err)
		}
		for j, sid := range a.Services {
			_, err := tx.ExecContext(ctx, `INSERT INTO artisan_services (artisan_id, service_id, position)
				VALUES (?, ?, ?)`, a.ID, sid, j)
			if err != nil {
				return nil, fmt.Errorf("artisan %s service %s: %w", a.ID, sid, err)
			}
		}
	}
	return warnings, nil
}

// syncClosures makes the 'config' closures equal to the file's. Closures
// that did not change keep their ids.
func syncClosures(ctx context.Context, tx *Tx, closures []booking.Closure) error {
	key := func(from, to, reason string) string { return from + "\x00" + to + "\x00" + reason }
	want := map[string]bool{}
	for _, c := range closures {
		want[key(c.From.String(), c.To.String(), c.Reason)] = true
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, from_date, to_date, reason FROM closures WHERE source = 'config'`)
	if err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	var drop []int64
	for rows.Next() {
		var id int64
		var from, to, reason string
		if err := rows.Scan(&id, &from, &to, &reason); err != nil {
			return fmt.Errorf("closures: %w", err)
		}
		k := key(from, to, reason)
		if want[k] && !have[k] {
			have[k] = true
		} else {
			drop = append(drop, id)
		}
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	for _, id := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM closures WHERE id = ?`, id); err != nil {
			return fmt.Errorf("closures: %w", err)
		}
	}
	for _, c := range closures {
		k := key(c.From.String(), c.To.String(), c.Reason)
		if have[k] {
			continue
		}
		have[k] = true
		_, err := tx.ExecContext(ctx, `INSERT INTO closures (from_date, to_date, reason, source, created_at)
			VALUES (?, ?, ?, 'config', ?)`, c.From.String(), c.To.String(), c.Reason, fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("closure %s to %s: %w", c.From, c.To, err)
		}
	}
	return nil
}

// syncTimeOff makes the 'config' time off equal to the file's (if the
// configuration has any). Unchanged entries keep their ids.
func syncTimeOff(ctx context.Context, tx *Tx, artisans []booking.Artisan) error {
	key := func(artisan, start, end, reason string) string {
		return strings.Join([]string{artisan, start, end, reason}, "\x00")
	}
	want := map[string]bool{}
	for _, a := range artisans {
		for _, t := range a.TimeOff {
			want[key(a.ID, fmtTime(t.Start), fmtTime(t.End), t.Reason)] = true
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, artisan_id, start_at, end_at, reason FROM time_off WHERE source = 'config'`)
	if err != nil {
		return fmt.Errorf("time off: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	var drop []int64
	for rows.Next() {
		var id int64
		var artisan, start, end, reason string
		if err := rows.Scan(&id, &artisan, &start, &end, &reason); err != nil {
			return fmt.Errorf("time off: %w", err)
		}
		k := key(artisan, start, end, reason)
		if want[k] && !have[k] {
			have[k] = true
		} else {
			drop = append(drop, id)
		}
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("time off: %w", err)
	}
	for _, id := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM time_off WHERE id = ?`, id); err != nil {
			return fmt.Errorf("time off: %w", err)
		}
	}
	for _, a := range artisans {
		for _, t := range a.TimeOff {
			k := key(a.ID, fmtTime(t.Start), fmtTime(t.End), t.Reason)
			if have[k] {
				continue
			}
			have[k] = true
			_, err := tx.ExecContext(ctx, `INSERT INTO time_off (artisan_id, start_at, end_at, reason, source, created_at)
				VALUES (?, ?, ?, ?, 'config', ?)`, a.ID, fmtTime(t.Start), fmtTime(t.End), t.Reason, fmtTime(tx.now))
			if err != nil {
				return fmt.Errorf("time off of %s: %w", a.ID, err)
			}
		}
	}
	return nil
}
