package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The language of the customer pages follows API.md: ?lang= (which the
// language switch's links carry, and which is remembered in the lang
// cookie), then that cookie, then Accept-Language, among the configured
// languages (atelier.languages). Staff pages are English.

// langCookie remembers a visitor's choice of language.
const langCookie = "lang"

// langParam is the query parameter of an explicit choice.
const langParam = "lang"

type langKey struct{}

// negotiate is the language of r by the rule above.
func (s *Server) negotiate(r *http.Request) *i18n.Lang {
	remembered := ""
	if c, err := r.Cookie(langCookie); err == nil {
		remembered = c.Value
	}
	return s.langs.Negotiate(r.URL.Query().Get(langParam), remembered, r.Header.Get("Accept-Language"))
}

// langOf is the language r's page is written in: the staff's English on
// a signed-in staff request, else the customer's choice.
func (s *Server) langOf(r *http.Request) *i18n.Lang {
	if l, ok := r.Context().Value(langKey{}).(*i18n.Lang); ok {
		return l
	}
	if httpx.User(r) != nil {
		return s.langs.Staff()
	}
	return s.negotiate(r)
}

// inLanguage is h with the customer's language chosen and put in the
// request's context; an explicit choice (?lang=) of a configured language
// is remembered in a cookie for a year.
func (s *Server) inLanguage(h httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		l := s.negotiate(r)
		if q := r.URL.Query().Get(langParam); q != "" && s.langs.Found(q) {
			http.SetCookie(w, &http.Cookie{
				Name: langCookie, Value: l.Name(), Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
				HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
			})
		}
		hd := w.Header()
		hd.Add("Vary", "Accept-Language, Cookie")
		hd.Set("Content-Language", l.HTML())
		return h(w, r.WithContext(context.WithValue(r.Context(), langKey{}, l)))
	}
}

// langLink is one entry of the language switch.
type langLink struct {
	Name, Native, URL string
	Current           bool
}

// langLinks is the language switch of r's page: the page itself with
// ?lang= for each configured language (none when there is only one). A
// posted form's page links to its address without the form.
func (s *Server) langLinks(r *http.Request, cur *i18n.Lang) []langLink {
	langs := s.langs.Languages()
	if len(langs) < 2 {
		return nil
	}
	q := url.Values{}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		q = r.URL.Query()
	}
	out := make([]langLink, 0, len(langs))
	for _, l := range langs {
		q.Set(langParam, l.Name())
		out = append(out, langLink{Name: l.HTML(), Native: l.Native(), URL: r.URL.Path + "?" + q.Encode(), Current: l == cur})
	}
	return out
}
