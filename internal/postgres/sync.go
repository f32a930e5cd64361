package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// SyncCatalog applies the configuration file's catalogue to the database,
// in one transaction, at start-up, by the rules of SQLite's store (see
// sqlite.CatalogStore.SyncCatalog): the file is the truth for identity,
// rules, rooms, services and artisans (those it no longer names become
// inactive); hours changed by staff win over the file's, with a warning;
// closures and time off from the file are replaced, the staff's kept.
//
// Several servers starting at once each apply the same file: the
// transaction takes an advisory lock, so they apply it one after the
// other.
func (st *CatalogStore) SyncCatalog(ctx context.Context, cat *booking.Catalog) (warnings []string, err error) {
	err = st.db.inTx(ctx, func(tx *Tx) error {
		warnings = nil
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, syncLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
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
		return nil, fmt.Errorf("postgres: sync catalogue: %w", err)
	}
	return warnings, nil
}

// syncLock is the advisory lock of SyncCatalog.
const syncLock int64 = migrateLock + 1

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
func changedOn(t time.Time, loc *time.Location) string {
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
	var cur, source string
	var changed time.Time
	err = tx.QueryRow(ctx, `SELECT opening_hours::text, opening_hours_source, opening_hours_updated_at
		FROM atelier WHERE id = 1`).Scan(&cur, &source, &changed)
	if errors.Is(err, pgx.ErrNoRows) {
		_, err = tx.Exec(ctx, `INSERT INTO atelier (id, name, timezone, address, phone, email, map_url,
			min_notice_minutes, horizon_days, slot_interval_minutes,
			opening_hours, opening_hours_source, opening_hours_updated_at, updated_at)
			VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json, 'config', $11, $11)`,
			a.Name, a.Timezone, a.Address, a.Phone, a.Email, a.MapURL,
			int(a.Rules.MinNotice/time.Minute), a.Rules.HorizonDays, int(a.Rules.SlotInterval/time.Minute),
			hours, now)
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
		changed = now
	}
	_, err = tx.Exec(ctx, `UPDATE atelier SET name = $1, timezone = $2, address = $3, phone = $4, email = $5,
		map_url = $6, min_notice_minutes = $7, horizon_days = $8, slot_interval_minutes = $9,
		opening_hours = $10::json, opening_hours_source = $11, opening_hours_updated_at = $12, updated_at = $13
		WHERE id = 1`,
		a.Name, a.Timezone, a.Address, a.Phone, a.Email, a.MapURL,
		int(a.Rules.MinNotice/time.Minute), a.Rules.HorizonDays, int(a.Rules.SlotInterval/time.Minute),
		hours, source, changed, now)
	if err != nil {
		return nil, fmt.Errorf("atelier: %w", err)
	}
	return warnings, nil
}

func syncRooms(ctx context.Context, tx *Tx, rooms []booking.Room) error {
	if _, err := tx.Exec(ctx, `UPDATE rooms SET active = false`); err != nil {
		return fmt.Errorf("rooms: %w", err)
	}
	for i, r := range rooms {
		_, err := tx.Exec(ctx, `INSERT INTO rooms (id, name, position, active) VALUES ($1, $2, $3, true)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = true`,
			r.ID, r.Name, i)
		if err != nil {
			return fmt.Errorf("room %s: %w", r.ID, err)
		}
	}
	return nil
}

func syncServices(ctx context.Context, tx *Tx, services []booking.Service) error {
	if _, err := tx.Exec(ctx, `UPDATE services SET active = false`); err != nil {
		return fmt.Errorf("services: %w", err)
	}
	for i, s := range services {
		_, err := tx.Exec(ctx, `INSERT INTO services (id, name, description, duration_minutes, position, active)
			VALUES ($1, $2, $3, $4, $5, true)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
			duration_minutes = excluded.duration_minutes, position = excluded.position, active = true`,
			s.ID, s.Name, s.Description, int(s.Duration/time.Minute), i)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM service_modes WHERE service_id = $1`, s.ID); err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
		for j, m := range s.Modes {
			b := s.Buffers[m]
			_, err := tx.Exec(ctx, `INSERT INTO service_modes
				(service_id, mode, buffer_before_minutes, buffer_after_minutes, position) VALUES ($1, $2, $3, $4, $5)`,
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
	if _, err := tx.Exec(ctx, `UPDATE artisans SET active = false`); err != nil {
		return nil, fmt.Errorf("artisans: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM artisan_services`); err != nil {
		return nil, fmt.Errorf("artisan services: %w", err)
	}
	var warnings []string
	for i, a := range artisans {
		hours, err := hoursJSON(a.Hours)
		if err != nil {
			return nil, fmt.Errorf("working hours of %s: %w", a.ID, err)
		}
		source, changed := "config", now
		var cur, curSource string
		var curChanged time.Time
		err = tx.QueryRow(ctx, `SELECT working_hours::text, working_hours_source, working_hours_updated_at
			FROM artisans WHERE id = $1`, a.ID).Scan(&cur, &curSource, &curChanged)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
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
		_, err = tx.Exec(ctx, `INSERT INTO artisans (id, name, bio, email, working_hours, working_hours_source,
			working_hours_updated_at, daily_cap, position, active, updated_at)
			VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8, $9, true, $10)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, bio = excluded.bio, email = excluded.email,
			working_hours = excluded.working_hours, working_hours_source = excluded.working_hours_source,
			working_hours_updated_at = excluded.working_hours_updated_at, daily_cap = excluded.daily_cap,
			position = excluded.position, active = true, updated_at = excluded.updated_at`,
			a.ID, a.Name, a.Bio, a.Email, hours, source, changed, a.DailyCap, i, now)
		if err != nil {
			return nil, fmt.Errorf("artisan %s: %w", a.ID, err)
		}
		for j, sid := range a.Services {
			_, err := tx.Exec(ctx, `INSERT INTO artisan_services (artisan_id, service_id, position)
				VALUES ($1, $2, $3)`, a.ID, sid, j)
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
	rows, err := tx.Query(ctx, `SELECT id, to_char(from_date, 'YYYY-MM-DD'), to_char(to_date, 'YYYY-MM-DD'), reason
		FROM closures WHERE source = 'config'`)
	if err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	have := map[string]bool{}
	var drop []int64
	for rows.Next() {
		var id int64
		var from, to, reason string
		if err := rows.Scan(&id, &from, &to, &reason); err != nil {
			rows.Close()
			return fmt.Errorf("closures: %w", err)
		}
		k := key(from, to, reason)
		if want[k] && !have[k] {
			have[k] = true
		} else {
			drop = append(drop, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	if len(drop) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM closures WHERE id = ANY($1)`, drop); err != nil {
			return fmt.Errorf("closures: %w", err)
		}
	}
	for _, c := range closures {
		k := key(c.From.String(), c.To.String(), c.Reason)
		if have[k] {
			continue
		}
		have[k] = true
		_, err := tx.Exec(ctx, `INSERT INTO closures (from_date, to_date, reason, source, created_at)
			VALUES ($1::date, $2::date, $3, 'config', $4)`, c.From.String(), c.To.String(), c.Reason, tx.now)
		if err != nil {
			return fmt.Errorf("closure %s to %s: %w", c.From, c.To, err)
		}
	}
	return nil
}

// syncTimeOff makes the 'config' time off equal to the file's. Unchanged
// entries keep their ids.
func syncTimeOff(ctx context.Context, tx *Tx, artisans []booking.Artisan) error {
	key := func(artisan string, start, end time.Time, reason string) string {
		return strings.Join([]string{artisan, utc(start).Format(time.RFC3339Nano), utc(end).Format(time.RFC3339Nano), reason}, "\x00")
	}
	want := map[string]bool{}
	for _, a := range artisans {
		for _, t := range a.TimeOff {
			want[key(a.ID, t.Start, t.End, t.Reason)] = true
		}
	}
	rows, err := tx.Query(ctx, `SELECT id, artisan_id, start_at, end_at, reason FROM time_off WHERE source = 'config'`)
	if err != nil {
		return fmt.Errorf("time off: %w", err)
	}
	have := map[string]bool{}
	var drop []int64
	for rows.Next() {
		var id int64
		var artisan, reason string
		var start, end time.Time
		if err := rows.Scan(&id, &artisan, &start, &end, &reason); err != nil {
			rows.Close()
			return fmt.Errorf("time off: %w", err)
		}
		k := key(artisan, start, end, reason)
		if want[k] && !have[k] {
			have[k] = true
		} else {
			drop = append(drop, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("time off: %w", err)
	}
	if len(drop) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM time_off WHERE id = ANY($1)`, drop); err != nil {
			return fmt.Errorf("time off: %w", err)
		}
	}
	for _, a := range artisans {
		for _, t := range a.TimeOff {
			k := key(a.ID, t.Start, t.End, t.Reason)
			if have[k] {
				continue
			}
			have[k] = true
			_, err := tx.Exec(ctx, `INSERT INTO time_off (artisan_id, start_at, end_at, reason, source, created_at)
				VALUES ($1, $2, $3, $4, 'config', $5)`, a.ID, utc(t.Start), utc(t.End), t.Reason, tx.now)
			if err != nil {
				return fmt.Errorf("time off of %s: %w", a.ID, err)
			}
		}
	}
	return nil
}
