package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/photo/phototest"
)

// Upload sets the files of the file input id.
func (tb *Tab) Upload(id string, files ...string) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID(id), files)); err != nil {
		tb.t.Fatalf("upload to #%s: %v", id, err)
	}
}

// Select chooses value in the select id.
func (tb *Tab) Select(id, value string) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID(id), value)); err != nil {
		tb.t.Fatalf("select %s in #%s: %v", value, id, err)
	}
}

// TestBrowserIntake: the bespoke design consultation's questions and
// photos on the details page, with JavaScript on and off: a wrong answer
// shown beside its question with everything kept, then the booking with
// its answers and two photos (one a phone's JPEG with a GPS position,
// kept without it), the photos on the confirmation page and the staff's
// booking page.
func TestBrowserIntake(t *testing.T) {
	b := MustStartBrowser(t)
	dir := t.TempDir()
	gps, png := filepath.Join(dir, "IMG_0001.jpg"), filepath.Join(dir, "sketch.png")
	if err := os.WriteFile(gps, phototest.GPSJPEG(t, 1200, 900, 6), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(png, phototest.PNG(t, 600, 400), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, script := range []bool{true, false} {
		name := map[bool]string{true: "JS", false: "NoJS"}[script]
		t.Run(name, func(t *testing.T) {
			env := MustOpenEnv(t)
			tab := b.MustOpenTab(t, "Asia/Singapore", script)
			tab.Go(env.URL + designSlot)
			tab.MustContain("What is the occasion?", "Which metals are you drawn to?", "Ring size, if you know it",
				"Inspiration photos", "JPEG, PNG or WebP, up to 10 MB each")
			if script {
				tab.CheckA11y("details with questions")
			} else {
				tab.CheckA11yWithoutScript("details with questions")
			}
			tab.Fill("name", "Ada Lovelace")
			tab.Fill("email", "ada@example.com")
			tab.Choose(`label[for="answer-occasion-1"]`)
			tab.Choose(`label[for="answer-metal-4"]`)
			tab.Choose(`label[for="answer-own-stone-yes"]`)
			tab.Fill("answer-stones", "An emerald")
			tab.Fill("answer-ring-size", "lots")
			tab.Screenshots("intake-" + name + "-filled")
			tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
			tab.MustContain("Please check the highlighted fields.", "This answer must be a number.")
			if got := tab.Value("answer-stones"); got != "An emerald" {
				t.Errorf("the stones answer was not kept: %q", got)
			}
			if script {
				tab.CheckA11y("details with a wrong answer")
			}
			tab.Screenshots("intake-" + name + "-error")

			tab.Fill("answer-ring-size", "N½")
			tab.Select("answer-ring-size-unit", "UK/AU")
			tab.Upload("photos", gps, png)
			tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
			tab.MustContain("Your appointment is confirmed", "Your photos")
			tab.Screenshots("intake-" + name + "-confirmed")
			id := bookingIDFrom(t, tab.Location())
			got := mustStored(t, env, id)
			if string(got.Answers["ring-size"]) != `{"value":"N½","unit":"UK/AU"}` || string(got.Answers["metal"]) != `["Platinum"]` ||
				string(got.Answers["occasion"]) != `"Engagement"` || string(got.Answers["own-stone"]) != `true` {
				t.Errorf("answers %s", got.Answers)
			}
			ps, err := env.DB.Photos(context.Background(), id)
			if err != nil || len(ps[id]) != 2 {
				t.Fatalf("photos %v %v", ps, err)
			}
			for _, p := range ps[id] {
				_, data, err := env.DB.PhotoData(context.Background(), id, p.ID, false)
				if err != nil || bytes.Contains(data, []byte(phototest.GPSMarker)) || bytes.Contains(data, []byte("Exif")) {
					t.Errorf("photo %s keeps metadata (%v)", p.ID, err)
				}
			}
			if n := strings.Count(tab.Text("main"), "Remove"); n != 2 {
				t.Errorf("the confirmation lists %d photos, want 2", n)
			}
		})
	}
}
