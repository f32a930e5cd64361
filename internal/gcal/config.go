package gcal

import (
	"fmt"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Auth methods of [Config.Auth].
const (
	// AuthServiceAccount uses a service account key with domain-wide
	// delegation (Google Workspace); the artisan's e-mail address is the
	// subject the service account acts as.
	AuthServiceAccount = "service_account"
	// AuthOAuth uses a per-artisan OAuth token obtained in the staff area.
	AuthOAuth = "oauth"
	// AuthNone sends no credentials; only for tests and emulators, with
	// Endpoint set.
	AuthNone = "none"
)

// Config is the google_calendar section of the configuration file.
type Config struct {
	Enabled bool `yaml:"enabled"`
	// Endpoint overrides the API base URL (tests and emulators), e.g.
	// "http://127.0.0.1:9000/calendar/v3/".
	Endpoint              string `yaml:"endpoint"`
	Auth                  string `yaml:"auth"`
	ServiceAccountKeyFile string `yaml:"service_account_key_file"`
	OAuthClientID         string `yaml:"oauth_client_id"`
	OAuthClientSecret     string `yaml:"oauth_client_secret"`
	// SyncInterval is how often busy times are read from Google.
	SyncInterval time.Duration `yaml:"sync_interval"`
	// Meet asks Google for a Meet link for virtual consultations.
	Meet bool `yaml:"meet"`
	// FreeBusyTimeout bounds the last check of a slot before confirming.
	FreeBusyTimeout time.Duration `yaml:"freebusy_timeout"`
}

// Defaults used when a duration is left zero.
const (
	DefaultSyncInterval    = 5 * time.Minute
	DefaultFreeBusyTimeout = 2 * time.Second
	DefaultCalendarID      = "primary"
)

// WithDefaults returns c with zero durations and an empty auth filled in.
func (c Config) WithDefaults() Config {
	if c.Auth == "" {
		c.Auth = AuthServiceAccount
	}
	if c.SyncInterval <= 0 {
		c.SyncInterval = DefaultSyncInterval
	}
	if c.FreeBusyTimeout <= 0 {
		c.FreeBusyTimeout = DefaultFreeBusyTimeout
	}
	return c
}

// Validate checks the section; field errors are keyed by their path in the
// configuration file ("google_calendar.auth").
func (c Config) Validate() error {
	if !c.Enabled {
		return nil
	}
	errs := booking.FieldErrors{}
	const p = "google_calendar."
	switch c.Auth {
	case "", AuthServiceAccount:
		if c.ServiceAccountKeyFile == "" {
			errs.Add(p+"service_account_key_file", "is required with auth service_account")
		}
	case AuthOAuth:
		if c.OAuthClientID == "" {
			errs.Add(p+"oauth_client_id", "is required with auth oauth")
		}
		if c.OAuthClientSecret == "" {
			errs.Add(p+"oauth_client_secret", "is required with auth oauth")
		}
	case AuthNone:
		if c.Endpoint == "" {
			errs.Add(p+"auth", "none is only allowed with an endpoint override (tests and emulators)")
		}
	default:
		errs.Add(p+"auth", fmt.Sprintf("%q is not one of service_account, oauth, none", c.Auth))
	}
	if c.Endpoint != "" && !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://") {
		errs.Add(p+"endpoint", "must be an http or https URL")
	}
	if c.SyncInterval < 0 {
		errs.Add(p+"sync_interval", "must not be negative")
	}
	if c.FreeBusyTimeout < 0 {
		errs.Add(p+"freebusy_timeout", "must not be negative")
	}
	return errs.Err()
}

// endpoint returns the configured base URL with the trailing slash the
// client library needs to resolve relative paths below it.
func (c Config) endpoint() string {
	if c.Endpoint == "" || strings.HasSuffix(c.Endpoint, "/") {
		return c.Endpoint
	}
	return c.Endpoint + "/"
}
