package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// StaffConfig configures the staff pages.
type StaffConfig struct {
	// Backups, when set, tells the state of the scheduled backups; a
	// failure is shown to admins on the home page (staff_ops.go).
	Backups backupStatus
}

// staffPages is the state of the staff pages.
type staffPages struct {
	app *app.App
	cfg StaffConfig
}

// EnableStaff turns on the staff pages under /staff. They share the
// sessions of the edge with the staff API (httpx.RequireStaff), so one
// sign-in serves both, and its sign-in limits, so that attempts on the
// page and through the API add up. Call it before Register.
func (s *Server) EnableStaff(st *app.App, cfg StaffConfig) {
	s.staff = &staffPages{app: st, cfg: cfg}
}

func (s *Server) registerStaffRoutes(r *mux.Router) {
	r.Handle("/staff/login", s.page(s.handleLoginPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/login", s.page(s.handleLogin)).Methods(http.MethodPost)
	r.Handle("/staff/logout", s.page(s.handleLogout)).Methods(http.MethodPost)
	s.registerCalendarRoutes(r) // staff_calendar.go: the home page, the calendar, the day sheet, the move confirmation
	r.Handle("/staff/bookings/new", s.staffOnly(s.handleStaffNew)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/new", s.staffOnly(s.handleStaffNewPost)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}", s.staffOnly(s.handleStaffBooking)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/notes", s.staffOnly(s.handleStaffNotes)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}/cancel", s.staffOnly(s.handleStaffCancelConfirm)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/cancel", s.staffOnly(s.handleStaffCancel)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}/reschedule", s.staffOnly(s.handleStaffReschedulePage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/reschedule", s.staffOnly(s.handleStaffReschedule)).Methods(http.MethodPost)
	s.registerStaffCustomerRoutes(r)   // staff_customers.go: the search and the customers' pages
	s.registerStaffCommissionRoutes(r) // staff_commissions.go: the board and each commission's page
	s.registerStaffRequestRoutes(r)    // staff_requests.go: confirm or decline a request
	r.Handle("/staff/hours", s.staffOnly(s.handleHoursPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/hours", s.staffOnly(s.handleOpeningHours)).Methods(http.MethodPost)
	r.Handle("/staff/closures", s.staffOnly(s.handleAddClosure)).Methods(http.MethodPost)
	r.Handle("/staff/closures/{cid}/delete", s.staffOnly(s.handleDeleteClosure)).Methods(http.MethodPost)
	r.Handle("/staff/date-hours", s.staffOnly(s.handleSetDateHours)).Methods(http.MethodPost)                 // staff_datehours.go
	r.Handle("/staff/date-hours/{did}/delete", s.staffOnly(s.handleDeleteDateHours)).Methods(http.MethodPost) // staff_datehours.go
	// staff_catalogue.go (services, artisans, settings; before
	// /staff/artisans/{aid}) and staff_accounts.go (accounts, invitations).
	s.registerCatalogueRoutes(r)
	s.registerAccountRoutes(r)
	r.Handle("/staff/artisans/{aid}", s.staffOnly(s.handleArtisanPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/artisans/{aid}/hours", s.staffOnly(s.handleWorkingHours)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/{aid}/time-off", s.staffOnly(s.handleAddTimeOff)).Methods(http.MethodPost)
	r.Handle("/staff/artisans/{aid}/time-off/{tid}/delete", s.staffOnly(s.handleDeleteTimeOff)).Methods(http.MethodPost)
}

// staffUser is the signed-in user of a request that passed staffOnly.
func staffUser(r *http.Request) *booking.User { return httpx.User(r) }

// loginData is the sign-in page.
type loginData struct {
	Email, Next, Error string
	Welcome            bool // arriving from an invitation that set the password
}

// safeNext keeps a post-sign-in destination on this site's staff pages.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/staff") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/staff"
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := loginData{Next: safeNext(q.Get("next")), Email: strings.TrimSpace(q.Get("email")), Welcome: q.Get("welcome") == "1"}
	return s.show(w, r, "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
}

// handleLogin signs in through the edge (httpx.Server.SignIn), with the
// API's limits; a refused sign-in shows the form again, the address kept.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	staffLang := s.langs.Staff()
	if err := parseForm(w, r); err != nil {
		return err
	}
	d := loginData{Email: strings.TrimSpace(r.PostForm.Get("email")), Next: safeNext(r.PostForm.Get("next"))}
	_, err := s.edge.SignIn(w, r, d.Email, r.PostForm.Get("password"))
	switch {
	case err == nil:
		http.Redirect(w, r, d.Next, http.StatusSeeOther)
		return nil
	case booking.ErrorKind(err) == booking.ERATELIMIT:
		wait, _ := httpx.RetryWait(err)
		d.Error = "Too many failed sign-ins. Please wait " + waitPhrase(staffLang, wait) + " and try again."
	case booking.ErrorKind(err) == booking.EUNAUTHORIZED:
		d.Error = "Wrong e-mail address or password."
	case errors.Is(err, app.ErrSignInBusy):
		// Too many sign-ins at once: nothing was checked or counted.
		d.Error = "Signing in is busy right now. Please try again in a moment."
	case booking.ErrorKind(err) == booking.EUNAVAILABLE:
		// A busy database: the form stays filled in.
		d.Error = sentence(booking.ErrorMessage(err))
	default:
		return err
	}
	return again(err, "staff_login", &page{Title: "Staff sign-in", Nav: "staff", Data: d})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.edge.SignOut(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
	return nil
}

// staffPage starts a staff page for the request's user.
func (s *Server) staffPage(r *http.Request, title, nav string, data any) *page {
	return &page{Title: title, Nav: nav, User: staffUser(r), Data: data}
}

// staffWording is customerWording with staff words for a missing or
// forbidden thing, and every staff error page leads back to the calendar.
func staffWording(status int, err error) (words, bool) {
	staffLang := i18n.English()
	var wd words
	switch status {
	case http.StatusNotFound:
		wd = words{Heading: "Not found", Message: "There is no such booking, artisan or closure, or your account may not see it. The page you came from may be out of date: reload it."}
	case http.StatusForbidden:
		wd = words{Heading: "Not allowed", Message: "Your account may not do this. Ask an administrator."}
	default:
		wd = customerWording(staffLang, status, err)
	}
	wd.BackURL, wd.BackLabel = "/staff/calendar", "Back to the calendar"
	return wd, true
}
