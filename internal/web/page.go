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

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// page is what the layout template receives: the common parts of every
// page and the page's own Data.
type page struct {
	Title   string
	Atelier *booking.Atelier
	// DetectZone asks the script to reload the page in the browser's own
	// time zone when the URL does not name one (booking flow pages).
	DetectZone bool
	// Nav marks the current section in the header ("book", Message: "calendar",
	// "new", Message: "hours", Message: "artisan").
	Nav string
	// User is the signed-in staff member on staff pages.
	User *booking.User
	Data any

	// Lang is the language the page is written in (<html lang>), and
	// Langs the language switch (none on staff pages or with one
	// language). Filled by renderStatus.
	Lang  *i18n.Lang
	Langs []langLink
	// Embed renders the page for an iframe on the atelier's own site
	// (/embed): no site header or footer; Transparent leaves the
	// background to the parent page.
	Embed, Transparent bool
}

// IsAdmin reports whether the page is shown to an admin.
func (p *page) IsAdmin() bool { return p.User.IsAdmin() }

// catalogue is the public catalogue a page needs.
type catalogue struct {
	Atelier  *booking.Atelier
	Loc      *time.Location
	Services []booking.Service
	Artisans []booking.Artisan
}

// atelier is the atelier's public description.
func (s *Server) atelier(ctx context.Context) (*booking.Atelier, error) {
	c, err := s.app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return &c.Atelier, nil
}

func (s *Server) catalogue(ctx context.Context) (*catalogue, error) {
	c, err := s.app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	loc, ok := loadZone(c.Atelier.Timezone)
	if !ok {
		loc = time.UTC
	}
	return &catalogue{Atelier: &c.Atelier, Loc: loc, Services: c.Services, Artisans: c.Artisans}, nil
}

// publicCatalogue is the catalogue customers' pages show and book from:
// without the services that are not public (booked only through an
// invitation or by staff).
func (s *Server) publicCatalogue(ctx context.Context) (*catalogue, error) {
	c, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	pub := (&booking.Catalog{Atelier: *c.Atelier, Services: c.Services, Artisans: c.Artisans}).Public()
	c.Services, c.Artisans = pub.Services, pub.Artisans
	return c, nil
}

func (c *catalogue) service(id string) *booking.Service {
	for i := range c.Services {
		if c.Services[i].ID == id {
			return &c.Services[i]
		}
	}
	return nil
}

func (c *catalogue) artisan(id string) *booking.Artisan {
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

// teamName names every artisan of b, own (the name of its own artisan)
// first, joined as l writes a list: own alone for a booking of one
// artisan, "Tan Mei Ling and Arjun Nair" for one of a service that needs
// several together.
func (c *catalogue) teamName(l *i18n.Lang, b *booking.Booking, own string) string {
	if len(b.Extras()) == 0 {
		return own
	}
	names := []string{own}
	for _, id := range b.Extras() {
		names = append(names, c.artisanName(id))
	}
	return l.Join(names)
}

// serviceName is the service's name, or the id when it left the catalogue.
func (c *catalogue) serviceName(id string) string {
	if sv := c.service(id); sv != nil {
		return sv.Name
	}
	return id
}

// artisansFor lists the artisans offering the service, in catalogue order.
func (c *catalogue) artisansFor(svc *booking.Service) []booking.Artisan {
	var out []booking.Artisan
	for _, a := range c.Artisans {
		if slices.Contains(svc.Artisans, a.ID) {
			out = append(out, a)
		}
	}
	return out
}

// show writes the page name with p (200); the atelier is loaded when p
// has none. An error before anything is written (the atelier cannot be
// read, a template fails) is returned, for the edge to answer.
func (s *Server) show(w http.ResponseWriter, r *http.Request, name string, p *page) error {
	return s.renderStatus(w, r, http.StatusOK, name, p)
}

// renderStatus is show with another status: a page shown again after an
// error, with the error's status (pageRenderer).
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, p *page) error {
	if p.Atelier == nil {
		at, err := s.atelier(r.Context())
		if err != nil {
			return err
		}
		p.Atelier = at
	}
	s.dress(r, p)
	return s.pages.render(w, status, name, p.Lang, p)
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

func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, wd words) {
	d := errorData{Status: status, Heading: wd.Heading, Message: wd.Message, BackURL: wd.BackURL, BackLabel: wd.BackLabel}
	if status == http.StatusServiceUnavailable && r.Method == http.MethodGet {
		d.RetryURL = r.URL.RequestURI()
	}
	p := &page{Title: wd.Heading, Data: d}
	at, err := s.atelier(r.Context())
	if err != nil {
		// Still render the page, without the atelier's details.
		at = &booking.Atelier{Name: "Atelier"}
	}
	p.Atelier = at
	s.dress(r, p)
	if err := s.pages.render(w, status, "error", p.Lang, p); err != nil {
		s.logger.ErrorContext(r.Context(), "rendering error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// dress fills in what every page has from its request: the language and
// its switch, and the embed mode.
func (s *Server) dress(r *http.Request, p *page) {
	if p.Lang == nil {
		p.Lang = s.langOf(r)
		if p.User != nil {
			p.Lang = s.langs.Staff()
		}
	}
	if p.User == nil {
		p.Langs = s.langLinks(r, p.Lang)
	}
	if embedded(r) {
		p.Embed, p.Transparent = true, r.URL.Query().Get("transparent") == "1"
	}
}

// words is what an error page says: a heading and a message that is safe
// to show, and optionally a way back.
type words struct {
	Heading, Message   string
	BackURL, BackLabel string
}

// page is h on the edge, its errors answered with pages (pageRenderer).
func (s *Server) page(h httpx.HandlerFunc) http.Handler {
	return s.edge.Handle(pageRenderer{s: s}, s.inLanguage(s.embeddable(h)))
}

// managePage is page for the pages a manage link opens: an unknown
// booking, a wrong token and an expired one are one "this link is not
// valid" page that offers fresh links.
func (s *Server) managePage(h httpx.HandlerFunc) http.Handler {
	return s.edge.Handle(pageRenderer{s: s, manage: true}, s.inLanguage(s.embeddable(h)))
}

// staffOnly is page behind a staff session (the edge's session
// middleware, shared with the staff API): anyone signed out is sent to
// the sign-in page, which brings them back afterwards.
func (s *Server) staffOnly(h httpx.HandlerFunc) http.Handler {
	return s.edge.Handle(pageRenderer{s: s}, s.edge.RequireStaff(h))
}

// pageRenderer answers errors on the pages (httpx.Renderer): the edge has
// set the status of the one error → status table and any Retry-After,
// and logged what needs logging; the pages choose only the words. An
// error that asks for its form again (again) shows that page; one with
// words of its own (withWords) says them. A request without a staff
// session (EUNAUTHORIZED) is sent to the sign-in page, which brings it
// back afterwards. Signed-in staff read the staff words (staffWording),
// which lead back to the calendar; anyone else the customer's.
type pageRenderer struct {
	s      *Server
	manage bool // a manage link's page: not found is "this link is not valid"
}

// RenderError renders the page for err with status.
func (pr pageRenderer) RenderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	s := pr.s
	var pe *pageError
	if errors.As(err, &pe) {
		if rerr := s.renderStatus(w, r, status, pe.name, pe.page); rerr != nil {
			s.logger.ErrorContext(r.Context(), "rendering page", "page", pe.name, "err", rerr)
			s.renderErrorPage(w, r, http.StatusInternalServerError, customerWording(s.langOf(r), http.StatusInternalServerError, rerr))
		}
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
	if pr.manage && status == http.StatusNotFound {
		s.invalidLink(w, r, status)
		return
	}
	var we *wordedError
	wd, ok := words{}, false
	if errors.As(err, &we) {
		wd, ok = we.words, true
	}
	var uf *unreadForm
	if !ok && httpx.User(r) != nil && !errors.Is(err, httpx.ErrNoRoute) && !errors.As(err, &uf) {
		wd, ok = staffWording(status, err)
	}
	if !ok {
		wd = customerWording(s.langOf(r), status, err)
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

// wordedError is an error whose page says words of its own.
type wordedError struct {
	err   error
	words words
}

func (e *wordedError) Error() string { return e.err.Error() }
func (e *wordedError) Unwrap() error { return e.err }

// withWords returns err answered with the error page saying wd; the
// status is err's.
func withWords(err error, wd words) error { return &wordedError{err: err, words: wd} }

// parseForm reads a posted form (httpx.ParseForm); one that cannot be
// read is a 400 page asking to send it again.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.ParseForm(w, r); err != nil {
		return errUnreadForm(err)
	}
	return nil
}

// unreadForm marks a form that could not be read: its words are chosen in
// the page's language by pageRenderer.
type unreadForm struct{ err error }

func (e *unreadForm) Error() string { return e.err.Error() }
func (e *unreadForm) Unwrap() error { return e.err }

func errUnreadForm(err error) error { return &unreadForm{err: httpx.FormError(err)} }

// customerWording is the words of every status for customers. Where the
// application's message says what happened (a conflict, an invalid
// request), the page shows it; internal errors never show theirs.
func customerWording(l *i18n.Lang, status int, err error) words {
	var uf *unreadForm
	if errors.As(err, &uf) && booking.ErrorKind(err) == booking.ETOOLARGE {
		return words{Heading: l.T("error.form_large.heading"), Message: l.T("error.form_large.text")}
	}
	if errors.As(err, &uf) {
		return words{Heading: l.T("error.form.heading"), Message: l.T("error.form.text")}
	}
	if errors.Is(err, httpx.ErrNoRoute) {
		return words{Heading: l.T("error.no_page.heading"), Message: l.T("error.no_page.text")}
	}
	problem := func() string {
		var e *booking.Error
		if errors.As(err, &e) {
			return l.Problem(e.Code, e.Reason, sentence(booking.ErrorMessage(err)))
		}
		return l.Problem(booking.ErrorCode(err), "", sentence(booking.ErrorMessage(err)))
	}
	switch status {
	case http.StatusBadRequest:
		return words{Heading: l.T("error.400.heading"), Message: l.T("error.400.text")}
	case http.StatusUnauthorized:
		return words{Heading: l.T("error.401.heading"), Message: l.T("error.401.text")}
	case http.StatusForbidden:
		return words{Heading: l.T("error.403.heading"), Message: l.T("error.403.text")}
	case http.StatusNotFound:
		return words{Heading: l.T("error.404.heading"), Message: l.T("error.404.text")}
	case http.StatusConflict, http.StatusUnprocessableEntity:
		return words{Heading: l.T("error.409.heading"), Message: l.Sentences(problem(), l.T("error.409.unchanged"))}
	case http.StatusRequestEntityTooLarge:
		return words{Heading: l.T("error.413.heading"), Message: l.T("error.413.text")}
	case http.StatusTooManyRequests:
		return words{Heading: l.T("error.429.heading"), Message: l.T("error.429.text")}
	case http.StatusServiceUnavailable:
		return words{Heading: l.T("error.503.heading"), Message: problem()}
	}
	if status >= 400 && status < 500 {
		return words{Heading: l.T("error.409.heading"), Message: problem()}
	}
	return words{Heading: l.T("error.500.heading"), Message: l.T("error.500.text")}
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
