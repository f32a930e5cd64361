package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// The browser tests drive Debian's Chromium through chromedp against the
// real server (store on a temporary file, real engine, JSON API and pages
// behind the production middleware). One browser serves every test; each
// test opens its own tab. CI sets ATELIER_REQUIRE_CHROMIUM=1, which turns a
// missing Chromium or axe-core into a failure instead of a skip.

// chromiumPath is where the browser is looked for.
func chromiumPath() string {
	if p := os.Getenv("ATELIER_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

func required() bool { return os.Getenv("ATELIER_REQUIRE_CHROMIUM") == "1" }

// Browser is one headless Chromium shared by the subtests of a test.
type Browser struct {
	ctx   context.Context
	axe   string // axe.min.js, "" when not installed and not required
	shots string // screenshot folder
}

// MustStartBrowser starts Chromium with a fresh profile, or skips (fails
// under ATELIER_REQUIRE_CHROMIUM=1) when it is not installed.
func MustStartBrowser(t *testing.T) *Browser {
	t.Helper()
	path := chromiumPath()
	if _, err := os.Stat(path); err != nil {
		if required() {
			t.Fatalf("Chromium not found at %s (ATELIER_REQUIRE_CHROMIUM=1): %v", path, err)
		}
		t.Skipf("Chromium not found at %s; set ATELIER_CHROMIUM or install chromium", path)
	}
	axePath := filepath.Join("testdata", "node_modules", "axe-core", "axe.min.js")
	axe, err := os.ReadFile(axePath)
	if err != nil {
		if required() {
			t.Fatalf("axe-core missing (run: npm ci --prefix internal/web/testdata): %v", err)
		}
		t.Logf("axe-core missing, accessibility checks skipped (run: npm ci --prefix internal/web/testdata)")
	}
	shots := os.Getenv("ATELIER_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("force-color-profile", "srgb"),
		// Back fetches the page again instead of restoring it from memory
		// (Tab.Back), and fires the load event chromedp waits for.
		chromedp.Flag("disable-features", "BackForwardCache"),
		chromedp.Flag("lang", "en-GB"),
		// The browser's own zone is UTC whatever the tests' TZ (CI runs
		// them again under America/Los_Angeles): each tab overrides it
		// (OpenTab), but a frame of another site runs in a process of its
		// own that keeps the browser's zone (TestBrowserEmbed).
		chromedp.Env("TZ=UTC"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Logf("screenshots in %s", shots)
	return &Browser{ctx: ctx, axe: string(axe), shots: shots}
}

// Tab is one browser tab of a test, in a time zone, with or without
// JavaScript.
type Tab struct {
	t      *testing.T
	b      *Browser
	ctx    context.Context
	script bool // JavaScript on
}

// MustOpenTab opens a tab whose clock is in zone; script turns
// JavaScript off when false.
func (b *Browser) MustOpenTab(t *testing.T, zone string, script bool) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone}); err != nil {
		t.Fatalf("time zone override: %v", err)
	}
	if !script {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("turning JavaScript off: %v", err)
		}
	}
	return &Tab{t: t, b: b, ctx: ctx, script: script}
}

// step bounds one action, so that a missing element fails in seconds.
func (tb *Tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, 10*time.Second)
}

// Go navigates to url and waits for the page.
func (tb *Tab) Go(url string) *network.Response {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(url))
	if err != nil {
		tb.t.Fatalf("navigate to %s: %v", url, err)
	}
	return resp
}

// Click clicks the element sel (CSS or XPath) and waits for the page it
// leads to.
func (tb *Tab) Click(sel string) *network.Response {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel, chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("click %s: %v\npage:\n%s", sel, err, tb.Text("main"))
	}
	if resp.Status >= 500 {
		tb.t.Fatalf("click %s: status %d", sel, resp.Status)
	}
	return resp
}

// Choose clicks sel (a radio's label, say), which does not leave the page.
func (tb *Tab) Choose(sel string) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(sel, chromedp.NodeVisible)); err != nil {
		tb.t.Fatalf("click %s: %v", sel, err)
	}
}

// Back goes back in the tab's history, as the browser's Back button does,
// and waits for the page. The browser runs without its back/forward cache
// (MustStartBrowser), so the page is fetched again, the case where a
// page's state must come from its address.
func (tb *Tab) Back() *network.Response {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.NavigateBack())
	if err != nil {
		tb.t.Fatalf("back: %v (at %s)", err, tb.Location())
	}
	return resp
}

// Fill types into the field with id.
func (tb *Tab) Fill(id, text string) {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	// Clear cannot empty a textarea that holds no text, which is fine.
	if err := chromedp.Do(ctx, chromedp.Clear(chromedp.ID(id))); err != nil && tb.Value(id) != "" {
		tb.t.Fatalf("clear #%s: %v", id, err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		tb.t.Fatalf("fill #%s: %v", id, err)
	}
}

// Text is the visible text of sel.
func (tb *Tab) Text(sel string) string {
	tb.t.Helper()
	ctx, cancel := tb.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Value is the value of the form field with id.
func (tb *Tab) Value(id string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		tb.t.Fatalf("value of #%s: %v", id, err)
	}
	return s
}

// Location is the tab's current URL.
func (tb *Tab) Location() *url.URL {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		tb.t.Fatal(err)
	}
	return u
}

// WaitURL waits until the URL's query has key (pages that the script
// reloads in the browser's zone).
func (tb *Tab) WaitURL(key string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](fmt.Sprintf(`new URLSearchParams(location.search).has(%q) && document.readyState === "complete"`, key),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		tb.t.Fatalf("waiting for %q in the address: %v (at %s)", key, err, tb.Location())
	}
}

// MustContain fails unless the main content shows each of want.
func (tb *Tab) MustContain(want ...string) {
	tb.t.Helper()
	text := tb.Text("main")
	for _, w := range want {
		if !strings.Contains(text, w) {
			tb.t.Errorf("page %s does not show %q; it shows:\n%s", tb.Location().Path, w, text)
		}
	}
}

// axeViolation is a serious or critical accessibility problem.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// CheckA11y runs axe-core on the page and fails on serious or critical
// violations.
func (tb *Tab) CheckA11y(name string) {
	tb.t.Helper()
	if tb.b.axe == "" {
		return
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](tb.b.axe+"\n;true")); err != nil {
		tb.t.Fatalf("%s: injecting axe-core: %v", name, err)
	}
	const run = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: running axe-core: %v", name, err)
	}
	for _, v := range got {
		tb.t.Errorf("%s: accessibility (%s) %s: %s at %v", name, v.Impact, v.ID, v.Help, v.Nodes)
	}
}

// CheckA11yWithoutScript checks a page of a tab with JavaScript off, by
// loading the same address in a tab with JavaScript on (axe needs script).
func (tb *Tab) CheckA11yWithoutScript(name string) {
	tb.t.Helper()
	if tb.b.axe == "" {
		return
	}
	other := tb.b.MustOpenTab(tb.t, "Europe/London", true)
	u := tb.Location()
	q := u.Query()
	if !q.Has("tz") && u.Path == "/book" {
		q.Set("tz", "Asia/Singapore") // what the script-less tab showed
		u.RawQuery = q.Encode()
	}
	other.Go(u.String())
	other.CheckA11y(name)
}

// Screenshots saves full-page screenshots of the page at phone and
// desktop widths as name-375.png and name-1280.png.
func (tb *Tab) Screenshots(name string) {
	tb.t.Helper()
	for _, w := range []int64{375, 1280} {
		shot, err := chromedp.Run(tb.ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			if _, err := chromedp.EmulateViewport(w, 900)(ctx, t); err != nil {
				return nil, err
			}
			// Let the page lay out and paint at the new width (two frames)
			// first: otherwise a long page can come out cut short. Without
			// JavaScript no frame callback runs, so there is nothing to wait on.
			if tb.script {
				settle := chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`,
					chromedp.EvalAwaitPromise)
				if _, err := settle(ctx, t); err != nil {
					return nil, err
				}
			}
			return chromedp.FullScreenshot(100)(ctx, t)
		})
		if err != nil {
			tb.t.Fatalf("screenshot %s at %d px: %v", name, w, err)
		}
		if err := os.WriteFile(filepath.Join(tb.b.shots, fmt.Sprintf("%s-%d.png", name, w)), shot, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		tb.t.Fatal(err)
	}
}

// bookingIDFrom returns the booking id of a /bookings/{id} address.
func bookingIDFrom(t *testing.T, u *url.URL) string {
	t.Helper()
	id, ok := strings.CutPrefix(u.Path, "/bookings/")
	if !ok || strings.Contains(id, "/") {
		t.Fatalf("not on a booking page: %s", u)
	}
	return id
}

func TestBrowser(t *testing.T) {
	b := MustStartBrowser(t)

	t.Run("VisitFromLondon", func(t *testing.T) {
		env := MustOpenEnv(t)
		tab := b.MustOpenTab(t, "Europe/London", true)

		tab.Go(env.URL + "/")
		tab.MustContain("Keong Saik Atelier", "41A Keong Saik Road", "Opening hours", "Bespoke design consultation")
		tab.CheckA11y("home")
		tab.Screenshots("01-home")

		tab.Click(`//a[normalize-space()="Visit the atelier"]`)
		tab.WaitURL("tz") // the script reloads the page in the browser's zone
		if got := tab.Location().Query().Get("tz"); got != "Europe/London" {
			t.Fatalf("detected zone %q, want Europe/London", got)
		}
		tab.MustContain("Choose an appointment", "Ring sizing")
		tab.CheckA11y("service step")
		tab.Screenshots("02-service")

		tab.Click(`//a[contains(@class,"choice")][contains(., "Bespoke design consultation")]`)
		tab.MustContain("Who would you like to meet?", "Any artisan")
		tab.CheckA11y("artisan step")

		tab.Click(`//a[contains(@class,"choice")][contains(., "Any artisan")]`)
		tab.MustContain("Choose a date and time", "December 2026", "Times are shown in Europe / London")
		tab.CheckA11y("calendar")

		tab.Click(`//a[contains(@class,"day")][contains(., "Wednesday 9 December")]`)
		// 2 pm in Singapore is 6 am in London in December (GMT, UTC+8).
		tab.MustContain("Wednesday 9 December 2026", "6:00 am", "2:00 pm in Singapore")
		tab.CheckA11y("calendar with times")
		tab.Screenshots("03-calendar")

		tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="6:00 am"]]`)
		tab.MustContain("Your details", "Wednesday 9 December 2026, 6:00 am – 7:30 am",
			"Wednesday 9 December 2026, 2:00 pm – 3:30 pm in Singapore", "41A Keong Saik Road")
		tab.CheckA11y("details")
		tab.Fill("name", "Ada Lovelace")
		tab.Fill("email", "ada@example.com")
		tab.Fill("phone", "+44 20 7946 0000")
		tab.Fill("notes", "An emerald, I think.")
		tab.Screenshots("04-details")

		tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		tab.MustContain("Your appointment is confirmed", "Ada Lovelace", "ada@example.com",
			"6:00 am – 7:30 am", "2:00 pm – 3:30 pm in Singapore", "Download .ics", "Google Calendar")
		tab.CheckA11y("confirmation")
		tab.Screenshots("05-confirmation")

		id := bookingIDFrom(t, tab.Location())
		got, err := env.App.StaffGetBooking(context.Background(), testAdmin, id)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
		if !got.Start.Equal(want) || got.Mode != booking.InPerson || got.ServiceID != "bespoke-design" ||
			got.Customer.Timezone != "Europe/London" || got.Customer.Name != "Ada Lovelace" || got.Notes != "An emerald, I think." {
			t.Errorf("stored booking: start %s mode %s service %s zone %q name %q notes %q; want start %s in person",
				got.Start, got.Mode, got.ServiceID, got.Customer.Timezone, got.Customer.Name, got.Notes, want)
		}
	})

	t.Run("VirtualFromLondon", func(t *testing.T) {
		env := MustOpenEnv(t)
		tab := b.MustOpenTab(t, "Europe/London", true)
		tab.Go(env.URL + "/")
		tab.Click(`//a[normalize-space()="Book a virtual consultation"]`)
		tab.WaitURL("tz")
		if strings.Contains(tab.Text("main"), "Ring sizing") {
			t.Error("ring sizing (in person only) is offered for a video call")
		}
		tab.Click(`//a[contains(@class,"choice")][contains(., "Recycled gold remodelling")]`)
		tab.MustContain("Who would you like to meet?")
		tab.Click(`//a[contains(@class,"choice")][contains(., "Tan Mei Ling")]`)
		tab.Click(`//a[contains(@class,"day")][contains(., "Thursday 10 December")]`)
		// 7 pm on a Thursday in Singapore is 11 am in London.
		tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="11:00 am"]]`)
		tab.MustContain("Virtual consultation", "Thursday 10 December 2026, 11:00 am – 12:00 pm", "Tan Mei Ling")
		tab.Fill("name", "Grace Hopper")
		tab.Fill("email", "grace@example.com")
		tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		tab.MustContain("Your appointment is confirmed", "Video call", "https://meet.jit.si/", "11:00 am – 12:00 pm")

		id := bookingIDFrom(t, tab.Location())
		got, err := env.App.StaffGetBooking(context.Background(), testAdmin, id)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 12, 10, 19, 0, 0, 0, Singapore)
		if !got.Start.Equal(want) || got.Mode != booking.Virtual || got.ArtisanID != "mei" || got.MeetingURL == "" {
			t.Errorf("stored booking: start %s mode %s artisan %s meeting %q; want %s, virtual, mei, a link",
				got.Start, got.Mode, got.ArtisanID, got.MeetingURL, want)
		}
		// The .ics link of the confirmation page serves the invite.
		href, err := chromedp.Run(tab.ctx, chromedp.AttributeValue(`//a[normalize-space()="Download .ics"]`, "href"))
		if err != nil {
			t.Fatal(err)
		}
		ics := env.MustGet(t, href.Value)
		if ics.Status != 200 || !strings.Contains(ics.Body, "BEGIN:VCALENDAR") || !strings.Contains(ics.Body, "DTSTART") {
			t.Errorf("GET %s: status %d, body %.200q", href.Value, ics.Status, ics.Body)
		}
	})

	t.Run("ManageRescheduleCancel", func(t *testing.T) {
		env := MustOpenEnv(t)
		start := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
		bk := env.MustBookIn(t, "private-viewing", "in_person", "", start, "Europe/London")
		tab := b.MustOpenTab(t, "Europe/London", true)

		tab.Go(bk.Links.Manage)
		tab.MustContain("Your appointment", "Private viewing of the collection", "Wednesday 9 December 2026, 6:00 am – 7:00 am")
		tab.CheckA11y("manage")
		tab.Screenshots("06-manage")

		tab.Click(`//a[normalize-space()="Choose another time"]`)
		tab.MustContain("Choose a new time", "Nothing changes until you confirm")
		tab.Click(`//a[contains(@class,"day")][contains(., "Friday 11 December")]`)
		tab.CheckA11y("reschedule calendar")
		tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="5:00 am"]]`)
		tab.MustContain("Move your appointment?", "Wednesday 9 December 2026, 6:00 am", "Friday 11 December 2026, 5:00 am – 6:00 am",
			"1:00 pm – 2:00 pm in Singapore")
		tab.CheckA11y("reschedule confirmation")
		if still := mustStored(t, env, bk.ID); !still.Start.Equal(start) {
			t.Fatalf("the booking moved before the move was confirmed: %s", still.Start)
		}
		tab.Click(`//button[normalize-space()="Move the appointment"]`)
		tab.MustContain("Your appointment has moved", "Friday 11 December 2026, 5:00 am – 6:00 am")
		if got, want := mustStored(t, env, bk.ID).Start, time.Date(2026, 12, 11, 13, 0, 0, 0, Singapore); !got.Equal(want) {
			t.Errorf("after the move the booking starts %s, want %s", got, want)
		}

		tab.Click(`//a[normalize-space()="Cancel the appointment"]`)
		tab.MustContain("Cancel this appointment?")
		tab.CheckA11y("cancel confirmation")
		if mustStored(t, env, bk.ID).Status != booking.Confirmed {
			t.Fatal("opening the cancel page cancelled the booking (it must take a POST)")
		}
		tab.Click(`//button[normalize-space()="Yes, cancel the appointment"]`)
		tab.MustContain("Your appointment is cancelled")
		tab.CheckA11y("cancelled")
		if got := mustStored(t, env, bk.ID).Status; got != booking.Cancelled {
			t.Errorf("status %s after cancelling, want cancelled", got)
		}
	})

	t.Run("ManageRescheduleToAnotherArtisan", func(t *testing.T) {
		env := MustOpenEnv(t)
		start := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
		bk := env.MustBookIn(t, "private-viewing", "in_person", "mei", start, "Europe/London")
		for _, script := range []bool{true, false} {
			tab := b.MustOpenTab(t, "Europe/London", script)
			tab.Go(bk.Links.Manage)
			tab.Click(`//a[normalize-space()="Choose another time"]`)
			tab.MustContain("Times with", "Tan Mei Ling (your artisan)", "Any artisan", "Arjun Nair")
			// Mei does not work on Saturdays; Arjun does.
			tab.Click(`//nav[contains(@class,"artisan-pick")]//a[contains(., "Arjun Nair")]`)
			check := tab.CheckA11y
			if !script {
				check = tab.CheckA11yWithoutScript
			}
			check("reschedule with another artisan")
			if script {
				tab.Screenshots("06-reschedule-artisans")
			}
			tab.Click(`//a[contains(@class,"day")][contains(., "Saturday 12 December")]`)
			tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="3:00 am"]]`)
			tab.MustContain("Move your appointment?", "With Arjun Nair instead of Tan Mei Ling", "A change of artisan: Arjun Nair will meet you instead of Tan Mei Ling.")
			check("reschedule confirmation with another artisan")
			if script {
				tab.Screenshots("06-reschedule-other-artisan")
				// Back to the calendar: the booking is unchanged so far.
				tab.Click(`//a[normalize-space()="Choose another time"]`)
				tab.MustContain("Choose a new time")
				if got := mustStored(t, env, bk.ID); got.ArtisanID != "mei" {
					t.Fatalf("the booking changed before the move was confirmed: with %s", got.ArtisanID)
				}
				continue
			}
			tab.Click(`//button[normalize-space()="Move the appointment"]`)
			tab.MustContain("Your appointment has moved", "now with Arjun Nair instead of Tan Mei Ling", "Saturday 12 December 2026, 3:00 am – 4:00 am")
		}
		if got := mustStored(t, env, bk.ID); got.ArtisanID != "arjun" || !got.Start.Equal(time.Date(2026, 12, 12, 11, 0, 0, 0, Singapore)) {
			t.Errorf("after the move: %s with %s, want Saturday 11:00 with arjun", got.Start, got.ArtisanID)
		}
	})

	t.Run("WithoutJavaScript", func(t *testing.T) {
		env := MustOpenEnv(t)
		tab := b.MustOpenTab(t, "Europe/London", false)
		tab.Go(env.URL + "/")
		tab.Click(`//a[normalize-space()="Visit the atelier"]`)
		if tab.Location().Query().Has("tz") {
			t.Fatal("the zone was detected with JavaScript off")
		}
		tab.Click(`//a[contains(@class,"choice")][contains(., "Ring sizing")]`)
		tab.Click(`//a[contains(@class,"choice")][contains(., "Any artisan")]`)
		tab.MustContain("Times are shown in Asia / Singapore")
		// Choose the zone from the list, as a customer without script.
		if err := chromedp.Do(tab.ctx, chromedp.SetValue(chromedp.ID("tz"), "Europe/London")); err != nil {
			t.Fatal(err)
		}
		tab.Click(`//button[normalize-space()="Show"]`)
		tab.MustContain("Times are shown in Europe / London")
		tab.Click(`//a[contains(@class,"day")][contains(., "Saturday 12 December")]`)
		tab.CheckA11yWithoutScript("calendar without script")
		// 10:30 am on a Saturday in Singapore is 2:30 am in London.
		tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="2:30 am"]]`)
		tab.MustContain("Saturday 12 December 2026, 2:30 am – 3:00 am", "10:30 am – 11:00 am in Singapore")

		// A mistake is shown beside its field, and what was typed stays.
		tab.Fill("name", "Ada Lovelace")
		tab.Fill("email", "ada@")
		tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		tab.MustContain("Please check the highlighted fields", "Your e-mail must be a valid e-mail address")
		if got := tab.Value("name"); got != "Ada Lovelace" {
			t.Errorf("name after the error: %q, want it kept", got)
		}
		tab.CheckA11yWithoutScript("details with errors")
		tab.Screenshots("07-details-error")
		tab.Fill("email", "ada@example.com")
		tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		tab.MustContain("Your appointment is confirmed")

		got := mustStored(t, env, bookingIDFrom(t, tab.Location()))
		if want := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore); !got.Start.Equal(want) || got.ServiceID != "ring-sizing" {
			t.Errorf("stored %s at %s, want ring-sizing at %s", got.ServiceID, got.Start, want)
		}
	})

	t.Run("SlotTakenMeanwhile", func(t *testing.T) {
		env := MustOpenEnv(t)
		tab := b.MustOpenTab(t, "Europe/London", true)
		tab.Go(env.URL + "/book?service=ring-sizing&mode=in_person&artisan=siti&tz=Europe/London&date=2026-12-12")
		tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="2:30 am"]]`)
		tab.Fill("name", "Ada Lovelace")
		tab.Fill("email", "ada@example.com")
		// Someone else takes Siti's 10:30 am while Ada types.
		env.MustBook(t, "ring-sizing", "in_person", "siti", time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore))
		resp := tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		if resp.Status != 409 {
			t.Errorf("status %d, want 409", resp.Status)
		}
		tab.MustContain("was booked by someone else a moment ago", "Saturday 12 December 2026", "3:30 am")
		if strings.Contains(tab.Text(".slots"), "2:30 am") {
			t.Error("the taken time is still offered")
		}
		// What Ada typed is kept: she only picks another time.
		if got := tab.Value("name") + " " + tab.Value("email"); got != "Ada Lovelace ada@example.com" {
			t.Errorf("fields after the taken time: %q, want them kept", got)
		}
		tab.CheckA11y("slot taken")
		tab.Screenshots("08-slot-taken")
		tab.Choose(`//label[contains(@class,"slot")][.//span[normalize-space()="3:30 am"]]`)
		tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		tab.MustContain("Your appointment is confirmed", "Ada Lovelace", "3:30 am – 4:00 am")
		got := mustStored(t, env, bookingIDFrom(t, tab.Location()))
		if want := time.Date(2026, 12, 12, 11, 30, 0, 0, Singapore); !got.Start.Equal(want) || got.ArtisanID != "siti" || got.Customer.Timezone != "Europe/London" {
			t.Errorf("stored %s with %s in %s, want %s with siti in Europe/London", got.Start, got.ArtisanID, got.Customer.Timezone, want)
		}
	})

	// Back from the confirmation and Confirm again: the same booking, not
	// a second one with the other artisan (ring sizing has two).
	for _, script := range []bool{true, false} {
		t.Run(fmt.Sprintf("BackThenConfirm/script=%v", script), func(t *testing.T) {
			env := MustOpenEnv(t)
			tab := b.MustOpenTab(t, "Europe/London", script)
			tab.Go(env.URL + "/book?service=ring-sizing&mode=in_person&artisan=any&tz=Europe/London&date=2026-12-12")
			tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="2:30 am"]]`)
			tab.Fill("name", "Ada Lovelace")
			tab.Fill("email", "ada@example.com")
			tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
			tab.MustContain("Your appointment is confirmed")
			first := tab.Location()
			if resp := tab.Back(); resp.Status != 200 {
				t.Fatalf("back to the details page: status %d", resp.Status)
			}
			tab.MustContain("Your details", "Saturday 12 December 2026, 2:30 am")
			if tab.Value("email") == "" { // the browser did not keep the form
				tab.Fill("name", "Ada Lovelace")
				tab.Fill("email", "ada@example.com")
			}
			tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
			tab.MustContain("Your appointment is confirmed")
			if again := tab.Location(); again.Path != first.Path || again.Query().Get("token") != first.Query().Get("token") {
				t.Errorf("after Back and Confirm: %s, want the first booking's page %s", again, first)
			}
			if got := env.BookingsOf(t, "ada@example.com"); len(got) != 1 {
				t.Errorf("%d bookings for Ada after Back and Confirm, want 1", len(got))
			}
		})
	}

	t.Run("Staff", func(t *testing.T) {
		env := MustOpenEnv(t)
		env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
		env.MustCreateUser(t, "arjun@example.com", "Arjun Nair", "arjun")
		meis := env.MustBookAs(t, "private-viewing", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Customer of Mei")
		arjuns := env.MustBookAs(t, "bespoke-design", "arjun", time.Date(2026, 12, 10, 15, 0, 0, 0, Singapore), "Customer of Arjun")
		env.MustBookAs(t, "ring-sizing", "arjun", time.Date(2026, 12, 9, 16, 0, 0, 0, Singapore), "Second of Arjun")
		env.MustMailState(t, meis.ID)
		tab := b.MustOpenTab(t, "Asia/Singapore", true)

		tab.Go(env.URL + "/staff")
		if got := tab.Location().Path; got != "/staff/login" {
			t.Fatalf("without a session /staff shows %s, want the sign-in page", got)
		}
		tab.CheckA11y("staff sign-in")
		tab.Screenshots("20-staff-login")
		tab.Fill("email", "boss@example.com")
		tab.Fill("password", "wrong password!")
		tab.Click(`//button[normalize-space()="Sign in"]`)
		tab.MustContain("Wrong e-mail address or password")
		tab.Fill("password", StaffPassword)
		tab.Click(`//button[normalize-space()="Sign in"]`)
		tab.MustContain("Today at a glance", "Tuesday 1 December 2026",
			"1 e-mail is not getting through", "1 could not be delivered in the last 7 days", "Customer of Mei · Wed 9 Dec, 2:00 pm")

		tab.Click(`//nav[@aria-label="Staff"]//a[normalize-space()="Calendar"]`)
		tab.Click(`//a[contains(@class,"cal-nav")][.//span[normalize-space()="The week after"]]`)
		tab.MustContain("Monday 7 December – Sunday 13 December 2026", "Customer of Mei", "Customer of Arjun", "Second of Arjun", "Visit")
		tab.CheckA11y("staff week")
		tab.Screenshots("21-staff-week")

		tab.Click(`//a[contains(@class,"tile")][contains(., "Customer of Mei")]`)
		tab.MustContain("Customer of Mei", "other@example.com", "Private viewing of the collection", "Wednesday 9 December 2026, 2:00 pm – 3:00 pm",
			"could not be delivered", "Given up", "smtp: 550")
		tab.CheckA11y("staff booking")
		tab.Screenshots("22-staff-booking")
		tab.Click(`//a[normalize-space()="Cancel the booking"]`)
		tab.CheckA11y("staff cancel")
		if mustStored(t, env, meis.ID).Status != booking.Confirmed {
			t.Fatal("opening the cancel page cancelled the booking")
		}
		tab.Click(`//button[normalize-space()="Yes, cancel the booking"]`)
		tab.MustContain("The booking is cancelled")
		if got := mustStored(t, env, meis.ID).Status; got != booking.Cancelled {
			t.Errorf("status %s after the staff cancel, want cancelled", got)
		}

		tab.Go(env.URL + "/staff/calendar?view=day&date=2026-12-09")
		tab.MustContain("Wednesday 9 December 2026", "Second of Arjun")
		// The cancelled booking stays in the day's list, marked.
		if text := tab.Text("main"); !strings.Contains(text, "Customer of Mei") || !strings.Contains(strings.ToLower(text), "cancelled") {
			t.Errorf("the day's list does not show the cancelled booking as cancelled:\n%s", text)
		}
		tab.CheckA11y("staff day")
		tab.Click(`//a[normalize-space()="New booking"]`)
		tab.MustContain("New booking", "Customer's e-mail")
		tab.CheckA11y("staff new booking")

		// Move Arjun's booking to Mei on Friday, picking the time from
		// Mei's free times of that day.
		tab.Go(env.URL + "/staff/bookings/" + arjuns.ID + "/reschedule")
		tab.CheckA11y("staff move")
		tab.PickerSet("artisan", "mei", "Thursday 10 December 2026")
		tab.PickerSet("date", "2026-12-11", "Friday 11 December 2026")
		tab.Choose(`label[for="t1300"]`)
		tab.Click(`//button[normalize-space()="Move the booking"]`)
		tab.MustContain("The booking has moved", "Friday 11 December 2026, 1:00 pm", "Tan Mei Ling")
		if got := mustStored(t, env, arjuns.ID); !got.Start.Equal(time.Date(2026, 12, 11, 13, 0, 0, 0, Singapore)) || got.ArtisanID != "mei" {
			t.Errorf("moved booking: %s with %s, want Friday 1 pm with mei", got.Start, got.ArtisanID)
		}

		// A closure on that Friday shows the booking it strands.
		tab.Click(`//a[normalize-space()="Hours and closures"]`)
		if err := chromedp.Do(tab.ctx, chromedp.SetValue(chromedp.ID("from"), "2026-12-11")); err != nil {
			t.Fatal(err)
		}
		tab.Fill("reason", "Stocktake")
		tab.Click(`//button[normalize-space()="Add the closure"]`)
		tab.MustContain("The closure is saved", "These bookings no longer fit", "Customer of Arjun", "Stocktake")
		tab.CheckA11y("staff hours")
		tab.Screenshots("23-staff-hours")

		// An artisan account sees only its own calendar.
		tab.Click(`//button[normalize-space()="Sign out"]`)
		tab.Fill("email", "arjun@example.com")
		tab.Fill("password", StaffPassword)
		tab.Click(`//button[normalize-space()="Sign in"]`)
		tab.Go(env.URL + "/staff/calendar?view=week&date=2026-12-09")
		tab.MustContain("Second of Arjun")
		if text := tab.Text("main"); strings.Contains(text, "Customer of Mei") || strings.Contains(text, "Customer of Arjun") {
			t.Errorf("the artisan account sees other artisans' bookings:\n%s", text)
		}
		if resp := tab.Go(env.URL + "/staff/bookings/" + meis.ID); resp.Status != 404 {
			t.Errorf("artisan opening another artisan's booking: status %d, want 404", resp.Status)
		}
		if resp := tab.Go(env.URL + "/staff/hours"); resp.Status != 403 {
			t.Errorf("artisan opening the opening hours editor: status %d, want 403", resp.Status)
		}
		tab.Go(env.URL + "/staff/artisans/arjun")
		tab.MustContain("Working hours", "Time off")
		tab.CheckA11y("artisan hours")
	})

	// A service staff confirm (the demo's private viewing): the customer
	// asks for a time and is told it is a request; staff find it waiting on
	// their home page, confirm it from its page, and the customer's page
	// becomes an appointment with its calendar invite. A second request,
	// declined with a reason, tells its customer why.
	t.Run("RequestConfirmedAndDeclined", func(t *testing.T) {
		env := mustOpenEnv(t, httpx.Config{}, envOptions{requests: true})
		env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
		tab := b.MustOpenTab(t, "Asia/Singapore", true)

		tab.Go(env.URL + "/")
		tab.Click(`//a[normalize-space()="Visit the atelier"]`)
		tab.WaitURL("tz")
		tab.Click(`//a[contains(@class,"choice")][contains(., "Private viewing of the collection")]`)
		tab.Click(`//a[contains(@class,"choice")][contains(., "Tan Mei Ling")]`)
		tab.Click(`//a[contains(@class,"day")][contains(., "Wednesday 9 December")]`)
		tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="2:00 pm"]]`)
		tab.MustContain("Your details", "Private viewing of the collection", "Wednesday 9 December 2026, 2:00 pm – 3:00 pm")
		tab.CheckA11y("request details")
		tab.Fill("name", "Ada Lovelace")
		tab.Fill("email", "ada@example.com")
		tab.Click(`//button[normalize-space()="Confirm the appointment"]`)
		tab.MustContain("Request received: the atelier will confirm", "Withdraw the request", "Wednesday 9 December 2026, 2:00 pm – 3:00 pm")
		if text := tab.Text("main"); strings.Contains(text, "Download .ics") || strings.Contains(text, "Your appointment is confirmed") {
			t.Errorf("the request's page offers a calendar invite or says it is confirmed:\n%s", text)
		}
		tab.CheckA11y("request received")
		tab.Screenshots("25-request-received")
		id := bookingIDFrom(t, tab.Location())
		page := tab.Location()
		q := page.Query()
		q.Del("new")
		page.RawQuery = q.Encode()
		if got := mustStatus(t, env, id); got != booking.Pending {
			t.Fatalf("the request is stored as %s, want pending", got)
		}

		staff := b.MustOpenTab(t, "Asia/Singapore", true)
		staff.Go(env.URL + "/staff")
		staff.Fill("email", "boss@example.com")
		staff.Fill("password", StaffPassword)
		staff.Click(`//button[normalize-space()="Sign in"]`)
		staff.MustContain("1 request is waiting for a decision", "Ada Lovelace", "Private viewing of the collection")
		staff.CheckA11y("staff home with a request")
		staff.Screenshots("26-staff-request-waiting")
		staff.Click(`//section[@aria-labelledby="requests-title"]//a[contains(., "Ada Lovelace")]`)
		staff.MustContain("Ada Lovelace asked for this time", "Confirm the request", "Decline the request")
		staff.CheckA11y("staff request")
		staff.Screenshots("27-staff-request")
		staff.Click(`//button[normalize-space()="Confirm the request"]`)
		staff.MustContain("The request is confirmed")
		staff.CheckA11y("staff request confirmed")
		if got := mustStatus(t, env, id); got != booking.Confirmed {
			t.Errorf("after Confirm the request is %s, want confirmed", got)
		}
		tab.Go(page.String())
		tab.MustContain("Download .ics", "Wednesday 9 December 2026, 2:00 pm – 3:00 pm")
		if strings.Contains(tab.Text("main"), "Withdraw the request") {
			t.Error("the confirmed appointment's page still offers to withdraw a request")
		}
		tab.CheckA11y("request confirmed, customer")

		// The second request, declined from its page with a reason.
		other := env.MustBookIn(t, "private-viewing", "in_person", "mei", time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), "")
		staff.Go(env.URL + "/staff")
		staff.MustContain("1 request is waiting for a decision")
		staff.Go(env.URL + "/staff/bookings/" + other.ID)
		staff.Fill("decline-reason", "The collection is at a fair that week.")
		staff.Click(`//button[normalize-space()="Decline the request"]`)
		staff.MustContain("The request is declined", "The collection is at a fair that week.")
		staff.CheckA11y("staff request declined")
		if got := mustStatus(t, env, other.ID); got != booking.Declined {
			t.Errorf("after Decline the request is %s, want declined", got)
		}
		tab.Go(other.Links.Manage)
		tab.MustContain("Your request was not confirmed", "The collection is at a fair that week.")
		tab.CheckA11y("request declined, customer")
		tab.Screenshots("28-request-declined")
		staff.Go(env.URL + "/staff")
		if strings.Contains(staff.Text("main"), "waiting for a decision") {
			t.Errorf("the staff home still lists a request waiting:\n%s", staff.Text("main"))
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		env := MustOpenEnv(t)
		tab := b.MustOpenTab(t, "Europe/London", true)
		if resp := tab.Go(env.URL + "/bookings/bk_nothing?token=nope"); resp.Status != 404 {
			t.Errorf("status %d, want 404", resp.Status)
		}
		tab.MustContain("This link is not valid")
		tab.CheckA11y("not found")
	})
}

// mustStored loads a booking as staff see it.
func mustStored(t *testing.T, env *Env, id string) *app.Booking {
	t.Helper()
	v, err := env.App.StaffGetBooking(context.Background(), testAdmin, id)
	if err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	return &v.Booking
}
