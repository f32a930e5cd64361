package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// StaffConfig configures the staff pages.
type StaffConfig struct {
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
// sessions of the edge with the staff API (httpx.RequireStaff), so one
// sign-in serves both, and its sign-in limits, so that attempts on the
// page and through the API add up. Call it before Register.
func (s *Server) EnableStaff(st *app.Staff, cfg StaffConfig) {
	s.staff = &staffPages{app: st, cfg: cfg}
}

func (s *Server) registerStaffRoutes(r *mux.Router) {
	r.HandleFunc("/staff/login", s.handleLoginPage).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/staff/login", s.handleLogin).Methods(http.MethodPost)
	r.HandleFunc("/staff/logout", s.handleLogout).Methods(http.MethodPost)
	r.Handle("/staff", s.authed(s.handleStaffHome)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/new", s.authed(s.handleStaffNew)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/new", s.authed(s.handleStaffNewPost)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}", s.authed(s.handleStaffBooking)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/notes", s.authed(s.handleStaffNotes)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}/cancel", s.authed(s.handleStaffCancelConfirm)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/cancel", s.authed(s.handleStaffCancel)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}/reschedule", s.authed(s.handleStaffReschedulePage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/reschedule", s.authed(s.handleStaffReschedule)).Methods(http.MethodPost)
	r.Handle("/staff/hours", s.authed(s.handleHoursPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/hours", s.authed(s.handleOpeningHours)).Methods(http.MethodPost)
	r.Handle("/staff/closures", s.authed(s.handleAddClosure)).Methods(http.MethodPost)
	r.Handle("/staff/closures/{cid}/delete", s.authed(s.handleDeleteClosure)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/{aid}", s.authed(s.handleArtisanPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/artisans/{aid}/hours", s.authed(s.handleWorkingHours)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/{aid}/time-off", s.authed(s.handleAddTimeOff)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/{aid}/time-off/{tid}/delete", s.authed(s.handleDeleteTimeOff)).Methods(http.MethodPost)
}

// staffUser is the signed-in user of a request that passed authed.
func staffUser(r *http.Request) *booking.User { return httpx.User(r) }

// authed lets signed-in staff through (the edge's session middleware);
// anyone else is sent to the sign-in page, which brings them back
// afterwards (pageRenderer).
func (s *Server) authed(h http.HandlerFunc) http.Handler {
	return s.edge.Handle(pageRenderer{s: s}, s.edge.RequireStaff(func(w http.ResponseWriter, r *http.Request) error {
		h(w, r)
		return nil
	}))
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
	if err := httpx.ParseForm(w, r); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Your form could not be read", "Please go back and send it again.")
		return
	}
	d := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: safeNext(r.PostForm.Get("next"))}
	_, err := s.edge.SignIn(w, r, d.Email, r.PostForm.Get("password"))
	if err == nil {
		http.Redirect(w, r, d.Next, http.StatusSeeOther)
		return
	}
	switch {
	case booking.ErrorKind(err) == booking.ERATELIMIT:
		wait, _ := httpx.RetryWait(err)
		d.Error = "Too many failed sign-ins. Please wait " + waitPhrase(wait) + " and try again."
	case booking.ErrorKind(err) == booking.EUNAUTHORIZED:
		d.Error = "Wrong e-mail address or password."
	case errors.Is(err, app.ErrSignInBusy):
		// Too many sign-ins at once: nothing was checked or counted.
		d.Error = "Signing in is busy right now. Please try again in a moment."
	case booking.ErrorKind(err) == booking.EUNAVAILABLE:
		// A busy database: the form stays filled in.
		d.Error = sentence(booking.ErrorMessage(err))
	default:
		s.serverError(w, r, err)
		return
	}
	s.serverError(w, r, again(err, "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d}))
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.edge.SignOut(w, r); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

// staffPage starts a staff page for the request's user.
func (s *Server) staffPage(r *http.Request, title, nav string, data any) *page {
	return &page{Title: title, Nav: nav, User: staffUser(r), Data: data}
}

// staffError shows an application error on a staff page, with the status
// of the one table (errorPage) and the staff's words (pageRenderer):
// another artisan's booking is "not found", a wrong role "not allowed",
// and a refused change (a closure that comes from the configuration
// file) says why.
func (s *Server) staffError(w http.ResponseWriter, r *http.Request, err error) {
	s.errorPage(w, r, err, nil)
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
