package web_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
)

// box is an element's place on the page, in CSS pixels.
type box struct {
	Left, Top, Width, Height float64
	Text                     string
}

// Box is the bounding box and the visible text of the first element sel
// (CSS) matches; the test fails when none does.
func (tb *Tab) Box(sel string) box {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return null;
		const r = e.getBoundingClientRect();
		return {left: r.left + scrollX, top: r.top + scrollY, width: r.width, height: r.height, text: e.innerText}; })()`, sel)
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[*box](js))
	if err != nil || got == nil {
		tb.t.Fatalf("no element %s on %s (%v)", sel, tb.Location().Path, err)
	}
	return *got
}

// Drag presses the mouse on sel near its top, moves it by dx, dy in
// steps and lets go, as a person dragging it would; it waits for the page
// the release leads to.
func (tb *Tab) Drag(sel string, dx, dy float64) {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return {left: r.left + r.width / 2, top: r.top + 8}; })()`, sel)
	at, err := chromedp.Run(tb.ctx, chromedp.Evaluate[*box](js))
	if err != nil || at == nil {
		tb.t.Fatalf("drag %s: %v", sel, err)
	}
	x, y := at.Left, at.Top
	acts := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))}
	for i := 1; i <= 12; i++ {
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x+dx*float64(i)/12, y+dy*float64(i)/12, chromedp.ButtonLeft,
			func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
	}
	if err := chromedp.Do(tb.ctx, acts...); err != nil {
		tb.t.Fatalf("drag %s: %v", sel, err)
	}
	ctx, cancel := tb.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x+dx, y+dy, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	if err != nil {
		tb.t.Fatalf("releasing %s: %v (at %s)", sel, err, tb.Location())
	}
	if resp.Status != 200 {
		tb.t.Fatalf("the drop of %s led to status %d", sel, resp.Status)
	}
}

// TouchDrag holds a finger on sel for hold, moves it by dx, dy in steps
// and lifts it; it waits for the page the release leads to, when wait.
func (tb *Tab) TouchDrag(sel string, hold time.Duration, dx, dy float64, wait bool) {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return {left: r.left + r.width / 2, top: r.top + 8}; })()`, sel)
	at, err := chromedp.Run(tb.ctx, chromedp.Evaluate[*box](js))
	if err != nil || at == nil {
		tb.t.Fatalf("touch drag %s: %v", sel, err)
	}
	touch := func(typ input.DispatchTouchEventType, x, y float64) error {
		p := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{}}
		if typ != input.DispatchTouchEventTypeTouchEnd {
			p.TouchPoints = []*input.TouchPoint{{X: x, Y: y}}
		}
		_, err := chromedp.Call(tb.ctx, input.DispatchTouchEvent, p)
		return err
	}
	x, y := at.Left, at.Top
	if err := touch(input.DispatchTouchEventTypeTouchStart, x, y); err != nil {
		tb.t.Fatal(err)
	}
	time.Sleep(hold) // the hold itself is what is tested: a person's finger resting on the tile
	for i := 1; i <= 12; i++ {
		if err := touch(input.DispatchTouchEventTypeTouchMove, x+dx*float64(i)/12, y+dy*float64(i)/12); err != nil {
			tb.t.Fatal(err)
		}
	}
	if !wait {
		if err := touch(input.DispatchTouchEventTypeTouchEnd, 0, 0); err != nil {
			tb.t.Fatal(err)
		}
		return
	}
	ctx, cancel := tb.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Action[chromedp.Void](func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
		return chromedp.Void{}, err
	}))
	if err != nil {
		tb.t.Fatalf("lifting the finger off %s: %v (at %s)", sel, err, tb.Location())
	}
	if resp.Status != 200 {
		tb.t.Fatalf("the drop of %s led to status %d", sel, resp.Status)
	}
}

// calendarEnv is the demo atelier with ring sizing made a 45-minute
// appointment, and a day of bookings on Wednesday 9 December 2026:
// Arjun's 45-minute sizing at 11:00 and 90-minute design consultation at
// 14:30, Mei's viewing at 14:30 too, Arjun away from 17:00 to 19:00
// ("Dentist"), and a closure on Friday 11 December ("Stocktake") added
// after Siti's booking that day.
type calendarEnv struct {
	*Env
	design, sizing, meis, stranded *Booked
}

func mustOpenCalendarEnv(t *testing.T) *calendarEnv {
	t.Helper()
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: func(c *config.Config) {
		for i := range c.Services {
			if c.Services[i].ID == "ring-sizing" {
				c.Services[i].DurationMinutes = 45
			}
		}
	}})
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	env.MustCreateUser(t, "arjun@example.com", "Arjun Nair", "arjun")
	wed := func(h, m int) time.Time { return time.Date(2026, 12, 9, h, m, 0, 0, Singapore) }
	ce := &calendarEnv{Env: env,
		design:   env.MustBookAs(t, "bespoke-design", "arjun", wed(14, 30), "Ninety Minutes"),
		sizing:   env.MustBookAs(t, "ring-sizing", "arjun", wed(11, 0), "Forty Five"),
		meis:     env.MustBookAs(t, "private-viewing", "mei", wed(14, 30), "Customer of Mei"),
		stranded: env.MustBookAs(t, "ring-sizing", "siti", time.Date(2026, 12, 11, 11, 0, 0, 0, Singapore), "Stranded Customer"),
	}
	ctx := context.Background()
	if _, err := env.App.AddTimeOff(ctx, testAdmin, "arjun", app.TimeOffRequest{Start: wed(17, 0), End: wed(19, 0), Reason: "Dentist"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.AddClosure(ctx, testAdmin, app.ClosureRequest{From: booking.Date{Year: 2026, Month: 12, Day: 11}, Reason: "Stocktake"}); err != nil {
		t.Fatal(err)
	}
	return ce
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1.5 }

// TestBrowserStaffCalendar: the grid in a real browser. A tile is as tall
// as its appointment is long; overlapping appointments sit side by side;
// a time off and a closure are shaded with their reasons over their
// hours, and a booking the closure stranded is flagged; a tile dragged to
// another time leads to the confirm step, which moves it; the confirm step
// works without JavaScript too; an artisan's account sees only its column.
func TestBrowserStaffCalendar(t *testing.T) {
	b := MustStartBrowser(t)
	env := mustOpenCalendarEnv(t)
	tab := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(tab, env.Env, "boss@example.com")

	t.Run("TileHeights", func(t *testing.T) {
		tab.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		ninety := tab.Box(`a.tile[data-id="` + env.design.ID + `"]`)
		fortyFive := tab.Box(`a.tile[data-id="` + env.sizing.ID + `"]`)
		if fortyFive.Height < 20 || !near(ninety.Height, 2*fortyFive.Height) {
			t.Errorf("the 90-minute tile is %.1f px tall, the 45-minute one %.1f px: want twice", ninety.Height, fortyFive.Height)
		}
		// And placed by the clock: 14:30 is three and a half hours below 11:00.
		if got, want := ninety.Top-fortyFive.Top, 3.5*ninety.Height/1.5; !near(got, want) {
			t.Errorf("14:30 is %.1f px below 11:00, want %.1f (three and a half hours)", got, want)
		}
		for _, want := range []string{"Ninety Minutes", "Bespoke design consultation", "Visit", "Confirmed"} {
			if !strings.Contains(ninety.Text, want) {
				t.Errorf("the tile does not show %q: %q", want, ninety.Text)
			}
		}
		tab.CheckA11y("staff day grid")
		tab.Screenshots("53-staff-day-grid")
	})

	t.Run("TimeOffShaded", func(t *testing.T) {
		tab.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		away := tab.Box(`.cal-col[data-artisan="arjun"] .shade.away`)
		if !strings.Contains(away.Text, "Dentist") {
			t.Errorf("the time off is shaded without its reason: %q", away.Text)
		}
		ninety := tab.Box(`a.tile[data-id="` + env.design.ID + `"]`)
		hour := ninety.Height / 1.5
		if !near(away.Height, 2*hour) || !near(away.Top-ninety.Top, 2.5*hour) {
			t.Errorf("the time off covers %.1f px from %.1f px below 14:30; want two hours from two and a half hours below", away.Height, away.Top-ninety.Top)
		}
		if got := tab.Box(`.cal-col[data-artisan="mei"]`).Text; strings.Contains(got, "Dentist") {
			t.Errorf("Mei's column shows Arjun's time off: %q", got)
		}
	})

	t.Run("ClosureShadedAndBookingFlagged", func(t *testing.T) {
		tab.Go(env.URL + "/staff/calendar?view=week&date=2026-12-09")
		closure := tab.Box(`.cal-col[data-date="2026-12-11"] .shade.closure`)
		if !strings.Contains(closure.Text, "Closed: Stocktake") {
			t.Errorf("the closure is shaded without its reason: %q", closure.Text)
		}
		if col := tab.Box(`.cal-col[data-date="2026-12-11"]`); !near(closure.Height, col.Height) {
			t.Errorf("the closure covers %.1f px of the day's %.1f px", closure.Height, col.Height)
		}
		flagged := tab.Box(`a.tile[data-id="` + env.stranded.ID + `"]`)
		if !strings.Contains(flagged.Text, "Outside the rules") || !strings.Contains(flagged.Text, "Stocktake") {
			t.Errorf("the stranded booking's tile is not flagged with why: %q", flagged.Text)
		}
		tab.MustContain("1 booking here is outside the rules")
		// Mei's and Arjun's 14:30 appointments side by side.
		mei, arjun := tab.Box(`a.tile[data-id="`+env.meis.ID+`"]`), tab.Box(`a.tile[data-id="`+env.design.ID+`"]`)
		if near(mei.Left, arjun.Left) || mei.Left+mei.Width > arjun.Left+1 && arjun.Left+arjun.Width > mei.Left+1 {
			t.Errorf("overlapping appointments overlap on screen: %+v and %+v", mei, arjun)
		}
		tab.CheckA11y("staff week grid")
		tab.Screenshots("54-staff-week-grid")
	})

	t.Run("Home", func(t *testing.T) {
		tab.Go(env.URL + "/staff")
		tab.MustContain("Today at a glance", "1 booking is outside the rules", "Stranded Customer", "Stocktake",
			"Tan Mei Ling", "Arjun Nair", "Siti Rahmah", "No appointments today.", "Not working today.")
		tab.CheckA11y("staff home")
		tab.Screenshots("55-staff-home")
	})

	t.Run("DaySheet", func(t *testing.T) {
		tab.Go(env.URL + "/staff/calendar/sheet?date=2026-12-09&artisan=arjun")
		tab.MustContain("Arjun Nair", "Wednesday 9 December 2026", "Ninety Minutes", "Forty Five", "2:30 pm – 4:00 pm",
			"To lay out", "Any ring you already wear on that finger, and the one to resize if there is one.", "Away 5:00 pm – 7:00 pm: Dentist")
		if strings.Contains(tab.Text("main"), "Customer of Mei") {
			t.Error("Arjun's sheet shows Mei's customer")
		}
		tab.Screenshots("52-staff-sheet")
		tab.CheckA11y("staff day sheet")
	})

	t.Run("DragToMove", func(t *testing.T) {
		tab.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		sizing := tab.Box(`a.tile[data-id="` + env.sizing.ID + `"]`)
		perHour := sizing.Height / 0.75
		tab.Drag(`a.tile[data-id="`+env.sizing.ID+`"]`, 0, perHour) // 11:00 → 12:00
		if got := tab.Location(); got.Path != "/staff/bookings/"+env.sizing.ID+"/move" || got.Query().Get("time") != "12:00" || got.Query().Get("date") != "2026-12-09" {
			t.Fatalf("the drop led to %s, want the move's confirm step for 12:00", got)
		}
		tab.MustContain("Move this booking?", "Wednesday 9 December 2026, 11:00 am – 11:45 am", "Wednesday 9 December 2026, 12:00 pm – 12:45 pm")
		if got := mustStored(t, env.Env, env.sizing.ID); !got.Start.Equal(time.Date(2026, 12, 9, 11, 0, 0, 0, Singapore)) {
			t.Fatalf("the drop alone moved the booking to %s", got.Start)
		}
		tab.CheckA11y("staff move confirm")
		tab.Screenshots("50-staff-move-confirm")
		tab.Click(`//button[normalize-space()="Move the booking"]`)
		tab.MustContain("The booking has moved")
		if got := mustStored(t, env.Env, env.sizing.ID); !got.Start.Equal(time.Date(2026, 12, 9, 12, 0, 0, 0, Singapore)) {
			t.Errorf("moved to %s, want 12:00", got.Start)
		}
	})

	t.Run("TouchHoldAndDrag", func(t *testing.T) {
		finger := b.MustOpenTab(t, "Asia/Singapore", true)
		if _, err := chromedp.Call(finger.ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 1}); err != nil {
			t.Fatal(err)
		}
		staffSignIn(finger, env.Env, "boss@example.com")
		finger.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		sizing := finger.Box(`a.tile[data-id="` + env.sizing.ID + `"]`)
		// A swipe without the hold moves nothing and opens nothing.
		finger.TouchDrag(`a.tile[data-id="`+env.sizing.ID+`"]`, 0, 0, sizing.Height/0.75, false)
		if got := finger.Location().Path; got != "/staff/calendar" {
			t.Fatalf("a swipe over a tile led to %s", got)
		}
		finger.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09") // the swipe's fling settled
		// Held, then dragged an hour down: the confirm step for an hour later.
		want := mustStored(t, env.Env, env.sizing.ID).Start.In(Singapore).Add(time.Hour).Format("15:04")
		finger.TouchDrag(`a.tile[data-id="`+env.sizing.ID+`"]`, 700*time.Millisecond, 0, sizing.Height/0.75, true)
		if got := finger.Location(); got.Path != "/staff/bookings/"+env.sizing.ID+"/move" || got.Query().Get("time") != want {
			t.Fatalf("the touch drop led to %s, want the confirm step for %s", got, want)
		}
		finger.MustContain("Move this booking?")
	})

	t.Run("DropOnTimeOffIsRefusedAtTheConfirmStep", func(t *testing.T) {
		tab.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		design := tab.Box(`a.tile[data-id="` + env.design.ID + `"]`)
		tab.Drag(`a.tile[data-id="`+env.design.ID+`"]`, 0, design.Height/1.5*3) // 14:30 → 17:30, in the time off
		tab.MustContain("It cannot move there", "Choose another time")
		if got := tab.Text("main"); strings.Contains(got, "Dentist") {
			t.Errorf("the refusal names the time off's reason: %s", got)
		}
		if n, err := chromedp.Run(tab.ctx, chromedp.Evaluate[int](`document.querySelectorAll("main button[type=submit]").length`)); err != nil || n != 0 {
			t.Errorf("the refused move still offers %d buttons (%v)", n, err)
		}
	})

	t.Run("ConfirmWithoutScript", func(t *testing.T) {
		plain := b.MustOpenTab(t, "Asia/Singapore", false)
		staffSignIn(plain, env.Env, "boss@example.com")
		plain.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		plain.MustContain("Ninety Minutes", "Dentist")
		plain.Go(env.URL + "/staff/bookings/" + env.meis.ID + "/move?date=2026-12-10&time=15:00&artisan=arjun")
		plain.MustContain("Move this booking?", "Thursday 10 December 2026, 3:00 pm – 4:00 pm", "with Arjun Nair")
		plain.Click(`//button[normalize-space()="Move the booking"]`)
		plain.MustContain("The booking has moved")
		if got := mustStored(t, env.Env, env.meis.ID); !got.Start.Equal(time.Date(2026, 12, 10, 15, 0, 0, 0, Singapore)) || got.ArtisanID != "arjun" {
			t.Errorf("moved to %s with %s, want Thursday 15:00 with arjun", got.Start, got.ArtisanID)
		}
	})

	t.Run("ArtisanSeesOnlyItsColumn", func(t *testing.T) {
		own := b.MustOpenTab(t, "Asia/Singapore", true)
		staffSignIn(own, env.Env, "arjun@example.com")
		for _, path := range []string{"/staff/calendar?view=day&date=2026-12-10", "/staff/calendar?view=day&date=2026-12-10&artisan=mei", "/staff/calendar?view=week&date=2026-12-09"} {
			own.Go(env.URL + path)
			n, err := chromedp.Run(own.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".cal-col[data-artisan]:not([data-artisan=arjun])").length`))
			if err != nil || n != 0 {
				t.Errorf("%s: %d columns of other artisans (%v)", path, n, err)
			}
			if text := own.Text("main"); strings.Contains(text, "Stranded Customer") || strings.Contains(text, "Tan Mei Ling") || strings.Contains(text, "Siti Rahmah") {
				t.Errorf("%s: the artisan account sees others' bookings or names:\n%s", path, text)
			}
		}
		own.Go(env.URL + "/staff/calendar?view=day&date=2026-12-10")
		own.MustContain("Customer of Mei") // moved to Arjun above
		own.CheckA11y("artisan day grid")
		own.Screenshots("51-artisan-day")
	})
}
