package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// Hours set for one date (table date_hours, version 2). A row with hours
// NULL marks hours staff removed: it is never read into the catalogue,
// only kept so that the file's entry for that date stays ignored.

// spansJSON is the stored form of a date's spans: "[]" for none.
func spansJSON(spans []booking.Span) (string, error) {
	if spans == nil {
		spans = []booking.Span{}
	}
	b, err := json.Marshal(spans)
	return string(b), err
}

func scanDateHours(s scanner) (booking.DateHours, error) {
	var d booking.DateHours
	var id int64
	var date, hours string
	if err := s.Scan(&id, &d.ArtisanID, &date, &hours, &d.Source); err != nil {
		return d, fmt.Errorf("date hours: %w", err)
	}
	d.ID = strconv.FormatInt(id, 10)
	var err error
	if d.Date, err = booking.ParseDate(date); err != nil {
		return d, fmt.Errorf("date hours %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(hours), &d.Hours); err != nil {
		return d, fmt.Errorf("date hours %d: %w", id, err)
	}
	if len(d.Hours) == 0 {
		d.Hours = nil
	}
	return d, nil
}

const dateHoursColumns = `id, artisan_id, to_char(date, 'YYYY-MM-DD'), hours::text, source`

// dateHours reads the hours of the dates that may matter from offFrom on
// into the atelier and the active artisans (by the UTC date, with a day of
// slack, as for closures).
func (r *catalogReader) dateHours(offFrom time.Time) error {
	c := r.c
	from := offFrom.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	return r.each("date hours", `SELECT `+dateHoursColumns+` FROM date_hours
		WHERE hours IS NOT NULL AND date >= $1::date ORDER BY date, artisan_id`, []any{from}, func(rows pgx.Rows) error {
		d, err := scanDateHours(rows)
		if err != nil {
			return err
		}
		if d.ArtisanID == "" {
			c.Atelier.DateHours = append(c.Atelier.DateHours, d)
		} else if i, ok := r.artisanAt[d.ArtisanID]; ok {
			c.Artisans[i].DateHours = append(c.Artisans[i].DateHours, d)
		}
		return nil
	})
}

// SetDateHours sets the hours of d.Date for the atelier or an artisan.
func (st *CatalogStore) SetDateHours(ctx context.Context, d booking.DateHours, actor booking.Actor) (booking.DateHours, error) {
	if d.Date.IsZero() {
		errs := booking.FieldErrors{}
		errs.Add("date", "is required")
		return booking.DateHours{}, errs.Err()
	}
	js, err := spansJSON(d.Hours)
	if err != nil {
		return booking.DateHours{}, booking.Errorf(booking.EINVALID, booking.CodeInvalid, "invalid hours: %v", err)
	}
	d.Source = "staff"
	err = st.db.inTx(ctx, func(tx *Tx) error {
		if d.ArtisanID != "" {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM artisans WHERE id = $1 AND active`, d.ArtisanID).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return booking.ErrNotFound("artisan")
			}
			if err != nil {
				return err
			}
		}
		var before any
		old, err := scanDateHours(tx.QueryRow(ctx, `SELECT `+dateHoursColumns+` FROM date_hours
			WHERE artisan_id = $1 AND date = $2::date AND hours IS NOT NULL`, d.ArtisanID, d.Date.String()))
		switch {
		case err == nil:
			before = old
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		// A new id each time: a DELETE sent again for the hours replaced
		// finds nothing rather than the new ones.
		if _, err := tx.Exec(ctx, `DELETE FROM date_hours WHERE artisan_id = $1 AND date = $2::date`,
			d.ArtisanID, d.Date.String()); err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO date_hours (artisan_id, date, hours, source, updated_at)
			VALUES ($1, $2::date, $3::json, 'staff', $4) RETURNING id`, d.ArtisanID, d.Date.String(), js, tx.now).Scan(&id)
		if err != nil {
			return err
		}
		d.ID = strconv.FormatInt(id, 10)
		return writeAudit(ctx, tx, actor, "date_hours.set", "", dateHoursTarget(d), before, d)
	})
	if err != nil {
		return booking.DateHours{}, fmt.Errorf("postgres: set date hours: %w", err)
	}
	return d, nil
}

// dateHoursTarget names the hours of a date in the audit log.
func dateHoursTarget(d booking.DateHours) string {
	if d.ArtisanID == "" {
		return "date_hours:" + d.Date.String()
	}
	return "date_hours:" + d.Date.String() + ":artisan:" + d.ArtisanID
}

// DeleteDateHours removes hours set for a date, leaving the mark that
// keeps the file's entry for the date away.
func (st *CatalogStore) DeleteDateHours(ctx context.Context, id string, allow func(booking.DateHours) error, actor booking.Actor) (booking.DateHours, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return booking.DateHours{}, booking.ErrNotFound("date hours")
	}
	var d booking.DateHours
	err = st.db.inTx(ctx, func(tx *Tx) error {
		var err error
		d, err = scanDateHours(tx.QueryRow(ctx, `SELECT `+dateHoursColumns+` FROM date_hours
			WHERE id = $1 AND hours IS NOT NULL FOR UPDATE`, n))
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("date hours")
		}
		if err != nil {
			return err
		}
		if err := allow(d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE date_hours SET hours = NULL, source = 'staff', updated_at = $1
			WHERE id = $2`, tx.now, n); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "date_hours.deleted", "", dateHoursTarget(d), d, nil)
	})
	if err != nil {
		return booking.DateHours{}, fmt.Errorf("postgres: delete date hours: %w", err)
	}
	return d, nil
}

// DateHoursIn lists the hours set for the dates from to to inclusive.
func (st *CatalogStore) DateHoursIn(ctx context.Context, from, to booking.Date) ([]booking.DateHours, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT `+dateHoursColumns+` FROM date_hours
		WHERE hours IS NOT NULL AND date >= $1::date AND date <= $2::date ORDER BY date, artisan_id`, from.String(), to.String())
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: date hours: %w", err))
	}
	defer rows.Close()
	out := []booking.DateHours{}
	for rows.Next() {
		d, err := scanDateHours(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: date hours: %w", err))
	}
	return out, nil
}

// syncDateHours applies the file's hours for dates (the atelier's and the
// artisans'), as SyncCatalog does the weekly hours: entries from the file
// (source 'config') follow it; hours staff set or removed for a date win
// over the file's entry for that date, with a warning, until the file
// agrees with them again.
func syncDateHours(ctx context.Context, tx *Tx, cat *booking.Catalog, loc *time.Location) ([]string, error) {
	type key struct{ artisan, date string }
	want := map[key]string{}
	var order []key
	add := func(list []booking.DateHours, artisan string) error {
		for _, d := range list {
			js, err := spansJSON(d.Hours)
			if err != nil {
				return err
			}
			k := key{artisan, d.Date.String()}
			if _, dup := want[k]; !dup {
				order = append(order, k)
			}
			want[k] = js
		}
		return nil
	}
	if err := add(cat.Atelier.DateHours, ""); err != nil {
		return nil, fmt.Errorf("date hours: %w", err)
	}
	for _, a := range cat.Artisans {
		if err := add(a.DateHours, a.ID); err != nil {
			return nil, fmt.Errorf("date hours of %s: %w", a.ID, err)
		}
	}
	type row struct {
		id     int64
		hours  *string
		source string
		update time.Time
	}
	have := map[key]row{}
	rows, err := tx.Query(ctx, `SELECT id, artisan_id, to_char(date, 'YYYY-MM-DD'), hours::text, source, updated_at FROM date_hours`)
	if err != nil {
		return nil, fmt.Errorf("date hours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var r row
		if err := rows.Scan(&r.id, &k.artisan, &k.date, &r.hours, &r.source, &r.update); err != nil {
			return nil, fmt.Errorf("date hours: %w", err)
		}
		have[k] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("date hours: %w", err)
	}
	var warnings []string
	exec := func(q string, args ...any) error {
		_, err := tx.Exec(ctx, q, args...)
		return err
	}
	for k, r := range have {
		w, inFile := want[k]
		var err error
		switch {
		case r.source == "config" && !inFile, r.source == "staff" && !inFile && r.hours == nil:
			err = exec(`DELETE FROM date_hours WHERE id = $1`, r.id)
		case r.hours != nil && *r.hours == w:
			err = exec(`UPDATE date_hours SET source = 'config' WHERE id = $1`, r.id)
		case r.source == "config" && inFile:
			err = exec(`UPDATE date_hours SET hours = $1::json, updated_at = $2 WHERE id = $3`, w, tx.now, r.id)
		case inFile:
			warnings = append(warnings, dateHoursIgnored(k.artisan, k.date, changedOn(r.update, loc)))
		}
		if err != nil {
			return nil, fmt.Errorf("date hours %s: %w", k.date, err)
		}
	}
	for _, k := range order {
		if _, ok := have[k]; ok {
			continue
		}
		if err := exec(`INSERT INTO date_hours (artisan_id, date, hours, source, updated_at) VALUES ($1, $2::date, $3::json, 'config', $4)`,
			k.artisan, k.date, want[k], tx.now); err != nil {
			return nil, fmt.Errorf("date hours %s: %w", k.date, err)
		}
	}
	sort.Strings(warnings)
	return warnings, nil
}

// dateHoursIgnored is the start-up warning for a file entry staff overrode.
func dateHoursIgnored(artisan, date, changed string) string {
	if artisan == "" {
		return fmt.Sprintf("opening hours for %s were changed by staff on %s; the file's atelier.date_hours entry for %s is ignored", date, changed, date)
	}
	return fmt.Sprintf("working hours of artisan %q for %s were changed by staff on %s; the file's date_hours entry for %s is ignored", artisan, date, changed, date)
}
