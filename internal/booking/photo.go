package booking

import (
	"context"
	"time"
)

// PhotoIDPrefix starts the id of a booking's photo.
const PhotoIDPrefix = "ph_"

// MaxPhotos is the most photos one booking holds.
const MaxPhotos = 8

// CodePhotoLimit is the problem code of a photo past MaxPhotos.
const CodePhotoLimit = "photo_limit"

// Photo is a picture a customer added to a booking (for its service's
// photos question), as kept: decoded and encoded again, so it holds no
// metadata of the file sent. Bytes is the size of the copy kept.
type Photo struct {
	ID          string
	BookingID   string
	ContentType string // image/jpeg or image/png
	Bytes       int
	Width       int
	Height      int
	CreatedAt   time.Time
}

// PhotoStore keeps the photos of bookings, inside the database (so that
// its backups hold them).
type PhotoStore interface {
	// AddPhoto stores p with its data and thumbnail, unless the booking
	// already holds MaxPhotos (ECONFLICT photo_limit) or is unknown
	// (ENOTFOUND); the count and the insert are one transaction. The
	// store fills in ID (when empty), Bytes and CreatedAt.
	AddPhoto(ctx context.Context, p Photo, data, thumb []byte, actor Actor) (Photo, error)
	// Photos lists the photos of the bookings, oldest first, by booking
	// id, without their data.
	Photos(ctx context.Context, bookingIDs ...string) (map[string][]Photo, error)
	// PhotoData returns photo id of bookingID with its data, or its
	// thumbnail (ENOTFOUND when the booking has no such photo).
	PhotoData(ctx context.Context, bookingID, id string, thumb bool) (Photo, []byte, error)
	// DeletePhoto removes photo id of bookingID (ENOTFOUND when none).
	DeletePhoto(ctx context.Context, bookingID, id string, actor Actor) error
	// DeleteBookingPhotos removes every photo of a booking, as its
	// personal data is erased, and reports how many there were.
	DeleteBookingPhotos(ctx context.Context, bookingID string, actor Actor) (int, error)
}
