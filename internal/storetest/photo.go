package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// A booking's photos: kept with their data and thumbnail, listed oldest
// first without data, at most booking.MaxPhotos even when sent at once,
// deleted one by one or all together (with the booking's personal data).
func testPhotos(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	nb := newBooking(req{ID: "bk_photos", Artisan: "ana", Start: at(10, 0)})
	b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	other := newBooking(req{ID: "bk_other", Artisan: "ben", Start: at(10, 0)})
	if _, _, err := e.st.CreateBooking(ctx, other, place(other, "")); err != nil {
		t.Fatal(err)
	}
	customer := booking.Actor{Kind: "customer"}
	data, thumb := bytes.Repeat([]byte{0xFF, 0xD8, 1}, 1000), []byte{0xFF, 0xD8, 2}
	first, err := e.st.AddPhoto(ctx, booking.Photo{BookingID: b.ID, ContentType: "image/jpeg", Width: 640, Height: 480}, data, thumb, customer)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || first.Bytes != len(data) || !first.CreatedAt.Equal(testNow) {
		t.Errorf("added %+v", first)
	}
	got, raw, err := e.st.PhotoData(ctx, b.ID, first.ID, false)
	if err != nil || !bytes.Equal(raw, data) || got != first {
		t.Errorf("data: %+v, %d bytes, %v; want %+v", got, len(raw), err, first)
	}
	if _, raw, err := e.st.PhotoData(ctx, b.ID, first.ID, true); err != nil || !bytes.Equal(raw, thumb) {
		t.Errorf("thumbnail: %d bytes, %v", len(raw), err)
	}
	_, _, err = e.st.PhotoData(ctx, "bk_other", first.ID, false)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	_, err = e.st.AddPhoto(ctx, booking.Photo{BookingID: "bk_unknown", ContentType: "image/png", Width: 1, Height: 1}, data, thumb, customer)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	photosLimit(t, e, b.ID, first.ID)
}

// photosLimit sends eleven photos at once to booking id, which holds one
// (first): seven fit, four are refused; then deletes them.
func photosLimit(t *testing.T, e *env, id, first string) {
	ctx := context.Background()
	customer := booking.Actor{Kind: "customer"}
	data, thumb := []byte{0xFF, 0xD8, 3}, []byte{0xFF, 0xD8, 4}
	b := &booking.Booking{ID: id}
	e.setClock(testNow.Add(time.Minute))
	var wg sync.WaitGroup
	errs := make([]error, 11)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.st.AddPhoto(ctx, booking.Photo{BookingID: b.ID, ContentType: "image/png", Width: 10 + i, Height: 10}, data, thumb, customer)
		}()
	}
	wg.Wait()
	refused := 0
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, booking.ECONFLICT, booking.CodePhotoLimit)
			refused++
		}
	}
	list, err := e.st.Photos(ctx, b.ID, "bk_other")
	if err != nil {
		t.Fatal(err)
	}
	if refused != 4 || len(list[b.ID]) != booking.MaxPhotos || len(list["bk_other"]) != 0 {
		t.Errorf("%d refused, %d kept, want 4 and %d", refused, len(list[b.ID]), booking.MaxPhotos)
	}
	if list[b.ID][0].ID != first {
		t.Errorf("first listed %s, want the oldest %s", list[b.ID][0].ID, first)
	}
	photosDelete(t, e, id, first)
}

// photosDelete deletes photo first of booking id, then all of them.
func photosDelete(t *testing.T, e *env, id, first string) {
	ctx := context.Background()
	customer := booking.Actor{Kind: "customer"}
	b := &booking.Booking{ID: id}
	if err := e.st.DeletePhoto(ctx, b.ID, first, customer); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.st.DeletePhoto(ctx, b.ID, first, customer), booking.ENOTFOUND, booking.CodeNotFound)
	n, err := e.st.DeleteBookingPhotos(ctx, b.ID, booking.Actor{Kind: "system"})
	if err != nil || n != booking.MaxPhotos-1 {
		t.Errorf("erased %d photos (%v), want %d", n, err, booking.MaxPhotos-1)
	}
	if list, _ := e.st.Photos(ctx, b.ID); len(list[b.ID]) != 0 {
		t.Errorf("photos left after erasure: %v", list)
	}
	if n, err := e.st.DeleteBookingPhotos(ctx, b.ID, booking.Actor{Kind: "system"}); n != 0 || err != nil {
		t.Errorf("erasing again: %d, %v", n, fmt.Sprint(err))
	}
}
