package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"github.com/atelier-app/atelier/internal/calsync"
)

// The state of the Google Calendar sync (calsync.Store), as in SQLite's
// store. Busy intervals read from Google are kept with the other busy
// times (source gcalSource), so Schedule reads them in the query it
// already makes.

// gcalSource is the busy_times.source of busy intervals read from Google.
const gcalSource = "gcal"

// SyncCursor returns the inbound sync cursor of an artisan, or nil.
func (st *CalendarSyncStore) SyncCursor(ctx context.Context, artisanID string) (*calsync.SyncCursor, error) {
	var c calsync.SyncCursor
	err := st.db.pool.QueryRow(ctx, `SELECT calendar_id, sync_token FROM gcal_cursor WHERE artisan_id = $1`,
		artisanID).Scan(&c.CalendarID, &c.Token)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: gcal sync cursor of %s: %w", artisanID, err))
	}
	return &c, nil
}

// ReplaceBusy replaces all Google busy intervals of the artisan and stores
// the cursor, in one transaction.
func (st *CalendarSyncStore) ReplaceBusy(ctx context.Context, artisanID string, busy []calsync.BusyEvent, cur calsync.SyncCursor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM busy_times WHERE artisan_id = $1 AND source = $2`,
			artisanID, gcalSource); err != nil {
			return fmt.Errorf("delete busy times: %w", err)
		}
		if err := upsertBusy(ctx, tx, artisanID, busy); err != nil {
			return err
		}
		return saveCursor(ctx, tx, artisanID, cur)
	})
	if err != nil {
		return fmt.Errorf("postgres: replace gcal busy times of %s: %w", artisanID, err)
	}
	return nil
}

// UpdateBusy upserts busy intervals by event id, deletes those whose event
// ids are in remove, and stores the cursor, in one transaction.
func (st *CalendarSyncStore) UpdateBusy(ctx context.Context, artisanID string, upsert []calsync.BusyEvent, remove []string, cur calsync.SyncCursor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if len(remove) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM busy_times
				WHERE artisan_id = $1 AND source = $2 AND external_id = ANY($3)`, artisanID, gcalSource, remove); err != nil {
				return fmt.Errorf("delete busy times: %w", err)
			}
		}
		if err := upsertBusy(ctx, tx, artisanID, upsert); err != nil {
			return err
		}
		return saveCursor(ctx, tx, artisanID, cur)
	})
	if err != nil {
		return fmt.Errorf("postgres: update gcal busy times of %s: %w", artisanID, err)
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
	var batch pgx.Batch
	for _, b := range busy {
		start, end := utc(b.Start), utc(b.End)
		if !start.Before(end) {
			batch.Queue(`DELETE FROM busy_times WHERE artisan_id = $1 AND source = $2 AND external_id = $3`,
				artisanID, gcalSource, b.EventID)
			continue
		}
		batch.Queue(`INSERT INTO busy_times (artisan_id, source, external_id, start_at, end_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (artisan_id, source, external_id) DO UPDATE
			SET start_at = excluded.start_at, end_at = excluded.end_at, updated_at = excluded.updated_at`,
			artisanID, gcalSource, b.EventID, start, end, tx.now)
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return fmt.Errorf("upsert busy times: %w", err)
	}
	return nil
}

func saveCursor(ctx context.Context, tx *Tx, artisanID string, cur calsync.SyncCursor) error {
	_, err := tx.Exec(ctx, `INSERT INTO gcal_cursor (artisan_id, calendar_id, sync_token, updated_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (artisan_id) DO UPDATE
		SET calendar_id = excluded.calendar_id, sync_token = excluded.sync_token, updated_at = excluded.updated_at`,
		artisanID, cur.CalendarID, cur.Token, tx.now)
	if err != nil {
		return fmt.Errorf("save sync cursor: %w", err)
	}
	return nil
}

// ClearSyncCursor forgets the cursor so that the next sync is a full one.
func (st *CalendarSyncStore) ClearSyncCursor(ctx context.Context, artisanID string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM gcal_cursor WHERE artisan_id = $1`, artisanID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: clear gcal sync cursor of %s: %w", artisanID, err)
	}
	return nil
}

// GoogleBusy returns the stored Google busy intervals of an artisan, by
// start time (for tests and the staff area).
func (st *CalendarSyncStore) GoogleBusy(ctx context.Context, artisanID string) ([]calsync.BusyEvent, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT external_id, start_at, end_at FROM busy_times
		WHERE artisan_id = $1 AND source = $2 ORDER BY start_at, external_id`, artisanID, gcalSource)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: gcal busy times of %s: %w", artisanID, err))
	}
	defer rows.Close()
	var out []calsync.BusyEvent
	for rows.Next() {
		b := calsync.BusyEvent{ArtisanID: artisanID}
		if err := rows.Scan(&b.EventID, &b.Start, &b.End); err != nil {
			return nil, fmt.Errorf("postgres: gcal busy times of %s: %w", artisanID, err)
		}
		b.Start, b.End = b.Start.UTC(), b.End.UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: gcal busy times of %s: %w", artisanID, err))
	}
	return out, nil
}

// BookingSync returns the sync state of a booking, or nil.
func (st *CalendarSyncStore) BookingSync(ctx context.Context, bookingID string) (*calsync.BookingSync, error) {
	s := calsync.BookingSync{BookingID: bookingID}
	var state string
	var synced *time.Time
	err := st.db.pool.QueryRow(ctx, `SELECT state, artisan_id, calendar_id, event_id, sequence, meet_url,
		synced_at, last_error, updated_at FROM gcal_booking_sync WHERE booking_id = $1`, bookingID).
		Scan(&state, &s.ArtisanID, &s.CalendarID, &s.EventID, &s.Sequence, &s.MeetURL, &synced, &s.LastError, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: gcal sync of booking %s: %w", bookingID, err))
	}
	s.State = calsync.BookingSyncState(state)
	s.SyncedAt, s.UpdatedAt = fromNull(synced), s.UpdatedAt.UTC()
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
		_, err := tx.Exec(ctx, `INSERT INTO gcal_booking_sync (booking_id, state, artisan_id,
			calendar_id, event_id, sequence, meet_url, synced_at, last_error, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (booking_id) DO UPDATE SET state = excluded.state, artisan_id = excluded.artisan_id,
				calendar_id = excluded.calendar_id, event_id = excluded.event_id, sequence = excluded.sequence,
				meet_url = excluded.meet_url, synced_at = excluded.synced_at, last_error = excluded.last_error,
				updated_at = excluded.updated_at`,
			s.BookingID, string(s.State), s.ArtisanID, s.CalendarID, s.EventID, s.Sequence, s.MeetURL,
			toNull(s.SyncedAt), s.LastError, utc(updated))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: save gcal sync of booking %s: %w", s.BookingID, err)
	}
	return nil
}

// ArtisanSync returns the connection state of an artisan, or nil.
func (st *CalendarSyncStore) ArtisanSync(ctx context.Context, artisanID string) (*calsync.ArtisanSync, error) {
	all, err := st.artisanSyncs(ctx, `WHERE artisan_id = $1`, artisanID)
	if err != nil {
		return nil, fmt.Errorf("postgres: gcal state of artisan %s: %w", artisanID, err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	return &all[0], nil
}

// ArtisanSyncs returns the connection states of all artisans that have one,
// by artisan id.
func (st *CalendarSyncStore) ArtisanSyncs(ctx context.Context) ([]calsync.ArtisanSync, error) {
	all, err := st.artisanSyncs(ctx, `ORDER BY artisan_id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: gcal artisan states: %w", err)
	}
	return all, nil
}

func (st *CalendarSyncStore) artisanSyncs(ctx context.Context, where string, args ...any) ([]calsync.ArtisanSync, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT artisan_id, state, last_success_at, last_error, error_at
		FROM gcal_artisan_sync `+where, args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	out := []calsync.ArtisanSync{}
	for rows.Next() {
		var s calsync.ArtisanSync
		var state string
		var success, errAt *time.Time
		if err := rows.Scan(&s.ArtisanID, &state, &success, &s.LastError, &errAt); err != nil {
			return nil, err
		}
		s.State = calsync.ConnState(state)
		s.LastSuccess, s.ErrorAt = fromNull(success), fromNull(errAt)
		out = append(out, s)
	}
	return out, unavailable(rows.Err())
}

// SetArtisanSync inserts or replaces the connection state of an artisan.
func (st *CalendarSyncStore) SetArtisanSync(ctx context.Context, s calsync.ArtisanSync) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO gcal_artisan_sync (artisan_id, state, last_success_at, last_error, error_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (artisan_id) DO UPDATE SET state = excluded.state, last_success_at = excluded.last_success_at,
				last_error = excluded.last_error, error_at = excluded.error_at`,
			s.ArtisanID, string(s.State), toNull(s.LastSuccess), s.LastError, toNull(s.ErrorAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: save gcal state of artisan %s: %w", s.ArtisanID, err)
	}
	return nil
}

// OAuthToken returns the stored OAuth token of an artisan, or nil.
func (st *CalendarSyncStore) OAuthToken(ctx context.Context, artisanID string) (*oauth2.Token, error) {
	var t oauth2.Token
	var expiry *time.Time
	err := st.db.pool.QueryRow(ctx, `SELECT access_token, refresh_token, token_type, expiry
		FROM gcal_oauth_token WHERE artisan_id = $1`, artisanID).
		Scan(&t.AccessToken, &t.RefreshToken, &t.TokenType, &expiry)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: oauth token of artisan %s: %w", artisanID, err))
	}
	t.Expiry = fromNull(expiry)
	return &t, nil
}

// SaveOAuthToken stores (or replaces) the OAuth token of an artisan. The
// error never includes the token.
func (st *CalendarSyncStore) SaveOAuthToken(ctx context.Context, artisanID string, tok *oauth2.Token) error {
	if tok == nil {
		return fmt.Errorf("postgres: save oauth token of artisan %s: no token", artisanID)
	}
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO gcal_oauth_token (artisan_id, access_token, refresh_token, token_type, expiry, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (artisan_id) DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,
				token_type = excluded.token_type, expiry = excluded.expiry, updated_at = excluded.updated_at`,
			artisanID, tok.AccessToken, tok.RefreshToken, tok.TokenType, toNull(tok.Expiry), tx.now)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: save oauth token of artisan %s: %w", artisanID, err)
	}
	return nil
}

// DeleteOAuthToken forgets the OAuth token of an artisan.
func (st *CalendarSyncStore) DeleteOAuthToken(ctx context.Context, artisanID string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM gcal_oauth_token WHERE artisan_id = $1`, artisanID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete oauth token of artisan %s: %w", artisanID, err)
	}
	return nil
}

// toNull is NULL for the zero time, else t at the stored precision.
func toNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utc(t)
}

// fromNull is the zero time for NULL, else t in UTC.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
