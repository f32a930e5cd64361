package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/photo"
)

// The photos customers add to a booking for its service's photos
// question: JPEG, PNG or WebP, at most photo.MaxBytes each and
// booking.MaxPhotos a booking, each decoded and encoded again (no EXIF or
// other metadata is kept) with a thumbnail for staff.

// Problem codes of photos.
const (
	CodeUnsupportedMedia = "unsupported_media_type"
	CodePhotoTooLarge    = "photo_too_large"
	CodePhotosNotAsked   = "photos_not_asked"
)

// ErrPhotoTooLarge is a file over photo.MaxBytes, for the adapters that
// read it.
var ErrPhotoTooLarge = booking.Errorf(booking.ETOOLARGE, CodePhotoTooLarge,
	"a photo may be at most %d MB", photo.MaxBytes>>20)

// PreparedPhoto is a photo read and encoded again, ready to be added to a
// booking (PreparePhoto).
type PreparedPhoto struct{ p *photo.Photo }

// PreparePhoto reads a photo a customer sent (data is the whole file):
// EUNSUPPORTED when it is not a JPEG, PNG or WebP picture (HEIC named as
// such), ETOOLARGE when it is over photo.MaxBytes or photo.MaxPixels. The
// pages prepare the photos of the details form before they book.
func (a *App) PreparePhoto(ctx context.Context, data []byte) (*PreparedPhoto, error) {
	if len(data) > photo.MaxBytes {
		return nil, ErrPhotoTooLarge
	}
	p, err := photo.Process(ctx, data)
	switch {
	case errors.Is(err, photo.ErrHEIC):
		return nil, booking.Errorf(booking.EUNSUPPORTED, CodeUnsupportedMedia, "%s", photo.ErrHEIC.Error())
	case errors.Is(err, photo.ErrNotImage):
		return nil, booking.Errorf(booking.EUNSUPPORTED, CodeUnsupportedMedia,
			"the file is not a picture we can read: send a JPEG, PNG or WebP photo")
	case errors.Is(err, photo.ErrTooManyPixels):
		return nil, booking.Errorf(booking.ETOOLARGE, CodePhotoTooLarge,
			"the picture is larger than %d megapixels; send a smaller copy", photo.MaxPixels/1_000_000)
	case err != nil && ctx.Err() != nil:
		return nil, booking.Errorf(booking.EUNAVAILABLE, booking.CodeUnavailable, "the photo could not be read in time; please try again")
	case err != nil:
		return nil, internal("read photo", err)
	}
	return &PreparedPhoto{p: p}, nil
}

// AddPhoto adds a photo to booking id for the holder of its manage token:
// data is the file sent. A cancelled booking is ECONFLICT
// booking_cancelled, a service that asks for no photos ECONFLICT
// photos_not_asked, a booking that holds booking.MaxPhotos ECONFLICT
// photo_limit (checked before the file is decoded, and again atomically
// by the store).
func (a *App) AddPhoto(ctx context.Context, id, token string, data []byte) (*booking.Photo, error) {
	b, err := a.photoTarget(ctx, id, token)
	if err != nil {
		return nil, err
	}
	p, err := a.PreparePhoto(ctx, data)
	if err != nil {
		return nil, err
	}
	return a.storePhoto(ctx, b, p)
}

// AddPreparedPhoto adds a photo prepared before (PreparePhoto) to booking
// id for the holder of its manage token, as AddPhoto.
func (a *App) AddPreparedPhoto(ctx context.Context, id, token string, p *PreparedPhoto) (*booking.Photo, error) {
	b, err := a.photoTarget(ctx, id, token)
	if err != nil {
		return nil, err
	}
	return a.storePhoto(ctx, b, p)
}

// photoTarget is booking id if its customer may add a photo to it now.
func (a *App) photoTarget(ctx context.Context, id, token string) (*booking.Booking, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, err
	}
	if b.Status == booking.Cancelled {
		return nil, booking.Errorf(booking.ECONFLICT, booking.CodeBookingCancelled, "the booking is cancelled")
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	if s := c.Service(b.ServiceID); s == nil || s.PhotoQuestion() == nil {
		return nil, booking.Errorf(booking.ECONFLICT, CodePhotosNotAsked, "this appointment asks for no photos")
	}
	have, err := a.store.Photos(ctx, b.ID)
	if err != nil {
		return nil, wrapStore("list photos", err)
	}
	if len(have[b.ID]) >= booking.MaxPhotos {
		return nil, booking.Errorf(booking.ECONFLICT, booking.CodePhotoLimit,
			"the booking already holds %d photos, the most it can hold; delete one to add another", booking.MaxPhotos)
	}
	return b, nil
}

func (a *App) storePhoto(ctx context.Context, b *booking.Booking, p *PreparedPhoto) (*booking.Photo, error) {
	if p == nil || p.p == nil {
		return nil, internal("add photo", fmt.Errorf("no prepared photo"))
	}
	ph := booking.Photo{BookingID: b.ID, ContentType: p.p.ContentType, Width: p.p.Width, Height: p.p.Height}
	ph, err := a.store.AddPhoto(ctx, ph, p.p.Data, p.p.Thumb, customerActor)
	if err != nil {
		return nil, wrapStore("add photo", err)
	}
	return &ph, nil
}

// Photos lists the photos of booking id for the holder of its manage
// token, oldest first.
func (a *App) Photos(ctx context.Context, id, token string) ([]booking.Photo, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return nil, err
	}
	return a.photosOf(ctx, b)
}

// PhotoFile returns photo pid of booking id, or its thumbnail, to the
// holder of the booking's manage token.
func (a *App) PhotoFile(ctx context.Context, id, token, pid string, thumb bool) (booking.Photo, []byte, error) {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return booking.Photo{}, nil, err
	}
	return a.photoFile(ctx, b, pid, thumb)
}

// DeletePhoto removes photo pid of booking id for the holder of its
// manage token.
func (a *App) DeletePhoto(ctx context.Context, id, token, pid string) error {
	b, err := a.authorize(ctx, id, token)
	if err != nil {
		return err
	}
	if err := a.store.DeletePhoto(ctx, b.ID, pid, customerActor); err != nil {
		return wrapStore("delete photo", err)
	}
	return nil
}

// StaffPhotos lists the photos of booking id to u (an artisan: only its
// own bookings').
func (a *App) StaffPhotos(ctx context.Context, u *booking.User, id string) ([]booking.Photo, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return a.photosOf(ctx, b)
}

// StaffPhotoFile returns photo pid of booking id, or its thumbnail, to u.
func (a *App) StaffPhotoFile(ctx context.Context, u *booking.User, id, pid string, thumb bool) (booking.Photo, []byte, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return booking.Photo{}, nil, err
	}
	return a.photoFile(ctx, b, pid, thumb)
}

func (a *App) photosOf(ctx context.Context, b *booking.Booking) ([]booking.Photo, error) {
	ps, err := a.store.Photos(ctx, b.ID)
	if err != nil {
		return nil, wrapStore("list photos", err)
	}
	return ps[b.ID], nil
}

func (a *App) photoFile(ctx context.Context, b *booking.Booking, pid string, thumb bool) (booking.Photo, []byte, error) {
	p, data, err := a.store.PhotoData(ctx, b.ID, pid, thumb)
	if err != nil {
		return p, nil, wrapStore("read photo", err)
	}
	return p, data, nil
}
