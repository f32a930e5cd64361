package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/atelier-app/atelier/internal/calsync"
)

// gcalSource is the busy_times.source of busy intervals read from Google.
// Storing them with the other busy times lets Schedule read them in the
// query it already makes, with no per-artisan lookups.
const gcalSource = "gcal"

// SyncCursor returns the inbound sync cursor of an artisan, or nil.
func (st *CalendarSyncStore) SyncCursor(ctx context.Context, artisanID string) (*calsync.SyncCursor, error) {
	var c calsync.SyncCursor
	err := st.db.read.QueryRowContext(ctx, `SELECT calendar_id, sync_token FROM gcal_cursor WHERE artisan_id = ?`,
		artisanID).Scan(&c.CalendarID, &c.Token)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal sync cursor of %s: %w", artisanID, err)
	}
	return &c, nil
}

// ReplaceBusy replaces all Google busy intervals of the artisan and stores
// the cursor, in one transaction.
func (st *CalendarSyncStore) ReplaceBusy(ctx context.Context, artisanID string, busy []calsync.BusyEvent, cur calsync.SyncCursor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM busy_times WHERE artisan_id = ? AND source = ?`,
			artisanID, gcalSource); err != nil {
			return fmt.Errorf("delete busy times: %w", err)
		}
		if err := upsertBusy(ctx, tx, artisanID, busy); err != nil {
			return err
		}
		return saveCursor(ctx, tx, artisanID, cur)
	})
	if err != nil {
		return fmt.Errorf("sqlite: replace gcal busy times of %s: %w", artisanID, err)
	}
	return nil
}

// UpdateBusy upserts busy intervals by event id, deletes those whose event
// ids are in remove, and stores the cursor, in one transaction.
func (st *CalendarSyncStore) UpdateBusy(ctx context.Context, artisanID string, upsert []calsync.BusyEvent, remove []string, cur calsync.SyncCursor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if len(remove) > 0 {
			stmt, err := tx.PrepareContext(ctx, `DELETE FROM busy_times
				WHERE artisan_id = ? AND source = ? AND external_id = ?`)
			if err != nil {
				return fmt.Errorf("delete busy times: %w", err)
			}
			defer stmt.Close()
			for _, id := range remove {
				if _, err := stmt.ExecContext(ctx, artisanID, gcalSource, id); err != nil {
					return fmt.Errorf("delete busy time %s: %w", id, err)
				}
			}
		}
		if err := upsertBusy(ctx, tx, artisanID, upsert); err != nil {
			return err
		}
		return saveCursor(ctx, tx, artisanID, cur)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update gcal busy times of %s: %w", artisanID, err)
	}
	return nil
}

// upsertBusy writes busy intervals keyed by event id. An interval of no
// length blocks nothing and is removed instead (the table requires
// start < end); so is one that ends up empty at millisecond precision.
func upsertBusy(ctx context.Context, tx *Tx, artisanID string, busy []calsync.BusyEvent) error {
	if len(busy) == 0 {
		return nil
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO busy_times (artisan_id, source, external_id, start_at, end_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (artisan_id, source, external_id) DO UPDATE
		SET start_at = excluded.start_at, end_at = excluded.end_at, updated_at = excluded.updated_at`)
	if err != nil {
		return fmt.Errorf("upsert busy times: %w", err)
	}
	defer ins.Close()
	del, err := tx.PrepareContext(ctx, `DELETE FROM busy_times WHERE artisan_id = ? AND source = ? AND external_id = ?`)
	if err != nil {
		return fmt.Errorf("upsert busy times: %w", err)
	}
	defer del.Close()
	for _, b := range busy {
		start, end := fmtTime(b.Start), fmtTime(b.End)
		if start >= end {
			if _, err := del.ExecContext(ctx, artisanID, gcalSource, b.EventID); err != nil {
				return fmt.Errorf("delete empty busy time %s: %w", b.EventID, err)
			}
			continue
		}
		if _, err := ins.ExecContext(ctx, artisanID, gcalSource, b.EventID, start, end, fmtTime(tx.now)); err != nil {
			return fmt.Errorf("upsert busy time %s: %w", b.EventID, err)
		}
	}
	return nil
}

func saveCursor(ctx context.Context, tx *Tx, artisanID string, cur calsync.SyncCursor) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO gcal_cursor (artisan_id, calendar_id, sync_token, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (artisan_id) DO UPDATE
		SET calendar_id = excluded.calendar_id, sync_token = excluded.sync_token, updated_at = excluded.updated_at`,
		artisanID, cur.CalendarID, cur.Token, fmtTime(tx.now))
	if err != nil {
		return fmt.Errorf("save sync cursor: %w", err)
	}
	return nil
}

// ClearSyncCursor forgets the cursor so that the next sync is a full one.
func (st *CalendarSyncStore) ClearSyncCursor(ctx context.Context, artisanID string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM gcal_cursor WHERE artisan_id = ?`, artisanID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: clear gcal sync cursor of %s: %w", artisanID, err)
	}
	return nil
}

// GoogleBusy returns the stored Google busy intervals of an artisan, by
// start time (for tests and the staff area).
func (st *CalendarSyncStore) GoogleBusy(ctx context.Context, artisanID string) ([]calsync.BusyEvent, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT external_id, start_at, end_at FROM busy_times
		WHERE artisan_id = ? AND source = ? ORDER BY start_at, external_id`, artisanID, gcalSource)
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal busy times of %s: %w", artisanID, err)
	}
	defer rows.Close()
	var out []calsync.BusyEvent
	for rows.Next() {
		b := calsync.BusyEvent{ArtisanID: artisanID}
		var start, end string
		if err := rows.Scan(&b.EventID, &start, &end); err != nil {
			return nil, fmt.Errorf("sqlite: gcal busy times of %s: %w", artisanID, err)
		}
		if b.Start, err = parseTime(start); err != nil {
			return nil, fmt.Errorf("sqlite: gcal busy times of %s: %w", artisanID, err)
		}
		if b.End, err = parseTime(end); err != nil {
			return nil, fmt.Errorf("sqlite: gcal busy times of %s: %w", artisanID, err)
		}
		out = append(out, b)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: gcal busy times of %s: %w", artisanID, err)
	}
	return out, nil
}

// BookingSync returns the sync state of a booking, or nil.
func (st *CalendarSyncStore) BookingSync(ctx context.Context, bookingID string) (*calsync.BookingSync, error) {
	s := calsync.BookingSync{BookingID: bookingID}
	var state string
	var synced sql.NullString
	var updated string
	err := st.db.read.QueryRowContext(ctx, `SELECT state, artisan_id, calendar_id, event_id, sequence, meet_url,
		synced_at, last_error, updated_at FROM gcal_booking_sync WHERE booking_id = ?`, bookingID).
		Scan(&state, &s.ArtisanID, &s.CalendarID, &s.EventID, &s.Sequence, &s.MeetURL, &synced, &s.LastError, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal sync of booking %s: %w", bookingID, err)
	}
	s.State = calsync.BookingSyncState(state)
	if s.SyncedAt, err = parseNullTime(synced); err != nil {
		return nil, fmt.Errorf("sqlite: gcal sync of booking %s: %w", bookingID, err)
	}
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("sqlite: gcal sync of booking %s: %w", bookingID, err)
	}
	return &s, nil
}

// SetBookingSync inserts or replaces the sync state of a booking. A zero
// UpdatedAt is stored as the store's current time.
func (st *CalendarSyncStore) SetBookingSync(ctx context.Context, s calsync.BookingSync) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		updated := s.UpdatedAt
		if updated.IsZero() {
			updated = tx.now
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO gcal_booking_sync (booking_id, state, artisan_id,
			calendar_id, event_id, sequence, meet_url, synced_at, last_error, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.BookingID, string(s.State), s.ArtisanID, s.CalendarID, s.EventID, s.Sequence, s.MeetURL,
			nullTime(s.SyncedAt), s.LastError, fmtTime(updated))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save gcal sync of booking %s: %w", s.BookingID, err)
	}
	return nil
}

// ArtisanSync returns the connection state of an artisan, or nil.
func (st *CalendarSyncStore) ArtisanSync(ctx context.Context, artisanID string) (*calsync.ArtisanSync, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT artisan_id, state, last_success_at, last_error, error_at
		FROM gcal_artisan_sync WHERE artisan_id = ?`, artisanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal state of artisan %s: %w", artisanID, err)
	}
	all, err := scanArtisanSyncs(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal state of artisan %s: %w", artisanID, err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	return &all[0], nil
}

// ArtisanSyncs returns the connection states of all artisans that have one,
// by artisan id.
func (st *CalendarSyncStore) ArtisanSyncs(ctx context.Context) ([]calsync.ArtisanSync, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT artisan_id, state, last_success_at, last_error, error_at
		FROM gcal_artisan_sync ORDER BY artisan_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal artisan states: %w", err)
	}
	all, err := scanArtisanSyncs(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: gcal artisan states: %w", err)
	}
	return all, nil
}

func scanArtisanSyncs(rows *sql.Rows) ([]calsync.ArtisanSync, error) {
	defer rows.Close()
	out := []calsync.ArtisanSync{}
	for rows.Next() {
		var s calsync.ArtisanSync
		var state string
		var success, errAt sql.NullString
		if err := rows.Scan(&s.ArtisanID, &state, &success, &s.LastError, &errAt); err != nil {
			return nil, err
		}
		s.State = calsync.ConnState(state)
		var err error
		if s.LastSuccess, err = parseNullTime(success); err != nil {
			return nil, err
		}
		if s.ErrorAt, err = parseNullTime(errAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, closeRows(rows)
}

// SetArtisanSync inserts or replaces the connection state of an artisan.
func (st *CalendarSyncStore) SetArtisanSync(ctx context.Context, s calsync.ArtisanSync) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO gcal_artisan_sync
			(artisan_id, state, last_success_at, last_error, error_at) VALUES (?, ?, ?, ?, ?)`,
			s.ArtisanID, string(s.State), nullTime(s.LastSuccess), s.LastError, nullTime(s.ErrorAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save gcal state of artisan %s: %w", s.ArtisanID, err)
	}
	return nil
}

// OAuthToken returns the stored OAuth token of an artisan, or nil.
func (st *CalendarSyncStore) OAuthToken(ctx context.Context, artisanID string) (*oauth2.Token, error) {
	var t oauth2.Token
	var expiry sql.NullString
	err := st.db.read.QueryRowContext(ctx, `SELECT access_token, refresh_token, token_type, expiry
		FROM gcal_oauth_token WHERE artisan_id = ?`, artisanID).
		Scan(&t.AccessToken, &t.RefreshToken, &t.TokenType, &expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: oauth token of artisan %s: %w", artisanID, err)
	}
	if t.Expiry, err = parseNullTime(expiry); err != nil {
		return nil, fmt.Errorf("sqlite: oauth token of artisan %s: %w", artisanID, err)
	}
	return &t, nil
}

// SaveOAuthToken stores (or replaces) the OAuth token of an artisan. The
// error never includes the token.
func (st *CalendarSyncStore) SaveOAuthToken(ctx context.Context, artisanID string, tok *oauth2.Token) error {
	if tok == nil {
		return fmt.Errorf("sqlite: save oauth token of artisan %s: no token", artisanID)
	}
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO gcal_oauth_token
			(artisan_id, access_token, refresh_token, token_type, expiry, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			artisanID, tok.AccessToken, tok.RefreshToken, tok.TokenType, nullTime(tok.Expiry), fmtTime(tx.now))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save oauth token of artisan %s: %w", artisanID, err)
	}
	return nil
}

// DeleteOAuthToken forgets the OAuth token of an artisan.
func (st *CalendarSyncStore) DeleteOAuthToken(ctx context.Context, artisanID string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM gcal_oauth_token WHERE artisan_id = ?`, artisanID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete oauth token of artisan %s: %w", artisanID, err)
	}
	return nil
}

// parseNullTime parses a stored instant that may be NULL (the zero time).
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}
