package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// staffAPI serves /api/v1/staff.
type staffAPI struct {
	*Server
	staff *app.App
}

// EnableStaff registers the staff routes on StaffRouter. Every route but
// login and logout needs a valid session (the edge's, httpx.RequireStaff),
// and so does learning that a staff path does not exist (404) or takes
// other methods (405): without a valid session both answer 401. The
// sessions are those of the edge's Accounts, shared with the staff pages.
func (s *Server) EnableStaff(st *app.App) {
	sa := &staffAPI{Server: s, staff: st}
	sa.register(s.staff)
	sa.registerFeedRoutes(s.edge.Router())
}

// register adds the staff routes. The authorisation matrix test walks
// this table, so a new route must be added to its expectations too.
func (sa *staffAPI) register(r *mux.Router) {
	r.Handle("/login", sa.handle(sa.handleLogin)).Methods(http.MethodPost)
	r.Handle("/logout", sa.handle(sa.handleLogout)).Methods(http.MethodPost)
	r.Handle("/me", sa.staffOnly(sa.handleMe)).Methods(http.MethodGet)

	r.Handle("/bookings", sa.staffOnly(sa.handleListBookings)).Methods(http.MethodGet)
	r.Handle("/bookings", sa.staffOnly(sa.handleCreateBooking)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}", sa.staffOnly(sa.handleGetBooking)).Methods(http.MethodGet)
	r.Handle("/bookings/{id}/cancel", sa.staffOnly(sa.handleCancel)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}/reschedule", sa.staffOnly(sa.handleReschedule)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}/staff-notes", sa.staffOnly(sa.handleStaffNotes)).Methods(http.MethodPut)
	r.Handle("/bookings/{id}/messages", sa.staffOnly(sa.handleBookingMessages)).Methods(http.MethodGet)
	// Requests that staff approve (issue 13).
	r.Handle("/bookings/{id}/confirm", sa.staffOnly(sa.handleConfirmRequest)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}/decline", sa.staffOnly(sa.handleDeclineRequest)).Methods(http.MethodPost)

	r.Handle("/artisans", sa.staffOnly(sa.handleArtisans)).Methods(http.MethodGet)
	r.Handle("/artisans/{id}", sa.staffOnly(sa.handleArtisan)).Methods(http.MethodGet)
	r.Handle("/artisans/{id}/working-hours", sa.staffOnly(sa.handleWorkingHours)).Methods(http.MethodPut)
	r.Handle("/artisans/{id}/time-off", sa.staffOnly(sa.handleAddTimeOff)).Methods(http.MethodPost)
	r.Handle("/artisans/{id}/time-off/{tid}", sa.staffOnly(sa.handleDeleteTimeOff)).Methods(http.MethodDelete)
	r.Handle("/artisans/{id}/feed", sa.staffOnly(sa.handleRotateArtisanFeed)).Methods(http.MethodPost)
	r.Handle("/artisans/{id}/feed", sa.staffOnly(sa.handleRevokeArtisanFeed)).Methods(http.MethodDelete)
	r.Handle("/feed", sa.staffOnly(sa.handleRotateAtelierFeed)).Methods(http.MethodPost)
	r.Handle("/feed", sa.staffOnly(sa.handleRevokeAtelierFeed)).Methods(http.MethodDelete)

	r.Handle("/opening-hours", sa.staffOnly(sa.handleOpeningHours)).Methods(http.MethodPut)
	r.Handle("/closures", sa.staffOnly(sa.handleClosures)).Methods(http.MethodGet)
	r.Handle("/closures", sa.staffOnly(sa.handleAddClosure)).Methods(http.MethodPost)
	r.Handle("/closures/{cid}", sa.staffOnly(sa.handleDeleteClosure)).Methods(http.MethodDelete)

	r.Handle("/audit", sa.staffOnly(sa.handleAudit)).Methods(http.MethodGet)

	sa.registerDateHoursRoutes(r) // staff_datehours.go: hours for one date

	sa.registerStaffToolsRoutes(r) // staff_tools.go: staff availability, search, customers
	sa.registerCatalogueRoutes(r)  // staff_catalogue.go: the admins' catalogue
	sa.registerCommissionRoutes(r) // commissions.go: pieces made over several appointments
	sa.registerInvitationRoutes(r) // invitations.go: invitations to book a commission's next step

	sa.registerGoogleRoutes(r) // google.go; only when sync is enabled
}

// userOf is the signed-in user of a request that passed staffOnly.
func userOf(r *http.Request) *booking.User { return httpx.User(r) }

// LoginRequest is the body of POST /api/v1/staff/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// handleLogin serves POST /api/v1/staff/login (httpx.Server.SignIn):
// attempts are limited per client address (taken before the password is
// checked, given back on success; 429 with Retry-After when used up) and
// slowed down per account; password checks run a few at a time, and when
// too many wait the answer is 503 with Retry-After. The answer to an
// unknown address and to a wrong password is the same.
func (sa *staffAPI) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var req LoginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	in, err := sa.edge.SignIn(w, r, req.Email, req.Password)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newUserView(in.User))
}

// handleLogout serves POST /api/v1/staff/logout: the session row is
// deleted and the cookie cleared. Without a session it still answers 204.
func (sa *staffAPI) handleLogout(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, sa.edge.SignOut(w, r))
}

func (sa *staffAPI) handleMe(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, newUserView(userOf(r)))
}

// dateRange reads the required from and to query parameters and the
// optional tz (the zone of the dates and of the answer's times). A query
// that cannot be read (bad escaping, a parameter missing or given twice,
// a date that is not YYYY-MM-DD) is EMALFORMED (400) with a field map, as
// for the customers' availability; whether the range makes sense (to not
// before from, not too long) and tz is a zone is the app's to say (422).
func dateRange(r *http.Request) (app.DateRange, error) {
	var dr app.DateRange
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return dr, malformed("the query string is not valid")
	}
	errs := booking.FieldErrors{}
	for _, f := range []struct {
		name string
		dst  *booking.Date
	}{{"from", &dr.From}, {"to", &dr.To}} {
		v := q[f.name]
		switch {
		case len(v) > 1:
			errs.Add(f.name, "must be given once")
		case len(v) == 0 || strings.TrimSpace(v[0]) == "":
			errs.Add(f.name, "is required")
		default:
			d, err := booking.ParseDate(strings.TrimSpace(v[0]))
			if err != nil {
				errs.Add(f.name, "must be a date like 2026-12-01")
			}
			*f.dst = d
		}
	}
	dr.Timezone = zoneParam(q, errs)
	if len(errs) > 0 {
		return app.DateRange{}, &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed,
			Message: "the query is not valid", Fields: errs}
	}
	return dr, nil
}

// zoneParam returns the optional tz query parameter ("" when absent);
// given twice it is a field error in errs. Whether it names a zone is the
// app's to say.
func zoneParam(q url.Values, errs booking.FieldErrors) string {
	v := q["tz"]
	if len(v) > 1 {
		errs.Add("tz", "must be given once")
		return ""
	}
	if len(v) == 0 {
		return ""
	}
	return strings.TrimSpace(v[0])
}

func (sa *staffAPI) handleListBookings(w http.ResponseWriter, r *http.Request) error {
	dr, err := dateRange(r)
	if err != nil {
		return err
	}
	v, err := sa.staff.StaffBookings(r.Context(), userOf(r), dr, r.URL.Query().Get("artisan"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sa.staffBookingViews(v))
}

func (sa *staffAPI) handleCreateBooking(w http.ResponseWriter, r *http.Request) error {
	var body bookingRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	req, opt, err := body.request(r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	opt.Replay = replayer{sa.Server}
	c, err := sa.staff.StaffCreateBooking(r.Context(), userOf(r), req, opt)
	if err != nil {
		return err
	}
	return sa.created(w, c, "/api/v1/staff/bookings/")
}

func (sa *staffAPI) handleGetBooking(w http.ResponseWriter, r *http.Request) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return malformed("the query string is not valid")
	}
	errs := booking.FieldErrors{}
	tz := zoneParam(q, errs)
	if len(errs) > 0 {
		return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed,
			Message: "the query is not valid", Fields: errs}
	}
	v, err := sa.staff.StaffGetBookingIn(r.Context(), userOf(r), mux.Vars(r)["id"], tz)
	return sa.replyStaffBooking(w, v, err)
}

func (sa *staffAPI) handleCancel(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffCancel(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.replyStaffBooking(w, v, err)
}

// handleConfirmRequest serves POST /bookings/{id}/confirm: the pending
// request becomes a confirmed booking and its invitation goes out.
func (sa *staffAPI) handleConfirmRequest(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.ConfirmRequest(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.replyStaffBooking(w, v, err)
}

// declineRequest is the body of POST /bookings/{id}/decline.
type declineRequest struct {
	Reason string `json:"reason"`
}

// handleDeclineRequest serves POST /bookings/{id}/decline: the pending
// request is declined with the reason its customer is told.
func (sa *staffAPI) handleDeclineRequest(w http.ResponseWriter, r *http.Request) error {
	var body declineRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	v, err := sa.staff.DeclineRequest(r.Context(), userOf(r), mux.Vars(r)["id"], body.Reason)
	return sa.replyStaffBooking(w, v, err)
}

func (sa *staffAPI) handleReschedule(w http.ResponseWriter, r *http.Request) error {
	var body rescheduleRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	v, err := sa.staff.StaffReschedule(r.Context(), userOf(r), mux.Vars(r)["id"], body.request())
	return sa.replyStaffBooking(w, v, err)
}

// StaffNotesRequest is the body of PUT /api/v1/staff/bookings/{id}/staff-notes.
type StaffNotesRequest struct {
	StaffNotes string `json:"staff_notes"`
}

func (sa *staffAPI) handleStaffNotes(w http.ResponseWriter, r *http.Request) error {
	var req StaffNotesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	v, err := sa.staff.SetStaffNotes(r.Context(), userOf(r), mux.Vars(r)["id"], req.StaffNotes)
	return sa.replyStaffBooking(w, v, err)
}

func (sa *staffAPI) handleArtisans(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffArtisans(r.Context(), userOf(r))
	if err != nil {
		return err
	}
	out := make([]staffArtisanView, 0, len(v))
	for i := range v {
		out = append(out, newStaffArtisanView(&v[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (sa *staffAPI) handleArtisan(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffArtisan(r.Context(), userOf(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newStaffArtisanView(v))
}

func (sa *staffAPI) handleWorkingHours(w http.ResponseWriter, r *http.Request) error {
	var h booking.WeekHours
	if err := decodeHours(w, r, &h); err != nil {
		return err
	}
	v, err := sa.staff.SetWorkingHours(r.Context(), userOf(r), mux.Vars(r)["id"], h)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newHoursChangeView(v))
}

func (sa *staffAPI) handleOpeningHours(w http.ResponseWriter, r *http.Request) error {
	var h booking.WeekHours
	if err := decodeHours(w, r, &h); err != nil {
		return err
	}
	v, err := sa.staff.SetOpeningHours(r.Context(), userOf(r), h)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newHoursChangeView(v))
}

// decodeHours decodes an hours object; invalid spans, including ones that
// are not a pair of HH:MM times (["10:00","25:00"]), are EINVALID (422)
// with the span as the field ("mon[0]"), not malformed JSON.
func decodeHours(w http.ResponseWriter, r *http.Request, h *booking.WeekHours) error {
	var raw map[string][]json.RawMessage
	if err := decodeJSON(w, r, &raw); err != nil {
		return err
	}
	errs := booking.FieldErrors{}
	m := make(map[string][]booking.Span, len(raw))
	for day, spans := range raw {
		m[day] = make([]booking.Span, 0, len(spans))
		for i, b := range spans {
			var s booking.Span
			if err := json.Unmarshal(b, &s); err != nil {
				errs.Add(fmt.Sprintf("%s[%d]", day, i), err.Error())
				continue
			}
			m[day] = append(m[day], s)
		}
	}
	v, more := booking.WeekHoursFromMap(m)
	for k, msg := range more {
		errs.Add(k, msg)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	*h = v
	return nil
}

func (sa *staffAPI) handleAddTimeOff(w http.ResponseWriter, r *http.Request) error {
	var body timeOffRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	v, err := sa.staff.AddTimeOff(r.Context(), userOf(r), mux.Vars(r)["id"], body.request())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newTimeOffAddedView(v))
}

func (sa *staffAPI) handleDeleteTimeOff(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	err := sa.staff.DeleteTimeOff(r.Context(), userOf(r), v["id"], v["tid"])
	return noContent(w, err)
}

func (sa *staffAPI) handleAddClosure(w http.ResponseWriter, r *http.Request) error {
	var body closureRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	v, err := sa.staff.AddClosure(r.Context(), userOf(r), body.request())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newClosureAddedView(v))
}

func (sa *staffAPI) handleDeleteClosure(w http.ResponseWriter, r *http.Request) error {
	err := sa.staff.DeleteClosure(r.Context(), userOf(r), mux.Vars(r)["cid"])
	return noContent(w, err)
}

func (sa *staffAPI) handleAudit(w http.ResponseWriter, r *http.Request) error {
	dr, err := dateRange(r)
	if err != nil {
		return err
	}
	v, err := sa.staff.Audit(r.Context(), userOf(r), dr)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAuditViews(v))
}
