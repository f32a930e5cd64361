package httpapi

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
)

// registerGoogleRoutes adds the Google Calendar staff routes, only when
// sync is enabled (App.Google set):
//
//	GET  /api/v1/staff/google                connection state per artisan (admins)
//	POST /api/v1/staff/google/sync           read the calendars now (admins)
//	POST /api/v1/staff/artisans/{id}/google/reconnect  resume a stopped artisan (admins)
//	GET  /api/v1/staff/bookings/{id}/google  whether a booking is in Google
func (sa *staffAPI) registerGoogleRoutes(r *mux.Router) {
	if sa.staff == nil || sa.staff.App == nil || sa.staff.Google == nil {
		return
	}
	r.HandleFunc("/google", sa.authed(sa.handleGoogle)).Methods(http.MethodGet)
	r.HandleFunc("/google/sync", sa.authed(sa.handleGoogleSync)).Methods(http.MethodPost)
	r.HandleFunc("/artisans/{id}/google/reconnect", sa.authed(sa.handleGoogleReconnect)).Methods(http.MethodPost)
	r.HandleFunc("/bookings/{id}/google", sa.authed(sa.handleGoogleBooking)).Methods(http.MethodGet)
}

func (sa *staffAPI) handleGoogleReconnect(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffGoogleReconnect(r.Context(), userOf(r), mux.Vars(r)["id"])
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleGoogle(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffGoogle(r.Context(), userOf(r))
	sa.reply(w, r, http.StatusOK, v, err)
}

func (sa *staffAPI) handleGoogleSync(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffGoogleSync(r.Context(), userOf(r))
	sa.reply(w, r, http.StatusOK, v, err)
}

// googleBookingReply is the body of GET /api/v1/staff/bookings/{id}/google.
type googleBookingReply struct {
	GoogleSync *app.GoogleBookingView `json:"google_sync"` // null: not attempted yet
}

func (sa *staffAPI) handleGoogleBooking(w http.ResponseWriter, r *http.Request) {
	v, err := sa.staff.StaffGoogleBooking(r.Context(), userOf(r), mux.Vars(r)["id"])
	sa.reply(w, r, http.StatusOK, googleBookingReply{GoogleSync: v}, err)
}

// googleHealth is the "google_calendar" member of /healthz: how many
// artisans are in each connection state, or nil when sync is off. A
// failure to read the states is reported in it, not as a failed check:
// bookings are taken whatever Google's state.
func (s *Server) googleHealth(ctx context.Context) map[string]any {
	if s.app.Google == nil {
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
