package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// The writers behind the staff's changes to hours, closures and time off,
// with the behaviour of SQLite's store: each takes effect at once (the next
// Schedule sees it, on every server: nothing is cached) and writes an
// audit row; hours changed here are marked source 'staff', so a restart
// with the configuration file does not overwrite them.

// CodeClosureFromConfig is the error code for deleting a closure that
// comes from the configuration file (the same as SQLite's store).
const CodeClosureFromConfig = "closure_from_config"

// SetOpeningHours replaces the atelier's opening hours.
func (st *CatalogStore) SetOpeningHours(ctx context.Context, hours booking.WeekHours, actor booking.Actor) error {
	js, err := hoursJSON(hours)
	if err != nil {
		return booking.Errorf(booking.EINVALID, booking.CodeInvalid, "invalid opening hours: %v", err)
	}
	err = st.db.inTx(ctx, func(tx *Tx) error {
		var before string
		err := tx.QueryRow(ctx, `SELECT opening_hours::text FROM atelier WHERE id = 1 FOR UPDATE`).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("atelier")
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE atelier SET opening_hours = $1::json, opening_hours_source = 'staff',
			opening_hours_updated_at = $2, updated_at = $2 WHERE id = 1`, js, tx.now)
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "opening_hours.set", "", "opening_hours", rawJSON(before), rawJSON(js))
	})
	if err != nil {
		return fmt.Errorf("postgres: set opening hours: %w", err)
	}
	return nil
}

// SetWorkingHours replaces an active artisan's working hours.
func (st *CatalogStore) SetWorkingHours(ctx context.Context, artisanID string, hours booking.WeekHours, actor booking.Actor) error {
	js, err := hoursJSON(hours)
	if err != nil {
		return booking.Errorf(booking.EINVALID, booking.CodeInvalid, "invalid working hours: %v", err)
	}
	err = st.db.inTx(ctx, func(tx *Tx) error {
		var before string
		err := tx.QueryRow(ctx, `SELECT working_hours::text FROM artisans WHERE id = $1 AND active FOR UPDATE`, artisanID).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("artisan")
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE artisans SET working_hours = $1::json, working_hours_source = 'staff',
			working_hours_updated_at = $2, updated_at = $2 WHERE id = $3`, js, tx.now, artisanID)
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "working_hours.set", "", "artisan:"+artisanID, rawJSON(before), rawJSON(js))
	})
	if err != nil {
		return fmt.Errorf("postgres: set working hours: %w", err)
	}
	return nil
}

// AddClosure closes the atelier from c.From to c.To inclusive and returns
// the stored closure (with its id, source 'staff').
func (st *CatalogStore) AddClosure(ctx context.Context, c booking.Closure, actor booking.Actor) (booking.Closure, error) {
	errs := booking.FieldErrors{}
	if c.From.IsZero() {
		errs.Add("from", "is required")
	}
	if c.To.IsZero() {
		errs.Add("to", "is required")
	}
	if !c.From.IsZero() && !c.To.IsZero() && c.To.Before(c.From) {
		errs.Add("to", "must not be before from")
	}
	if err := errs.Err(); err != nil {
		return booking.Closure{}, err
	}
	c.Source = "staff"
	err := st.db.inTx(ctx, func(tx *Tx) error {
		// Two servers adding the same dates at once: the second waits
		// for the first's COMMIT and then sees its row.
		if err := tx.lock(ctx, lockKey{lockClosures, "staff"}); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM closures WHERE from_date = $1::date AND to_date = $2::date ORDER BY id LIMIT 1`,
			c.From.String(), c.To.String()).Scan(&id)
		if err == nil {
			return booking.ClosureExists(c, strconv.FormatInt(id, 10))
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO closures (from_date, to_date, reason, source, created_at)
			VALUES ($1::date, $2::date, $3, 'staff', $4) RETURNING id`, c.From.String(), c.To.String(), c.Reason, tx.now).Scan(&id)
		if err != nil {
			return err
		}
		c.ID = strconv.FormatInt(id, 10)
		return writeAudit(ctx, tx, actor, "closure.added", "", "closure:"+c.ID, nil, c)
	})
	if err != nil {
		return booking.Closure{}, fmt.Errorf("postgres: add closure: %w", err)
	}
	return c, nil
}

// DeleteClosure removes a closure staff added. A closure from the
// configuration file cannot be deleted here (it would come back at the
// next start); that is ECONFLICT with code CodeClosureFromConfig.
func (st *CatalogStore) DeleteClosure(ctx context.Context, id string, actor booking.Actor) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return booking.ErrNotFound("closure")
	}
	err = st.db.inTx(ctx, func(tx *Tx) error {
		c, err := scanClosure(tx.QueryRow(ctx, `SELECT id, to_char(from_date, 'YYYY-MM-DD'), to_char(to_date, 'YYYY-MM-DD'),
			reason, source FROM closures WHERE id = $1 FOR UPDATE`, n))
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("closure")
		}
		if err != nil {
			return err
		}
		if c.Source == "config" {
			return booking.Errorf(booking.ECONFLICT, CodeClosureFromConfig,
				"this closure comes from the configuration file; remove it there")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM closures WHERE id = $1`, n); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "closure.deleted", "", "closure:"+id, c, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: delete closure: %w", err)
	}
	return nil
}

// AddTimeOff records time off for t.ArtisanID and returns it with its id.
func (st *CatalogStore) AddTimeOff(ctx context.Context, t booking.TimeOff, actor booking.Actor) (booking.TimeOff, error) {
	errs := booking.FieldErrors{}
	if t.Start.IsZero() {
		errs.Add("start", "is required")
	}
	if t.End.IsZero() {
		errs.Add("end", "is required")
	}
	if !t.Start.IsZero() && !t.End.IsZero() && !t.Start.Before(t.End) {
		errs.Add("end", "must be after start")
	}
	if err := errs.Err(); err != nil {
		return booking.TimeOff{}, err
	}
	t.Start, t.End = utc(t.Start), utc(t.End)
	err := st.db.inTx(ctx, func(tx *Tx) error {
		// The artisan's booking lock: time off and a booking of the same
		// artisan do not cross each other unseen.
		if err := tx.lock(ctx, artisanLock(t.ArtisanID)); err != nil {
			return err
		}
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM artisans WHERE id = $1 AND active`, t.ArtisanID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("artisan")
		}
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO time_off (artisan_id, start_at, end_at, reason, source, created_at)
			VALUES ($1, $2, $3, $4, 'staff', $5) RETURNING id`,
			t.ArtisanID, t.Start, t.End, t.Reason, tx.now).Scan(&id)
		if err != nil {
			return err
		}
		t.ID = strconv.FormatInt(id, 10)
		return writeAudit(ctx, tx, actor, "time_off.added", "", "time_off:"+t.ID, nil, t)
	})
	if err != nil {
		return booking.TimeOff{}, fmt.Errorf("postgres: add time off: %w", err)
	}
	return t, nil
}

// DeleteTimeOff removes time off id of artisanID (ENOTFOUND if it is not
// that artisan's).
func (st *CatalogStore) DeleteTimeOff(ctx context.Context, artisanID, id string, actor booking.Actor) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return booking.ErrNotFound("time off")
	}
	err = st.db.inTx(ctx, func(tx *Tx) error {
		t, err := scanTimeOff(tx.QueryRow(ctx,
			`SELECT id, artisan_id, start_at, end_at, reason FROM time_off WHERE id = $1 AND artisan_id = $2 FOR UPDATE`, n, artisanID))
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("time off")
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM time_off WHERE id = $1`, n); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "time_off.deleted", "", "time_off:"+id, t, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: delete time off: %w", err)
	}
	return nil
}
