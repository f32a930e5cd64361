package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// StaffConfig configures the staff pages.
type StaffConfig struct {
	// Secure marks the session cookie Secure (the public URL is https).
	Secure bool
	// Backups, when set, tells the state of the scheduled backups; a
	// failure is shown to admins on the home page (staff_ops.go).
	Backups backupStatus
}

// staffPages is the state of the staff pages.
type staffPages struct {
	app *app.Staff
	cfg StaffConfig
}

// EnableStaff turns on the staff pages under /staff. They share the
// session cookie of the staff API (httpapi.SessionCookie), so one sign-in
// serves both, and the sign-in limits of the Limits given to New, so that
// attempts on the page and through the API add up. Call it before
// Register.
func (s *Server) EnableStaff(st *app.Staff, cfg StaffConfig) {
	s.staff = &staffPages{app: st, cfg: cfg}
}

func (s *Server) registerStaffRoutes(r *mux.Router) {
	r.HandleFunc("/staff/login", s.handleLoginPage).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/login", s.handleLogin).Methods(http.MethodPost)
	r.HandleFunc("/staff/logout", s.handleLogout).Methods(http.MethodPost)
	r.HandleFunc("/staff", s.authed(s.handleStaffHome)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/bookings/new", s.authed(s.handleStaffNew)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/bookings/new", s.authed(s.handleStaffNewPost)).Methods(http.MethodPost)
	r.HandleFunc("/staff/bookings/{id}", s.authed(s.handleStaffBooking)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/bookings/{id}/notes", s.authed(s.handleStaffNotes)).Methods(http.MethodPost)
	r.HandleFunc("/staff/bookings/{id}/cancel", s.authed(s.handleStaffCancelConfirm)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/bookings/{id}/cancel", s.authed(s.handleStaffCancel)).Methods(http.MethodPost)
	r.HandleFunc("/staff/bookings/{id}/reschedule", s.authed(s.handleStaffReschedulePage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/bookings/{id}/reschedule", s.authed(s.handleStaffReschedule)).Methods(http.MethodPost)
	r.HandleFunc("/staff/hours", s.authed(s.handleHoursPage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/hours", s.authed(s.handleOpeningHours)).Methods(http.MethodPost)
	r.HandleFunc("/staff/closures", s.authed(s.handleAddClosure)).Methods(http.MethodPost)
	r.HandleFunc("/staff/closures/{cid}/delete", s.authed(s.handleDeleteClosure)).Methods(http.MethodPost)
	r.HandleFunc("/staff/artisans/{aid}", s.authed(s.handleArtisanPage)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/artisans/{aid}/hours", s.authed(s.handleWorkingHours)).Methods(http.MethodPost)
	r.HandleFunc("/staff/artisans/{aid}/time-off", s.authed(s.handleAddTimeOff)).Methods(http.MethodPost)
	r.HandleFunc("/staff/artisans/{aid}/time-off/{tid}/delete", s.authed(s.handleDeleteTimeOff)).Methods(http.MethodPost)
}

type userKey struct{}

// staffUser is the signed-in user of a request that passed authed.
func staffUser(r *http.Request) *booking.User { return r.Context().Value(userKey{}).(*booking.User) }

// authed lets signed-in staff through; anyone else is sent to the sign-in
// page, which brings them back afterwards.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var u *booking.User
		if c, err := r.Cookie(httpapi.SessionCookie); err == nil {
			u, err = s.staff.app.Authenticate(r.Context(), c.Value)
			if err != nil && booking.ErrorKind(err) != booking.EUNAUTHORIZED {
				s.serverError(w, r, err)
				return
			}
		}
		if u == nil {
			s.clearSession(w)
			next := "/staff"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/staff/login?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	}
}

func (s *Server) setSession(w http.ResponseWriter, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: httpapi.SessionCookie, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.staff.cfg.Secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: httpapi.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.staff.cfg.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// loginData is the sign-in page.
type loginData struct {
	Email, Next, Error string
}

// safeNext keeps a post-sign-in destination on this site's staff pages.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/staff") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/staff"
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	d := loginData{Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Your form could not be read", "Please go back and send it again.")
		return
	}
	d := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: safeNext(r.PostForm.Get("next"))}
	// Rotation: whatever session the browser held ends here.
	if c, err := r.Cookie(httpapi.SessionCookie); err == nil {
		if err := s.staff.app.Logout(r.Context(), c.Value); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	attempt, wait := s.limits.BeginLogin(r, d.Email)
	if attempt == nil {
		w.Header().Set("Retry-After", httpapi.RetryAfter(wait))
		d.Error = "Too many failed sign-ins. Please wait " + waitPhrase(wait) + " and try again."
		s.render(w, r, http.StatusTooManyRequests, "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
		return
	}
	in, err := s.staff.app.Login(r.Context(), d.Email, r.PostForm.Get("password"))
	attempt.End(err)
	if err != nil {
		switch {
		case booking.ErrorKind(err) == booking.EUNAUTHORIZED:
			d.Error = "Wrong e-mail address or password."
			s.render(w, r, httpapi.StatusOf(err), "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
		case errors.Is(err, app.ErrSignInBusy):
			// Too many sign-ins at once: nothing was checked or counted.
			w.Header().Set("Retry-After", httpapi.RetryAfter(httpapi.LoginBusyRetry))
			d.Error = "Signing in is busy right now. Please try again in a moment."
			s.render(w, r, httpapi.StatusOf(err), "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
		case booking.ErrorKind(err) == booking.EUNAVAILABLE:
			// A busy database: the form stays filled in.
			s.unavailable(w, r, err)
			d.Error = sentence(booking.ErrorMessage(err))
			s.render(w, r, httpapi.StatusOf(err), "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
		default:
			s.serverError(w, r, err)
		}
		return
	}
	s.setSession(w, in.Token.String(), in.Expires)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(httpapi.SessionCookie); err == nil {
		if err := s.staff.app.Logout(r.Context(), c.Value); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.clearSession(w)
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

// staffPage starts a staff page for the request's user.
func (s *Server) staffPage(r *http.Request, title, nav string, data any) *page {
	return &page{Title: title, Nav: nav, User: staffUser(r), Data: data}
}

// staffError shows an application error on a staff page, with the status
// of the one table (errorPage): another artisan's booking is "not found",
// a wrong role "not allowed", and a refused change (a closure that comes
// from the configuration file) says why.
func (s *Server) staffError(w http.ResponseWriter, r *http.Request, err error) {
	s.errorPage(w, r, err, staffWording)
}

// staffWording is customerWording with staff words for a missing or
// forbidden thing, and every staff error page leads back to the calendar.
func staffWording(status int, err error) (words, bool) {
	var wd words
	switch status {
	case http.StatusNotFound:
		wd = words{Heading: "Not found", Message: "There is no such booking, artisan or closure, or your account may not see it. The page you came from may be out of date: reload it."}
	case http.StatusForbidden:
		wd = words{Heading: "Not allowed", Message: "Your account may not do this. Ask an administrator."}
	default:
		wd = customerWording(status, err)
	}
	wd.BackURL, wd.BackLabel = "/staff", "Back to the calendar"
	return wd, true
}
