package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

// TestGoogleWithSeveralServers: two servers on one PostgreSQL database
// sync one Google calendar. Bookings made on either, at once, each get
// their event, at the right time even when one is moved on the other
// server straight away; a booking cancelled on one server loses its event;
// and a busy time Mei adds in Google, synced by one server, is no longer
// offered by the other.
func TestGoogleWithSeveralServers(t *testing.T) {
	url := pgtest.Database(t)
	fake := gcaltest.NewServer()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := filepath.Join(dir, "config.yaml")
	base, err := os.ReadFile(writePostgresConfig(t, url))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(googleConfig(t, fake, string(base))), 0o600); err != nil {
		t.Fatal(err)
	}
	const pw = "a long enough password"
	if _, stderr, err := runMain(t, pw+"\n", "--config", cfg, "user", "add",
		"--email", "boss@example.com", "--name", "Boss", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, stderr)
	}
	servers := []string{
		startGoogleServer(t, "--config", cfg, "--addr", "127.0.0.1:0"),
		startGoogleServer(t, "--config", cfg, "--addr", "127.0.0.1:0"),
	}
	admin := signIn(t, servers[1], "boss@example.com", pw)

	slots := apart(t, meiSlots(t, servers[0]), 6)
	type made struct{ id, token, start string }
	bookings := make([]made, 4)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			id, token, _ := book(t, servers[i%2], slots[i].Start)
			bookings[i] = made{id, token, slots[i].Start}
		})
	}
	wg.Wait()
	// Moved on the other server at once: the move's job may run before
	// the creation's has finished on the first, and must still win.
	moved := &bookings[1]
	call(t, http.DefaultClient, http.MethodPost, servers[0]+"/api/v1/bookings/"+moved.id+"/reschedule?token="+moved.token,
		map[string]string{"start": slots[5].Start}, http.StatusOK, nil)
	moved.start = slots[5].Start
	synced := func(server, id string) bool {
		var g struct {
			GoogleSync *struct{ State string } `json:"google_sync"`
		}
		call(t, admin, http.MethodGet, server+"/api/v1/staff/bookings/"+id+"/google", nil, http.StatusOK, &g)
		return g.GoogleSync != nil && g.GoogleSync.State == "synced"
	}
	eventually(t, "every booking is synced", func() bool {
		for _, b := range bookings {
			if !synced(servers[0], b.id) {
				return false
			}
		}
		return true
	})
	evs := fake.Events("mei-cal")
	if len(evs) != len(bookings) {
		t.Errorf("Mei's calendar holds %d events for %d bookings", len(evs), len(bookings))
	}
	for _, b := range bookings {
		ev := evs[gcal.EventID(b.id)]
		if ev == nil || ev.Start == nil {
			t.Errorf("no event for %s", b.id)
			continue
		}
		if !sameInstant(t, ev.Start.DateTime, b.start) {
			t.Errorf("the event of %s starts %s, want %s", b.id, ev.Start.DateTime, b.start)
		}
	}

	// Cancelled on the second server, its event goes.
	gone := bookings[0]
	call(t, http.DefaultClient, http.MethodPost, servers[1]+"/api/v1/bookings/"+gone.id+"/cancel?token="+gone.token, nil, http.StatusOK, nil)
	eventually(t, "the cancelled booking's event is removed", func() bool {
		ev := fake.Events("mei-cal")[gcal.EventID(gone.id)]
		return ev == nil || ev.Status == "cancelled"
	})

	// Mei's dentist, synced by the first server, blocks the second's slot.
	blocked := slots[4]
	fake.Put("mei-cal", &calendar.Event{Id: "dentist", Summary: "Dentist",
		Start: &calendar.EventDateTime{DateTime: blocked.Start}, End: &calendar.EventDateTime{DateTime: blocked.End}})
	call(t, admin, http.MethodPost, servers[1]+"/api/v1/staff/google/sync", nil, http.StatusOK, nil)
	for _, s := range meiSlots(t, servers[0]) {
		if s.Start == blocked.Start {
			t.Fatalf("the first server still offers %s after the second synced Mei's Google event", blocked.Start)
		}
	}
	if strings.Contains(fake.Events("mei-cal")["dentist"].Summary, "Customer") {
		t.Error("the sync wrote into Mei's own event")
	}
}

// sameInstant says whether two RFC 3339 times are the same instant.
func sameInstant(t *testing.T, a, b string) bool {
	t.Helper()
	ta, err1 := time.Parse(time.RFC3339, a)
	tb, err2 := time.Parse(time.RFC3339, b)
	if err1 != nil || err2 != nil {
		t.Fatalf("times %q, %q: %v %v", a, b, err1, err2)
	}
	return ta.Equal(tb)
}
