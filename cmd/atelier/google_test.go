package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/calendar/v3"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/outbox"
)

// googleServer runs Main with the demo configuration, Google Calendar sync
// on against the fake (auth none) and Mei's calendar "mei-cal", plus an
// admin account. It returns the base URL and a signed-in admin client.
func googleServer(t *testing.T, fake *gcaltest.Server) (string, *http.Client) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(googleConfig(t, fake, string(atelier.ExampleConfig))), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "atelier.db")
	const pw = "a long enough password"
	if _, stderr, err := runMain(t, pw+"\n", "--config", cfgPath, "--db", db, "user", "add",
		"--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, stderr)
	}
	base := startGoogleServer(t, "--config", cfgPath, "--db", db, "--addr", "127.0.0.1:0")
	return base, signIn(t, base, "boss@example.com", pw)
}

// googleConfig is yaml with the Google sync on against fake, Mei's
// calendar "mei-cal", and no rate limits or reminders in the way.
func googleConfig(t *testing.T, fake *gcaltest.Server, yaml string) string {
	t.Helper()
	for old, new := range map[string]string{
		"google_calendar:\n  # Turn the sync on.\n  enabled: false": "google_calendar:\n  enabled: true",
		"  endpoint: \"\"":                "  endpoint: " + fake.Endpoint(),
		"  auth: service_account":         "  auth: none",
		"    google_calendar_id: primary": "    google_calendar_id: mei-cal",
		"  admin_emails: []":              "  admin_emails: [admin@example.com]",
		"  freebusy_timeout: 2s":          "  freebusy_timeout: 1s",
		"  sync_interval: 2m":             "  sync_interval: 1h",
		"  reminder_hours_before: 24":     "  reminder_hours_before: 0",
		"  logins_per_minute: 10":         "  logins_per_minute: 0",
		"  bookings_per_minute: 20":       "  bookings_per_minute: 0",
	} {
		if !strings.Contains(yaml, old) && !strings.Contains(old, "_per_minute") {
			t.Fatalf("the example configuration no longer has %q", old)
		}
		yaml = strings.Replace(yaml, old, new, 1)
	}
	return yaml
}

// startGoogleServer runs Main with args and job timings that suit the
// Google tests, and returns its base URL; the test's cleanup stops it.
func startGoogleServer(t *testing.T, args ...string) string {
	t.Helper()
	// Failed jobs come due again within the test's patience, and retries
	// are picked up within the backoff, not after the 5s poll.
	seams := Seams{JobPolicy: outbox.Policy{
		Backoff: outbox.Backoff{Base: 100 * time.Millisecond, Max: 500 * time.Millisecond},
		Poll:    100 * time.Millisecond,
	}}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Main(ctx, args,
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Ready: func(a string) { ready <- a }, Seams: seams})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return ""
}

// signIn is a client signed in to base as email.
func signIn(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	call(t, c, http.MethodPost, base+"/api/v1/staff/login", map[string]string{"email": email, "password": password}, http.StatusOK, nil)
	return c
}

// call sends a JSON request and decodes the answer into out, failing the
// test on another status than want.
func call(t *testing.T, c *http.Client, method, url string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, data)
		}
	}
}

type slot struct {
	Start, End string
	Artisans   []string
}

func meiSlots(t *testing.T, base string) []slot {
	t.Helper()
	from := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	var av struct{ Slots []slot }
	call(t, http.DefaultClient, http.MethodGet, base+"/api/v1/availability?service=bespoke-design&mode=virtual&artisan=mei&from="+from+"&to="+to, nil, http.StatusOK, &av)
	return av.Slots
}

// apart returns n of Mei's slots at least three hours apart, so booking
// one does not take another.
func apart(t *testing.T, slots []slot, n int) []slot {
	t.Helper()
	var out []slot
	var last time.Time
	for _, s := range slots {
		st, err := time.Parse(time.RFC3339, s.Start)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 || st.Sub(last) >= 3*time.Hour {
			out, last = append(out, s), st
		}
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("fewer than %d separate slots for Mei in %d", n, len(slots))
	return nil
}

func book(t *testing.T, base, start string) (id, token, meetingURL string) {
	t.Helper()
	var b struct {
		ID          string `json:"id"`
		MeetingURL  string `json:"meeting_url"`
		ManageToken string `json:"manage_token"`
	}
	call(t, http.DefaultClient, http.MethodPost, base+"/api/v1/bookings", map[string]any{
		"service": "bespoke-design", "mode": "virtual", "artisan": "mei", "start": start,
		"customer": map[string]string{"name": "Customer", "email": "customer@example.com"},
	}, http.StatusCreated, &b)
	return b.ID, b.ManageToken, b.MeetingURL
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGoogleCalendarEndToEnd drives the real wiring against the fake
// Calendar API: Meet links, busy times from Google, an outage and its
// recovery, and what staff and /healthz see.
func TestGoogleCalendarEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	fake := gcaltest.NewServer()
	t.Cleanup(fake.Close)
	base, admin := googleServer(t, fake)
	slots := apart(t, meiSlots(t, base), 4)

	// A virtual consultation gets a Meet link, in the booking and in Mei's
	// private Google event.
	id, _, link := book(t, base, slots[0].Start)
	if !strings.HasPrefix(link, "https://meet.google.com/") {
		t.Fatalf("meeting_url = %q, want a Meet link", link)
	}
	eventually(t, "the booking is synced", func() bool {
		var g struct {
			GoogleSync *struct{ State string } `json:"google_sync"`
		}
		call(t, admin, http.MethodGet, base+"/api/v1/staff/bookings/"+id+"/google", nil, http.StatusOK, &g)
		return g.GoogleSync != nil && g.GoogleSync.State == "synced"
	})
	ev := fake.Events("mei-cal")[gcal.EventID(id)]
	if ev == nil || ev.HangoutLink != link || ev.Visibility != "private" || len(ev.Attendees) != 0 {
		t.Fatalf("event in Mei's calendar = %+v, want a private event with Meet link %s and no attendees", ev, link)
	}

	// An event Mei adds in Google removes that slot once synced.
	blocked := slots[3]
	fake.Put("mei-cal", &calendar.Event{Id: "dentist", Summary: "Dentist",
		Start: &calendar.EventDateTime{DateTime: blocked.Start}, End: &calendar.EventDateTime{DateTime: blocked.End}})
	var ov struct {
		Enabled  bool
		Artisans []struct {
			ArtisanID string `json:"artisan_id"`
			State     string
			LastOK    *time.Time `json:"last_success_at"`
		}
	}
	call(t, admin, http.MethodPost, base+"/api/v1/staff/google/sync", nil, http.StatusOK, &ov)
	if !ov.Enabled || len(ov.Artisans) != 3 {
		t.Fatalf("google overview = %+v", ov)
	}
	for _, a := range ov.Artisans {
		if a.State != "connected" || a.LastOK == nil {
			t.Errorf("artisan %s: state %s, last success %v; want connected with a last success", a.ArtisanID, a.State, a.LastOK)
		}
	}
	for _, s := range meiSlots(t, base) {
		if s.Start == blocked.Start {
			t.Fatalf("slot %s is still offered after Mei's Google event was synced", blocked.Start)
		}
	}

	// Outage: Google answers 503 for a while; bookings still succeed (the
	// fallback link stands in for Meet), and once Google is back the
	// calendar holds exactly the confirmed bookings.
	fake.Inject(gcaltest.Fault{Calendar: "mei-cal", Status: http.StatusServiceUnavailable})
	id2, _, link2 := book(t, base, slots[1].Start)
	id3, tok3, _ := book(t, base, slots[2].Start)
	if link2 == "" || strings.HasPrefix(link2, "https://meet.google.com/") {
		t.Errorf("meeting_url during the outage = %q, want the fallback provider's link", link2)
	}
	call(t, http.DefaultClient, http.MethodPost, base+"/api/v1/bookings/"+id3+"/cancel?token="+tok3, nil, http.StatusOK, nil)
	type healthBody struct {
		Status         string
		GoogleCalendar struct {
			Jobs struct{ Failing int }
		} `json:"google_calendar"`
	}
	// While Google fails, /healthz stays 200 but says "degraded", with the
	// calendar writes being retried counted.
	eventually(t, "/healthz degraded with failing calendar writes", func() bool {
		var h healthBody
		call(t, http.DefaultClient, http.MethodGet, base+"/healthz", nil, http.StatusOK, &h)
		return h.Status == "degraded" && h.GoogleCalendar.Jobs.Failing > 0
	})
	fake.ClearFaults()
	eventually(t, "Google holds exactly the confirmed bookings", func() bool {
		evs := fake.Events("mei-cal")
		_, has1 := evs[gcal.EventID(id)]
		_, has2 := evs[gcal.EventID(id2)]
		_, has3 := evs[gcal.EventID(id3)]
		return has1 && has2 && !has3
	})
	eventually(t, "/healthz ok again once the writes went through", func() bool {
		var h healthBody
		call(t, http.DefaultClient, http.MethodGet, base+"/healthz", nil, http.StatusOK, &h)
		return h.Status == "ok" && h.GoogleCalendar.Jobs.Failing == 0
	})

	// Reconnecting an artisan keeps them connected; an unknown one is 404.
	call(t, admin, http.MethodPost, base+"/api/v1/staff/artisans/mei/google/reconnect", nil, http.StatusOK, &ov)
	call(t, admin, http.MethodPost, base+"/api/v1/staff/artisans/nobody/google/reconnect", nil, http.StatusNotFound, nil)
}

// TestGoogleSyncStoppedMailsAdmins: when Google refuses an artisan's
// credentials, the sync of that artisan stops and mail.admin_emails get one
// e-mail saying so, with the way back, through the mail queue.
func TestGoogleSyncStoppedMailsAdmins(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	fake := gcaltest.NewServer()
	t.Cleanup(fake.Close)
	base, _ := googleServer(t, fake)
	dir, err := os.Getwd() // googleServer runs in its own folder
	if err != nil {
		t.Fatal(err)
	}
	slots := apart(t, meiSlots(t, base), 1)
	fake.Inject(gcaltest.Fault{Calendar: "mei-cal", Status: http.StatusUnauthorized, Reason: "authError"})
	book(t, base, slots[0].Start)

	var notices []string
	eventually(t, "the admins are told that Mei's sync stopped", func() bool {
		notices, _ = filepath.Glob(filepath.Join(dir, "mail-outbox", "*-staff_notice-none-*.eml"))
		return len(notices) > 0
	})
	raw, err := os.ReadFile(notices[0])
	if err != nil {
		t.Fatal(err)
	}
	msg := string(raw)
	for _, want := range []string{"To: <admin@example.com>", "Subject: Google Calendar sync stopped for mei", "Content-Type: text/plain", "/staff"} {
		if !strings.Contains(msg, want) {
			t.Errorf("notice lacks %q:\n%s", want, msg)
		}
	}
}
