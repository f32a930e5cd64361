package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
)

// The booking policy on the customer's pages: the details page and the
// manage page say it; the manage page offers the buttons only while the
// customer may use them, and otherwise says how to reach the atelier;
// the cancel and move pages refuse inside the window and nothing changes.
func TestPagesBookingPolicy(t *testing.T) {
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: func(c *config.Config) {
		c.Booking.ChangeCutoffHours, c.Booking.MaxReschedules = 48, 1
		c.Booking.PolicyText = "Deposits are kept for late cancellations."
	}})
	ctx := context.Background()
	get := func(path string) Page {
		t.Helper()
		return env.Send(t, http.MethodGet, path, "", "")
	}
	form := func(path string, f url.Values) Page {
		t.Helper()
		return env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded", f.Encode())
	}
	rel := func(b *Booked, extra string) string {
		return strings.TrimPrefix(b.Links.Manage, env.URL) + extra
	}
	has := func(p Page, what ...string) {
		t.Helper()
		for _, w := range what {
			if !strings.Contains(p.Body, w) {
				t.Errorf("the page does not say %q:\n%s", w, p.Body)
			}
		}
	}
	lacks := func(p Page, what ...string) {
		t.Helper()
		for _, w := range what {
			if strings.Contains(p.Body, w) {
				t.Errorf("the page says %q:\n%s", w, p.Body)
			}
		}
	}
	const (
		words   = "until 48 hours before it starts"
		once    = "It can be moved at most once."
		note    = "Deposits are kept for late cancellations."
		phone   = "&#43;65 6221 4807" // html/template writes + as &#43;
		cancelB = "/cancel?token="
		moveB   = "/reschedule?token="
	)

	// A week ahead: every change is open.
	far := env.MustBookIn(t, "private-viewing", "in_person", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "")
	p := get(rel(far, ""))
	has(p, words, once, note, "You can move it 1 more time.", "Online changes close on", cancelB, moveB)
	lacks(p, phone+" or write")

	// Moved once by the customer: no more moves, still a cancel.
	if _, err := env.App.RescheduleBooking(ctx, far.ID, far.ManageToken, app.RescheduleRequest{Start: time.Date(2026, 12, 9, 15, 0, 0, 0, Singapore)}); err != nil {
		t.Fatal(err)
	}
	p = get(rel(far, ""))
	has(p, "moved as often as it can be moved online", cancelB, "please call "+phone)
	lacks(p, moveB)
	if p := get("/bookings/" + far.ID + "/reschedule?token=" + url.QueryEscape(far.ManageToken)); p.Status != http.StatusConflict ||
		!strings.Contains(p.Body, "moved as often as it can be moved online") {
		t.Errorf("the move page past the limit: %d\n%s", p.Status, p.Body)
	}

	// Tomorrow, 29 hours ahead: inside the 48 hours.
	near := env.MustBookIn(t, "private-viewing", "in_person", "mei", time.Date(2026, 12, 2, 14, 0, 0, 0, Singapore), "")
	p = get(rel(near, ""))
	has(p, "too close to the appointment to cancel or move it online", "please call "+phone+" or write to hello@keongsaikatelier.example", words)
	lacks(p, cancelB, moveB)
	for _, path := range []string{"/cancel", "/reschedule"} {
		p := get("/bookings/" + near.ID + path + "?token=" + url.QueryEscape(near.ManageToken))
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, "too close to the appointment") {
			t.Errorf("GET %s inside the window: %d\n%s", path, p.Status, p.Body)
		}
	}
	p = form("/bookings/"+near.ID+"/cancel", url.Values{"token": {near.ManageToken}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "please call "+phone) {
		t.Errorf("POST cancel inside the window: %d\n%s", p.Status, p.Body)
	}
	p = form("/bookings/"+near.ID+"/reschedule", url.Values{"token": {near.ManageToken}, "start": {"2026-12-02T15:00:00+08:00"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "too close to the appointment") {
		t.Errorf("POST move inside the window: %d\n%s", p.Status, p.Body)
	}
	if got := mustStored(t, env, near.ID); got.Status != "confirmed" || !got.Start.Equal(time.Date(2026, 12, 2, 14, 0, 0, 0, Singapore)) {
		t.Errorf("refused changes changed the booking: %s at %s", got.Status, got.Start)
	}

	// In Chinese too.
	p = get(rel(near, "&lang=zh-Hans"))
	has(p, "距离预约时间已太近", "预约开始前48小时为止", "每个预约最多可改期1次。")

	// The details page says the policy before booking.
	p = get("/book/details?service=private-viewing&mode=in_person&artisan=mei&start=" + url.QueryEscape("2026-12-10T14:00:00+08:00"))
	if p.Status == http.StatusSeeOther {
		p = get(p.Header.Get("Location")) // with the form's one-time key
	}
	has(p, words, once, note)
}
