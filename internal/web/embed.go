package web

import (
	"net/http"
	"net/url"

	"github.com/atelier-app/atelier/internal/httpx"
)

// Embedding: GET /embed is the booking flow for an iframe on the atelier's
// own site. Every step of it carries embed=1 (flow.Embed), so it stays in
// embed mode to the confirmation: no site header or footer, an optional
// transparent background (?transparent=1), and the page's height sent to
// the parent with postMessage (web/static/app.js) so that the iframe fits
// without scroll bars. Only the embed pages may be framed, and only by
// server.embed_origins (CSP frame-ancestors); every other page keeps
// frame-ancestors 'none' (internal/httpx).

// embedParam marks a page of the embedded flow.
const embedParam = "embed"

// embedded reports whether r asks for a page in embed mode.
func embedded(r *http.Request) bool {
	// The URL only: a form is read by its handler, within its limits; the
	// embed pages' forms post to an address with embed=1.
	return r.URL.Path == "/embed" || r.URL.Query().Get(embedParam) == "1"
}

// embeddable lets the configured origins frame h's answer when it is an
// embed page: the edge's CSP with frame-ancestors replaced, and no
// X-Frame-Options (CSP's frame-ancestors supersedes it, and DENY would
// refuse the frame in old browsers that know only that header).
func (s *Server) embeddable(h httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if embedded(r) {
			w.Header().Set("Content-Security-Policy", httpx.CSPWithFrameAncestors(s.embedAncestors))
			w.Header().Del("X-Frame-Options")
		}
		return h(w, r)
	}
}

// handleEmbed is the booking flow's first page in embed mode: /embed is
// /book?embed=1, with the query kept (a service, a language, transparent).
func (s *Server) handleEmbed(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	q.Set(embedParam, "1")
	r2 := r.Clone(r.Context())
	r2.URL = &url.URL{Path: "/book", RawQuery: q.Encode()}
	r2.RequestURI = r2.URL.RequestURI()
	return s.handleBook(w, r2)
}
