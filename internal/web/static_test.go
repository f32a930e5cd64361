package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestFontServed checks that the web font is served with the hashed static
// files: the layout preloads it, the style sheet names it by the same
// hashed URL, and it comes back as font/woff2 with a year's cache, with its
// licence beside it.
func TestFontServed(t *testing.T) {
	e := MustOpenEnv(t)
	home := e.MustGet(t, "/")
	m := regexp.MustCompile(`<link rel="preload" href="(/static/fonts/ebgaramond-regular\.[0-9a-f]{10}\.woff2)" as="font" type="font/woff2" crossorigin>`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("the landing page does not preload the main font face")
	}
	font := m[1]
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(home.Body)
	if css == nil {
		t.Fatal("no style sheet")
	}
	sheet := e.MustGet(t, css[1])
	if !strings.Contains(sheet.Body, `url("`+font+`")`) || strings.Contains(sheet.Body, `url("fonts/`) {
		t.Errorf("app.css does not name the font by its hashed URL %s", font)
	}
	if !strings.Contains(sheet.Body, "font-display: swap") || !strings.Contains(sheet.Body, `"Noto Serif CJK SC"`) {
		t.Error("app.css lacks font-display: swap or the CJK fallback")
	}
	f := e.MustGet(t, font)
	if f.Status != 200 || f.Header.Get("Content-Type") != "font/woff2" || !strings.Contains(f.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Errorf("font: %d %q %q", f.Status, f.Header.Get("Content-Type"), f.Header.Get("Cache-Control"))
	}
	if !strings.HasPrefix(f.Body, "wOF2") {
		t.Error("the font is not WOFF2")
	}
}
