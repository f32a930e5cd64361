package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// pkgDir is this package's folder (tests change the working folder).
var pkgDir, _ = os.Getwd()

// testServer is Main serving a configuration file in its own folder, which
// a test can stop and start again (after editing the file).
type testServer struct {
	t      *testing.T
	dir    string
	cfg    string
	base   string
	cancel context.CancelFunc
	done   chan error
	log    *syncBuffer
	// seams are the run's seams (a clock, the job policy); zero: production's.
	seams Seams
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestServer writes the demo configuration, edited by the old → new
// pairs, into a new folder (the working folder from now on, so the mail
// outbox lands there) without starting it.
func newTestServer(t *testing.T, edits ...string) *testServer {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	s := &testServer{t: t, dir: dir, cfg: filepath.Join(dir, "config.yaml")}
	s.writeConfig(edits...)
	return s
}

// writeConfig writes the demo configuration with the edits (pairs of old,
// new text; each old must be there), reminders and rate limits off.
func (s *testServer) writeConfig(edits ...string) {
	s.t.Helper()
	yaml := string(atelier.ExampleConfig)
	edits = append(edits, "  reminder_hours_before: 24", "  reminder_hours_before: 0",
		"  bookings_per_minute: 20", "  bookings_per_minute: 0")
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(yaml, edits[i]) {
			s.t.Fatalf("the example configuration no longer has %q", edits[i])
		}
		yaml = strings.Replace(yaml, edits[i], edits[i+1], 1)
	}
	if err := os.WriteFile(s.cfg, []byte(yaml), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// start runs Main on 127.0.0.1:0 until stop (or the end of the test).
func (s *testServer) start() {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	s.cancel, s.done, s.log = cancel, done, &syncBuffer{}
	go func() {
		done <- Main(ctx, []string{"--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "--addr", "127.0.0.1:0"},
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: s.log, Ready: func(a string) { ready <- a }, Seams: s.seams})
	}()
	s.t.Cleanup(s.stop)
	select {
	case addr := <-ready:
		s.base = "http://" + addr
	case err := <-done:
		// Main's result is read: stop must not wait for it again.
		cancel()
		s.cancel = nil
		s.t.Fatalf("serve ended early: %v\n%s", err, s.log)
	case <-time.After(30 * time.Second):
		s.t.Fatal("server did not start")
	}
}

// stop shuts the server down; it must stop cleanly.
func (s *testServer) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Errorf("serve: %v\n%s", err, s.log)
	}
	s.cancel = nil
}

// freeSlots returns the free in-person ring sizing slots of the next days.
func (s *testServer) freeSlots() []string {
	s.t.Helper()
	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	var av struct{ Slots []struct{ Start string } }
	call(s.t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/availability?service=ring-sizing&mode=in_person&from="+from+"&to="+to, nil, http.StatusOK, &av)
	if len(av.Slots) < 2 {
		s.t.Fatalf("only %d free slots", len(av.Slots))
	}
	var out []string
	for _, sl := range av.Slots {
		out = append(out, sl.Start)
	}
	return out
}

// book books a ring sizing at start for email; it returns the id and the
// manage token.
func (s *testServer) book(start, email string) (id, token string) {
	s.t.Helper()
	var b struct {
		ID          string `json:"id"`
		ManageToken string `json:"manage_token"`
	}
	call(s.t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "ring-sizing", "mode": "in_person", "start": start,
		"customer": map[string]string{"name": "Ada Lovelace", "email": email},
	}, http.StatusCreated, &b)
	return b.ID, b.ManageToken
}

// customerMail waits for the e-mail of kind for booking id in the outbox
// folder and returns it.
func (s *testServer) customerMail(kind, id string) []byte {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		names, _ := filepath.Glob(filepath.Join(s.dir, "mail-outbox", "*-"+kind+"-"+id+"-*.eml"))
		if len(names) > 0 {
			sort.Strings(names)
			data, err := os.ReadFile(names[len(names)-1])
			if err != nil {
				s.t.Fatal(err)
			}
			return data
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s e-mail for %s in the outbox\n%s", kind, id, s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inviteEvent returns the VEVENT of the text/calendar part of a message.
func inviteEvent(t *testing.T, raw []byte) *ical.Component {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var ev *ical.Component
	err = m.Walk(func(_ []int, e *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ct, _, _ := e.Header.ContentType(); ct == "text/calendar" && ev == nil {
			cal, err := ical.NewDecoder(e.Body).Decode()
			if err != nil {
				return err
			}
			for _, c := range cal.Children {
				if c.Name == ical.CompEvent {
					ev = c
				}
			}
		}
		return nil
	})
	if err != nil || ev == nil {
		t.Fatalf("no invite in the message (%v)", err)
	}
	return ev
}

// TestInviteUIDSurvivesPublicURLChange: a booking made under one public URL
// and moved and cancelled after the URL changed keeps one UID in all three
// invites, so the customer's calendar updates and then removes the one
// event instead of adding a second.
func TestInviteUIDSurvivesPublicURLChange(t *testing.T) {
	const oldURL, newURL = "  public_url: https://old.example", "  public_url: https://new.example"
	s := newTestServer(t, "  public_url: http://127.0.0.1:8080", oldURL)
	s.start()
	slots := s.freeSlots()
	id, token := s.book(slots[0], "ada@example.com")
	confirmed := inviteEvent(t, s.customerMail("confirmation", id))
	s.stop()

	s.writeConfig("  public_url: http://127.0.0.1:8080", newURL)
	s.start()
	bearer := "Bearer " + token
	for _, step := range []struct {
		path string
		body any
	}{{"/reschedule", map[string]string{"start": slots[len(slots)-1]}}, {"/cancel", nil}} {
		var rd io.Reader
		if step.body != nil {
			b, _ := json.Marshal(step.body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/bookings/"+id+step.path, rd)
		req.Header.Set("Authorization", bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", step.path, resp.StatusCode)
		}
	}
	updated := inviteEvent(t, s.customerMail("update", id))
	cancelled := inviteEvent(t, s.customerMail("cancellation", id))

	want := id + "@old.example"
	for name, ev := range map[string]*ical.Component{"confirmation": confirmed, "update": updated, "cancellation": cancelled} {
		if uid, _ := ev.Props.Text(ical.PropUID); uid != want {
			t.Errorf("%s invite UID = %q, want %q (the first invite's)", name, uid, want)
		}
	}
	if seq := cancelled.Props.Get(ical.PropSequence); seq == nil || seq.Value != "2" {
		t.Errorf("cancellation SEQUENCE = %v, want 2", seq)
	}
}

// records is a slog.Handler that keeps every record.
type records struct {
	mu   sync.Mutex
	list []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.list = append(h.list, r.Clone())
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// attrs returns the message and attributes of each record as text.
func (h *records) lines() []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]string
	for _, r := range h.list {
		m := map[string]string{"msg": r.Message, "level": r.Level.String()}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
		out = append(out, m)
	}
	return out
}

// TestStartupLogsOrphanBookings: at start, the coming confirmed bookings of
// an artisan or a service removed from the file are logged, each with its
// id and times and no customer details; past and cancelled ones are not.
func TestStartupLogsOrphanBookings(t *testing.T) {
	s := newTestServer(t)
	s.start()
	var arjun, siti []string
	for range 12 {
		// Book the first free time until both artisans of ring sizing
		// have a booking.
		id, token := s.book(s.freeSlots()[0], "ada@example.com")
		var b struct{ Artisan string }
		call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/bookings/"+id+"?token="+token, nil, http.StatusOK, &b)
		switch b.Artisan {
		case "arjun":
			arjun = append(arjun, id)
		case "siti":
			siti = append(siti, id)
		}
		if len(arjun) > 0 && len(siti) > 0 {
			break
		}
	}
	s.stop()
	if len(arjun) == 0 || len(siti) == 0 {
		t.Fatalf("bookings: %d with Arjun, %d with Siti; want some of each", len(arjun), len(siti))
	}

	// Remove Arjun from the file: drop his entry and his name from the
	// services' lists.
	s.writeConfig(arjunRemoved(t)...)
	cfg, _, err := loadConfig(globalFlags{config: s.cfg, db: filepath.Join(s.dir, "atelier.db")})
	if err != nil {
		t.Fatal(err)
	}
	h := &records{}
	logger := slog.New(h)
	cat, err := cfg.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	db, err := openStore(context.Background(), cfg, cat, sqlite.Options{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := warnOrphanBookings(context.Background(), sqliteDB{db}, cat, logger, time.Now()); err != nil {
		t.Fatal(err)
	}
	logged := map[string]map[string]string{}
	for _, l := range h.lines() {
		if l["booking"] != "" {
			logged[l["booking"]] = l
		}
		for k, v := range l {
			if strings.Contains(v, "ada@example.com") || strings.Contains(v, "Ada") {
				t.Errorf("log attribute %s = %q holds customer details", k, v)
			}
		}
	}
	var summary bool
	for _, l := range h.lines() {
		summary = summary || l["level"] == "WARN" && l["count"] == fmt.Sprint(len(arjun))
	}
	if !summary {
		t.Errorf("no warning counts the %d bookings: %v", len(arjun), h.lines())
	}
	for _, id := range arjun {
		l := logged[id]
		if l == nil {
			t.Errorf("booking %s of the removed artisan is not logged; got %v", id, h.lines())
			continue
		}
		if l["level"] != "WARN" || l["artisan"] != "arjun" || l["start"] == "" || l["end"] == "" || !strings.Contains(l["msg"], "removed artisan") {
			t.Errorf("log of %s = %v", id, l)
		}
	}
	for _, id := range siti {
		if logged[id] != nil {
			t.Errorf("booking %s of an artisan still in the file is logged: %v", id, logged[id])
		}
	}
	db.Close()

	// The server logs them when it starts.
	s.start()
	if log := s.log.String(); !strings.Contains(log, `msg="booking of a removed artisan" booking=`+arjun[0]+" start=") {
		t.Errorf("the start-up log does not name %s:\n%s", arjun[0], log)
	}
}

// arjunRemoved is the edit of the demo configuration that deletes the
// artisan Arjun.
func arjunRemoved(t *testing.T) []string {
	t.Helper()
	yaml := string(atelier.ExampleConfig)
	from, to := strings.Index(yaml, "  - id: arjun\n"), strings.Index(yaml, "  - id: siti\n")
	if from < 0 || to < from {
		t.Fatal("the example configuration no longer has Arjun before Siti")
	}
	// The consultation with goldsmith and gemmologist needs two of its
	// artisans; without Arjun only Mei offers it, which the file refuses.
	return []string{yaml[from:to], "", "    artisans_needed: 2\n", ""}
}

// TestUpgradeFromV6 starts the server on a database written by a version
// 6 binary: the booking's manage token still opens it, and its invite
// keeps the UID its customer already has (made from the public URL of the
// first start), also after the public URL changes.
func TestUpgradeFromV6(t *testing.T) {
	s := newTestServer(t, "  public_url: http://127.0.0.1:8080", "  public_url: https://old.example")
	// The frozen schema of the store's own upgrade tests.
	v6, err := os.ReadFile(filepath.Join(pkgDir, "..", "..", "internal", "sqlite", "testdata", "schema_v6.sql"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", filepath.Join(s.dir, "atelier.db"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	f := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
	hash := sha256.Sum256([]byte("the-token-of-version-6"))
	for _, q := range []string{string(v6), "PRAGMA user_version = 6"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO bookings (id, status, service_id, mode, artisan_id, start_at, end_at, block_start, block_end,
		customer_name, customer_email, token_hash, created_at, updated_at)
		VALUES ('bk_madebyversion6aaaa', 'confirmed', 'bespoke-design', 'virtual', 'mei', ?, ?, ?, ?, 'Ada', 'ada@example.com', ?, ?, ?)`,
		f(start), f(start.Add(time.Hour)), f(start), f(start.Add(time.Hour)), hash[:], f(time.Now().UTC()), f(time.Now().UTC())); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	uid := func() string {
		t.Helper()
		resp, err := http.Get(s.base + "/api/v1/bookings/bk_madebyversion6aaaa/invite.ics?token=the-token-of-version-6")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("invite with the version 6 token: %d", resp.StatusCode)
		}
		cal, err := ical.NewDecoder(resp.Body).Decode()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cal.Children {
			if c.Name == ical.CompEvent {
				u, _ := c.Props.Text(ical.PropUID)
				return u
			}
		}
		t.Fatal("no event in the invite")
		return ""
	}
	s.start()
	if got, want := uid(), "bk_madebyversion6aaaa@old.example"; got != want {
		t.Errorf("UID after the upgrade = %q, want %q", got, want)
	}
	s.stop()
	s.writeConfig("  public_url: http://127.0.0.1:8080", "  public_url: https://new.example")
	s.start()
	if got, want := uid(), "bk_madebyversion6aaaa@old.example"; got != want {
		t.Errorf("UID after the public URL changed = %q, want %q", got, want)
	}
}
