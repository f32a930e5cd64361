package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// postedForm returns the hidden fields of the first POST form of a page,
// as a browser would send them.
func postedForm(t *testing.T, body string) url.Values {
	t.Helper()
	i := strings.Index(body, `<form method="post"`)
	if i < 0 {
		t.Fatal("the page has no POST form")
	}
	form := body[i:]
	form = form[:strings.Index(form, "</form>")]
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(form, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// slotLink is the confirmation link of a free time in a calendar page.
func slotLink(t *testing.T, body string, start time.Time) (string, bool) {
	t.Helper()
	needle := "start=" + url.QueryEscape(start.UTC().Format(time.RFC3339))
	// The calendar's slots only: the language switch links to the page
	// itself, which may be a confirmation of that very time.
	for _, m := range regexp.MustCompile(`<a class="slot" href="([^"]*/reschedule/confirm\?[^"]*)"`).FindAllStringSubmatch(body, -1) {
		if link := html.UnescapeString(m[1]); strings.Contains(link, needle) {
			return link, true
		}
	}
	return "", false
}

// TestRescheduleWithArtisanChoice walks the move pages as a browser
// without JavaScript would: they offer the booking's own artisan's times
// first, "any artisan" and the other artisans as links; a move to another
// artisan says so before it is confirmed, and afterwards, and the video
// call gets the new artisan's link.
func TestRescheduleWithArtisanChoice(t *testing.T) {
	env := MustOpenEnv(t)
	own := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)          // Wednesday, with Mei
	meiBusy := time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore)     // Thursday: Mei has another call
	overlapping := time.Date(2026, 12, 9, 14, 30, 0, 0, Singapore) // overlaps the booking itself
	bk := env.MustBookIn(t, "bespoke-design", "virtual", "mei", own, "Europe/London")
	env.MustBook(t, "bespoke-design", "virtual", "mei", meiBusy)
	u, _ := url.Parse(bk.Links.Manage)
	id, token := bk.ID, u.Query().Get("token")
	base := "/bookings/" + id + "/reschedule?" + url.Values{"token": {token}}.Encode()

	// By default: Mei's times, with the choice of artisan as links.
	p := env.MustGet(t, base+"&date=2026-12-10")
	if p.Status != http.StatusOK {
		t.Fatalf("reschedule page: status %d", p.Status)
	}
	body := html.UnescapeString(p.Body)
	for _, w := range []string{"Times with", `aria-current="true">Tan Mei Ling <span class="muted">(your artisan)</span>`, "Any artisan", "Arjun Nair"} {
		if !strings.Contains(body, w) {
			t.Errorf("reschedule page lacks %q", w)
		}
	}
	if _, ok := slotLink(t, p.Body, meiBusy); ok {
		t.Errorf("Mei's calendar offers %s, when she has another call", meiBusy)
	}
	if p := env.MustGet(t, base+"&date=2026-12-09"); !hasSlot(t, p.Body, overlapping) {
		t.Errorf("Mei's calendar does not offer %s, which overlaps only the booking being moved", overlapping)
	}
	anyURL := linkNamed(t, p.Body, "Any artisan")

	// A time with Mei: the confirmation says so, and posts no artisan.
	p = env.MustGet(t, base+"&date=2026-12-10")
	free := time.Date(2026, 12, 10, 16, 0, 0, 0, Singapore)
	link, ok := slotLink(t, p.Body, free)
	if !ok {
		t.Fatalf("Mei's calendar does not offer %s", free)
	}
	c := env.MustGet(t, link)
	if body := html.UnescapeString(c.Body); c.Status != http.StatusOK || !strings.Contains(body, "With Tan Mei Ling</p>") || strings.Contains(body, "instead of") {
		t.Errorf("confirmation of a move with Mei: status %d, page:\n%s", c.Status, mainOf(body))
	}
	if f := postedForm(t, c.Body); f.Get("artisan") != "" {
		t.Errorf("the move with Mei posts artisan %q", f.Get("artisan"))
	}

	// Any artisan: Thursday 14:00 is offered (Arjun is free), and the
	// confirmation names the change.
	if !strings.Contains(anyURL, "artisan=any") {
		t.Fatalf("the any-artisan link %q", anyURL)
	}
	p = env.MustGet(t, anyURL+"&date=2026-12-10")
	if body := html.UnescapeString(p.Body); !strings.Contains(body, `aria-current="true">Any artisan`) {
		t.Error("the any-artisan page does not show it is chosen")
	}
	link, ok = slotLink(t, p.Body, meiBusy)
	if !ok {
		t.Fatalf("with any artisan, %s is not offered", meiBusy)
	}
	c = env.MustGet(t, link)
	body = html.UnescapeString(c.Body)
	for _, w := range []string{"With Arjun Nair instead of Tan Mei Ling", "A change of artisan: Arjun Nair will meet you instead of Tan Mei Ling.", "The video call gets a new link"} {
		if !strings.Contains(body, w) {
			t.Errorf("confirmation lacks %q:\n%s", w, mainOf(body))
		}
	}
	if still := mustStored(t, env, id); still.ArtisanID != "mei" || !still.Start.Equal(own) {
		t.Fatalf("the booking changed before the move was confirmed: %s with %s", still.Start, still.ArtisanID)
	}
	form := postedForm(t, c.Body)
	if form.Get("artisan") != "arjun" {
		t.Errorf("the confirmation posts artisan %q, want arjun (the artisan it names)", form.Get("artisan"))
	}
	done := env.MustPost(t, "/bookings/"+id+"/reschedule", form)
	if done.Status != http.StatusSeeOther {
		t.Fatalf("move: status %d", done.Status)
	}
	moved := mustStored(t, env, id)
	if moved.ArtisanID != "arjun" || !moved.Start.Equal(meiBusy) || !strings.Contains(moved.MeetingURL, "atelier-arjun-") || moved.MeetingURL == bk.MeetingURL {
		t.Errorf("moved booking: %s with %s, link %q (was %q); want Thursday 14:00 with Arjun in Arjun's room", moved.Start, moved.ArtisanID, moved.MeetingURL, bk.MeetingURL)
	}
	m := env.MustGet(t, done.Location)
	body = html.UnescapeString(m.Body)
	for _, w := range []string{"now with Arjun Nair instead of Tan Mei Ling", "with the new video-call link", moved.MeetingURL} {
		if !strings.Contains(body, w) {
			t.Errorf("manage page after the move lacks %q:\n%s", w, mainOf(body))
		}
	}
	if strings.Contains(body, bk.MeetingURL) {
		t.Errorf("the manage page still shows Mei's link %s", bk.MeetingURL)
	}
}

// TestRescheduleRefusedKeepsTheChoice: a time taken between the calendar
// and the confirmation, on either step, shows the same artisan's
// calendar again with a notice, and changes nothing.
func TestRescheduleRefusedKeepsTheChoice(t *testing.T) {
	env := MustOpenEnv(t)
	own := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
	at := time.Date(2026, 12, 10, 16, 0, 0, 0, Singapore)
	bk := env.MustBookIn(t, "bespoke-design", "virtual", "mei", own, "Europe/London")
	u, _ := url.Parse(bk.Links.Manage)
	id, token := bk.ID, u.Query().Get("token")
	base := "/bookings/" + id + "/reschedule?" + url.Values{"token": {token}}.Encode()

	link, ok := slotLink(t, env.MustGet(t, base+"&date=2026-12-10").Body, at)
	if !ok {
		t.Fatalf("Mei's calendar does not offer %s", at)
	}
	c := env.MustGet(t, link)
	form := postedForm(t, c.Body)
	env.MustBook(t, "bespoke-design", "virtual", "mei", at) // someone is quicker

	for name, p := range map[string]Page{
		"Confirm": env.MustGet(t, link),
		"Post":    env.MustPost(t, "/bookings/"+id+"/reschedule", form),
	} {
		body := html.UnescapeString(p.Body)
		if p.Status != http.StatusConflict || !strings.Contains(body, "Your appointment is unchanged") ||
			!strings.Contains(body, `aria-current="true">Tan Mei Ling`) {
			t.Errorf("%s: status %d, want 409 with the notice and Mei's calendar:\n%s", name, p.Status, mainOf(body))
		}
		if _, ok := slotLink(t, p.Body, at); ok {
			t.Errorf("%s: the calendar still offers the taken time", name)
		}
	}
	if got := mustStored(t, env, id); got.ArtisanID != "mei" || !got.Start.Equal(own) || got.Sequence != 0 {
		t.Errorf("the refused move changed the booking: %s with %s, sequence %d", got.Start, got.ArtisanID, got.Sequence)
	}
}

func hasSlot(t *testing.T, body string, start time.Time) bool {
	t.Helper()
	_, ok := slotLink(t, body, start)
	return ok
}

// linkNamed returns the href of the link whose text starts with text.
func linkNamed(t *testing.T, body, text string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]*)"[^>]*>` + regexp.QuoteMeta(text)).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link %q", text)
	}
	return html.UnescapeString(m[1])
}

// mainOf is the main content of a page, for failure messages.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	return body
}

// TestStaffRescheduleArtisanChoice: the staff move form keeps the
// booking's artisan by default (refusing a time they are not free),
// offers admins "whoever is free then" and the other artisans, and an
// artisan's own account only its own calendar.
func TestStaffRescheduleArtisanChoice(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	env.MustCreateUser(t, "mei@example.com", "Mei", "mei")
	own := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
	bk := env.MustBookIn(t, "bespoke-design", "virtual", "mei", own, "Europe/London")
	env.MustBook(t, "bespoke-design", "virtual", "mei", time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore))
	path := "/staff/bookings/" + bk.ID + "/reschedule"
	post := func(cookie string, form url.Values) Page {
		return env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	}

	admin := env.mustSignIn(t, "boss@example.com")
	p := env.Send(t, http.MethodGet, path, "", "", "Cookie", admin)
	body := html.UnescapeString(p.Body)
	for _, w := range []string{`<option value="mei" selected>Tan Mei Ling (as now)</option>`, `<option value="any">Whoever is free then</option>`, `<option value="arjun">Arjun Nair</option>`} {
		if !strings.Contains(body, w) {
			t.Errorf("staff move form lacks %q", w)
		}
	}

	// The form as it comes: Mei, who has a call then.
	p = post(admin, url.Values{"date": {"2026-12-10"}, "time": {"14:00"}, "artisan": {"mei"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "Tan Mei Ling is booked then") {
		t.Errorf("move to a time Mei is busy: status %d, want 409 saying she is booked then: %s", p.Status, p.Body)
	}
	if got := mustStored(t, env, bk.ID); got.ArtisanID != "mei" || !got.Start.Equal(own) {
		t.Fatalf("the refused move changed the booking: %s with %s", got.Start, got.ArtisanID)
	}
	// Whoever is free then: Arjun.
	p = post(admin, url.Values{"date": {"2026-12-10"}, "time": {"14:00"}, "artisan": {"any"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "saved=moved-artisan") {
		t.Fatalf("move to whoever is free: status %d Location %q", p.Status, p.Location)
	}
	got := mustStored(t, env, bk.ID)
	if got.ArtisanID != "arjun" || !strings.Contains(got.MeetingURL, "atelier-arjun-") {
		t.Errorf("moved booking with %s, link %q; want Arjun in his own room", got.ArtisanID, got.MeetingURL)
	}
	page := env.Send(t, http.MethodGet, p.Location, "", "", "Cookie", admin)
	if body := html.UnescapeString(page.Body); !strings.Contains(body, "The booking has moved to Arjun Nair.") || !strings.Contains(body, "both artisans are told") {
		t.Errorf("the booking page after the move does not say it went to Arjun:\n%s", mainOf(body))
	}

	// Mei's own account: only Mei, no one else to give her bookings to.
	bk2 := env.MustBookIn(t, "bespoke-design", "virtual", "mei", time.Date(2026, 12, 11, 14, 0, 0, 0, Singapore), "Europe/London")
	mei := env.mustSignIn(t, "mei@example.com")
	p = env.Send(t, http.MethodGet, "/staff/bookings/"+bk2.ID+"/reschedule", "", "", "Cookie", mei)
	if body := html.UnescapeString(p.Body); p.Status != http.StatusOK || !strings.Contains(body, "Tan Mei Ling (as now)") ||
		strings.Contains(body, "Whoever is free") || strings.Contains(body, "Arjun Nair") {
		t.Errorf("Mei's move form: status %d, offers:\n%s", p.Status, mainOf(body))
	}
}
