package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/photo"
)

// The intake form on the details page: the service's questions, each with
// its label, help and inline error, and its photos in the same form
// (multipart/form-data, no script needed); photos added later from the
// manage page; the answers and photos on the staff booking page.

// answerField is the form name of question id's answer ("-unit" is added
// for a number's unit).
func answerField(id string) string { return "answer-" + id }

// photosField is the form name of the photos of the details form and of
// the manage page.
const photosField = "photos"

// questionField is one question as the details form shows it.
type questionField struct {
	ID, Name, Label, Help, Type string
	Required                    bool
	Value                       string   // as typed (text, number, date) or chosen (choice, yes_no)
	Values                      []string // multi_choice ticked
	Options                     []choiceOption
	Unit                        string // shown after a number
	Units                       []choiceOption
	Error                       string
}

// choiceOption is an option of a choice, multi_choice or yes_no question,
// or a unit.
type choiceOption struct {
	ID, Value, Label string
	Checked          bool
}

// questionFields are svc's questions filled with the posted values v (nil
// for none) and the errors (by form field).
func questionFields(l *i18n.Lang, svc *booking.Service, v url.Values, errs map[string]string) []questionField {
	if svc == nil {
		return nil
	}
	var out []questionField
	for _, q := range svc.Questions {
		name := answerField(q.ID)
		f := questionField{ID: q.ID, Name: name, Label: q.Label, Help: q.Help, Type: string(q.Type), Required: q.Required,
			Value: v.Get(name), Values: v[name], Unit: q.Unit, Error: errs[name]}
		if q.Type == booking.QPhotos {
			f.Name, f.Error = photosField, errs[photosField]
		}
		for i, o := range q.Options {
			f.Options = append(f.Options, choiceOption{ID: name + "-" + strconv.Itoa(i+1), Value: o, Label: o,
				Checked: o == f.Value || slices.Contains(f.Values, o)})
		}
		if q.Type == booking.QYesNo {
			for _, o := range []struct{ v, label string }{{"yes", l.T("intake.yes")}, {"no", l.T("intake.no")}} {
				f.Options = append(f.Options, choiceOption{ID: name + "-" + o.v, Value: o.v, Label: o.label, Checked: f.Value == o.v})
			}
		}
		unit := v.Get(name + "-unit")
		for i, u := range q.Units {
			f.Units = append(f.Units, choiceOption{ID: name + "-unit-" + strconv.Itoa(i+1), Value: u, Label: u, Checked: u == unit})
		}
		out = append(out, f)
	}
	return out
}

// formAnswers reads svc's answers from the posted form as the API's JSON
// values: the use case checks them (booking.Service.CheckAnswers).
func formAnswers(svc *booking.Service, v url.Values) map[string]json.RawMessage {
	if svc == nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	set := func(id string, x any) {
		if b, err := json.Marshal(x); err == nil {
			out[id] = b
		}
	}
	for _, q := range svc.Questions {
		name := answerField(q.ID)
		val := strings.TrimSpace(v.Get(name))
		switch q.Type {
		case booking.QPhotos:
		case booking.QMultiChoice:
			if len(v[name]) > 0 {
				set(q.ID, v[name])
			}
		case booking.QYesNo:
			switch val {
			case "yes":
				set(q.ID, true)
			case "no":
				set(q.ID, false)
			case "":
			default:
				set(q.ID, val) // refused by the check
			}
		case booking.QNumber:
			if val == "" {
				continue
			}
			if len(q.Units) > 0 {
				set(q.ID, map[string]any{"value": val, "unit": v.Get(name + "-unit")})
			} else {
				set(q.ID, val)
			}
		default:
			if val != "" {
				set(q.ID, val)
			}
		}
	}
	return out
}

// answerFormField is the form field of an API field path ("answers.ID"),
// or "" when it is none of the answers.
func answerFormField(path string) string {
	if id, ok := strings.CutPrefix(path, "answers."); ok {
		return answerField(id)
	}
	return ""
}

// answerSentence is the message of a refused answer, for the page.
func answerSentence(l *i18n.Lang, msg string) string {
	if msg == "is required" {
		return l.T("intake.err_required")
	}
	if l.Name() != i18n.Default {
		return l.T("intake.err_answer")
	}
	return l.T("intake.err_answer_en", "Msg", msg)
}

// maxFormText bounds the text fields of a multipart details form together,
// as the urlencoded form is bounded by httpx.MaxBodyBytes.
const maxFormText = httpx.MaxBodyBytes

// postedForm is a details or photos form as read: its fields and the
// photo files sent (empty file inputs left out).
type postedForm struct {
	Values url.Values
	Files  [][]byte
	// FileError is why files were refused while reading (too many, too
	// large); the fields are read all the same.
	FileError error
}

// readPostedForm reads a posted form: urlencoded (httpx.ParseForm), or
// multipart/form-data with photos in the field "photos", at most
// booking.MaxPhotos files of photo.MaxBytes (the API's 64 KiB limit holds
// for the text fields together, not for the files).
func readPostedForm(w http.ResponseWriter, r *http.Request) (*postedForm, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if err := parseForm(w, r); err != nil {
			return nil, err
		}
		return &postedForm{Values: r.PostForm}, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(booking.MaxPhotos)*photo.MaxBytes+2*maxFormText)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errUnreadForm(err)
	}
	pf := &postedForm{Values: url.Values{}}
	text := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errUnreadForm(err)
		}
		if err := pf.readPart(part, &text); err != nil {
			return nil, err
		}
	}
	r.PostForm = pf.Values
	return pf, nil
}

type formPart interface {
	io.Reader
	FormName() string
	FileName() string
}

func (pf *postedForm) readPart(part formPart, text *int) error {
	if part.FileName() != "" || part.FormName() == photosField {
		data, err := io.ReadAll(io.LimitReader(part, photo.MaxBytes+1))
		if err != nil {
			return errUnreadForm(err)
		}
		switch {
		case part.FormName() != photosField || len(data) == 0:
		case len(data) > photo.MaxBytes:
			io.Copy(io.Discard, part)
			pf.FileError = app.ErrPhotoTooLarge
		case len(pf.Files) == booking.MaxPhotos:
			pf.FileError = booking.Errorf(booking.ECONFLICT, booking.CodePhotoLimit, "at most %d photos", booking.MaxPhotos)
		default:
			pf.Files = append(pf.Files, data)
		}
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(part, int64(maxFormText-*text+1)))
	if err != nil {
		return errUnreadForm(err)
	}
	*text += len(data) + len(part.FormName())
	if *text > maxFormText {
		return errUnreadForm(httpx.TooLarge("the form's text", maxFormText))
	}
	if !utf8.Valid(data) || !utf8.ValidString(part.FormName()) {
		return errUnreadForm(errors.New("the form is not valid UTF-8"))
	}
	pf.Values.Add(part.FormName(), string(data))
	return nil
}

// photoMessage is the customer's words for a photo refused.
func photoMessage(l *i18n.Lang, err error) string {
	var e *booking.Error
	if !errors.As(err, &e) {
		return l.T("intake.photo_unreadable")
	}
	switch {
	case e.Code == booking.CodePhotoLimit:
		return l.T("intake.photo_limit", "Count", booking.MaxPhotos)
	case e.Kind == booking.ETOOLARGE:
		return l.T("intake.photo_too_large")
	case e.Kind == booking.EUNSUPPORTED && strings.Contains(e.Message, "HEIC"):
		return l.T("intake.photo_heic")
	case e.Kind == booking.EUNSUPPORTED:
		return l.T("intake.photo_not_image")
	case e.Code == app.CodePhotosNotAsked:
		return l.T("intake.photos_not_asked")
	}
	return l.T("intake.photo_unreadable")
}

// preparePhotos reads the files of the details form; the first refusal is
// returned as the photos field's message.
func (s *Server) preparePhotos(ctx context.Context, l *i18n.Lang, pf *postedForm) ([]*app.PreparedPhoto, string) {
	if pf.FileError != nil {
		return nil, photoMessage(l, pf.FileError)
	}
	var out []*app.PreparedPhoto
	for _, data := range pf.Files {
		p, err := s.app.PreparePhoto(ctx, data)
		if err != nil {
			return nil, photoMessage(l, err)
		}
		out = append(out, p)
	}
	return out, ""
}

// addPhotos adds the photos prepared before the booking was made to it.
// The booking stands if one fails (the manage page can add it again).
func (s *Server) addPhotos(ctx context.Context, id, token string, photos []*app.PreparedPhoto) {
	for _, p := range photos {
		if _, err := s.app.AddPreparedPhoto(ctx, id, token, p); err != nil {
			s.logger.Warn("a photo of the details form was not added", "booking", id, "err", err)
			return
		}
	}
}

// photoThumb is a photo as a page shows it.
type photoThumb struct {
	ID, Thumb, Full, DeleteURL string
	Width, Height              int
}

// answerRow is an answer as the staff page lists it.
type answerRow struct{ Label, Value string }

// answerRows are v's answers in the order of svc's questions (those of a
// question no longer asked last, by id).
func answerRows(svc *booking.Service, a booking.Answers) []answerRow {
	var rows []answerRow
	seen := map[string]bool{}
	if svc != nil {
		for i := range svc.Questions {
			q := &svc.Questions[i]
			if raw, ok := a[q.ID]; ok {
				rows = append(rows, answerRow{Label: q.Label, Value: q.AnswerText(raw)})
				seen[q.ID] = true
			}
		}
	}
	var rest []string
	for id := range a {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	for _, id := range rest {
		q := booking.Question{ID: id, Type: booking.QText}
		rows = append(rows, answerRow{Label: id, Value: q.AnswerText(a[id])})
	}
	return rows
}

// managePhotos is the photos section of the manage page.
type managePhotos struct {
	Photos    []photoThumb
	AddURL    string // the form that adds photos (multipart)
	Notice    string
	Error     string
	CanAdd    bool // fewer than booking.MaxPhotos
	Heading   string
	HelpHint  string
	Available bool // the service asks for photos
}

func photoURL(id, pid, token string, thumb bool) string {
	v := url.Values{"token": {token}}
	if thumb {
		v.Set("size", "thumb")
	}
	return "/api/v1/bookings/" + url.PathEscape(id) + "/photos/" + url.PathEscape(pid) + "?" + v.Encode()
}

// managePhotosOf is the photos section of booking v's manage page.
func (s *Server) managePhotosOf(ctx context.Context, v *app.Booking, c *catalogue, token string, q url.Values, l *i18n.Lang) *managePhotos {
	svc := c.service(v.ServiceID)
	if svc == nil || svc.PhotoQuestion() == nil || v.Status == booking.Cancelled {
		return nil
	}
	mp := &managePhotos{Available: true, Heading: svc.PhotoQuestion().Label, HelpHint: svc.PhotoQuestion().Help,
		AddURL: "/bookings/" + url.PathEscape(v.ID) + "/photos?" + url.Values{"token": {token}}.Encode()}
	ps, err := s.app.Photos(ctx, v.ID, token)
	if err != nil {
		s.logger.Warn("the photos of a booking could not be listed", "booking", v.ID, "err", err)
	}
	for _, p := range ps {
		mp.Photos = append(mp.Photos, photoThumb{ID: p.ID, Thumb: photoURL(v.ID, p.ID, token, true), Full: photoURL(v.ID, p.ID, token, false),
			DeleteURL: "/bookings/" + url.PathEscape(v.ID) + "/photos/" + url.PathEscape(p.ID) + "/delete?" + url.Values{"token": {token}}.Encode(),
			Width:     p.Width, Height: p.Height})
	}
	mp.CanAdd = len(ps) < booking.MaxPhotos
	if n := q.Get("photos_added"); n != "" {
		if count, err := strconv.Atoi(n); err == nil && count > 0 && count <= booking.MaxPhotos {
			mp.Notice = l.N("intake.photos_added", count)
		}
	}
	if q.Get("photo_removed") != "" {
		mp.Notice = l.T("intake.photo_removed")
	}
	if e := q.Get("photo_error"); e != "" {
		mp.Error = photoErrorWords(l, e)
	}
	return mp
}

// photoErrorCode is the short code a refused upload is redirected with.
func photoErrorCode(err error) string {
	var e *booking.Error
	switch {
	case !errors.As(err, &e):
		return "unreadable"
	case e.Code == booking.CodePhotoLimit:
		return "limit"
	case e.Kind == booking.ETOOLARGE:
		return "large"
	case e.Kind == booking.EUNSUPPORTED && strings.Contains(e.Message, "HEIC"):
		return "heic"
	case e.Kind == booking.EUNSUPPORTED:
		return "format"
	}
	return "unreadable"
}

func photoErrorWords(l *i18n.Lang, code string) string {
	switch code {
	case "limit":
		return l.T("intake.photo_limit", "Count", booking.MaxPhotos)
	case "large":
		return l.T("intake.photo_too_large")
	case "heic":
		return l.T("intake.photo_heic")
	case "format":
		return l.T("intake.photo_not_image")
	}
	return l.T("intake.photo_unreadable")
}

// handleAddPhotos serves POST /bookings/{id}/photos: the manage page's
// photos, then back to it with what happened (POST/redirect/GET).
func (s *Server) handleAddPhotos(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	id := mux.Vars(r)["id"]
	if _, err := s.app.GetBooking(r.Context(), id, token); err != nil {
		return err
	}
	form, err := readPostedForm(w, r)
	if err != nil {
		return err
	}
	extra := url.Values{}
	added := 0
	if form.FileError != nil {
		extra.Set("photo_error", photoErrorCode(form.FileError))
	}
	for _, data := range form.Files {
		if _, err := s.app.AddPhoto(r.Context(), id, token, data); err != nil {
			if k := booking.ErrorKind(err); k == booking.EINTERNAL || k == booking.EUNAVAILABLE || k == booking.ENOTFOUND {
				return err
			}
			extra.Set("photo_error", photoErrorCode(err))
			break
		}
		added++
	}
	if added > 0 {
		extra.Set("photos_added", strconv.Itoa(added))
	}
	http.Redirect(w, r, manageLink(id, token, extra)+"#photos-title", http.StatusSeeOther)
	return nil
}

// handleDeletePhoto serves POST /bookings/{id}/photos/{pid}/delete.
func (s *Server) handleDeletePhoto(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	id := mux.Vars(r)["id"]
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.app.DeletePhoto(r.Context(), id, token, mux.Vars(r)["pid"]); err != nil {
		return err
	}
	http.Redirect(w, r, manageLink(id, token, url.Values{"photo_removed": {"1"}})+"#photos-title", http.StatusSeeOther)
	return nil
}

// staffIntake fills the answers and photos of booking v's staff page.
func (s *Server) staffIntake(r *http.Request, c *catalogue, v *app.StaffBooking, d *staffBookingData) {
	svc := c.service(v.ServiceID)
	d.Answers = answerRows(svc, v.Answers)
	d.AsksPhotos = svc != nil && svc.PhotoQuestion() != nil
	ps, err := s.app.StaffPhotos(r.Context(), staffUser(r), v.ID)
	if err != nil {
		s.logger.Warn("the photos of a booking could not be listed", "booking", v.ID, "err", err)
		d.PhotosError = "The photos could not be listed just now."
		return
	}
	for _, p := range ps {
		base := "/api/v1/bookings/" + url.PathEscape(v.ID) + "/photos/" + url.PathEscape(p.ID)
		d.Photos = append(d.Photos, photoThumb{ID: p.ID, Thumb: base + "?size=thumb", Full: base, Width: p.Width, Height: p.Height})
	}
}
