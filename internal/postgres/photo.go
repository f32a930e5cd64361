package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// PhotoStore keeps the photos customers add to bookings, in the database
// (booking_photos), as SQLite's store does.
type PhotoStore struct{ db *DB }

// NewPhotoStore returns the photo store over db.
func NewPhotoStore(db *DB) *PhotoStore { return &PhotoStore{db} }

// photoAudit is what the audit log records of a photo: never its data.
type photoAudit struct {
	Photo       string `json:"photo"`
	ContentType string `json:"content_type,omitempty"`
	Bytes       int    `json:"bytes,omitempty"`
	Count       int    `json:"count,omitempty"`
}

// AddPhoto stores p unless its booking already holds booking.MaxPhotos.
// The booking's row is locked (FOR UPDATE) while its photos are counted,
// so photos sent at once, to any server, cannot pass the limit together.
func (st *PhotoStore) AddPhoto(ctx context.Context, p booking.Photo, data, thumb []byte, actor booking.Actor) (booking.Photo, error) {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM bookings WHERE id = $1 FOR UPDATE`, p.BookingID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("booking")
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM booking_photos WHERE booking_id = $1`, p.BookingID).Scan(&n); err != nil {
			return err
		}
		if n >= booking.MaxPhotos {
			return booking.Errorf(booking.ECONFLICT, booking.CodePhotoLimit,
				"the booking already holds %d photos, the most it can hold; delete one to add another", booking.MaxPhotos)
		}
		if p.ID == "" {
			p.ID = booking.NewID(booking.PhotoIDPrefix)
		}
		p.Bytes, p.CreatedAt = len(data), tx.now
		_, err = tx.Exec(ctx, `INSERT INTO booking_photos (id, booking_id, content_type, width, height, data, thumb, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			p.ID, p.BookingID, p.ContentType, p.Width, p.Height, data, thumb, p.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert photo: %w", err)
		}
		return writeAudit(ctx, tx, actor, "booking.photo_added", p.BookingID, p.ID, nil,
			photoAudit{Photo: p.ID, ContentType: p.ContentType, Bytes: p.Bytes})
	})
	if err != nil {
		return booking.Photo{}, unavailable(fmt.Errorf("postgres: add photo: %w", err))
	}
	return p, nil
}

const photoColumns = `id, booking_id, content_type, length(data), width, height, created_at`

func scanPhoto(s scanner, extra ...any) (booking.Photo, error) {
	var p booking.Photo
	dest := append([]any{&p.ID, &p.BookingID, &p.ContentType, &p.Bytes, &p.Width, &p.Height, &p.CreatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return p, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// Photos lists the photos of the bookings, oldest first.
func (st *PhotoStore) Photos(ctx context.Context, bookingIDs ...string) (map[string][]booking.Photo, error) {
	out := map[string][]booking.Photo{}
	if len(bookingIDs) == 0 {
		return out, nil
	}
	rows, err := st.db.pool.Query(ctx, `SELECT `+photoColumns+` FROM booking_photos
		WHERE booking_id = ANY($1) ORDER BY created_at, id`, bookingIDs)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: photos: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, unavailable(fmt.Errorf("postgres: photos: %w", err))
		}
		out[p.BookingID] = append(out[p.BookingID], p)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: photos: %w", err))
	}
	return out, nil
}

// PhotoData returns a photo with its data or its thumbnail.
func (st *PhotoStore) PhotoData(ctx context.Context, bookingID, id string, thumb bool) (booking.Photo, []byte, error) {
	col := "data"
	if thumb {
		col = "thumb"
	}
	var data []byte
	p, err := scanPhoto(st.db.pool.QueryRow(ctx, `SELECT `+photoColumns+`, `+col+` FROM booking_photos
		WHERE booking_id = $1 AND id = $2`, bookingID, id), &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, nil, booking.ErrNotFound("photo")
	}
	if err != nil {
		return p, nil, unavailable(fmt.Errorf("postgres: photo: %w", err))
	}
	return p, data, nil
}

// DeletePhoto removes one photo of a booking.
func (st *PhotoStore) DeletePhoto(ctx context.Context, bookingID, id string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM booking_photos WHERE booking_id = $1 AND id = $2`, bookingID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return booking.ErrNotFound("photo")
		}
		return writeAudit(ctx, tx, actor, "booking.photo_deleted", bookingID, id, photoAudit{Photo: id}, nil)
	})
	if err != nil {
		return unavailable(fmt.Errorf("postgres: delete photo: %w", err))
	}
	return nil
}

// DeleteBookingPhotos removes every photo of a booking.
func (st *PhotoStore) DeleteBookingPhotos(ctx context.Context, bookingID string, actor booking.Actor) (int, error) {
	var n int64
	err := st.db.inTx(ctx, func(tx *Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM booking_photos WHERE booking_id = $1`, bookingID)
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		return writeAudit(ctx, tx, actor, "booking.photos_erased", bookingID, "", photoAudit{Count: int(n)}, nil)
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("postgres: delete photos: %w", err))
	}
	return int(n), nil
}
