package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// SessionCookie is the name of the staff session cookie.
const SessionCookie = "atelier_session"

// StaffConfig configures the staff API.
type StaffConfig struct {
	// LoginsPerMinute limits sign-in attempts per client address (those
	// with the right password are given back); past twice as many a
	// minute on one account, from all addresses, each attempt on it is
	// delayed (never refused); through the API and the staff pages
	// together (Limits).
	// 0 turns both off.
	LoginsPerMinute int
	// Now is the clock of the sign-in limits; nil means time.Now.
	Now func() time.Time
}

// staffAPI serves /api/v1/staff.
type staffAPI struct {
	*Server
	staff  *app.Staff
	secure bool // Secure cookies (public_url is https)
}

// EnableStaff registers the staff routes on StaffRouter. Every route but
// login and logout needs a valid session, and so does learning that a
// staff path does not exist (404) or takes other methods (405): without
// a valid session both answer 401.
func (s *Server) EnableStaff(st *app.Staff, cfg StaffConfig) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s.limits.enableLogins(cfg.LoginsPerMinute, now)
	sa := &staffAPI{
		Server: s,
		staff:  st,
		secure: isHTTPS(s.cfg.PublicURL),
	}
	sa.register(s.staff)
	sa.answerUnmatched(s.staff)
	sa.registerFeedRoutes(s.router)
}

// register adds the staff routes. The authorisation matrix test walks
// this table, so a new route must be added to its expectations too.
func (sa *staffAPI) register(r *mux.Router) {
	r.HandleFunc("/login", sa.handleLogin).Methods(http.MethodPost)
	r.HandleFunc("/logout", sa.handleLogout).Methods(http.MethodPost)
	r.HandleFunc("/me", sa.authed(sa.handleMe)).Methods(http.MethodGet)

	r.HandleFunc("/bookings", sa.authed(sa.handleListBookings)).Methods(http.MethodGet)
	r.HandleFunc("/bookings", sa.authed(sa.handleCreateBooking)).Methods(http.MethodPost)
	r.HandleFunc("/bookings/{id}", sa.authed(sa.handleGetBooking)).Methods(http.MethodGet)
	r.HandleFunc("/bookings/{id}/cancel", sa.authed(sa.handleCancel)).Methods(http.MethodPost)
	r.HandleFunc("/bookings/{id}/reschedule", sa.authed(sa.handleReschedule)).Methods(http.MethodPost)
	r.HandleFunc("/bookings/{id}/staff-notes", sa.authed(sa.handleStaffNotes)).Methods(http.MethodPut)
	r.HandleFunc("/bookings/{id}/messages", sa.authed(sa.handleBookingMessages)).Methods(http.MethodGet)

	r.HandleFunc("/artisans", sa.authed(sa.handleArtisans)).Methods(http.MethodGet)
	r.HandleFunc("/artisans/{id}", sa.authed(sa.handleArtisan)).Methods(http.MethodGet)
	r.HandleFunc("/artisans/{id}/working-hours", sa.authed(sa.handleWorkingHours)).Methods(http.MethodPut)
	r.HandleFunc("/artisans/{id}/time-off", sa.authed(sa.handleAddTimeOff)).Methods(http.MethodPost)
	r.HandleFunc("/artisans/{id}/time-off/{tid}", sa.authed(sa.handleDeleteTimeOff)).Methods(http.MethodDelete)
	r.HandleFunc("/artisans/{id}/feed", sa.authed(sa.handleRotateArtisanFeed)).Methods(http.MethodPost)
	r.HandleFunc("/artisans/{id}/feed", sa.authed(sa.handleRevokeArtisanFeed)).Methods(http.MethodDelete)
	r.HandleFunc("/feed", sa.authed(sa.handleRotateAtelierFeed)).Methods(http.MethodPost)
	r.HandleFunc("/feed", sa.authed(sa.handleRevokeAtelierFeed)).Methods(http.MethodDelete)

	r.HandleFunc("/opening-hours", sa.authed(sa.handleOpeningHours)).Methods(http.MethodPut)
	r.HandleFunc("/closures", sa.authed(sa.handleClosures)).Methods(http.MethodGet)
	r.HandleFunc("/closures", sa.authed(sa.handleAddClosure)).Methods(http.MethodPost)
	r.HandleFunc("/closures/{cid}", sa.authed(sa.handleDeleteClosure)).Methods(http.MethodDelete)

	r.HandleFunc("/audit", sa.authed(sa.handleAudit)).Methods(http.MethodGet)

	sa.registerGoogleRoutes(r) // google.go; only when sync is enabled
}

type userKey struct{}

// authed wraps a handler that needs a signed-in user: without a valid
// session the answer is 401 and the stale cookie is cleared.
func (sa *staffAPI) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := sa.session(w, r)
		if !ok {
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	}
}

// session returns the user signed in with the request's session cookie.
// Without a valid session it writes the problem (401, and a stale cookie
// is cleared) and reports false.
func (sa *staffAPI) session(w http.ResponseWriter, r *http.Request) (*booking.User, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		sa.problem(w, r, http.StatusUnauthorized, "unauthorized", "a staff session is required", nil)
		return nil, false
	}
	u, err := sa.staff.Authenticate(r.Context(), c.Value)
	if err != nil {
		if booking.ErrorKind(err) == booking.EUNAUTHORIZED {
			sa.clearCookie(w)
		}
		sa.Error(w, r, err)
		return nil, false
	}
	return u, true
}

func userOf(r *http.Request) *booking.User { return r.Context().Value(userKey{}).(*booking.User) }

func (sa *staffAPI) setCookie(w http.ResponseWriter, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, Secure: sa.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (sa *staffAPI) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: sa.secure, SameSite: http.SameSiteLaxMode,
	})
}

// LoginRequest is the body of POST /api/v1/staff/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// handleLogin serves POST /api/v1/staff/login. Attempts are limited per
// client address (taken before the password is checked, given back on
// success; 429 with Retry-After when used up) and slowed down per account
// (Limits.BeginLogin); password checks run a few at a time, and when too
// many wait the answer is 503 with Retry-After. The answer to an unknown
// address and to a wrong password is the same.
func (sa *staffAPI) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		sa.Error(w, r, err)
		return
	}
	// Rotation: whatever session the browser held before ends here, and
	// a successful sign-in always gets a new one.
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := sa.staff.Logout(r.Context(), c.Value); err != nil {
			sa.Error(w, r, err)
			return
		}
	}
	attempt, wait := sa.limits.BeginLogin(r, req.Email)
	if attempt == nil {
		w.Header().Set("Retry-After", retryAfter(wait))
		sa.problem(w, r, http.StatusTooManyRequests, "rate_limited", "too many failed sign-ins; try again shortly", nil)
		return
	}
	in, err := sa.staff.Login(r.Context(), req.Email, req.Password)
	attempt.End(err)
	if errors.Is(err, app.ErrSignInBusy) {
		// Not a fault to log at each refusal (a burst would flood the
		// log); checks take well under a second, so retry soon.
		w.Header().Set("Retry-After", retryAfter(LoginBusyRetry))
		sa.problem(w, r, http.StatusServiceUnavailable, booking.ErrorCode(err), booking.ErrorMessage(err), nil)
		return
	}
	if err != nil {
		sa.Error(w, r, err)
		return
	}
	sa.setCookie(w, in.Token.String(), in.Expires)
	sa.writeJSON(w, r, http.StatusOK, in.User)
}

// LoginBusyRetry is the Retry-After of a sign-in refused because too many
// password checks were running and waiting: they take well under a
// second each.
const LoginBusyRetry = time.Second

// handleLogout serves POST /api/v1/staff/logout: the session row is
// deleted and the cookie cleared. Without a session it still answers 204.
func (sa *staffAPI) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := sa.staff.Logout(r.Context(), c.Value); err != nil {
			sa.Error(w, r, err)
			return
		}
	}
	sa.clearCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

func (sa *staffAPI) handleMe(w http.ResponseWriter, r *http.Request) {
	sa.writeJSON(w, r, http.StatusOK, app.NewUserView(userOf(r)))
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

func (sa *staffAPI) handleListBookings(w http.ResponseWriter, r *http.Request) {
	dr, err := dateRange(r)
	if err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.StaffBookings(r.Context(), userOf(r), dr, r.URL.Query().Get("artisan"))
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleCreateBooking(w http.ResponseWriter, r *http.Request) {
	var req app.BookingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		sa.Error(w, r, err)
		return
	}
	c, err := sa.staff.StaffCreateBooking(r.Context(), userOf(r), req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		sa.Error(w, r, err)
		return
	}
	if c.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", sa.cfg.PublicURL+"/api/v1/staff/bookings/"+c.View.ID)
	sa.writeJSON(w, r, http.StatusCreated, c.View)
}

func (sa *staffAPI) handleGetBooking(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		sa.Error(w, r, malformed("the query string is not valid"))
		return
	}
	errs := booking.FieldErrors{}
	tz := zoneParam(q, errs)
	if len(errs) > 0 {
		sa.Error(w, r, &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed,
			Message: "the query is not valid", Fields: errs})
		return
	}
	v, err := sa.staff.StaffGetBookingIn(r.Context(), userOf(r), mux.Vars(r)["id"], tz)
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleCancel(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffCancel(r.Context(), userOf(r), mux.Vars(r)["id"])
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleReschedule(w http.ResponseWriter, r *http.Request) {
	var req app.RescheduleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.StaffReschedule(r.Context(), userOf(r), mux.Vars(r)["id"], req)
	sa.reply(w, r, http.StatusOK, v, err)
}

// StaffNotesRequest is the body of PUT /api/v1/staff/bookings/{id}/staff-notes.
type StaffNotesRequest struct {
	StaffNotes string `json:"staff_notes"`
}

func (sa *staffAPI) handleStaffNotes(w http.ResponseWriter, r *http.Request) {
	var req StaffNotesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.SetStaffNotes(r.Context(), userOf(r), mux.Vars(r)["id"], req.StaffNotes)
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleArtisans(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffArtisans(r.Context(), userOf(r))
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleArtisan(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffArtisan(r.Context(), userOf(r), mux.Vars(r)["id"])
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleWorkingHours(w http.ResponseWriter, r *http.Request) {
	var h booking.WeekHours
	if err := decodeHours(w, r, &h); err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.SetWorkingHours(r.Context(), userOf(r), mux.Vars(r)["id"], h)
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleOpeningHours(w http.ResponseWriter, r *http.Request) {
	var h booking.WeekHours
	if err := decodeHours(w, r, &h); err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.SetOpeningHours(r.Context(), userOf(r), h)
	sa.reply(w, r, http.StatusOK, v, err)
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

func (sa *staffAPI) handleAddTimeOff(w http.ResponseWriter, r *http.Request) {
	var req app.TimeOffRequest
	if err := decodeJSON(w, r, &req); err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.AddTimeOff(r.Context(), userOf(r), mux.Vars(r)["id"], req)
	sa.reply(w, r, http.StatusCreated, v, err)
}

func (sa *staffAPI) handleDeleteTimeOff(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	err := sa.staff.DeleteTimeOff(r.Context(), userOf(r), v["id"], v["tid"])
	sa.noContent(w, r, err)
}

func (sa *staffAPI) handleAddClosure(w http.ResponseWriter, r *http.Request) {
	var req app.ClosureRequest
	if err := decodeJSON(w, r, &req); err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.AddClosure(r.Context(), userOf(r), req)
	sa.reply(w, r, http.StatusCreated, v, err)
}

func (sa *staffAPI) handleDeleteClosure(w http.ResponseWriter, r *http.Request) {
	err := sa.staff.DeleteClosure(r.Context(), userOf(r), mux.Vars(r)["cid"])
	sa.noContent(w, r, err)
}

func (sa *staffAPI) handleAudit(w http.ResponseWriter, r *http.Request) {
	dr, err := dateRange(r)
	if err != nil {
		sa.Error(w, r, err)
		return
	}
	v, err := sa.staff.Audit(r.Context(), userOf(r), dr)
	sa.reply(w, r, http.StatusOK, v, err)
}

// reply writes v with status, or err as a problem.
func (sa *staffAPI) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		sa.Error(w, r, err)
		return
	}
	sa.writeJSON(w, r, status, v)
}

func (sa *staffAPI) noContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		sa.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
