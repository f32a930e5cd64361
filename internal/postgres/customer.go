package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// CustomerStore finds bookings and customers for staff and keeps the
// customer notes (booking.CustomerStore). The trigger bookings_customer
// (schema.sql) gives each new address its customer id in the transaction
// that makes the booking; the search reads the trigram index
// bookings_search (pg_trgm) over searchText.
type CustomerStore struct{ db *DB }

// NewCustomerStore returns the customer store over db.
func NewCustomerStore(db *DB) *CustomerStore { return &CustomerStore{db} }

// searchText is the expression of the index bookings_search: the
// reference, name, address and phone digits in lower case (the same text
// as SQLite's booking_search).
const searchText = `lower(id || ' ' || customer_name || ' ' || customer_email || ' ' || regexp_replace(customer_phone, '[-+ ().]', '', 'g'))`

// likeEscaper escapes LIKE's wildcards (backslash is its escape).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// matching is the WHERE clause of q's bookings, its parameters numbered
// from $1.
func matching(q booking.SearchQuery) (string, []any) {
	conds := make([]string, 0, len(q.Terms)+1)
	args := make([]any, 0, len(q.Terms)+1)
	for _, t := range q.Terms {
		args = append(args, "%"+likeEscaper.Replace(t)+"%")
		conds = append(conds, searchText+` LIKE $`+strconv.Itoa(len(args)))
	}
	if len(conds) == 0 {
		conds = append(conds, "false")
	}
	if q.ArtisanID != "" {
		args = append(args, q.ArtisanID)
		conds = append(conds, `artisan_id = $`+strconv.Itoa(len(args)))
	}
	return `WHERE ` + strings.Join(conds, " AND "), args
}

// SearchBookings returns up to q.Limit bookings matching every term of q,
// the latest start first.
func (st *CustomerStore) SearchBookings(ctx context.Context, q booking.SearchQuery) ([]booking.Booking, error) {
	where, args := matching(q)
	args = append(args, q.Limit)
	out, err := queryBookings(ctx, st.db.pool, where+` ORDER BY start_at DESC, id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: search bookings: %w", err))
	}
	return out, nil
}

// SearchCustomers returns up to q.Limit customers with a booking matching
// every term of q, the latest seen first.
func (st *CustomerStore) SearchCustomers(ctx context.Context, q booking.SearchQuery) ([]booking.CustomerProfile, error) {
	where, args := matching(q)
	args = append(args, q.Limit)
	rows, err := st.db.pool.Query(ctx, `SELECT c.id FROM (SELECT lower(customer_email) AS k, max(start_at) AS seen
		FROM bookings `+where+` GROUP BY k) m JOIN customers c ON c.email_key = m.k ORDER BY m.seen DESC, c.id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: search customers: %w", err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: search customers: %w", err))
	}
	out := make([]booking.CustomerProfile, 0, len(ids))
	for _, id := range ids {
		c, err := st.Customer(ctx, id, q.ArtisanID)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// Customer returns customer id as seen through artisanID's bookings.
func (st *CustomerStore) Customer(ctx context.Context, id, artisanID string) (*booking.CustomerProfile, error) {
	c := &booking.CustomerProfile{ID: id}
	var key string
	err := st.db.pool.QueryRow(ctx, `SELECT email_key FROM customers WHERE id = $1`, id).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("customer")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer: %w", err))
	}
	// bookings_customer_email, for every query below.
	scope := ` AND ($2 = '' OR artisan_id = $2)`
	var first, last *time.Time
	err = st.db.pool.QueryRow(ctx, `SELECT count(*), min(created_at), max(start_at) FROM bookings
		WHERE lower(customer_email) = $1`+scope, key, artisanID).Scan(&c.Bookings, &first, &last)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer: %w", err))
	}
	if c.Bookings == 0 || first == nil || last == nil {
		return nil, booking.ErrNotFound("customer")
	}
	c.FirstBooked, c.LastSeen = first.UTC(), last.UTC()
	err = st.db.pool.QueryRow(ctx, `SELECT customer_name, customer_email FROM bookings
		WHERE lower(customer_email) = $1`+scope+` ORDER BY created_at DESC, id DESC LIMIT 1`, key, artisanID).
		Scan(&c.Name, &c.Email)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer: %w", err))
	}
	err = st.db.pool.QueryRow(ctx, `SELECT customer_timezone FROM bookings
		WHERE lower(customer_email) = $1`+scope+` AND customer_timezone <> '' ORDER BY created_at DESC, id DESC LIMIT 1`, key, artisanID).
		Scan(&c.Timezone)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, unavailable(fmt.Errorf("postgres: customer: %w", err))
	}
	err = st.db.pool.QueryRow(ctx, `SELECT customer_phone FROM bookings
		WHERE lower(customer_email) = $1`+scope+` AND customer_phone <> '' ORDER BY created_at DESC, id DESC LIMIT 1`, key, artisanID).
		Scan(&c.Phone)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, unavailable(fmt.Errorf("postgres: customer: %w", err))
	}
	var at time.Time
	err = st.db.pool.QueryRow(ctx, `SELECT notes, updated_at, updated_by FROM customer_notes WHERE customer_id = $1`, id).
		Scan(&c.Notes, &at, &c.NotesUpdatedBy)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, unavailable(fmt.Errorf("postgres: customer notes: %w", err))
	default:
		c.NotesUpdatedAt = at.UTC()
	}
	return c, nil
}

// CustomerIDs returns the ids of the customers with the addresses, by
// address as given.
func (st *CustomerStore) CustomerIDs(ctx context.Context, emails ...string) (map[string]string, error) {
	out := make(map[string]string, len(emails))
	if len(emails) == 0 {
		return out, nil
	}
	rows, err := st.db.pool.Query(ctx, `SELECT e, c.id FROM unnest($1::text[]) AS e JOIN customers c ON c.email_key = lower(e)`, emails)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer ids: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var e, id string
		if err := rows.Scan(&e, &id); err != nil {
			return nil, unavailable(fmt.Errorf("postgres: customer ids: %w", err))
		}
		out[e] = id
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer ids: %w", err))
	}
	return out, nil
}

// CustomerHistory returns up to limit bookings of customer id, of
// artisanID when set, the latest start first.
func (st *CustomerStore) CustomerHistory(ctx context.Context, id, artisanID string, limit int) ([]booking.Booking, error) {
	out, err := queryBookings(ctx, st.db.pool, `WHERE lower(customer_email) = (SELECT email_key FROM customers WHERE id = $1)
		AND ($2 = '' OR artisan_id = $2) ORDER BY start_at DESC, id LIMIT $3`, id, artisanID, limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer history: %w", err))
	}
	return out, nil
}

// SetCustomerNotes replaces the notes of customer id ("" removes them).
func (st *CustomerStore) SetCustomerNotes(ctx context.Context, id, notes string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("customer")
		}
		if err != nil {
			return err
		}
		var before string
		err = tx.QueryRow(ctx, `SELECT notes FROM customer_notes WHERE customer_id = $1`, id).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if strings.TrimSpace(notes) == "" {
			_, err = tx.Exec(ctx, `DELETE FROM customer_notes WHERE customer_id = $1`, id)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO customer_notes (customer_id, notes, updated_at, updated_by)
				VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO UPDATE SET
				notes = excluded.notes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				id, notes, tx.now, actor.ID)
		}
		if err != nil {
			return err
		}
		type note struct {
			Notes string `json:"notes"`
		}
		return writeAudit(ctx, tx, actor, "customer.notes", "", id, note{before}, note{notes})
	})
	if err != nil {
		return fmt.Errorf("postgres: set customer notes: %w", err)
	}
	return nil
}
