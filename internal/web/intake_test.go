package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/photo/phototest"
)

const designSlot = "/book/details?service=bespoke-design&mode=in_person&artisan=any&tz=Asia%2FSingapore&start=2026-12-09T14%3A00%3A00%2B08%3A00"

func designForm(key string) url.Values {
	return url.Values{
		"service": {"bespoke-design"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Asia/Singapore"},
		"start": {time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore).Format(time.RFC3339)}, "key": {key},
		"name": {"Ada Lovelace"}, "email": {"ada@example.com"},
		"answer-occasion": {"Engagement"}, "answer-metal": {"Platinum", "Yellow gold"}, "answer-stones": {"An emerald"},
		"answer-own-stone": {"yes"}, "answer-ring-size": {"N½"}, "answer-ring-size-unit": {"UK/AU"},
		"answer-needed-by": {"2027-03-01"},
	}
}

// multipartForm is form with files in the field photos, as a browser
// sends the details form.
func multipartForm(tb testing.TB, form url.Values, files ...[]byte) (string, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if len(files) == 0 {
		fw, _ := mw.CreateFormFile("photos", "") // no file chosen
		fw.Write(nil)
	}
	for i, f := range files {
		fw, err := mw.CreateFormFile("photos", "IMG_000"+string(rune('1'+i))+".JPG")
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(f)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.String()
}

// The details page asks the service's questions, with labels, help and
// inline errors, and takes photos in the same form, without script.
func TestDetailsQuestionsAndPhotos(t *testing.T) {
	env := MustOpenEnv(t)
	p, key := env.MustOpenDetails(t, designSlot)
	for _, want := range []string{`enctype="multipart/form-data"`, "What is the occasion?", `name="answer-metal" value="Platinum"`,
		"A bespoke piece takes six to ten weeks.", `type="date"`, `<option value="UK/AU"`, `type="file" multiple accept="image/jpeg,image/png,image/webp"`,
		"Are you bringing your own stone or an heirloom?"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("details page lacks %q", want)
		}
	}

	t.Run("WrongAnswer", func(t *testing.T) {
		form := designForm(key)
		form.Set("answer-ring-size", "lots")
		form.Set("answer-ring-size-unit", "US")
		ct, body := multipartForm(t, form)
		p := env.Send(t, http.MethodPost, "/book/details", ct, body)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="err-answer-ring-size"`) ||
			!strings.Contains(p.Body, "This answer must be a number.") || !strings.Contains(p.Body, `value="An emerald"`) {
			t.Errorf("%d; page:\n%s", p.Status, p.Body)
		}
		if n := len(env.BookingsOf(t, "ada@example.com")); n != 0 {
			t.Errorf("%d bookings after a wrong answer", n)
		}
	})
	t.Run("NotAPicture", func(t *testing.T) {
		ct, body := multipartForm(t, designForm(key), []byte("%PDF-1.7 a document"))
		p := env.Send(t, http.MethodPost, "/book/details", ct, body)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "A file is not a JPEG, PNG or WebP photo.") {
			t.Errorf("%d; page:\n%s", p.Status, p.Body)
		}
		if n := len(env.BookingsOf(t, "ada@example.com")); n != 0 {
			t.Errorf("%d bookings after a refused photo", n)
		}
	})
	t.Run("Booked", func(t *testing.T) {
		ct, body := multipartForm(t, designForm(key), phototest.GPSJPEG(t, 640, 480, 1), phototest.PNG(t, 200, 100))
		p := env.Send(t, http.MethodPost, "/book/details", ct, body)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/bookings/bk_") {
			t.Fatalf("%d to %q:\n%s", p.Status, p.Location, p.Body)
		}
		bs := env.BookingsOf(t, "ada@example.com")
		if len(bs) != 1 {
			t.Fatalf("%d bookings", len(bs))
		}
		b := bs[0]
		if string(b.Answers["metal"]) != `["Yellow gold","Platinum"]` || string(b.Answers["ring-size"]) != `{"value":"N½","unit":"UK/AU"}` ||
			string(b.Answers["own-stone"]) != `true` {
			t.Errorf("answers %s", b.Answers)
		}
		ps, err := env.DB.Photos(context.Background(), b.ID)
		if err != nil || len(ps[b.ID]) != 2 {
			t.Fatalf("photos %v %v", ps, err)
		}
		_, data, err := env.DB.PhotoData(context.Background(), b.ID, ps[b.ID][0].ID, false)
		if err != nil || bytes.Contains(data, []byte(phototest.GPSMarker)) || bytes.Contains(data, []byte("Exif")) {
			t.Errorf("stored photo keeps its EXIF (%v)", err)
		}
		// Staff see the answers and the thumbnails, which open with the
		// session; the customer's manage page shows them and takes more.
		cookie := staffLogin(t, env)
		sp := env.Send(t, http.MethodGet, "/staff/bookings/"+b.ID, "", "", "Cookie", cookie)
		for _, want := range []string{"Intake", "What is the occasion?", "Engagement", "Yellow gold, Platinum", "N½ UK/AU", "Yes",
			"/api/v1/bookings/" + b.ID + "/photos/" + ps[b.ID][0].ID + "?size=thumb"} {
			if !strings.Contains(sp.Body, want) {
				t.Errorf("staff booking page lacks %q", want)
			}
		}
		sheet := env.Send(t, http.MethodGet, "/staff/calendar/sheet?date=2026-12-09", "", "", "Cookie", cookie)
		if !strings.Contains(sheet.Body, "sheet-intake") || !strings.Contains(sheet.Body, "Yellow gold, Platinum") {
			t.Errorf("the day sheet lacks the answers (%d)", sheet.Status)
		}
		if th := env.Send(t, http.MethodGet, "/api/v1/bookings/"+b.ID+"/photos/"+ps[b.ID][0].ID+"?size=thumb", "", "", "Cookie", cookie); th.Status != http.StatusOK ||
			th.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("thumbnail with the staff session: %d %s", th.Status, th.Header.Get("Content-Type"))
		}
		m := env.MustGet(t, p.Location)
		for _, want := range []string{"Your photos", "/photos/" + ps[b.ID][0].ID + "?size=thumb", `enctype="multipart/form-data"`} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("manage page lacks %q", want)
			}
		}
		token := strings.TrimPrefix(p.Location[strings.Index(p.Location, "token="):], "token=")
		token = token[:strings.IndexAny(token+"&", "&")]
		ct, body = multipartForm(t, url.Values{}, phototest.PNG(t, 50, 50))
		up := env.Send(t, http.MethodPost, "/bookings/"+b.ID+"/photos?token="+token, ct, body)
		if up.Status != http.StatusSeeOther || !strings.Contains(up.Location, "photos_added=1") {
			t.Fatalf("manage upload: %d %q", up.Status, up.Location)
		}
		if m := env.MustGet(t, up.Location); !strings.Contains(m.Body, "1 photo added.") {
			t.Errorf("no notice after the upload")
		}
		ct, body = multipartForm(t, url.Values{}, []byte("not a photo"))
		if bad := env.Send(t, http.MethodPost, "/bookings/"+b.ID+"/photos?token="+token, ct, body); !strings.Contains(bad.Location, "photo_error=format") {
			t.Errorf("manage upload of a non-picture: %d %q", bad.Status, bad.Location)
		}
		del := env.MustPost(t, "/bookings/"+b.ID+"/photos/"+ps[b.ID][0].ID+"/delete?token="+token, url.Values{})
		if del.Status != http.StatusSeeOther {
			t.Errorf("delete: %d", del.Status)
		}
		if after, _ := env.DB.Photos(context.Background(), b.ID); len(after[b.ID]) != 2 {
			t.Errorf("%d photos after one added and one removed, want 2", len(after[b.ID]))
		}
	})
}
