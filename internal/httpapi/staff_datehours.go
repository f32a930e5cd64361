package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// registerDateHoursRoutes adds the hours for one date (issue 12).
func (sa *staffAPI) registerDateHoursRoutes(r *mux.Router) {
	r.Handle("/date-hours", sa.staffOnly(sa.handleDateHours)).Methods(http.MethodGet)
	r.Handle("/date-hours", sa.staffOnly(sa.handleSetDateHours)).Methods(http.MethodPost)
	r.Handle("/date-hours/{did}", sa.staffOnly(sa.handleDeleteDateHours)).Methods(http.MethodDelete)
}

// dateHoursRequest is the body of POST /api/v1/staff/date-hours. The
// spans stay raw, so that one that is not a pair of times is a field
// error ("hours[1]") and the others are still checked.
type dateHoursRequest struct {
	Date    string            `json:"date"`
	Artisan string            `json:"artisan,omitempty"`
	Hours   []json.RawMessage `json:"hours"`
}

func (b dateHoursRequest) request() app.DateHoursRequest {
	req := app.DateHoursRequest{Artisan: b.Artisan, HoursGiven: b.Hours != nil, At: []int{}}
	req.Date = dateField(&req.Unread, "date", b.Date)
	for i, raw := range b.Hours {
		var s booking.Span
		if err := json.Unmarshal(raw, &s); err != nil {
			addUnread(&req.Unread, fmt.Sprintf("hours[%d]", i), err.Error())
			continue
		}
		req.Hours = append(req.Hours, s)
		req.At = append(req.At, i)
	}
	return req
}

// dateHoursView is the hours of one date as the API shows them.
type dateHoursView struct {
	ID      string         `json:"id"`
	Date    booking.Date   `json:"date"`
	Artisan string         `json:"artisan,omitempty"`
	Hours   []booking.Span `json:"hours"`
	Source  string         `json:"source"`
}

func newDateHoursView(d booking.DateHours) dateHoursView {
	v := dateHoursView{ID: d.ID, Date: d.Date, Artisan: d.ArtisanID, Hours: d.Hours, Source: d.Source}
	if v.Hours == nil {
		v.Hours = []booking.Span{}
	}
	return v
}

// dateHoursSetView is the answer to setting or removing a date's hours.
type dateHoursSetView struct {
	dateHoursView
	Removed   bool           `json:"removed,omitempty"`
	Conflicts []conflictView `json:"conflicts"`
}

func (sa *staffAPI) handleDateHours(w http.ResponseWriter, r *http.Request) error {
	dr, err := dateRange(r)
	if err != nil {
		return err
	}
	list, err := sa.staff.DateHoursList(r.Context(), userOf(r), dr)
	if err != nil {
		return err
	}
	out := make([]dateHoursView, 0, len(list))
	for _, d := range list {
		out = append(out, newDateHoursView(d))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (sa *staffAPI) handleSetDateHours(w http.ResponseWriter, r *http.Request) error {
	var body dateHoursRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	v, err := sa.staff.SetDateHours(r.Context(), userOf(r), body.request())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, dateHoursSetView{dateHoursView: newDateHoursView(v.DateHours), Conflicts: newConflictViews(v.Conflicts)})
}

func (sa *staffAPI) handleDeleteDateHours(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.DeleteDateHours(r.Context(), userOf(r), mux.Vars(r)["did"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, dateHoursSetView{dateHoursView: newDateHoursView(v.DateHours), Removed: true, Conflicts: newConflictViews(v.Conflicts)})
}
