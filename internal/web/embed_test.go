package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
)

// MustOpenEmbedEnv is the demo with server.embed_origins set.
func MustOpenEmbedEnv(t *testing.T, origins ...string) *Env {
	t.Helper()
	return mustOpenEnv(t, httpx.Config{}, envOptions{config: func(c *config.Config) { c.Server.EmbedOrigins = origins }})
}

var (
	hrefs = regexp.MustCompile(`(?:href|action)="([^"]*)"`)
	links = regexp.MustCompile(`href="([^"]*)"`)
)

// TestEmbed: /embed is the booking flow without the site's header and
// footer, framed only by the configured origins; every link and form of
// each step stays in embed mode (and in the language chosen there, which
// a cookie in a third-party frame may not keep), to the confirmation;
// every other page still refuses any frame.
func TestEmbed(t *testing.T) {
	env := MustOpenEmbedEnv(t, "https://www.keongsaik.example", "https://shop.keongsaik.example/")
	const ancestors = "frame-ancestors https://www.keongsaik.example https://shop.keongsaik.example;"

	p := env.MustGet(t, "/embed?lang=zh-Hans&transparent=1")
	if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Content-Security-Policy"), ancestors) || p.Header.Get("X-Frame-Options") != "" {
		t.Fatalf("/embed: %d CSP %q XFO %q", p.Status, p.Header.Get("Content-Security-Policy"), p.Header.Get("X-Frame-Options"))
	}
	if strings.Contains(p.Body, `class="site-header"`) || strings.Contains(p.Body, `class="site-footer"`) ||
		!strings.Contains(p.Body, `class="embed transparent" data-embed`) || !strings.Contains(p.Body, `<html lang="zh-Hans">`) {
		t.Errorf("/embed is not the bare flow:\n%s", p.Body)
	}
	for _, path := range []string{"/", "/book", "/book?embed=0", "/bookings/resend", "/staff/login"} {
		q := env.MustGet(t, path)
		if csp := q.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || q.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s may be framed: CSP %q XFO %q", path, csp, q.Header.Get("X-Frame-Options"))
		}
	}

	// Walk the steps by their first link of each kind, as a visitor would.
	step := func(body, contains string) string {
		t.Helper()
		for _, m := range hrefs.FindAllStringSubmatch(body, -1) {
			if link := html.UnescapeString(m[1]); strings.Contains(link, contains) {
				return link
			}
		}
		t.Fatalf("no link with %q in:\n%s", contains, body)
		return ""
	}
	embedded := func(name string, pg Page) {
		t.Helper()
		if pg.Status != http.StatusOK || !strings.Contains(pg.Body, "data-embed") || !strings.Contains(pg.Header.Get("Content-Security-Policy"), ancestors) {
			t.Fatalf("%s is not an embed page: %d %q", name, pg.Status, pg.Header.Get("Content-Security-Policy"))
		}
		if strings.Contains(pg.Body, `class="zone-form"`) && !strings.Contains(pg.Body, `<input type="hidden" name="embed" value="1">`) {
			t.Errorf("%s: the time zone form leaves embed mode", name)
		}
		for _, m := range links.FindAllStringSubmatch(pg.Body, -1) {
			link := html.UnescapeString(m[1])
			u, err := url.Parse(link)
			if err != nil || u.IsAbs() || strings.HasPrefix(link, "#") || strings.HasPrefix(u.Path, "/static/") || u.Path == "" {
				continue
			}
			if strings.HasPrefix(u.Path, "/bookings/") && u.Query().Get("embed") != "1" {
				// Changing the booking is its own page, which may not be
				// framed: it opens in a new tab.
				if !strings.Contains(pg.Body, `href="`+html.EscapeString(link)+`" target="_blank" rel="noopener"`) {
					t.Errorf("%s: %s opens inside the frame", name, link)
				}
				continue
			}
			if !strings.HasPrefix(u.Path, "/book") {
				continue
			}
			if q := u.Query(); q.Get("embed") != "1" || q.Get("lang") == "" {
				t.Errorf("%s: link %s leaves embed mode", name, link)
			}
		}
	}
	embedded("service step", p)
	p = env.MustGet(t, step(p.Body, "service=ring-sizing"))
	embedded("artisan step", p)
	p = env.MustGet(t, step(p.Body, "artisan=siti"))
	embedded("calendar", p)
	p = env.MustGet(t, step(p.Body, "date=2026-12-12"))
	embedded("calendar with times", p)
	start := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)
	link := step(p.Body, "start="+url.QueryEscape(start))
	p = env.MustGet(t, link)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "embed=1") {
		t.Fatalf("details redirect %d %q leaves embed mode", p.Status, p.Location)
	}
	p = env.MustGet(t, p.Location)
	embedded("details", p)
	form := postedForm(t, p.Body)
	action := html.UnescapeString(regexp.MustCompile(`<form method="post" action="([^"]*)"`).FindStringSubmatch(p.Body)[1])
	if !strings.Contains(action, "embed=1") {
		t.Fatalf("details form posts to %s", action)
	}
	form.Set("name", "Tan Wei Ling")
	form.Set("email", "weiling@example.com")
	// Refused first (no e-mail): the page shown again is still embedded.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("email", "")
	again := env.MustPost(t, action, bad)
	if again.Status != http.StatusUnprocessableEntity || !strings.Contains(again.Body, "data-embed") || !strings.Contains(again.Header.Get("Content-Security-Policy"), ancestors) {
		t.Fatalf("the refused form leaves embed mode: %d", again.Status)
	}
	done := env.MustPost(t, action, form)
	if done.Status != http.StatusSeeOther || !strings.Contains(done.Location, "embed=1") {
		t.Fatalf("booking: %d %q", done.Status, done.Location)
	}
	conf := env.MustGet(t, done.Location)
	embedded("confirmation", conf)
	if b := html.UnescapeString(conf.Body); !strings.Contains(b, "您的预约已确认") || strings.Contains(b, `class="site-header"`) {
		t.Errorf("confirmation in the frame:\n%s", mainOf(b))
	}
}

// TestEmbedNotConfigured: without server.embed_origins /embed exists but
// no site may frame it.
func TestEmbedNotConfigured(t *testing.T) {
	env := MustOpenEnv(t)
	p := env.MustGet(t, "/embed")
	if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("/embed without origins: %d %q", p.Status, p.Header.Get("Content-Security-Policy"))
	}
}
