package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlock returns the first ```sh block after heading in README.md.
func readmeBlock(tb testing.TB, heading string) string {
	tb.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		tb.Fatalf("README.md has no heading %q", heading)
	}
	s = s[i:]
	start := strings.Index(s, "\n```sh\n")
	if start < 0 {
		tb.Fatalf("README.md has no ```sh block after %q", heading)
	}
	s = s[start+len("\n```sh\n"):]
	end := strings.Index(s, "\n```\n")
	if end < 0 {
		tb.Fatalf("the ```sh block after %q is not closed", heading)
	}
	return s[:end+1]
}

// statusLine is what the curl wrapper of TestReadmeCurlWalkthrough writes
// to standard error for every request.
var statusLine = regexp.MustCompile(`(?m)^STATUS (\d{3}) (\S+) (\S+)$`)

// TestReadmeCurlWalkthrough runs README's curl walk-through, as pasted into
// bash, against the real server (Main on 127.0.0.1:0 in a temporary
// folder, the demo atelier) and checks the status of each step: the
// services, the week's free times, the booking, reading it, its invite,
// the artisan's free times, the move and the cancellation. It runs whatever the date, as a reader
// would paste it.
func TestReadmeCurlWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the walk-through needs %s: %v", tool, err)
		}
	}
	block := readmeBlock(t, "## A booking, with curl")
	if !strings.Contains(block, "localhost:8080") {
		t.Fatal("the walk-through does not talk to localhost:8080")
	}
	addr := startMain(t, "--db", filepath.Join(t.TempDir(), "atelier.db"), "--addr", "127.0.0.1:0")
	script := strings.ReplaceAll(block, "localhost:8080", addr)

	// Every curl also reports its status on standard error; the first
	// failing command stops the walk-through, as a reader would stop.
	const wrapper = "set -e -o pipefail\n" +
		`curl() { command curl --write-out '%{stderr}STATUS %{http_code} %{method} %{url_effective}\n' "$@"; }` + "\n"
	cmd := exec.Command("bash", "-c", wrapper+script)
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		t.Errorf("the walk-through failed: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}

	want := []struct{ status, method, path string }{
		{"200", "GET", "/api/v1/services"},
		{"200", "GET", "/api/v1/availability"},
		{"201", "POST", "/api/v1/bookings"},
		{"200", "GET", "/api/v1/bookings/bk_"},
		{"200", "GET", "/api/v1/bookings/bk_"},  // invite.ics
		{"200", "GET", "/api/v1/availability"},  // the artisan's free times
		{"200", "POST", "/api/v1/bookings/bk_"}, // reschedule
		{"200", "POST", "/api/v1/bookings/bk_"}, // cancel
	}
	got := statusLine.FindAllStringSubmatch(stderr.String(), -1)
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d:\n%s", len(got), len(want), stderr.String())
	}
	for i, w := range want {
		status, method, url := got[i][1], got[i][2], got[i][3]
		if status != w.status || method != w.method || !strings.Contains(url, addr+w.path) {
			t.Errorf("step %d: %s %s answered %s, want %s %s… answering %s\noutput:\n%s", i+1, method, url, status, w.method, w.path, w.status, stdout.String())
		}
	}
	out := stdout.String()
	for _, w := range []string{`"manage_token":"`, "BEGIN:VCALENDAR", "METHOD:REQUEST", `"sequence":1`, `"status":"cancelled"`} {
		if !strings.Contains(out, w) {
			t.Errorf("the walk-through's output lacks %q:\n%s", w, out)
		}
	}
}
