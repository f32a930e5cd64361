package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
)

func TestBackupsConfig(t *testing.T) {
	c := MustParse(t, minimal)
	if got, want := c.Database.Backups, (config.Backups{Every: 24 * time.Hour, Keep: 7}); got != want || got.Enabled() {
		t.Errorf("default backups %+v (enabled %v), want %+v, off", got, got.Enabled(), want)
	}
	c = MustParse(t, minimal+"database: {backups: {dir: /var/backups/atelier, every: 6h, keep: 28}}\n")
	if got, want := c.Database.Backups, (config.Backups{Dir: "/var/backups/atelier", Every: 6 * time.Hour, Keep: 28}); got != want || !got.Enabled() {
		t.Errorf("backups %+v, want %+v, on", got, want)
	}

	tests := []struct {
		name, extra, want string
	}{
		{"TooOften", "database: {backups: {dir: b, every: 30s}}\n", "database.backups.every: must be at least 1m (got 30s)"},
		{"KeepNone", "database: {backups: {dir: b, keep: 0}}\n", "database.backups.keep: must be at least 1 (got 0)"},
		{"IntoTheDatabase", "database: {path: a.db, backups: {dir: a.db}}\n", `database.backups.dir: "a.db" is the database file itself`},
		{"UnknownKey", "database: {backups: {folder: b}}\n", "database.backups.folder: unknown key (allowed here: dir, every, keep)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestMetricsAddr(t *testing.T) {
	if c := MustParse(t, minimal); c.Server.MetricsAddr != "" {
		t.Errorf("metrics are on by default: %q", c.Server.MetricsAddr)
	}
	if c := MustParse(t, minimal+"server: {metrics_addr: \"127.0.0.1:9090\"}\n"); c.Server.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("metrics_addr %q", c.Server.MetricsAddr)
	}
	for _, tt := range []struct{ name, extra, want string }{
		{"NoPort", "server: {metrics_addr: localhost}\n", `server.metrics_addr: "localhost" is not host:port`},
		{"SameAsAddr", "server: {addr: \"127.0.0.1:8080\", metrics_addr: \"127.0.0.1:8080\"}\n", "metrics need a listener of their own"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}
