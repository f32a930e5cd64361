package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/atelier-app/atelier/internal/booking"
)

// CommissionStore keeps the commissions and which bookings belong to them
// (booking.CommissionStore): the commissions table, and
// bookings.commission_id.
type CommissionStore struct{ db *DB }

// NewCommissionStore returns the commission store over db.
func NewCommissionStore(db *DB) *CommissionStore { return &CommissionStore{db} }

const commissionColumns = `id, title, stage, customer_id, customer_name, customer_email, customer_phone,
	customer_timezone, customer_language, artisan_id, notes, coalesce(needed_by, ''), created_at, updated_at`

func scanCommission(s scanner) (*booking.Commission, error) {
	var c booking.Commission
	var needed, created, updated string
	err := s.Scan(&c.ID, &c.Title, &c.Stage, &c.CustomerID, &c.Customer.Name, &c.Customer.Email, &c.Customer.Phone,
		&c.Customer.Timezone, &c.Customer.Language, &c.ArtisanID, &c.Notes, &needed, &created, &updated)
	if err != nil {
		return nil, err
	}
	if needed != "" {
		if c.NeededBy, err = booking.ParseDate(needed); err != nil {
			return nil, fmt.Errorf("commission %s: %w", c.ID, err)
		}
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("commission %s: %w", c.ID, err)
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("commission %s: %w", c.ID, err)
	}
	return &c, nil
}

func getCommission(ctx context.Context, q queryer, id string) (*booking.Commission, error) {
	c, err := scanCommission(q.QueryRowContext(ctx, `SELECT `+commissionColumns+` FROM commissions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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

// auditCommission is how a commission appears in the audit log.
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
	err := st.db.inTx(ctx, func(tx *Tx) error {
		c.ID = booking.NewID(booking.CommissionIDPrefix)
		c.CreatedAt, c.UpdatedAt = tx.now, tx.now
		// The customer as bookings_customer_search makes one.
		_, err := tx.ExecContext(ctx, `INSERT INTO customers (id, email_key, created_at)
			VALUES ('cu_' || lower(hex(randomblob(10))), lower(?), ?) ON CONFLICT (email_key) DO NOTHING`,
			c.Customer.Email, fmtTime(tx.now))
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE email_key = lower(?)`, c.Customer.Email).Scan(&c.CustomerID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO commissions (id, title, stage, customer_id, customer_name, customer_email,
			customer_phone, customer_timezone, customer_language, artisan_id, notes, needed_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Title, c.Stage, c.CustomerID, c.Customer.Name, c.Customer.Email, c.Customer.Phone,
			c.Customer.Timezone, c.Customer.Language, c.ArtisanID, c.Notes, nullDate(c.NeededBy), fmtTime(c.CreatedAt), fmtTime(c.UpdatedAt))
		if err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, actor, "commission.create", "", c.ID, nil, commissionAudit(&c)); err != nil {
			return err
		}
		if bookingID != "" {
			return linkBooking(ctx, tx, bookingID, c.ID, actor)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: create commission: %w", err)
	}
	return &c, nil
}

// Commission returns commission id.
func (st *CommissionStore) Commission(ctx context.Context, id string) (*booking.Commission, error) {
	c, err := getCommission(ctx, st.db.read, id)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: commission: %w", err))
	}
	return c, nil
}

// Commissions lists the commissions q selects, the latest changed first.
func (st *CommissionStore) Commissions(ctx context.Context, q booking.CommissionQuery) ([]booking.Commission, error) {
	var conds []string
	var args []any
	for _, f := range []struct{ col, v string }{{"stage", q.Stage}, {"artisan_id", q.ArtisanID}, {"customer_id", q.CustomerID}} {
		if f.v != "" {
			conds = append(conds, f.col+` = ?`)
			args = append(args, f.v)
		}
	}
	if q.IDs != nil {
		if len(q.IDs) == 0 {
			return nil, nil
		}
		conds = append(conds, `id IN (?`+strings.Repeat(", ?", len(q.IDs)-1)+`)`)
		for _, id := range q.IDs {
			args = append(args, id)
		}
	}
	where := ``
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+commissionColumns+` FROM commissions`+where+
		` ORDER BY updated_at DESC, id`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: commissions: %w", err))
	}
	var out []booking.Commission
	for rows.Next() {
		c, err := scanCommission(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: commissions: %w", err)
		}
		out = append(out, *c)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: commissions: %w", err)
	}
	return out, nil
}

// UpdateCommission applies edit to commission id in one transaction.
func (st *CommissionStore) UpdateCommission(ctx context.Context, id string, edit func(*booking.Commission) error, actor booking.Actor) (*booking.Commission, error) {
	var out *booking.Commission
	err := st.db.inTx(ctx, func(tx *Tx) error {
		before, err := getCommission(ctx, tx, id)
		if err != nil {
			return err
		}
		c := *before
		if err := edit(&c); err != nil {
			return err
		}
		c.UpdatedAt = tx.now
		_, err = tx.ExecContext(ctx, `UPDATE commissions SET title = ?, stage = ?, artisan_id = ?, notes = ?, needed_by = ?,
			updated_at = ? WHERE id = ?`, c.Title, c.Stage, c.ArtisanID, c.Notes, nullDate(c.NeededBy), fmtTime(c.UpdatedAt), id)
		if err != nil {
			return err
		}
		out = &c
		return writeAudit(ctx, tx, actor, "commission.update", "", id, commissionAudit(before), commissionAudit(&c))
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: update commission: %w", err)
	}
	return out, nil
}

// LinkBooking makes bookingID belong to commissionID ("" for none).
func (st *CommissionStore) LinkBooking(ctx context.Context, bookingID, commissionID string, actor booking.Actor) error {
	if err := st.db.inTx(ctx, func(tx *Tx) error { return linkBooking(ctx, tx, bookingID, commissionID, actor) }); err != nil {
		return fmt.Errorf("sqlite: link booking: %w", err)
	}
	return nil
}

func linkBooking(ctx context.Context, tx *Tx, bookingID, commissionID string, actor booking.Actor) error {
	var before sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT commission_id FROM bookings WHERE id = ?`, bookingID).Scan(&before)
	if errors.Is(err, sql.ErrNoRows) {
		return booking.ErrNotFound("booking")
	}
	if err != nil {
		return err
	}
	if commissionID != "" {
		if _, err := getCommission(ctx, tx, commissionID); err != nil {
			return err
		}
	}
	if before.String == commissionID {
		return nil
	}
	if commissionID != "" && before.String != "" {
		// A booking belongs to one commission at most: it leaves the one
		// it is in before it joins another, so two staff attaching it at
		// once cannot move it silently.
		return booking.FieldErrors{"booking": "already belongs to another commission"}.Err()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE bookings SET commission_id = ? WHERE id = ?`, nullString(commissionID), bookingID); err != nil {
		return err
	}
	type link struct {
		Commission string `json:"commission,omitempty"`
	}
	target := commissionID
	if target == "" {
		target = before.String
	}
	return writeAudit(ctx, tx, actor, "commission.link", bookingID, target, link{before.String}, link{commissionID})
}

// CommissionBookings returns the bookings of commission id, by start.
func (st *CommissionStore) CommissionBookings(ctx context.Context, id string) ([]booking.Booking, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE commission_id = ?
		ORDER BY start_at, id`, id)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: commission bookings: %w", err))
	}
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: commission bookings: %w", err)
		}
		out = append(out, *b)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: commission bookings: %w", err)
	}
	return out, nil
}

// CommissionByManageToken returns commission id if tokenHash is a manage
// token of one of its bookings.
func (st *CommissionStore) CommissionByManageToken(ctx context.Context, id string, tokenHash []byte) (*booking.Commission, error) {
	c, err := scanCommission(st.db.read.QueryRowContext(ctx, `SELECT `+commissionColumns+` FROM commissions
		WHERE id = ? AND EXISTS (SELECT 1 FROM bookings AS b JOIN booking_tokens AS t ON t.booking_id = b.id
			WHERE b.commission_id = commissions.id AND t.token_hash = ?)`, id, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.ErrNotFound("commission")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: commission by manage token: %w", err))
	}
	return c, nil
}
