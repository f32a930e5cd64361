package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/photo"
)

// The photos of a booking: added and deleted by its customer (manage
// token), seen by the customer and by staff (a session; an artisan only
// its own bookings').

func (s *Server) registerPhotoRoutes(r *mux.Router) {
	r.Handle(prefix+"/bookings/{id}/photos", s.handle(s.handleAddPhoto)).Methods(http.MethodPost)
	r.Handle(prefix+"/bookings/{id}/photos", s.handle(s.handleListPhotos)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/bookings/{id}/photos/{pid}", s.handle(s.handleGetPhoto)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/bookings/{id}/photos/{pid}", s.handle(s.handleDeletePhoto)).Methods(http.MethodDelete)
}

// photoView is a photo as the API shows it.
type photoView struct {
	ID          string `json:"id"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	CreatedAt   Time   `json:"created_at"`
}

// newPhotoView is p with its time in loc, the atelier's zone, as every
// other time of a booking.
func newPhotoView(p booking.Photo, loc *time.Location) photoView {
	return photoView{ID: p.ID, ContentType: p.ContentType, Bytes: p.Bytes, Width: p.Width, Height: p.Height,
		CreatedAt: At(p.CreatedAt.In(loc).Truncate(time.Second))}
}

// atelierZone is the atelier's time zone (UTC if the catalogue cannot be
// read: the answer is still right, only written with another offset).
func (s *Server) atelierZone(r *http.Request) *time.Location {
	if c, err := s.app.Catalog(r.Context()); err == nil {
		return c.Atelier.Zone()
	}
	return time.UTC
}

// photoBodyLimit bounds the whole multipart body: one photo and the
// multipart framing (the API's 64 KiB JSON limit does not apply here).
const photoBodyLimit = photo.MaxBytes + 64<<10

// handleAddPhoto serves POST /api/v1/bookings/{id}/photos: a
// multipart/form-data body whose field "photo" is the file.
func (s *Server) handleAddPhoto(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return booking.Errorf(booking.EUNSUPPORTED, app.CodeUnsupportedMedia,
			`send the photo as multipart/form-data, in the field "photo"`)
	}
	data, err := readPhotoPart(w, r)
	if err != nil {
		return err
	}
	p, err := s.app.AddPhoto(r.Context(), mux.Vars(r)["id"], manageToken(r), data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newPhotoView(*p, s.atelierZone(r)))
}

// readPhotoPart reads the field "photo" of a multipart body, whole, at
// most photo.MaxBytes.
func readPhotoPart(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, photoBodyLimit)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, malformedPhoto(err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, &booking.Error{Kind: booking.EINVALID, Code: booking.CodeInvalid, Message: "some fields are invalid",
				Fields: map[string]string{"photo": "is required: the file, in the multipart field \"photo\""}}
		}
		if err != nil {
			return nil, malformedPhoto(err)
		}
		if part.FormName() != "photo" {
			part.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, photo.MaxBytes+1))
		if err != nil {
			return nil, malformedPhoto(err)
		}
		if len(data) > photo.MaxBytes {
			return nil, app.ErrPhotoTooLarge
		}
		return data, nil
	}
}

// malformedPhoto is the error of a multipart body that cannot be read: too
// large (413) or not multipart (400).
func malformedPhoto(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return app.ErrPhotoTooLarge
	}
	return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: "the multipart body could not be read", Err: err}
}

// photoReader is who asks for a booking's photos: the holder of the manage
// token, else a staff session.
func (s *Server) photoReader(w http.ResponseWriter, r *http.Request) (token string, u *booking.User, err error) {
	if token = manageToken(r); token != "" {
		return token, nil, nil
	}
	if _, err := r.Cookie(httpx.SessionCookie); err != nil {
		return "", nil, booking.ErrNotFound("booking")
	}
	u, err = s.edge.Authenticate(w, r)
	return "", u, err
}

// handleListPhotos serves GET /api/v1/bookings/{id}/photos.
func (s *Server) handleListPhotos(w http.ResponseWriter, r *http.Request) error {
	token, u, err := s.photoReader(w, r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	var ps []booking.Photo
	if u != nil {
		ps, err = s.app.StaffPhotos(r.Context(), u, id)
	} else {
		ps, err = s.app.Photos(r.Context(), id, token)
	}
	if err != nil {
		return err
	}
	out := make([]photoView, len(ps))
	loc := s.atelierZone(r)
	for i, p := range ps {
		out[i] = newPhotoView(p, loc)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"photos": out})
}

// handleGetPhoto serves GET /api/v1/bookings/{id}/photos/{pid} (the copy
// kept) and ?size=thumb (its thumbnail, a JPEG).
func (s *Server) handleGetPhoto(w http.ResponseWriter, r *http.Request) error {
	token, u, err := s.photoReader(w, r)
	if err != nil {
		return err
	}
	vars := mux.Vars(r)
	thumb := false
	switch size := r.URL.Query().Get("size"); size {
	case "", "full":
	case "thumb":
		thumb = true
	default:
		return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: `size must be "thumb" or "full"`}
	}
	var p booking.Photo
	var data []byte
	if u != nil {
		p, data, err = s.app.StaffPhotoFile(r.Context(), u, vars["id"], vars["pid"], thumb)
	} else {
		p, data, err = s.app.PhotoFile(r.Context(), vars["id"], token, vars["pid"], thumb)
	}
	if err != nil {
		return err
	}
	ct := p.ContentType
	if thumb {
		ct = photo.JPEG
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	// Personal data: kept by no shared cache, and by the browser only
	// privately (a photo never changes: a new one has a new id).
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Disposition", "inline")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
	return nil
}

// handleDeletePhoto serves DELETE /api/v1/bookings/{id}/photos/{pid}.
func (s *Server) handleDeletePhoto(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	if err := s.app.DeletePhoto(r.Context(), vars["id"], manageToken(r), vars["pid"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
