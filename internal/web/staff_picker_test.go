package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

var pickerStart = regexp.MustCompile(`name="start" value="([^"]+)"`)

// pickerTimes lists the starts the picker of a page offers.
func pickerTimes(p Page) []string {
	var out []string
	for _, m := range pickerStart.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// TestStaffNewBookingPicker: the New booking form lists the free times of
// the day chosen, with a time inside the minimum notice that customers are
// not offered and the customer's time beside the atelier's; one picked is
// booked and is then no longer listed.
func TestStaffNewBookingPicker(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	get := func(path string) Page {
		t.Helper()
		p := env.Send(t, http.MethodGet, path, "", "", "Cookie", cookie)
		if p.Status == http.StatusSeeOther {
			p = env.Send(t, http.MethodGet, p.Location, "", "", "Cookie", cookie)
		}
		if p.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.Status)
		}
		return p
	}
	const page = "/staff/bookings/new?service=bespoke-design&mode=virtual&artisan=mei&date=2026-12-01&tz=Europe/London"
	p := get(page)
	times := pickerTimes(p)
	if len(times) == 0 {
		t.Fatalf("the picker offers no time today:\n%s", p.Body)
	}
	// Customers need a day's notice: today is not theirs.
	av, err := env.App.Availability(context.Background(), app.AvailabilityQuery{
		Service: "bespoke-design", Mode: "virtual", Artisan: "mei",
		From: booking.Date{Year: 2026, Month: 12, Day: 1}, To: booking.Date{Year: 2026, Month: 12, Day: 1},
	})
	if err != nil || len(av.Slots) != 0 {
		t.Fatalf("customers are offered %d times today (%v); the test needs none", len(av.Slots), err)
	}
	for _, s := range times {
		st, err := time.Parse(time.RFC3339, s)
		if err != nil || !st.After(Now) || booking.DateOf(st.In(Singapore)) != (booking.Date{Year: 2026, Month: 12, Day: 1}) {
			t.Errorf("the picker offers %s, want a start later today", s)
		}
	}
	// 10:00 in Singapore is 2:00 am in London.
	body := html.UnescapeString(p.Body)
	if !strings.Contains(body, "for the customer") || !strings.Contains(body, "Europe / London") {
		t.Errorf("the picker does not show the customer's time in London:\n%s", body)
	}

	// Book the first time offered.
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(p.Body)
	if key == nil {
		t.Fatal("no form key")
	}
	form := url.Values{
		"key": {key[1]}, "service": {"bespoke-design"}, "mode": {"virtual"}, "artisan": {"mei"}, "tz": {"Europe/London"},
		"date": {"2026-12-01"}, "start": {times[0]}, "name": {"Grace Hopper"}, "email": {"grace@example.com"},
	}
	made := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if made.Status != http.StatusSeeOther || !strings.Contains(made.Location, "saved=created") {
		t.Fatalf("booking the picked time: %d %s", made.Status, made.Location)
	}
	id := strings.TrimPrefix(strings.Split(made.Location, "?")[0], "/staff/bookings/")
	b := mustStored(t, env, id)
	if want, _ := time.Parse(time.RFC3339, times[0]); !b.Start.Equal(want) || b.Customer.Timezone != "Europe/London" {
		t.Errorf("booked %s for a customer in %q, want %s in Europe/London", b.Start, b.Customer.Timezone, want)
	}
	if again := pickerTimes(get(page)); slices.Contains(again, times[0]) {
		t.Errorf("the picker still offers the booked %s", times[0])
	}

	// "Show free times" for another day keeps what was typed and books nothing.
	form.Set("action", "times")
	form.Set("date", "2026-12-03")
	form.Set("key", "BBBBBBBBBBBBBBBBBBBBBB")
	shown := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if shown.Status != http.StatusOK || !strings.Contains(shown.Body, "Thursday 3 December 2026") || !strings.Contains(shown.Body, `value="Grace Hopper"`) {
		t.Fatalf("show free times: %d, want the 3 December times with the name kept", shown.Status)
	}
	for _, s := range pickerTimes(shown) {
		if !strings.HasPrefix(s, "2026-12-03T") {
			t.Errorf("3 December's picker offers %s", s)
		}
	}

	// No time picked: the form says so in plain words.
	form.Del("action")
	form.Del("start")
	none := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if none.Status != http.StatusUnprocessableEntity || !strings.Contains(none.Body, "Choose one of the free times.") {
		t.Errorf("no time picked: %d, want 422 asking to choose a time", none.Status)
	}
	for _, leak := range []string{"/api/v1", "slot_unavailable", "EINVALID"} {
		if strings.Contains(none.Body, leak) || strings.Contains(shown.Body, leak) {
			t.Errorf("a staff page names %q", leak)
		}
	}
}

// TestStaffMovePicker: the Move form lists the chosen artisan's free times
// of a day, its own time among them (it does not block itself), and moves
// to a time picked.
func TestStaffMovePicker(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	own := time.Date(2026, 12, 10, 13, 0, 0, 0, Singapore)
	bk := env.MustBook(t, "bespoke-design", "virtual", "mei", own)
	env.MustBook(t, "bespoke-design", "virtual", "mei", time.Date(2026, 12, 10, 16, 0, 0, 0, Singapore))
	path := "/staff/bookings/" + bk.ID + "/reschedule"
	p := env.Send(t, http.MethodGet, path, "", "", "Cookie", cookie)
	times := pickerTimes(p)
	if !slices.Contains(times, own.Format(time.RFC3339)) || !slices.Contains(times, "2026-12-10T13:30:00+08:00") {
		t.Errorf("the move picker of 10 December lacks the booking's own time or the one after it: %v", times)
	}
	if slices.Contains(times, "2026-12-10T16:00:00+08:00") {
		t.Error("the move picker offers 4 pm, when Mei has another booking")
	}
	moved := env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded",
		url.Values{"artisan": {"mei"}, "date": {"2026-12-10"}, "start": {"2026-12-10T18:00:00+08:00"}}.Encode(), "Cookie", cookie)
	if moved.Status != http.StatusSeeOther {
		t.Fatalf("move: %d %s", moved.Status, moved.Body)
	}
	if got := mustStored(t, env, bk.ID); !got.Start.Equal(time.Date(2026, 12, 10, 18, 0, 0, 0, Singapore)) {
		t.Errorf("moved to %s, want 6 pm", got.Start)
	}
}

// PickerSet sets the field id of a form with the picker of free times to
// value and waits for the picker of day that comes back: with script the
// change itself lists the times again (app.js), without it the test
// presses "Show free times". The page before is marked, so that the wait
// cannot end on it while the new one is on its way.
func (tb *Tab) PickerSet(id, value, day string) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pickerStale = true`)); err != nil {
		tb.t.Fatalf("mark the page: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID(id), value)); err != nil {
		tb.t.Fatalf("set #%s: %v", id, err)
	}
	if !tb.script {
		tb.Choose(`//button[normalize-space()="Show free times"]`)
	}
	wait := `!window.pickerStale && document.readyState === "complete" &&
		Array.from(document.querySelectorAll(".picker-label")).some(e => e.textContent.trim() === ` + strconv.Quote(day) + `)`
	// The page is replaced while it is asked: an evaluation that meets
	// the navigation fails and is asked again of the next page.
	for {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](wait))
		if err == nil && done {
			return
		}
		select {
		case <-ctx.Done():
			tb.t.Fatalf("the picker of %s did not come after #%s = %s (%v):\n%s", day, id, value, err, tb.Text("main"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestStaffNewBookingAnswers: the New booking form asks the chosen
// service's questions (but its photos), none of them required of staff;
// what is typed is kept with the booking, and a wrong answer is shown
// beside its question with nothing booked.
func TestStaffNewBookingAnswers(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	p := env.Send(t, http.MethodGet, "/staff/bookings/new?key=AAAAAAAAAAAAAAAAAAAAAA&service=bespoke-design&mode=virtual&artisan=mei&date=2026-12-01", "", "", "Cookie", cookie)
	if p.Status != http.StatusOK {
		t.Fatalf("New booking: %d", p.Status)
	}
	body := html.UnescapeString(p.Body)
	for _, want := range []string{`name="answer-occasion"`, `name="answer-ring-size"`, `name="answer-ring-size-unit"`, "Which metals are you drawn to?"} {
		if !strings.Contains(body, want) {
			t.Errorf("the New booking form lacks %s", want)
		}
	}
	if strings.Contains(body, `type="file"`) {
		t.Error("the staff form asks for photos")
	}
	times := pickerTimes(p)
	if len(times) == 0 {
		t.Fatal("no free time today")
	}
	form := url.Values{
		"key": {"CCCCCCCCCCCCCCCCCCCCCC"}, "service": {"bespoke-design"}, "mode": {"virtual"}, "artisan": {"mei"},
		"date": {"2026-12-01"}, "start": {times[0]}, "name": {"Grace Hopper"}, "email": {"grace@example.com"},
		"answer-occasion": {"Engagement"}, "answer-metal": {"Platinum", "Rose gold"}, "answer-ring-size": {"lots"},
	}
	bad := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="err-answer-ring-size"`) ||
		!strings.Contains(bad.Body, `value="Engagement" checked`) {
		t.Fatalf("a ring size of %q: %d, want 422 with the error beside the question and the answers kept", "lots", bad.Status)
	}
	if again := pickerTimes(bad); !slices.Contains(again, times[0]) {
		t.Fatalf("after a refused form %s is no longer free: %v", times[0], again)
	}
	form.Set("answer-ring-size", "6.5")
	form.Set("answer-ring-size-unit", "US")
	made := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if made.Status != http.StatusSeeOther {
		t.Fatalf("booking with answers: %d\n%s", made.Status, made.Body)
	}
	b := mustStored(t, env, strings.TrimPrefix(strings.Split(made.Location, "?")[0], "/staff/bookings/"))
	if got := string(b.Answers["occasion"]); got != `"Engagement"` {
		t.Errorf("occasion kept as %s", got)
	}
	if got := string(b.Answers["metal"]); !strings.Contains(got, "Platinum") || !strings.Contains(got, "Rose gold") {
		t.Errorf("metals kept as %s", got)
	}
	if _, ok := b.Answers["ring-size"]; !ok {
		t.Errorf("the ring size is not kept: %v", b.Answers)
	}
	if _, ok := b.Answers["budget"]; ok {
		t.Error("an unanswered question has an answer")
	}
}
