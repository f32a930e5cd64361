package httpapi_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/photo/phototest"
)

// multipartPhoto is a multipart/form-data body with data in field.
func multipartPhoto(tb testing.TB, field, name string, data []byte) (string, []byte) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

type photoJSON struct {
	ID          string `json:"id"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	CreatedAt   string `json:"created_at"`
}

// upload posts data as the booking's photo with its manage token.
func upload(tb testing.TB, do func(method, path, ct string, body []byte, headers ...string) Response, b Booking, name string, data []byte) Response {
	tb.Helper()
	ct, body := multipartPhoto(tb, "photo", name, data)
	return do(http.MethodPost, "/api/v1/bookings/"+b.ID+"/photos", ct, body, "Authorization", "Bearer "+b.ManageToken)
}

func (e *StaffEnv) raw(tb testing.TB, cookie, method, path, ct string, body []byte, headers ...string) Response {
	tb.Helper()
	req, err := http.NewRequest(method, e.HTTP.URL+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: cookie})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.HTTP.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: out.Bytes()}
}

func TestPhotos(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	if _, err := e.DB.SyncCatalog(context.Background(), IntakeCatalog()); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, ct string, body []byte, headers ...string) Response {
		return e.raw(t, "", method, path, ct, body, headers...)
	}
	req := Request(tomorrow10)
	req["answers"] = map[string]any{"occasion": "Engagement"}
	b := e.MustStaffBook(t, e.MustLogin(t, e.Admin), req)
	if b.ManageToken == "" {
		t.Fatal("no manage token")
	}

	gps := phototest.GPSJPEG(t, 400, 300, 1)
	r := upload(t, do, b, "IMG_0001.JPG", gps)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var p photoJSON
	r.JSON(t, &p)
	if p.ContentType != "image/jpeg" || p.Width != 400 || p.Height != 300 || p.Bytes <= 0 || !strings.HasPrefix(p.ID, "ph_") {
		t.Errorf("photo %+v", p)
	}
	if !strings.HasSuffix(p.CreatedAt, "+08:00") {
		t.Errorf("the photo's created_at %q is not in the atelier's zone, as the booking's times are", p.CreatedAt)
	}
	token := "Bearer " + b.ManageToken
	got := do(http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID, "", nil, "Authorization", token)
	if got.Status != http.StatusOK || got.Header.Get("Content-Type") != "image/jpeg" || len(got.Body) != p.Bytes {
		t.Fatalf("get: %d %s, %d bytes (want %d)", got.Status, got.Header.Get("Content-Type"), len(got.Body), p.Bytes)
	}
	if bytes.Contains(got.Body, []byte(phototest.GPSMarker)) || bytes.Contains(got.Body, []byte("Exif")) {
		t.Error("the photo served still holds its EXIF block")
	}
	if _, err := jpeg.Decode(bytes.NewReader(got.Body)); err != nil {
		t.Errorf("served photo: %v", err)
	}
	if cc := got.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
		t.Errorf("Cache-Control %q", cc)
	}
	thumb := do(http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID+"?size=thumb", "", nil, "Authorization", token)
	if c, err := jpeg.DecodeConfig(bytes.NewReader(thumb.Body)); err != nil || c.Width != 320 {
		t.Errorf("thumbnail: %d, %+v %v", thumb.Status, c, err)
	}

	// Staff see it with a session; Arjun's account does not (Mei's booking).
	if r := e.raw(t, e.MustLogin(t, e.Mei), http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID, "", nil); r.Status != http.StatusOK {
		t.Errorf("Mei's account: %d", r.Status)
	}
	if r := e.raw(t, e.MustLogin(t, e.Arjun), http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("Arjun's account lists Mei's booking's photos: %d %s", r.Status, r.Body)
	}
	if r := do(http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID, "", nil); r.Status != http.StatusNotFound {
		t.Errorf("no token: %d", r.Status)
	}
	if r := do(http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID, "", nil, "Authorization", "Bearer wrong"); r.Status != http.StatusNotFound {
		t.Errorf("wrong token: %d", r.Status)
	}

	// Refusals: nothing is stored.
	tests := []struct {
		name   string
		data   []byte
		status int
		code   string
		detail string
	}{
		{"NotAPicture", []byte("%PDF-1.7 this is a PDF"), http.StatusUnsupportedMediaType, "unsupported_media_type", "JPEG, PNG or WebP"},
		{"HEIC", append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...), http.StatusUnsupportedMediaType, "unsupported_media_type", "HEIC"},
		{"TooLarge", append(bytes.Clone(gps), make([]byte, 10<<20)...), http.StatusRequestEntityTooLarge, "photo_too_large", "10 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upload(t, do, b, "x", tt.data)
			p := r.Problem(t)
			if r.Status != tt.status || p.Code != tt.code || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("%d %+v, want %d %s mentioning %q", r.Status, p, tt.status, tt.code, tt.detail)
			}
		})
	}
	if r := do(http.MethodPost, "/api/v1/bookings/"+b.ID+"/photos", "image/jpeg", gps, "Authorization", token); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("a bare JPEG body: %d, want 415", r.Status)
	}

	// Just under 10 MB is taken: the API's 64 KiB bound of JSON bodies is
	// not this route's.
	big := append(bytes.Clone(gps), make([]byte, 10<<20-len(gps)-1024)...)
	e.Clock.Advance(time.Second) // after the first photo: listed oldest first, not by id
	if r := upload(t, do, b, "big.jpg", big); r.Status != http.StatusCreated {
		t.Fatalf("a photo of %d bytes: %d %s", len(big), r.Status, r.Body)
	}
	e.Clock.Advance(time.Second)

	// Up to 8 (the first two above are kept): the ninth is 409.
	png := phototest.PNG(t, 64, 48)
	for i := 0; i < 6; i++ {
		e.Clock.Advance(time.Second) // listed oldest first
		if r := upload(t, do, b, "p.png", png); r.Status != http.StatusCreated {
			t.Fatalf("photo %d: %d %s", i+2, r.Status, r.Body)
		}
	}
	if r := upload(t, do, b, "p.png", png); r.Status != http.StatusConflict || r.Problem(t).Code != booking.CodePhotoLimit {
		t.Errorf("ninth: %d %s", r.Status, r.Body)
	}
	list := do(http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos", "", nil, "Authorization", token)
	var l struct{ Photos []photoJSON }
	list.JSON(t, &l)
	if len(l.Photos) != 8 || l.Photos[0].ID != p.ID {
		t.Errorf("list: %s", list.Body)
	}
	if r := do(http.MethodDelete, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID, "", nil, "Authorization", token); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.Status, r.Body)
	}
	if r := do(http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+p.ID, "", nil, "Authorization", token); r.Status != http.StatusNotFound {
		t.Errorf("deleted photo: %d", r.Status)
	}
	if r := upload(t, do, b, "p.png", png); r.Status != http.StatusCreated {
		t.Errorf("after a delete: %d %s", r.Status, r.Body)
	}
}

// A service that asks for no photos takes none.
func TestPhotosNotAsked(t *testing.T) {
	e := MustOpenIntakeEnv(t)
	req := Request(tomorrow10)
	req["service"] = "sizing"
	b := MustCreateBooking(t, e, req)
	ct, body := multipartPhoto(t, "photo", "a.png", phototest.PNG(t, 20, 20))
	r := e.Do(t, http.MethodPost, "/api/v1/bookings/"+b.ID+"/photos", body, "Content-Type", ct, "Authorization", "Bearer "+b.ManageToken)
	if r.Status != http.StatusConflict || r.Problem(t).Code != "photos_not_asked" {
		t.Errorf("%d %s", r.Status, r.Body)
	}
}
