package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// page is what the layout template receives: the common parts of every
// page and the page's own Data.
type page struct {
	Title   string
	Atelier *app.AtelierView
	// DetectZone asks the script to reload the page in the browser's own
	// time zone when the URL does not name one (booking flow pages).
	DetectZone bool
	// Nav marks the current section in the header ("book", "calendar",
	// "new", "hours", "artisan").
	Nav string
	// User is the signed-in staff member on staff pages.
	User *booking.User
	Data any
}

// IsAdmin reports whether the page is shown to an admin.
func (p *page) IsAdmin() bool { return p.User != nil && p.User.Role == booking.RoleAdmin }

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
}

// renderError renders the error page. Message must be safe to show.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	d := errorData{Status: status, Heading: heading, Message: message}
	if status == http.StatusServiceUnavailable && r.Method == http.MethodGet {
		d.RetryURL = r.URL.RequestURI()
	}
	p := &page{Title: heading, Data: d}
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

// serverError handles an error from the application: a domain error is
// shown by its safe message, anything else is logged and shown as
// "something went wrong".
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	switch booking.ErrorKind(err) {
	case booking.ENOTFOUND:
		s.renderError(w, r, http.StatusNotFound, "Not found", "We could not find what this link points to. If it came from one of our e-mails, please check that the whole link was opened.")
		return
	case booking.EUNAVAILABLE:
		s.unavailable(w, r, err)
		s.renderError(w, r, http.StatusServiceUnavailable, "Please try again in a moment", sentence(booking.ErrorMessage(err)))
		return
	}
	s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", routePath(r), "err", err)
	s.renderError(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. Please try again in a moment, or contact the atelier.")
}

// unavailable prepares a 503 for err (booking.EUNAVAILABLE: a busy
// database, a full disk, a video service down): nothing was changed, the
// page says so and when to try again (Retry-After, as the API's 503), and
// the cause is logged for the operator.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Retry-After", httpapi.RetryAfter(httpapi.UnavailableRetry))
	s.logger.WarnContext(r.Context(), "unavailable", "method", r.Method, "path", routePath(r), "err", err)
}

// sentence turns a domain message ("the video call could not be set up")
// into a sentence for a page: a capital first letter, a full stop.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// routePath is the matched route template, which holds no ids or tokens.
func routePath(r *http.Request) string {
	if rt := currentRoute(r); rt != "" {
		return rt
	}
	return "unmatched"
}
