package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/httpx"
)

// TestBrowserFace looks at the landing page and the artisan step with
// pictures, at phone and desktop widths: axe finds no serious problem at
// either width, EB Garamond is loaded and sets the heading, every picture
// loads, and the phone gets a smaller size from srcset than the desktop.
// The demo without pictures is TestBrowser's 01-home.
func TestBrowserFace(t *testing.T) {
	b := MustStartBrowser(t)
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: withPhotos(t)})
	tab := b.MustOpenTab(t, "Asia/Singapore", true)
	tab.Go(env.URL + "/")
	tab.MustContain("Keong Saik Atelier", "The blue door", "Appointments", "Opening hours")

	font, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](
		`document.fonts.ready.then(() => document.fonts.check('1em "EB Garamond"') &&
		  getComputedStyle(document.querySelector("h1")).fontFamily.startsWith('"EB Garamond"'))`, chromedp.EvalAwaitPromise))
	if err != nil || !font {
		t.Errorf("EB Garamond is not loaded for the heading (%v)", err)
	}
	const loaded = `new Promise(r => {
	  const imgs = [...document.images];
	  imgs.forEach(i => i.loading = "eager");
	  Promise.all(imgs.map(i => i.decode().catch(() => null))).then(() =>
	    r(imgs.map(i => ({ok: i.complete && i.naturalWidth > 0, src: i.currentSrc}))));
	})`
	type img struct {
		OK  bool   `json:"ok"`
		Src string `json:"src"`
	}
	srcAt := map[int64]string{}
	for _, w := range []int64{375, 1280} {
		if err := chromedp.Do(tab.ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		tab.Go(env.URL + "/")
		imgs, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]img](loaded, chromedp.EvalAwaitPromise))
		if err != nil || len(imgs) != 3 {
			t.Fatalf("at %d px: %d pictures (%v)", w, len(imgs), err)
		}
		for _, i := range imgs {
			if !i.OK {
				t.Errorf("at %d px: %s did not load", w, i.Src)
			}
		}
		srcAt[w] = imgs[0].Src
		tab.CheckA11y("home with photos")
	}
	if srcAt[375] == srcAt[1280] {
		t.Errorf("the phone and the desktop load the same size of the lead photo: %s", srcAt[375])
	}
	if err := chromedp.Do(tab.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	tab.Go(env.URL + "/")
	tab.Screenshots("10-home-photos")
	tab.Go(env.URL + "/book?service=bespoke-design&mode=in_person&tz=Asia/Singapore")
	tab.MustContain("Who would you like to meet?", "Tan Mei Ling")
	tab.CheckA11y("artisans with a portrait")
	tab.Screenshots("11-artisans-photos")

	plain := MustOpenEnv(t)
	tab.Go(plain.URL + "/")
	for _, w := range []int64{375, 1280} {
		if err := chromedp.Do(tab.ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		tab.CheckA11y("home without photos")
	}
	tab.Screenshots("12-home-monogram")
	tab.Go(plain.URL + "/book?service=bespoke-design&mode=in_person&tz=Asia/Singapore")
	tab.Screenshots("13-artisans-initials")
}
