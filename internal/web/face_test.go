package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/web"
)

// MustWritePhoto writes a w×h JPEG of a soft gradient to dir/name.
func MustWritePhoto(tb testing.TB, dir, name string, w, h int, tint color.RGBA) {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			f := uint8(255 * (x + y) / (w + h))
			img.SetRGBA(x, y, color.RGBA{tint.R/2 + f/2, tint.G/2 + f/3, tint.B/2 + f/4, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// withPhotos gives the demo configuration a logo-less atelier with two
// photos, a photo for the first service and one for the artisan Mei.
func withPhotos(tb testing.TB) func(c *config.Config) {
	dir := tb.TempDir()
	MustWritePhoto(tb, dir, "bench.jpg", 2000, 1333, color.RGBA{30, 77, 69, 255})
	MustWritePhoto(tb, dir, "stones.jpg", 1200, 800, color.RGBA{140, 110, 60, 255})
	MustWritePhoto(tb, dir, "design.jpg", 1000, 700, color.RGBA{90, 60, 40, 255})
	MustWritePhoto(tb, dir, "mei.jpg", 600, 800, color.RGBA{160, 120, 110, 255})
	return func(c *config.Config) {
		c.Atelier.MediaDir, c.Atelier.MediaPath = "media", dir
		c.Atelier.Photos = []config.Photo{{File: "bench.jpg", Alt: "The goldsmith's bench by the window"}, {File: "stones.jpg", Alt: "Loose sapphires on a tray"}}
		c.Services[0].Photo = &config.Photo{File: "design.jpg", Alt: "Sketches of a ring beside a wax model"}
		for i := range c.Artisans {
			if c.Artisans[i].ID == "mei" {
				c.Artisans[i].Photo = &config.Photo{File: "mei.jpg", Alt: "Tan Mei Ling at her bench"}
			}
		}
	}
}

var imgTag = regexp.MustCompile(`<img [^>]*>`)

// TestPagesWithPhotos checks that the landing page and the booking steps
// show the configured pictures with srcset, sizes and alt text, and that
// every size is served with a year's cache.
func TestPagesWithPhotos(t *testing.T) {
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: withPhotos(t)})
	home := env.MustGet(t, "/")
	imgs := imgTag.FindAllString(home.Body, -1)
	if len(imgs) != 3 {
		t.Fatalf("%d pictures on the landing page, want 3 (two photos, one service):\n%s", len(imgs), strings.Join(imgs, "\n"))
	}
	for i, alt := range []string{"The goldsmith&#39;s bench by the window", "Loose sapphires on a tray", "Sketches of a ring beside a wax model"} {
		if !strings.Contains(imgs[i], `alt="`+alt+`"`) {
			t.Errorf("picture %d: %s, want alt %q", i, imgs[i], alt)
		}
	}
	srcset := regexp.MustCompile(`srcset="([^"]+)"`).FindStringSubmatch(imgs[0])
	if srcset == nil {
		t.Fatalf("no srcset: %s", imgs[0])
	}
	var widths []string
	for _, entry := range strings.Split(srcset[1], ", ") {
		url, w, _ := strings.Cut(entry, " ")
		widths = append(widths, w)
		p := env.MustGet(t, url)
		if p.Status != 200 || p.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(p.Header.Get("Cache-Control"), "max-age=31536000, immutable") {
			t.Errorf("%s: %d %s %s", url, p.Status, p.Header.Get("Content-Type"), p.Header.Get("Cache-Control"))
		}
		if !regexp.MustCompile(`^/static/media/atelier-photos-0-\d+w\.[0-9a-f]{10}\.jpg$`).MatchString(url) {
			t.Errorf("url %s is not a hashed static URL", url)
		}
	}
	if strings.Join(widths, " ") != "480w 960w 1600w" {
		t.Errorf("srcset widths %v", widths)
	}
	if !strings.Contains(imgs[0], `width="960" height="640"`) || !strings.Contains(imgs[0], `sizes="`) {
		t.Errorf("lead photo lacks its size or sizes: %s", imgs[0])
	}
	if !strings.Contains(home.Body, `class="monogram"`) {
		t.Error("no logo configured, but no monogram either")
	}
	// The services come before the hours and the closures.
	if s, h := strings.Index(home.Body, `id="services-title"`), strings.Index(home.Body, `id="hours-title"`); s < 0 || h < 0 || s > h {
		t.Errorf("services at %d, hours at %d: the services must come first", s, h)
	}

	art := env.MustGet(t, "/book?service=bespoke-design&mode=in_person")
	if !strings.Contains(art.Body, `alt="Tan Mei Ling at her bench"`) || !regexp.MustCompile(`<img class="avatar" src="/static/media/artisans-0-photo-sq160\.[0-9a-f]{10}\.jpg" srcset="[^"]+ 160w, [^"]+ 320w"`).MatchString(art.Body) {
		t.Errorf("the artisan step does not show Mei's portrait:\n%s", strings.Join(imgTag.FindAllString(art.Body, -1), "\n"))
	}
	if !strings.Contains(art.Body, `<span class="avatar initials" aria-hidden="true">AN</span>`) {
		t.Error("Arjun, without a portrait, has no initials")
	}
}

// TestPagesWithoutPhotos checks the demo's finished look without pictures:
// a monogram of the atelier's name, the artisans' initials, no image.
func TestPagesWithoutPhotos(t *testing.T) {
	env := MustOpenEnv(t)
	home := env.MustGet(t, "/")
	if imgTag.MatchString(home.Body) {
		t.Errorf("a picture on the landing page without any configured: %v", imgTag.FindAllString(home.Body, -1))
	}
	if !strings.Contains(home.Body, `<span class="monogram" aria-hidden="true">KA</span>`) {
		t.Error("no monogram KA for Keong Saik Atelier")
	}
	for _, want := range []string{"Bespoke jewellery, made by hand in Chinatown", "The blue door between the bakery and the tailor", "Open in a map"} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("the landing page lacks %q", want)
		}
	}
	art := env.MustGet(t, "/book?service=bespoke-design&mode=in_person")
	for _, want := range []string{">TL</span>", ">AN</span>"} {
		if !strings.Contains(art.Body, want) {
			t.Errorf("the artisan step lacks the initials %s", want)
		}
	}
}

// TestUseConfigMissingPicture checks that a picture file that is not
// there stops the start with the key that names it.
func TestUseConfigMissingPicture(t *testing.T) {
	cfg, err := config.Parse(atelier.ExampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg.Atelier.MediaDir, cfg.Atelier.MediaPath = "media", dir
	cfg.Artisans[1].Photo = &config.Photo{File: "arjun.jpg", Alt: "Arjun Nair"}
	pages, err := web.New(httpx.New(httpx.Config{}, slog.New(slog.DiscardHandler)), atelier.Web, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = pages.UseConfig(cfg)
	if want := "artisans[1].photo: " + filepath.Join(dir, "arjun.jpg") + ": no such file"; err == nil || err.Error() != want {
		t.Errorf("UseConfig = %v, want %q", err, want)
	}
}

// TestLandingLogo checks that a configured logo takes the monogram's place,
// with its alt text, and a transparent PNG logo is served as a PNG.
func TestLandingLogo(t *testing.T) {
	dir := t.TempDir()
	logo := image.NewNRGBA(image.Rect(0, 0, 400, 160))
	for x := 40; x < 360; x++ {
		logo.SetNRGBA(x, 80, color.NRGBA{30, 77, 69, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, logo); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logo.png"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: func(c *config.Config) {
		c.Atelier.MediaDir, c.Atelier.MediaPath = "media", dir
		c.Atelier.Logo = &config.Photo{File: "logo.png", Alt: "Keong Saik Atelier, est. 2014"}
	}})
	home := env.MustGet(t, "/")
	m := regexp.MustCompile(`<img class="logo" src="(/static/media/atelier-logo-400w\.[0-9a-f]{10}\.png)" srcset="[^"]+ 400w" sizes="12rem" width="400" height="160" alt="Keong Saik Atelier, est. 2014">`).FindStringSubmatch(home.Body)
	if m == nil || strings.Contains(home.Body, `class="monogram"`) {
		t.Fatalf("the logo does not replace the monogram:\n%s", strings.Join(imgTag.FindAllString(home.Body, -1), "\n"))
	}
	if p := env.MustGet(t, m[1]); p.Status != 200 || p.Header.Get("Content-Type") != "image/png" {
		t.Errorf("logo: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
}
