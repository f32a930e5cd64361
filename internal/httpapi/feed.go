package httpapi

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

// Calendar subscription feeds (see internal/app/feed.go for what a feed
// holds). GET /feeds/{token}.ics is public: the token is the credential,
// and the access log records only the route template, never the token.

// feedCacheControl lets a calendar client (never a shared cache: the URL is
// a secret and the body personal) reuse a feed for five minutes.
const feedCacheControl = "private, max-age=300"

// registerFeedRoutes adds the public feed route to the root router.
func (sa *staffAPI) registerFeedRoutes(r *mux.Router) {
	r.Handle("/feeds/{token:[A-Za-z0-9_-]+}.ics", sa.handle(sa.handleFeed)).Methods(http.MethodGet, http.MethodHead)
}

// handleFeed serves GET /feeds/{token}.ics: text/calendar with a strong
// ETag from the body, so that If-None-Match answers 304. An unknown or
// revoked token is a 404 problem.
func (sa *staffAPI) handleFeed(w http.ResponseWriter, r *http.Request) error {
	doc, err := sa.staff.Feed(r.Context(), mux.Vars(r)["token"])
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("ETag", doc.ETag)
	h.Set("Cache-Control", feedCacheControl)
	h.Set("X-Robots-Tag", "noindex")
	// ServeContent answers If-None-Match (304), HEAD and ranges from the
	// ETag set above; no Last-Modified, as the zero time leaves it out.
	http.ServeContent(w, r, "feed.ics", time.Time{}, bytes.NewReader(doc.Body))
	return nil
}

// handleRotateArtisanFeed serves POST /api/v1/staff/artisans/{id}/feed:
// 201 with a new secret URL; the previous one stops working.
func (sa *staffAPI) handleRotateArtisanFeed(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.RotateArtisanFeed(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.secret(w, v, err)
}

// handleRevokeArtisanFeed serves DELETE /api/v1/staff/artisans/{id}/feed.
func (sa *staffAPI) handleRevokeArtisanFeed(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, sa.staff.RevokeArtisanFeed(r.Context(), userOf(r), mux.Vars(r)["id"]))
}

// handleRotateAtelierFeed serves POST /api/v1/staff/feed (admins).
func (sa *staffAPI) handleRotateAtelierFeed(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.RotateAtelierFeed(r.Context(), userOf(r))
	return sa.secret(w, v, err)
}

// handleRevokeAtelierFeed serves DELETE /api/v1/staff/feed (admins).
func (sa *staffAPI) handleRevokeAtelierFeed(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, sa.staff.RevokeAtelierFeed(r.Context(), userOf(r)))
}

// secret writes a response carrying a secret URL: 201, never stored by
// any cache.
func (sa *staffAPI) secret(w http.ResponseWriter, token string, err error) error {
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, sa.feedLink(token))
}

// feedLink is the address of the feed whose secret is token, as served by
// registerFeedRoutes, and the same as webcal://…, which opens a calendar
// app.
func (sa *staffAPI) feedLink(token string) feedLinkView {
	url := strings.TrimRight(sa.app.PublicURL(), "/") + "/feeds/" + token + ".ics"
	webcal := url
	if _, rest, ok := strings.Cut(url, "://"); ok {
		webcal = "webcal://" + rest
	}
	return feedLinkView{URL: url, Webcal: webcal}
}

// handleClosures serves GET /api/v1/staff/closures: the closures that have
// not ended, with their ids and sources.
func (sa *staffAPI) handleClosures(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.Closures(r.Context(), userOf(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newStaffClosureViews(v))
}
