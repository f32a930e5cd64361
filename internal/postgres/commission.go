package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// CommissionStore keeps the commissions and which bookings belong to them
// (booking.CommissionStore): the commissions table, and
// bookings.commission_id.
type CommissionStore struct{ db *DB }

// NewCommissionStore returns the commission store over db.
func NewCommissionStore(db *DB) *CommissionStore { return &CommissionStore{db} }

const commissionColumns = `id, title, stage, customer_id, customer_name, customer_email, customer_phone,
	customer_timezone, customer_language, artisan_id, notes, coalesce(to_char(needed_by, 'YYYY-MM-DD'), ''),
	created_at, updated_at`

func scanCommission(s scanner) (*booking.Commission, error) {
	var c booking.Commission
	var needed string
	err := s.Scan(&c.ID, &c.Title, &c.Stage, &c.CustomerID, &c.Customer.Name, &c.Customer.Email, &c.Customer.Phone,
		&c.Customer.Timezone, &c.Customer.Language, &c.ArtisanID, &c.Notes, &needed, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if needed != "" {
		if c.NeededBy, err = booking.ParseDate(needed); err != nil {
			return nil, fmt.Errorf("commission %s: %w", c.ID, err)
		}
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

func getCommission(ctx context.Context, q querier, id string, forUpdate bool) (*booking.Commission, error) {
	query := `SELECT ` + commissionColumns + ` FROM commissions WHERE id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	c, err := scanCommission(q.QueryRow(ctx, query, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("commission")
	}
	return c, err
}

func nullDate(d booking.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// auditCommission is how a commission appears in the audit log (the rows
// SQLite's store writes).
type auditCommission struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Stage    string           `json:"stage"`
	Customer string           `json:"customer"`
	Details  booking.Customer `json:"customer_details"`
	Artisan  string           `json:"artisan"`
	Notes    string           `json:"notes,omitempty"`
	NeededBy string           `json:"needed_by,omitempty"`
}

func commissionAudit(c *booking.Commission) auditCommission {
	a := auditCommission{ID: c.ID, Title: c.Title, Stage: c.Stage, Customer: c.CustomerID, Details: c.Customer,
		Artisan: c.ArtisanID, Notes: c.Notes}
	if !c.NeededBy.IsZero() {
		a.NeededBy = c.NeededBy.String()
	}
	return a
}

// CreateCommission stores c under a new id, with its customer's id, and
// links bookingID to it when set.
func (st *CommissionStore) CreateCommission(ctx context.Context, c booking.Commission, bookingID string, actor booking.Actor) (*booking.Commission, error) {
	var out booking.Commission
	err := st.db.inTx(ctx, func(tx *Tx) error {
		out = c
		out.ID = booking.NewID(booking.CommissionIDPrefix)
		out.CreatedAt, out.UpdatedAt = tx.now, tx.now
		// The customer as the trigger bookings_customer makes one.
		_, err := tx.Exec(ctx, `INSERT INTO customers (id, email_key, created_at)
			VALUES ('cu_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 20), lower($1), $2)
			ON CONFLICT (email_key) DO NOTHING`, out.Customer.Email, tx.now)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id FROM customers WHERE email_key = lower($1)`, out.Customer.Email).Scan(&out.CustomerID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO commissions (id, title, stage, customer_id, customer_name, customer_email,
			customer_phone, customer_timezone, customer_language, artisan_id, notes, needed_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date, $13, $14)`,
			out.ID, out.Title, out.Stage, out.CustomerID, out.Customer.Name, out.Customer.Email, out.Customer.Phone,
			out.Customer.Timezone, out.Customer.Language, out.ArtisanID, out.Notes, nullDate(out.NeededBy), out.CreatedAt, out.UpdatedAt)
		if err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, "commission.create", "", out.ID, nil, commissionAudit(&out)); err != nil {
			return err
		}
		if bookingID != "" {
			return linkBooking(ctx, tx, bookingID, out.ID, actor)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: create commission: %w", err)
	}
	return &out, nil
}

// Commission returns commission id.
func (st *CommissionStore) Commission(ctx context.Context, id string) (*booking.Commission, error) {
	c, err := getCommission(ctx, st.db.pool, id, false)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: commission: %w", err))
	}
	return c, nil
}

// Commissions lists the commissions q selects, the latest changed first.
func (st *CommissionStore) Commissions(ctx context.Context, q booking.CommissionQuery) ([]booking.Commission, error) {
	var conds []string
	var args []any
	for _, f := range []struct{ col, v string }{{"stage", q.Stage}, {"artisan_id", q.ArtisanID}, {"customer_id", q.CustomerID}} {
		if f.v != "" {
			args = append(args, f.v)
			conds = append(conds, f.col+` = $`+strconv.Itoa(len(args)))
		}
	}
	if q.IDs != nil {
		if len(q.IDs) == 0 {
			return nil, nil
		}
		args = append(args, q.IDs)
		conds = append(conds, `id = ANY($`+strconv.Itoa(len(args))+`)`)
	}
	where := ``
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	rows, err := st.db.pool.Query(ctx, `SELECT `+commissionColumns+` FROM commissions`+where+
		` ORDER BY updated_at DESC, id`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: commissions: %w", err))
	}
	defer rows.Close()
	var out []booking.Commission
	for rows.Next() {
		c, err := scanCommission(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: commissions: %w", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: commissions: %w", err))
	}
	return out, nil
}

// UpdateCommission applies edit to commission id in one transaction (edit
// may run again when PostgreSQL retries the transaction).
func (st *CommissionStore) UpdateCommission(ctx context.Context, id string, edit func(*booking.Commission) error, actor booking.Actor) (*booking.Commission, error) {
	var out *booking.Commission
	err := st.db.inTx(ctx, func(tx *Tx) error {
		before, err := getCommission(ctx, tx, id, true)
		if err != nil {
			return err
		}
		c := *before
		if err := edit(&c); err != nil {
			return err
		}
		c.UpdatedAt = tx.now
		_, err = tx.Exec(ctx, `UPDATE commissions SET title = $1, stage = $2, artisan_id = $3, notes = $4, needed_by = $5::date,
			updated_at = $6 WHERE id = $7`, c.Title, c.Stage, c.ArtisanID, c.Notes, nullDate(c.NeededBy), c.UpdatedAt, id)
		if err != nil {
			return err
		}
		out = &c
		return writeAudit(ctx, tx, actor, "commission.update", "", id, commissionAudit(before), commissionAudit(&c))
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: update commission: %w", err)
	}
	return out, nil
}

// LinkBooking makes bookingID belong to commissionID ("" for none).
func (st *CommissionStore) LinkBooking(ctx context.Context, bookingID, commissionID string, actor booking.Actor) error {
	if err := st.db.inTx(ctx, func(tx *Tx) error { return linkBooking(ctx, tx, bookingID, commissionID, actor) }); err != nil {
		return fmt.Errorf("postgres: link booking: %w", err)
	}
	return nil
}

func linkBooking(ctx context.Context, tx *Tx, bookingID, commissionID string, actor booking.Actor) error {
	var before string
	err := tx.QueryRow(ctx, `SELECT coalesce(commission_id, '') FROM bookings WHERE id = $1 FOR UPDATE`, bookingID).Scan(&before)
	if errors.Is(err, pgx.ErrNoRows) {
		return booking.ErrNotFound("booking")
	}
	if err != nil {
		return err
	}
	if commissionID != "" {
		if _, err := getCommission(ctx, tx, commissionID, false); err != nil {
			return err
		}
	}
	if before == commissionID {
		return nil
	}
	if commissionID != "" && before != "" {
		// A booking belongs to one commission at most: it leaves the one
		// it is in before it joins another, so two staff attaching it at
		// once cannot move it silently.
		return booking.FieldErrors{"booking": "already belongs to another commission"}.Err()
	}
	if _, err := tx.Exec(ctx, `UPDATE bookings SET commission_id = $1 WHERE id = $2`, nullString(commissionID), bookingID); err != nil {
		return err
	}
	type link struct {
		Commission string `json:"commission,omitempty"`
	}
	target := commissionID
	if target == "" {
		target = before
	}
	return writeAudit(ctx, tx, actor, "commission.link", bookingID, target, link{before}, link{commissionID})
}

// CommissionBookings returns the bookings of commission id, by start.
func (st *CommissionStore) CommissionBookings(ctx context.Context, id string) ([]booking.Booking, error) {
	out, err := queryBookings(ctx, st.db.pool, `WHERE commission_id = $1 ORDER BY start_at, id`, id)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: commission bookings: %w", err))
	}
	return out, nil
}

// CommissionByManageToken returns commission id if tokenHash is a manage
// token of one of its bookings.
func (st *CommissionStore) CommissionByManageToken(ctx context.Context, id string, tokenHash []byte) (*booking.Commission, error) {
	c, err := scanCommission(st.db.pool.QueryRow(ctx, `SELECT `+commissionColumns+` FROM commissions
		WHERE id = $1 AND EXISTS (SELECT 1 FROM bookings AS b JOIN booking_tokens AS t ON t.booking_id = b.id
			WHERE b.commission_id = commissions.id AND t.token_hash = $2)`, id, tokenHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("commission")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: commission by manage token: %w", err))
	}
	return c, nil
}
