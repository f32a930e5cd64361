package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/booking"
)

// CustomerStore finds bookings and customers for staff and keeps the
// customer notes (booking.CustomerStore). Customers and the search index
// are filled by the trigger bookings_customer_search (schema.sql): every
// booking inserted gets its row in booking_search, and its address its
// customer id, in the transaction that makes the booking. Bookings are
// never deleted and their customer details never change, so nothing else
// keeps them in step.
type CustomerStore struct{ db *DB }

// NewCustomerStore returns the customer store over db.
func NewCustomerStore(db *DB) *CustomerStore { return &CustomerStore{db} }

// trigramLen is the shortest term the trigram index can find; shorter
// terms are looked for in the index's text one row at a time.
const trigramLen = 3

// searchWhere is the condition on booking_search of terms: an FTS5 MATCH
// of the terms the index can find, instr() for the others.
func searchWhere(terms []string) (string, []any) {
	var long []string
	var conds []string
	var args []any
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= trigramLen {
			long = append(long, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		} else {
			conds = append(conds, `instr(text, ?) > 0`)
			args = append(args, t)
		}
	}
	if len(long) > 0 {
		conds = append([]string{`booking_search MATCH ?`}, conds...)
		args = append([]any{strings.Join(long, " AND ")}, args...)
	}
	if len(conds) == 0 {
		conds = []string{"0"}
	}
	return strings.Join(conds, " AND "), args
}

// matching is the bookings query of q: a WHERE clause on bookings and
// its arguments.
func matching(q booking.SearchQuery) (string, []any) {
	cond, args := searchWhere(q.Terms)
	where := `WHERE id IN (SELECT booking_id FROM booking_search WHERE ` + cond + `)`
	if q.ArtisanID != "" {
		where += ` AND artisan_id = ?`
		args = append(args, q.ArtisanID)
	}
	return where, args
}

// SearchBookings returns up to q.Limit bookings matching every term of q,
// the latest start first.
func (st *CustomerStore) SearchBookings(ctx context.Context, q booking.SearchQuery) ([]booking.Booking, error) {
	where, args := matching(q)
	out, err := st.queryBookings(ctx, where+` ORDER BY start_at DESC, id LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search bookings: %w", err)
	}
	return out, nil
}

// SearchCustomers returns up to q.Limit customers with a booking matching
// every term of q, the latest seen first.
func (st *CustomerStore) SearchCustomers(ctx context.Context, q booking.SearchQuery) ([]booking.CustomerProfile, error) {
	where, args := matching(q)
	rows, err := st.db.read.QueryContext(ctx, `SELECT c.id FROM (SELECT lower(customer_email) AS k, max(start_at) AS seen
		FROM bookings `+where+` GROUP BY k) m JOIN customers c ON c.email_key = m.k ORDER BY m.seen DESC, c.id LIMIT ?`,
		append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search customers: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: search customers: %w", err)
		}
		ids = append(ids, id)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: search customers: %w", err)
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
	err := st.db.read.QueryRowContext(ctx, `SELECT email_key FROM customers WHERE id = ?`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.ErrNotFound("customer")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	// bookings_customer_email, for every query below.
	scope, args := ``, []any{key}
	if artisanID != "" {
		scope, args = ` AND artisan_id = ?`, append(args, artisanID)
	}
	var first, last sql.NullString
	err = st.db.read.QueryRowContext(ctx, `SELECT count(*), min(created_at), max(start_at) FROM bookings
		WHERE customer_email = ? COLLATE NOCASE`+scope, args...).Scan(&c.Bookings, &first, &last)
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	if c.Bookings == 0 {
		return nil, booking.ErrNotFound("customer")
	}
	if c.FirstBooked, err = parseTime(first.String); err != nil {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	if c.LastSeen, err = parseTime(last.String); err != nil {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	err = st.db.read.QueryRowContext(ctx, `SELECT customer_name, customer_email FROM bookings
		WHERE customer_email = ? COLLATE NOCASE`+scope+` ORDER BY created_at DESC, id DESC LIMIT 1`, args...).
		Scan(&c.Name, &c.Email)
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	err = st.db.read.QueryRowContext(ctx, `SELECT customer_timezone FROM bookings
		WHERE customer_email = ? COLLATE NOCASE`+scope+` AND customer_timezone <> '' ORDER BY created_at DESC, id DESC LIMIT 1`, args...).
		Scan(&c.Timezone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	err = st.db.read.QueryRowContext(ctx, `SELECT customer_phone FROM bookings
		WHERE customer_email = ? COLLATE NOCASE`+scope+` AND customer_phone <> '' ORDER BY created_at DESC, id DESC LIMIT 1`, args...).
		Scan(&c.Phone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: customer: %w", err)
	}
	var at string
	err = st.db.read.QueryRowContext(ctx, `SELECT notes, updated_at, updated_by FROM customer_notes WHERE customer_id = ?`, id).
		Scan(&c.Notes, &at, &c.NotesUpdatedBy)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("sqlite: customer notes: %w", err)
	default:
		if c.NotesUpdatedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("sqlite: customer notes: %w", err)
		}
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
	byKey := map[string][]string{}
	args := make([]any, 0, len(emails))
	for _, e := range emails {
		k := asciiLower(e)
		if _, ok := byKey[k]; !ok {
			args = append(args, k)
		}
		byKey[k] = append(byKey[k], e)
	}
	rows, err := st.db.read.QueryContext(ctx, `SELECT email_key, id FROM customers WHERE email_key IN (?`+
		strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer ids: %w", err)
	}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: customer ids: %w", err)
		}
		for _, e := range byKey[k] {
			out[e] = id
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: customer ids: %w", err)
	}
	return out, nil
}

// asciiLower lowers A-Z only, as SQLite's lower() and NOCASE do: the key
// of an address in customers.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// CustomerHistory returns up to limit bookings of customer id, of
// artisanID when set, the latest start first.
func (st *CustomerStore) CustomerHistory(ctx context.Context, id, artisanID string, limit int) ([]booking.Booking, error) {
	where := `WHERE customer_email = (SELECT email_key FROM customers WHERE id = ?) COLLATE NOCASE`
	args := []any{id}
	if artisanID != "" {
		where += ` AND artisan_id = ?`
		args = append(args, artisanID)
	}
	out, err := st.queryBookings(ctx, where+` ORDER BY start_at DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer history: %w", err)
	}
	return out, nil
}

func (st *CustomerStore) queryBookings(ctx context.Context, where string, args ...any) ([]booking.Booking, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *b)
	}
	return out, closeRows(rows)
}

// SetCustomerNotes replaces the notes of customer id ("" removes them).
func (st *CustomerStore) SetCustomerNotes(ctx context.Context, id, notes string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return booking.ErrNotFound("customer")
		}
		if err != nil {
			return err
		}
		var before sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT notes FROM customer_notes WHERE customer_id = ?`, id).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if strings.TrimSpace(notes) == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM customer_notes WHERE customer_id = ?`, id)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO customer_notes (customer_id, notes, updated_at, updated_by)
				VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET
				notes = excluded.notes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				id, notes, fmtTime(tx.now), actor.ID)
		}
		if err != nil {
			return err
		}
		type note struct {
			Notes string `json:"notes"`
		}
		return writeAudit(ctx, tx, actor, "customer.notes", "", id, note{before.String}, note{notes})
	})
	if err != nil {
		return fmt.Errorf("sqlite: set customer notes: %w", err)
	}
	return nil
}
