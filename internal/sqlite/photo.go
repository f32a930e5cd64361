package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/atelier-app/atelier/internal/booking"
)

// PhotoStore keeps the photos customers add to bookings, in the database
// (booking_photos), so that a backup holds them.
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

// AddPhoto stores p unless its booking already holds booking.MaxPhotos;
// the count and the insert are one write transaction (BEGIN IMMEDIATE),
// so photos sent at once cannot pass the limit together.
func (st *PhotoStore) AddPhoto(ctx context.Context, p booking.Photo, data, thumb []byte, actor booking.Actor) (booking.Photo, error) {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM booking_photos WHERE booking_id = b.id)
			FROM bookings AS b WHERE b.id = ?`, p.BookingID).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return booking.ErrNotFound("booking")
		}
		if err != nil {
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
		_, err = tx.ExecContext(ctx, `INSERT INTO booking_photos (id, booking_id, content_type, width, height, data, thumb, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.BookingID, p.ContentType, p.Width, p.Height, data, thumb, fmtTime(p.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert photo: %w", err)
		}
		return writeAudit(ctx, tx, actor, "booking.photo_added", p.BookingID, p.ID, nil,
			photoAudit{Photo: p.ID, ContentType: p.ContentType, Bytes: p.Bytes})
	})
	if err != nil {
		return booking.Photo{}, unavailable(fmt.Errorf("sqlite: add photo: %w", err))
	}
	return p, nil
}

const photoColumns = `id, booking_id, content_type, length(data), width, height, created_at`

func scanPhoto(s scanner) (booking.Photo, error) {
	var p booking.Photo
	var created string
	if err := s.Scan(&p.ID, &p.BookingID, &p.ContentType, &p.Bytes, &p.Width, &p.Height, &created); err != nil {
		return p, fmt.Errorf("photo: %w", err)
	}
	var err error
	p.CreatedAt, err = parseTime(created)
	return p, err
}

// Photos lists the photos of the bookings, oldest first.
func (st *PhotoStore) Photos(ctx context.Context, bookingIDs ...string) (map[string][]booking.Photo, error) {
	out := map[string][]booking.Photo{}
	if len(bookingIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(bookingIDs))
	for i, id := range bookingIDs {
		args[i] = id
	}
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+photoColumns+` FROM booking_photos
		WHERE booking_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: photos: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: photos: %w", err)
		}
		out[p.BookingID] = append(out[p.BookingID], p)
	}
	if err := closeRows(rows); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: photos: %w", err))
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
	row := st.db.read.QueryRowContext(ctx, `SELECT `+photoColumns+`, `+col+` FROM booking_photos
		WHERE booking_id = ? AND id = ?`, bookingID, id)
	var p booking.Photo
	var created string
	err := row.Scan(&p.ID, &p.BookingID, &p.ContentType, &p.Bytes, &p.Width, &p.Height, &created, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil, booking.ErrNotFound("photo")
	}
	if err != nil {
		return p, nil, unavailable(fmt.Errorf("sqlite: photo: %w", err))
	}
	if p.CreatedAt, err = parseTime(created); err != nil {
		return p, nil, fmt.Errorf("sqlite: photo: %w", err)
	}
	return p, data, nil
}

// DeletePhoto removes one photo of a booking.
func (st *PhotoStore) DeletePhoto(ctx context.Context, bookingID, id string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM booking_photos WHERE booking_id = ? AND id = ?`, bookingID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return booking.ErrNotFound("photo")
		}
		return writeAudit(ctx, tx, actor, "booking.photo_deleted", bookingID, id, photoAudit{Photo: id}, nil)
	})
	if err != nil {
		return unavailable(fmt.Errorf("sqlite: delete photo: %w", err))
	}
	return nil
}

// DeleteBookingPhotos removes every photo of a booking.
func (st *PhotoStore) DeleteBookingPhotos(ctx context.Context, bookingID string, actor booking.Actor) (int, error) {
	var n int64
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM booking_photos WHERE booking_id = ?`, bookingID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return writeAudit(ctx, tx, actor, "booking.photos_erased", bookingID, "", photoAudit{Count: int(n)}, nil)
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("sqlite: delete photos: %w", err))
	}
	return int(n), nil
}
