package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// page is what the layout template receives: the common parts of every
// page and the page's own Data.
type page struct {
	Title   string
	Atelier *app.AtelierView
	// DetectZone asks the script to reload the page in the browser's own
	// time zone when the URL does not name one (booking flow pages).
	DetectZone bool
	// Nav marks the current section in the header ("book", Message: "calendar",
	// "new", Message: "hours", Message: "artisan").
	Nav string
	// User is the signed-in staff member on staff pages.
	User *booking.User
	Data any
}

// IsAdmin reports whether the page is shown to an admin.
func (p *page) IsAdmin() bool { return p.User.IsAdmin() }

// catalogue is the public catalogue a page needs.
type catalogue struct {
	Atelier  *app.AtelierView
	Loc      *time.Location
	Services []app.ServiceView
	Artisans []app.ArtisanView
}

func (s *Server) catalogue(ctx context.Context) (*catalogue, error) {
	at, err := s.app.Atelier(ctx)
	if err != nil {
		return nil, err
	}
	svcs, err := s.app.Services(ctx)
	if err != nil {
		return nil, err
	}
	arts, err := s.app.Artisans(ctx)
	if err != nil {
		return nil, err
	}
	loc, ok := loadZone(at.Timezone)
	if !ok {
		loc = time.UTC
	}
	return &catalogue{Atelier: at, Loc: loc, Services: svcs, Artisans: arts}, nil
}

func (c *catalogue) service(id string) *app.ServiceView {
	for i := range c.Services {
		if c.Services[i].ID == id {
			return &c.Services[i]
		}
	}
	return nil
}

func (c *catalogue) artisan(id string) *app.ArtisanView {
	for i := range c.Artisans {
		if c.Artisans[i].ID == id {
			return &c.Artisans[i]
		}
	}
	return nil
}

// artisanName is the artisan's name, or the id when the artisan left the
// catalogue.
func (c *catalogue) artisanName(id string) string {
	if a := c.artisan(id); a != nil {
		return a.Name
	}
	return id
}

// serviceName is the service's name, or the id when it left the catalogue.
func (c *catalogue) serviceName(id string) string {
	if sv := c.service(id); sv != nil {
		return sv.Name
	}
	return id
}

// artisansFor lists the artisans offering the service, in catalogue order.
func (c *catalogue) artisansFor(svc *app.ServiceView) []app.ArtisanView {
	var out []app.ArtisanView
	for _, a := range c.Artisans {
		if slices.Contains(svc.Artisans, a.ID) {
			out = append(out, a)
		}
	}
	return out
}

// render writes a page; the atelier is loaded when p has none.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.Atelier == nil {
		at, err := s.app.Atelier(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Atelier = at
	}
	if err := s.pages.render(w, status, name, p); err != nil {
		s.logger.ErrorContext(r.Context(), "rendering page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// errorData is the content of the error page.
type errorData struct {
	Status  int
	Heading string
	Message string
	// RetryURL, on a 503 to a GET, is the page itself: trying again is
	// one click.
	RetryURL string
	// BackURL and BackLabel lead back to where the visitor came from
	// (the staff calendar); by default the page links to the atelier.
	BackURL, BackLabel string
}

// renderError renders the error page. Message must be safe to show.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	s.renderErrorPage(w, r, status, words{Heading: heading, Message: message})
}

func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, wd words) {
	d := errorData{Status: status, Heading: wd.Heading, Message: wd.Message, BackURL: wd.BackURL, BackLabel: wd.BackLabel}
	if status == http.StatusServiceUnavailable && r.Method == http.MethodGet {
		d.RetryURL = r.URL.RequestURI()
	}
	p := &page{Title: wd.Heading, Data: d}
	at, err := s.app.Atelier(r.Context())
	if err != nil {
		// Still render the page, without the atelier's details.
		at = &app.AtelierView{Name: "Atelier"}
	}
	p.Atelier = at
	if err := s.pages.render(w, status, "error", p); err != nil {
		s.logger.ErrorContext(r.Context(), "rendering error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// words is what an error page says: a heading and a message that is safe
// to show, and optionally a way back.
type words struct {
	Heading, Message   string
	BackURL, BackLabel string
}

// wording chooses the words of an error page for a status; the status
// itself always comes from the one table (httpx.StatusOf). A wording
// returns false for the statuses it leaves to the default words.
type wording func(status int, err error) (words, bool)

// pageRenderer answers errors on the pages (httpx.Renderer): the edge has
// set the status of the one error → status table and any Retry-After,
// and logged what needs logging; the pages choose only the words. A
// request without a staff session (EUNAUTHORIZED) is sent to the sign-in
// page, which brings it back afterwards. Signed-in staff read the staff
// words (staffWording), which lead back to the calendar; anyone else the
// customer's. own, when set, chooses first.
type pageRenderer struct {
	s   *Server
	own wording
}

// RenderError renders the error page for err with status, or the page
// err asks to show again (again).
func (pr pageRenderer) RenderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	s := pr.s
	var pe *pageError
	if errors.As(err, &pe) {
		s.render(w, r, status, pe.name, pe.page)
		return
	}
	if status == http.StatusUnauthorized && booking.ErrorKind(err) == booking.EUNAUTHORIZED {
		next := "/staff"
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		http.Redirect(w, r, "/staff/login?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
		return
	}
	wd, ok := words{}, false
	if pr.own != nil {
		wd, ok = pr.own(status, err)
	}
	if !ok && httpx.User(r) != nil {
		wd, ok = staffWording(status, err)
	}
	if !ok {
		wd = customerWording(status, err)
	}
	s.renderErrorPage(w, r, status, wd)
}

// pageError is an error answered with a page of its own instead of the
// error page: the form that was sent, shown again with what was typed and
// a message saying what to change (the miniflux pattern).
type pageError struct {
	err  error
	name string
	page *page
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// again returns err answered with the page name showing p: the status,
// Retry-After and logging are err's, from the one table, as for any
// error; the page carries the words.
func again(err error, name string, p *page) error { return &pageError{err: err, name: name, page: p} }

// errorPage answers an application error: the status and any Retry-After
// come from the one error → status table the JSON API answers from, so no
// kind of error is a 500 here that the API knows as a 4xx; the pages
// choose only the words. Internal errors are logged with their detail and
// shown only as "something went wrong".
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error, own wording) {
	s.edge.Error(w, r, err, pageRenderer{s: s, own: own})
}

// serverError answers any error from the application on a page
// (errorPage with the default words).
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.errorPage(w, r, err, nil)
}

// customerWording is the words of every status for customers. Where the
// application's message says what happened (a conflict, an invalid
// request), the page shows it; internal errors never show theirs.
func customerWording(status int, err error) words {
	switch status {
	case http.StatusBadRequest:
		return words{Heading: "Your request could not be read", Message: "Please go back and try again."}
	case http.StatusUnauthorized:
		return words{Heading: "Please sign in", Message: "This page needs a staff sign-in."}
	case http.StatusForbidden:
		return words{Heading: "Not allowed", Message: "This is not something you can do here. Please contact the atelier if you think it should be."}
	case http.StatusNotFound:
		return words{Heading: "Not found", Message: "We could not find what this link points to. If it came from one of our e-mails, please check that the whole link was opened."}
	case http.StatusConflict, http.StatusUnprocessableEntity:
		return words{Heading: "This could not be done", Message: sentence(booking.ErrorMessage(err)) + " Nothing was changed."}
	case http.StatusRequestEntityTooLarge:
		return words{Heading: "Your request is too large", Message: "Please shorten what you typed and try again."}
	case http.StatusTooManyRequests:
		return words{Heading: "Too many requests", Message: "We have received many requests from your connection. Please wait a minute and try again."}
	case http.StatusServiceUnavailable:
		return words{Heading: "Please try again in a moment", Message: sentence(booking.ErrorMessage(err))}
	}
	if status >= 400 && status < 500 {
		return words{Heading: "This could not be done", Message: sentence(booking.ErrorMessage(err))}
	}
	return words{Heading: "Something went wrong", Message: "Something went wrong on our side. Please try again in a moment, or contact the atelier."}
}

// sentence turns a domain message ("the video call could not be set up")
// into a sentence for a page: a capital first letter, a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "!") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return msg
}

// unavailable prepares a 503 for err (booking.EUNAVAILABLE: a busy
// database, a full disk, a video service down) on a page shown again
// with its form: nothing was changed, the page says so and when to try
// again (Retry-After, as the API's 503), and the cause is logged for the
// operator.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	httpx.SetRetryAfter(w.Header(), err)
	s.logger.WarnContext(r.Context(), "unavailable", "method", r.Method, "route", httpx.Route(r), "err", err)
}
