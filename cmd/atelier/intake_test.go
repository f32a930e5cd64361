package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/atelier-app/atelier/internal/photo/phototest"
)

// postPhoto sends data as the photo of booking id and returns the status
// and the body.
func postPhoto(t *testing.T, base, id, token string, data []byte) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("photo", "IMG_0042.JPG")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/bookings/"+id+"/photos", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func get(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestIntakeEndToEnd runs the real server on the demo atelier: a bespoke
// design consultation with answers and two photos (one a phone's JPEG with
// a GPS position: the copy kept has none), a required answer missing, a
// file that is no picture and one too large; the photos are in the
// database (so in its backup), and the invite and the calendar feed carry
// no answer.
func TestIntakeEndToEnd(t *testing.T) {
	s := newTestServer(t, "        label: What is the occasion?\n        type: choice\n",
		"        label: What is the occasion?\n        type: choice\n        required: true\n")
	s.start()
	var services []struct {
		ID        string
		Questions []struct{ ID, Type string }
	}
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/services", nil, http.StatusOK, &services)
	if services[0].ID != "bespoke-design" || len(services[0].Questions) != 8 || services[0].Questions[7].Type != "photos" {
		t.Fatalf("services: %+v", services)
	}
	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	var av struct{ Slots []struct{ Start string } }
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/availability?service=bespoke-design&mode=in_person&from="+from+"&to="+to, nil, http.StatusOK, &av)
	if len(av.Slots) == 0 {
		t.Fatal("no free slot")
	}
	req := map[string]any{"service": "bespoke-design", "mode": "in_person", "start": av.Slots[0].Start,
		"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.com"},
		"answers":  map[string]any{"metal": []string{"Platinum"}}}
	var problem struct {
		Errors map[string]string
	}
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", req, http.StatusUnprocessableEntity, &problem)
	if problem.Errors["answers.occasion"] != "is required" {
		t.Errorf("missing answer: %+v", problem)
	}
	req["answers"] = map[string]any{"occasion": "Engagement", "metal": []string{"Platinum", "Rose gold"},
		"stones": "A padparadscha sapphire", "own-stone": true, "ring-size": map[string]any{"value": 6.5, "unit": "US"},
		"needed-by": time.Now().AddDate(0, 3, 0).Format(time.DateOnly)}
	var b struct {
		ID          string `json:"id"`
		ManageToken string `json:"manage_token"`
		Answers     map[string]json.RawMessage
		Links       struct{ ICS string }
	}
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", req, http.StatusCreated, &b)
	data, _ := json.Marshal(b)
	if string(b.Answers["stones"]) != `"A padparadscha sapphire"` || string(b.Answers["metal"]) != `["Rose gold","Platinum"]` {
		t.Errorf("answers %s", data)
	}

	gps := phototest.GPSJPEG(t, 1200, 800, 6)
	status, body := postPhoto(t, s.base, b.ID, b.ManageToken, gps)
	var p struct {
		ID            string
		Width, Height int
	}
	if json.Unmarshal(body, &p); status != http.StatusCreated || p.Width != 800 || p.Height != 1200 {
		t.Fatalf("GPS photo: %d %s", status, body)
	}
	if status, body := postPhoto(t, s.base, b.ID, b.ManageToken, phototest.PNG(t, 300, 200)); status != http.StatusCreated {
		t.Fatalf("PNG photo: %d %s", status, body)
	}
	status, kept := get(t, http.DefaultClient, s.base+"/api/v1/bookings/"+b.ID+"/photos/"+p.ID+"?token="+b.ManageToken)
	if status != http.StatusOK || bytes.Contains(kept, []byte(phototest.GPSMarker)) || bytes.Contains(kept, []byte("Exif")) {
		t.Errorf("the photo kept: %d, EXIF left: %v", status, bytes.Contains(kept, []byte("Exif")))
	}
	if c, err := jpeg.DecodeConfig(bytes.NewReader(kept)); err != nil || c.Width != 800 {
		t.Errorf("kept photo %+v %v", c, err)
	}
	if status, body := postPhoto(t, s.base, b.ID, b.ManageToken, []byte("GIF89a not a photo at all")); status != http.StatusUnsupportedMediaType {
		t.Errorf("not a picture: %d %s", status, body)
	}
	if status, body := postPhoto(t, s.base, b.ID, b.ManageToken, append(gps, make([]byte, 10<<20)...)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d %s", status, body)
	}

	// The invite and the atelier's calendar feed carry no answer.
	status, ics := get(t, http.DefaultClient, b.Links.ICS)
	if status != http.StatusOK || !bytes.Contains(ics, []byte("BEGIN:VEVENT")) {
		t.Fatalf("invite: %d %s", status, ics)
	}
	admin := s.signIn("admin@example.com", "admin", "")
	var feed struct{ URL string }
	call(t, admin, http.MethodPost, s.base+"/api/v1/staff/feed", nil, http.StatusCreated, &feed)
	status, feedICS := get(t, http.DefaultClient, feed.URL)
	if status != http.StatusOK || !bytes.Contains(feedICS, []byte("BEGIN:VEVENT")) {
		t.Fatalf("feed: %d %s", status, feedICS)
	}
	for name, cal := range map[string][]byte{"invite": ics, "feed": feedICS} {
		for _, secret := range []string{"padparadscha", "Platinum", "Engagement", "6.5"} {
			if bytes.Contains(bytes.ToLower(cal), []byte(strings.ToLower(secret))) {
				t.Errorf("the %s carries the answer %q", name, secret)
			}
		}
	}

	// The artisan's notice links to the answers and photos, and carries
	// neither (no answer, no picture).
	notice := s.customerMail("staff_notice", b.ID)
	if !bytes.Contains(notice, []byte("/staff/bookings/"+b.ID)) {
		t.Errorf("the notice does not link to the staff booking page:\n%s", notice)
	}
	if bytes.Contains(bytes.ToLower(notice), []byte("padparadscha")) || bytes.Contains(notice, []byte("image/")) {
		t.Errorf("the notice carries an answer or a picture:\n%s", notice)
	}

	// The photos live in the database, so its backup holds them.
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, errOut, err := runMain(t, "", "--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "backup", "--to", backup); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut)
	}
	db, err := sql.Open("sqlite", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var stored []byte
	if err := db.QueryRow(`SELECT count(*), max(data) FROM booking_photos WHERE booking_id = ?`, b.ID).Scan(&n, &stored); err != nil || n != 2 {
		t.Errorf("photos in the backup: %d, %v", n, err)
	}
	if bytes.Contains(stored, []byte(phototest.GPSMarker)) {
		t.Error("a photo in the backup holds the GPS block")
	}
}
