package httpapi

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpx"
)

// registerGoogleRoutes adds the Google Calendar staff routes, only when
// sync is enabled (App.GoogleSync):
//
//	GET  /api/v1/staff/google                connection state per artisan (admins)
//	POST /api/v1/staff/google/sync           read the calendars now (admins)
//	POST /api/v1/staff/artisans/{id}/google/reconnect  resume a stopped artisan (admins)
//	GET  /api/v1/staff/bookings/{id}/google  whether a booking is in Google
//
// and, when artisans connect their own Google accounts (auth oauth,
// App.GoogleAccounts):
//
//	GET  /api/v1/staff/artisans/{id}/google/connect  302 to Google's consent page (the artisan or an admin)
//	GET  /api/v1/staff/google/callback               where Google sends the browser back
func (sa *staffAPI) registerGoogleRoutes(r *mux.Router) {
	if sa.staff == nil || !sa.staff.GoogleSync() {
		return
	}
	r.Handle("/google", sa.staffOnly(sa.handleGoogle)).Methods(http.MethodGet)
	r.Handle("/google/sync", sa.staffOnly(sa.handleGoogleSync)).Methods(http.MethodPost)
	r.Handle("/artisans/{id}/google/reconnect", sa.staffOnly(sa.handleGoogleReconnect)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}/google", sa.staffOnly(sa.handleGoogleBooking)).Methods(http.MethodGet)
	if sa.staff.GoogleAccounts() {
		r.Handle("/artisans/{id}/google/connect", sa.staffOnly(sa.handleGoogleConnect)).Methods(http.MethodGet)
		r.Handle("/google/callback", sa.staffOnly(sa.handleGoogleCallback)).Methods(http.MethodGet)
	}
}

// handleGoogleConnect sends the browser to Google's consent page. The
// state in that URL is tied to this session and this artisan.
func (sa *staffAPI) handleGoogleConnect(w http.ResponseWriter, r *http.Request) error {
	u, err := sa.staff.StaffGoogleConnect(r.Context(), userOf(r), httpx.SessionToken(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// googleConnectedReply is the body of a successful callback: there is no
// staff page to land on yet.
type googleConnectedReply struct {
	Connected  bool               `json:"connected"`
	GoogleSync *googleArtisanView `json:"google_calendar"`
}

// handleGoogleCallback finishes the connection when Google sends the
// browser back with a code (or an error) and the state.
func (sa *staffAPI) handleGoogleCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	// The code is a credential: keep it out of caches and Referer headers.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	v, err := sa.staff.StaffGoogleCallback(r.Context(), userOf(r), httpx.SessionToken(r),
		app.GoogleCallback{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error")})
	return reply(w, http.StatusOK, googleConnectedReply{Connected: true, GoogleSync: newGoogleArtisanView(v)}, err)
}

func (sa *staffAPI) handleGoogleReconnect(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffGoogleReconnect(r.Context(), userOf(r), mux.Vars(r)["id"])
	return replyGoogle(w, v, err)
}

func (sa *staffAPI) handleGoogle(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffGoogle(r.Context(), userOf(r))
	return replyGoogle(w, v, err)
}

func (sa *staffAPI) handleGoogleSync(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffGoogleSync(r.Context(), userOf(r))
	return replyGoogle(w, v, err)
}

// replyGoogle writes the view of the Google Calendar sync, or returns err.
func replyGoogle(w http.ResponseWriter, v *app.GoogleOverview, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newGoogleOverviewView(v))
}

// googleBookingReply is the body of GET /api/v1/staff/bookings/{id}/google.
type googleBookingReply struct {
	GoogleSync *googleBookingView `json:"google_sync"` // null: not attempted yet
}

func (sa *staffAPI) handleGoogleBooking(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffGoogleBooking(r.Context(), userOf(r), mux.Vars(r)["id"])
	return reply(w, http.StatusOK, googleBookingReply{GoogleSync: newGoogleBookingView(v)}, err)
}

// googleHealth is the "google_calendar" member of /healthz: how many
// artisans are in each connection state, or nil when sync is off. A
// failure to read the states is reported in it, not as a failed check:
// bookings are taken whatever Google's state.
func (s *Server) googleHealth(ctx context.Context) map[string]any {
	if !s.app.GoogleSync() {
		return nil
	}
	st, err := s.app.GoogleStatus(ctx)
	if err != nil {
		s.logger.WarnContext(ctx, "health: google calendar status", "err", err)
		return map[string]any{"status": "unknown"}
	}
	states := map[string]int{}
	var stopped []string
	for _, a := range st {
		states[a.State]++
		if a.State == "disconnected" || a.State == "error" {
			stopped = append(stopped, a.ArtisanID)
		}
	}
	status := "ok"
	if len(stopped) > 0 {
		status = "degraded"
	}
	return map[string]any{"status": status, "artisans": states, "stopped": append([]string{}, stopped...)}
}
