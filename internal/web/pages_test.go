package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// templateLeaks are the marks of a template fault in a rendered page: a
// missing value, a fmt verb error, an unsafe value html/template refused
// (ZgotmplZ), template syntax left unparsed, a zero time.
var templateLeaks = []string{"<no value>", "&lt;no value&gt;", "%!", "ZgotmplZ", "{{", "0001-01-01", "January 1, 0001"}

func TestPagesRender(t *testing.T) {
	env := MustOpenEnv(t)
	for _, tc := range []struct {
		name, path string
		status     int
		want       []string
	}{
		{"Home", "/", 200, []string{"Keong Saik Atelier", "Visit the atelier", "Book a virtual consultation", "41A Keong Saik Road", "Ring sizing"}},
		{"ServiceStep", "/book", 200, []string{"Choose an appointment", "Bespoke design consultation"}},
		{"ServicesForVideo", "/book?mode=virtual", 200, []string{"Bespoke design consultation"}},
		{"ModeStep", "/book?service=bespoke-design", 200, []string{"Visit to the atelier", "Virtual consultation"}},
		{"ArtisanStep", "/book?service=bespoke-design&mode=in_person", 200, []string{"Any artisan", "Tan Mei Ling"}},
		{"Calendar", "/book?service=bespoke-design&mode=in_person&artisan=any&tz=Europe/London", 200, []string{"December 2026", "Europe / London"}},
		{"NotFound", "/no-such-page", 404, []string{"Page not found"}},
		{"BadManageToken", "/bookings/bk_nope?token=x", 404, []string{"This link is not valid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := env.MustGet(t, tc.path)
			if p.Status != tc.status {
				t.Fatalf("status %d, want %d; body:\n%s", p.Status, tc.status, p.Body)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			// What a broken template shows a visitor instead of content.
			for _, leak := range templateLeaks {
				if strings.Contains(p.Body, leak) {
					t.Errorf("page shows %q (a template or formatting fault)", leak)
				}
			}
		})
	}
	t.Run("VideoListsOnlyVideoServices", func(t *testing.T) {
		p := env.MustGet(t, "/book?mode=virtual")
		if strings.Contains(p.Body, "Ring sizing") {
			t.Error("ring sizing (in person only) offered for a video call")
		}
	})
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	env := MustOpenEnv(t)
	home := env.MustGet(t, "/")
	i := strings.Index(home.Body, `href="/static/app.`)
	if i < 0 {
		t.Fatal("no hashed stylesheet link on the home page")
	}
	href := home.Body[i+6:]
	href = href[:strings.IndexByte(href, '"')]
	css := env.MustGet(t, href)
	if css.Status != http.StatusOK || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: status %d, Cache-Control %q", href, css.Status, css.Header.Get("Cache-Control"))
	}
	if got := css.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("Content-Type %q", got)
	}
	if p := env.MustGet(t, "/static/app.0000000000.css"); p.Status != http.StatusNotFound {
		t.Errorf("stale hash: status %d, want 404", p.Status)
	}
	if strings.Contains(home.Body, "<style") || strings.Contains(home.Body, "style=") || strings.Contains(home.Body, "<script>") {
		t.Error("inline style or script on the home page (the CSP forbids them)")
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	env := MustOpenEnv(t)
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/bookings/bk_x/cancel", strings.NewReader(url.Values{"token": {"t"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: status %d, want 403", resp.StatusCode)
	}
}
