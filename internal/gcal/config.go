package gcal

import (
	"strings"

	"github.com/atelier-app/atelier/internal/config"
)

// Auth methods of [Config.Auth], the configuration's.
const (
	AuthServiceAccount = config.GoogleAuthServiceAccount
	AuthOAuth          = config.GoogleAuthOAuth
	AuthNone           = config.GoogleAuthNone
)

// Config is the google_calendar section of the configuration file. It is
// defined, given its defaults and validated by internal/config alone
// (config.GoogleCalendar); the Syncer checks nothing of it again.
type Config = config.GoogleCalendar

// DefaultCalendarID is the calendar synced for an artisan that names none.
const DefaultCalendarID = config.DefaultGoogleCalendarID

// withDefaults fills an empty auth and zero durations of a Config built
// in code (a test's) with the configuration's own defaults; a Config read
// from a file has them already.
func withDefaults(c Config) Config {
	d := config.DefaultGoogleCalendar()
	if c.Auth == "" {
		c.Auth = d.Auth
	}
	if c.SyncInterval <= 0 {
		c.SyncInterval = d.SyncInterval
	}
	if c.FreeBusyTimeout <= 0 {
		c.FreeBusyTimeout = d.FreeBusyTimeout
	}
	return c
}

// endpoint returns the configured base URL with the trailing slash the
// client library needs to resolve relative paths below it.
func endpoint(c Config) string {
	if c.Endpoint == "" || strings.HasSuffix(c.Endpoint, "/") {
		return c.Endpoint
	}
	return c.Endpoint + "/"
}
