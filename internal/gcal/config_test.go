package gcal

import (
	"testing"

	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/config"
)

// A Syncer built from a Config made in code (without a file) reads busy
// times as often as one configured by a file that leaves sync_interval
// out: the configuration's default is the only one (it was 5 minutes
// here against 2 in the file's defaults).
func TestConfigDefaultsAreTheConfigurations(t *testing.T) {
	d := config.DefaultGoogleCalendar()
	s, err := New(Options{Config: Config{Enabled: true, Endpoint: "http://127.0.0.1:1/", Auth: AuthNone}, Store: nopStore{}, Bookings: nopBookings{}})
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.SyncInterval != d.SyncInterval || s.cfg.FreeBusyTimeout != d.FreeBusyTimeout {
		t.Errorf("sync_interval %s, freebusy_timeout %s; the configuration's defaults are %s, %s",
			s.cfg.SyncInterval, s.cfg.FreeBusyTimeout, d.SyncInterval, d.FreeBusyTimeout)
	}
	if got := withDefaults(Config{}).Auth; got != d.Auth {
		t.Errorf("empty auth becomes %q, want %q", got, d.Auth)
	}
	// What config refuses never gets a client without credentials.
	if _, err := New(Options{Config: Config{Enabled: true, Auth: "apikey"}, Store: nopStore{}, Bookings: nopBookings{}}); err == nil {
		t.Error("New accepted the auth apikey")
	}
}

// nopStore and nopBookings satisfy the interfaces; New calls neither.
type nopStore struct{ calsync.Store }
type nopBookings struct{ Bookings }
