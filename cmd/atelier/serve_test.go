package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
)

// startMain runs Main with args in a temporary folder and returns the
// address it listens on; the server is stopped (and must stop cleanly)
// when the test ends. A server that ends before it serves (a bad
// configuration) fails the test at once (startServer).
func startMain(t *testing.T, args ...string) string {
	t.Helper()
	return startMainLog(t, nil, args...)
}

// TestLinksFollowListenAddress: with the demo configuration, whose public
// URL only mirrors its listen address, a server started with --addr hands
// out links and a Location that reach it, not the demo's port 8080, and
// the manage link opens the manage page.
func TestLinksFollowListenAddress(t *testing.T) {
	addr := startMain(t, "--db", filepath.Join(t.TempDir(), "a.db"), "--addr", "127.0.0.1:0")
	base := "http://" + addr

	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	resp, err := http.Get(base + "/api/v1/availability?service=ring-sizing&mode=in_person&from=" + from + "&to=" + to)
	if err != nil {
		t.Fatal(err)
	}
	var av struct{ Slots []struct{ Start string } }
	err = json.NewDecoder(resp.Body).Decode(&av)
	resp.Body.Close()
	if err != nil || len(av.Slots) == 0 {
		t.Fatalf("availability: %v, %d slots", err, len(av.Slots))
	}
	body, _ := json.Marshal(map[string]any{"service": "ring-sizing", "mode": "in_person", "start": av.Slots[0].Start,
		"customer": map[string]string{"name": "Ana", "email": "ana@example.com"}})
	resp, err = http.Post(base+"/api/v1/bookings", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b struct{ Links struct{ Manage, ICS string } }
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("booking: %d %v", resp.StatusCode, err)
	}
	for name, link := range map[string]string{"manage": b.Links.Manage, "ics": b.Links.ICS, "Location": resp.Header.Get("Location")} {
		if !strings.HasPrefix(link, base+"/") {
			t.Errorf("%s link %q, want it on %s", name, link, base)
		}
	}
	// The manage link is a page of this server (the web pages are wired).
	manage, err := http.Get(b.Links.Manage)
	if err != nil {
		t.Fatalf("following the manage link: %v", err)
	}
	manage.Body.Close()
	if ct := manage.Header.Get("Content-Type"); manage.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("manage link: %d %s, want 200 text/html", manage.StatusCode, ct)
	}
	ics, err := http.Get(b.Links.ICS)
	if err != nil {
		t.Fatalf("following the ics link: %v", err)
	}
	ics.Body.Close()
	if ct := ics.Header.Get("Content-Type"); ics.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("ics link: %d %s, want 200 text/calendar", ics.StatusCode, ct)
	}
}

func TestMoveAddr(t *testing.T) {
	tests := []struct {
		name, addr, publicURL, newAddr, want string
	}{
		{"MirrorFollows", "127.0.0.1:8080", "http://127.0.0.1:8080", "127.0.0.1:18431", "http://127.0.0.1:18431"},
		{"DomainKept", "127.0.0.1:8080", "https://book.example.com", "127.0.0.1:18431", "https://book.example.com"},
		{"OtherPortKept", "127.0.0.1:8080", "http://127.0.0.1:9000", "127.0.0.1:18431", "http://127.0.0.1:9000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.Config{}
			cfg.Server.Addr, cfg.Server.PublicURL = tt.addr, tt.publicURL
			moveAddr(cfg, tt.newAddr)
			if cfg.Server.Addr != tt.newAddr || cfg.Server.PublicURL != tt.want {
				t.Errorf("addr %q public_url %q, want %q and %q", cfg.Server.Addr, cfg.Server.PublicURL, tt.newAddr, tt.want)
			}
		})
	}
}

// TestServeCustomerPages: the demo serves the booking pages at / and keeps
// JSON problems for unknown API paths.
func TestServeCustomerPages(t *testing.T) {
	base := "http://" + startMain(t, "--db", filepath.Join(t.TempDir(), "a.db"), "--addr", "127.0.0.1:0")
	tests := []struct {
		name, path string
		status     int
		ctype      string
	}{
		{"Home", "/", http.StatusOK, "text/html"},
		{"UnknownPage", "/no-such-page", http.StatusNotFound, "text/html"},
		{"UnknownAPIPath", "/api/v1/no-such-thing", http.StatusNotFound, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != tt.status || !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("GET %s: %d %s, want %d %s", tt.path, resp.StatusCode, ct, tt.status, tt.ctype)
			}
		})
	}
}
