package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// healthOf reads /healthz, which must answer 200.
func healthOf(t *testing.T, base string) map[string]any {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d %v", resp.StatusCode, err)
	}
	return h
}

// waitHealth polls /healthz until its backups member has status want.
func waitHealth(t *testing.T, base, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		h := healthOf(t, base)
		if b, _ := h["backups"].(map[string]any); b != nil && b["status"] == want {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz backups never %q: %v", want, h)
		}
		time.Sleep(20 * time.Millisecond) // polling the server, not hiding a race
	}
}

// signIn makes an account with role (and artisan) and returns a client
// signed in to the staff pages with it.
func (s *testServer) signIn(email, role, artisan string) *http.Client {
	s.t.Helper()
	const pw = "a long enough password"
	args := []string{"--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "user", "add",
		"--email", email, "--name", "Someone", "--role", role, "--password-stdin"}
	if artisan != "" {
		args = append(args, "--artisan", artisan)
	}
	if _, stderr, err := runMain(s.t, pw+"\n", args...); err != nil {
		s.t.Fatalf("user add: %v\n%s", err, stderr)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	call(s.t, c, http.MethodPost, s.base+"/api/v1/staff/login", map[string]string{"email": email, "password": pw}, http.StatusOK, nil)
	return c
}

func (s *testServer) page(c *http.Client, path string) string {
	s.t.Helper()
	resp, err := c.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return string(b)
}

// TestScheduledBackups: with database.backups set, the running server
// writes a checked 0600 copy at once and /healthz says so.
func TestScheduledBackups(t *testing.T) {
	s := newTestServer(t, "    dir: \"\"\n    every: 24h\n    keep: 7", "    dir: saved\n    every: 1h\n    keep: 2")
	s.start()
	s.book(s.freeSlots()[0], "ada@example.com")
	h := waitHealth(t, s.base, "ok")
	if h["status"] != "ok" {
		t.Errorf("/healthz status %v with good backups", h["status"])
	}
	b := h["backups"].(map[string]any)
	if b["last_success"] == nil || b["next"] == nil || b["kept"] != 1.0 {
		t.Errorf("backups member %v", b)
	}
	// Written like every instant of the API: to the second, numeric offset.
	for _, k := range []string{"last_success", "last_attempt", "next"} {
		if v, _ := b[k].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`).MatchString(v) {
			t.Errorf("backups.%s = %q, want an instant to the second like 2026-12-01T03:00:00+00:00", k, v)
		}
	}
	files, _ := filepath.Glob(filepath.Join(s.dir, "saved", "atelier-*.db"))
	if len(files) != 1 {
		t.Fatalf("backup folder holds %v, want one backup", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(s.dir, "saved")); fi.Mode().Perm() != 0o700 {
		t.Errorf("backup folder mode %v, want 0700", fi.Mode().Perm())
	}
	admin := s.signIn("boss@example.com", "admin", "")
	if home := s.page(admin, "/staff"); strings.Contains(home, "backup") {
		t.Errorf("the staff home speaks of backups while they work")
	}
	if strings.Contains(toJSON(h), filepath.Join(s.dir, "saved")) {
		t.Errorf("/healthz names the backup folder: %v", h)
	}
}

// TestScheduledBackupFailure: a backup that cannot be written shows in
// /healthz (degraded, still 200) and to admins on the staff home page,
// and bookings go on.
func TestScheduledBackupFailure(t *testing.T) {
	s := newTestServer(t, "    dir: \"\"", "    dir: saved")
	// A file where the folder should be: the backup cannot be written.
	if err := os.WriteFile(filepath.Join(s.dir, "saved"), []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.start()
	h := waitHealth(t, s.base, "failing")
	if h["status"] != "degraded" {
		t.Errorf("/healthz status %v with failing backups, want degraded", h["status"])
	}
	if b := h["backups"].(map[string]any); b["failures"].(float64) < 1 || b["last_success"] != nil {
		t.Errorf("backups member %v", b)
	}
	if strings.Contains(toJSON(h), "saved") {
		t.Errorf("/healthz tells the public about the backup folder: %v", h)
	}

	// Bookings are not held up.
	s.book(s.freeSlots()[0], "ada@example.com")

	admin := s.signIn("boss@example.com", "admin", "")
	home := s.page(admin, "/staff")
	for _, want := range []string{"The last backup of the database failed", "There is no backup yet", "saved"} {
		if !strings.Contains(home, want) {
			t.Errorf("the admin's staff home lacks %q", want)
		}
	}
	artisan := s.signIn("mei@example.com", "artisan", "mei")
	if home := s.page(artisan, "/staff"); strings.Contains(home, "backup") {
		t.Errorf("an artisan's staff home speaks of backups")
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
