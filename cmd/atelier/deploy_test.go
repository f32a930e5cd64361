package main

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// unitSettings reads the [Service] settings of a systemd unit file.
func unitSettings(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, _ := strings.Cut(line, "=")
			out[k] = v
		}
	}
	return out
}

// TestUnitMatchesServer: deploy/atelier.service waits for the READY=1 the
// server sends, stops it with the signal it drains on, and leaves it more
// time than its drain takes; its ExecStart is a command line Main accepts.
func TestUnitMatchesServer(t *testing.T) {
	u := unitSettings(t, "../../deploy/atelier.service")
	if u["Type"] != "notify" || u["NotifyAccess"] != "main" {
		t.Errorf("Type=%s NotifyAccess=%s: the server tells systemd READY=1 itself", u["Type"], u["NotifyAccess"])
	}
	if sig := u["KillSignal"]; sig != "" && sig != "SIGTERM" {
		t.Errorf("KillSignal=%s: the server drains on SIGTERM", sig)
	}
	stop, err := time.ParseDuration(u["TimeoutStopSec"])
	if err != nil {
		t.Fatalf("TimeoutStopSec=%q: %v", u["TimeoutStopSec"], err)
	}
	// The drain: shutdown_timeout, then the redirect and metrics
	// listeners (5s each at most) and the workers.
	if drain := config.Default().Server.ShutdownTimeout + 20*time.Second; stop < drain {
		t.Errorf("TimeoutStopSec=%s is shorter than the drain (%s)", stop, drain)
	}
	args := strings.Fields(u["ExecStart"])
	if len(args) < 2 || args[0] != "/usr/local/bin/atelier" || args[1] != "serve" {
		t.Fatalf("ExecStart=%s", u["ExecStart"])
	}
	// The same flags with --help: Main parses them and stops.
	if _, errOut, err := runMain(t, "", append(args[1:], "--help")...); err != nil {
		t.Errorf("Main refuses the unit's command line: %v\n%s", err, errOut)
	}
	for _, k := range []string{"User", "StateDirectory", "NoNewPrivileges", "ProtectSystem", "PrivateTmp", "Restart"} {
		if u[k] == "" {
			t.Errorf("the unit lacks %s", k)
		}
	}
	tlsConf := unitSettings(t, "../../deploy/atelier.service.d/tls.conf")
	if tlsConf["AmbientCapabilities"] != "CAP_NET_BIND_SERVICE" || tlsConf["CapabilityBoundingSet"] != "CAP_NET_BIND_SERVICE" {
		t.Errorf("tls.conf grants %q / bounds %q, want exactly CAP_NET_BIND_SERVICE", tlsConf["AmbientCapabilities"], tlsConf["CapabilityBoundingSet"])
	}
}

// TestNewerDatabaseRefused: a binary older than its database (a rollback
// after a migration) refuses to start with a message saying what to do,
// and leaves the database as it was.
func TestNewerDatabaseRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	db := filepath.Join(t.TempDir(), "atelier.db")
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	raw, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	_, _, err = runMain(t, "", "--db", db, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "schema version 999") || !strings.Contains(err.Error(), "newer version of atelier") {
		t.Fatalf("serving a newer database: %v, want a refusal naming the newer version", err)
	}
	var v int
	if err := raw.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != 999 {
		t.Errorf("the refused database has schema version %d (%v), want 999 untouched", v, err)
	}
}
