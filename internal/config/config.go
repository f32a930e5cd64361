// Package config loads the atelier's YAML configuration: it decodes the file
// strictly (an unknown key is an error), fills defaults, validates every value
// and turns the catalogue part (atelier, services, artisans) into domain
// values.
//
// Every problem in a file is reported at once, each with its key path, the
// line it is on and what is wrong:
//
//	config.yaml: atelier.opening_hours.mon[0]: "18:00-10:00" ends before it starts (line 31)
//	config.yaml: artisans[2].services[1]: unknown service "ring-resizing" (line 140)
//
// config.example.yaml at the root of the repository documents every key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file. Fields are filled with defaults
// for every key the file leaves out (see Default).
type Config struct {
	Server         Server         `yaml:"server"`
	Log            Log            `yaml:"log"`
	Database       Database       `yaml:"database"`
	Limits         Limits         `yaml:"limits"`
	Atelier        Atelier        `yaml:"atelier"`
	Booking        Booking        `yaml:"booking"`
	Services       []Service      `yaml:"services"`
	Artisans       []Artisan      `yaml:"artisans"`
	Mail           Mail           `yaml:"mail"`
	Meetings       Meetings       `yaml:"meetings"`
	GoogleCalendar GoogleCalendar `yaml:"google_calendar"`
	Staff          Staff          `yaml:"staff"`
	// Commissions: the stages of pieces made over several appointments
	// (commissions.go).
	Commissions Commissions `yaml:"commissions"`
	Privacy     Privacy     `yaml:"privacy"` // privacy.go
}

// Server is the HTTP listener.
type Server struct {
	Addr string `yaml:"addr"` // host:port to listen on
	// PublicURL is the absolute http(s) URL customers reach the server at,
	// used in links in mails and invites; https means Secure cookies.
	// Parse removes a trailing slash.
	PublicURL string `yaml:"public_url"`
	// TrustedProxies are IPs or CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`

	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout"` // grace period for in-flight requests

	// MetricsAddr is the host:port of the separate Prometheus listener
	// (/metrics, /readyz); empty turns it off (ops.go).
	MetricsAddr string `yaml:"metrics_addr"`
	// TLS serves HTTPS on addr itself, with certificate files or ACME
	// (ops.go); off by default (a proxy in front terminates TLS).
	TLS TLS `yaml:"tls"`
	// EmbedOrigins are the sites allowed to frame the booking flow at
	// /embed (CSP frame-ancestors; languages.go).
	EmbedOrigins []string `yaml:"embed_origins"`

	// TrustedPrefixes is TrustedProxies parsed (a bare IP becomes a /32 or
	// /128 prefix). Filled by Parse.
	TrustedPrefixes []netip.Prefix `yaml:"-"`
}

// Secure reports whether the public URL is https (cookies get Secure).
func (s Server) Secure() bool { return len(s.PublicURL) >= 8 && s.PublicURL[:8] == "https://" }

// Log chooses the log format and level.
type Log struct {
	Format string `yaml:"format"` // text | json
	Level  string `yaml:"level"`  // debug | info | warn | error
}

// SlogLevel returns Level as a slog.Level (info when unset).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Database is the store: SQLite (the default) or PostgreSQL (database.go).
type Database struct {
	// Driver is DriverSQLite (default) or DriverPostgres.
	Driver  string  `yaml:"driver"`
	Path    string  `yaml:"path"`    // SQLite file, relative to the working folder
	Backups Backups `yaml:"backups"` // scheduled backups of the SQLite file (ops.go)
	// URL is the PostgreSQL connection URL (driver postgres); the
	// environment variable ATELIER_DATABASE_URL wins over it (ApplyEnv).
	URL string `yaml:"url"`
	// JobLease is how long a job (a mail, a calendar write) claimed by a
	// server is its alone; a server that dies holding jobs leaves them to
	// the others (or to its next start) after this.
	JobLease time.Duration `yaml:"job_lease"`
}

// Limits are per-client-address rate limits; 0 turns a limit off.
type Limits struct {
	BookingsPerMinute int `yaml:"bookings_per_minute"`
	LoginsPerMinute   int `yaml:"logins_per_minute"`
	// LinkRequestsPerHour limits "send me my link again" per client
	// address and, separately, per e-mail address asked for.
	LinkRequestsPerHour int `yaml:"link_requests_per_hour"`
}

// Atelier is the workshop's identity, rooms, hours and closures.
type Atelier struct {
	Name     string `yaml:"name"`
	Timezone string `yaml:"timezone"` // IANA name
	Address  string `yaml:"address"`
	Phone    string `yaml:"phone"`
	Email    string `yaml:"email"`
	MapURL   string `yaml:"map_url"`
	// Tagline, Intro and Directions are the landing page's words (face.go).
	// Each is a Text: one string, or one per language (languages.go).
	Tagline    Text `yaml:"tagline"`
	Intro      Text `yaml:"intro"`
	Directions Text `yaml:"directions"`
	// MediaDir holds the picture files, relative to the configuration
	// file; Logo and Photos name files in it (face.go).
	MediaDir string  `yaml:"media_dir"`
	Logo     *Photo  `yaml:"logo"`
	Photos   []Photo `yaml:"photos"`
	// MediaPath is MediaDir resolved against the file's folder. Filled by
	// Load and Parse.
	MediaPath    string    `yaml:"-"`
	Rooms        []Room    `yaml:"rooms"`
	OpeningHours Hours     `yaml:"opening_hours"`
	Closures     []Closure `yaml:"closures"`
	// DateHours replace the opening hours on their dates (issue 12).
	DateHours []DateHours `yaml:"date_hours"`
	// Languages and Clock: the languages customers read and how times of
	// day are written (languages.go).
	Languages []string `yaml:"languages"`
	Clock     string   `yaml:"clock"`
}

// DateHours are the hours of one date (YYYY-MM-DD) in place of the week's;
// no hours close the date.
type DateHours struct {
	Date  string `yaml:"date"`
	Hours []Span `yaml:"hours"`
}

// Room is a consultation room for in-person visits.
type Room struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// Closure closes the atelier from From to To inclusive (YYYY-MM-DD). To
// defaults to From.
type Closure struct {
	From   string `yaml:"from"`
	To     string `yaml:"to"`
	Reason string `yaml:"reason"`
}

// Hours maps a day key (sun, mon, ... sat) to its open spans. A day that is
// missing or has no spans is closed.
type Hours map[string][]Span

// Span is one open period of a day, written ["10:00", "19:00"] or
// "10:00-19:00". It holds the text as written; validation parses it.
type Span struct {
	Start, End string
	malformed  string // a description of what was written, when it is not a span at all
}

// UnmarshalYAML accepts a pair of times or one "HH:MM-HH:MM" string. A value
// of another shape is kept and reported by validation with its key path.
func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.SequenceNode && len(n.Content) == 2 &&
		n.Content[0].Kind == yaml.ScalarNode && n.Content[1].Kind == yaml.ScalarNode:
		*s = Span{Start: n.Content[0].Value, End: n.Content[1].Value}
		return nil
	case n.Kind == yaml.ScalarNode:
		if a, b, ok := strings.Cut(n.Value, "-"); ok {
			*s = Span{Start: a, End: b}
			return nil
		}
		*s = Span{malformed: strconv.Quote(n.Value)}
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		*s = Span{malformed: fmt.Sprintf("a list of %d values", len(n.Content))}
	} else {
		*s = Span{malformed: "a mapping"}
	}
	return nil
}

// String returns the span as "HH:MM-HH:MM".
func (s Span) String() string {
	if s.malformed != "" {
		return s.malformed
	}
	return s.Start + "-" + s.End
}

// Booking holds the booking rules.
type Booking struct {
	MinNoticeMinutes    int `yaml:"min_notice_minutes"`
	HorizonDays         int `yaml:"horizon_days"`
	SlotIntervalMinutes int `yaml:"slot_interval_minutes"`
	IdempotencyTTLHours int `yaml:"idempotency_ttl_hours"`
	// The booking policy (issue 13): customers' own cancels and moves stop
	// ChangeCutoffHours before the start (0: until it starts); a customer
	// may move a booking at most MaxReschedules times (0: no limit);
	// PolicyText is shown after the generated policy.
	ChangeCutoffHours int    `yaml:"change_cutoff_hours"`
	MaxReschedules    int    `yaml:"max_reschedules"`
	PolicyText        string `yaml:"policy_text"`
	// PendingHours is how long a request for a service with
	// requires_confirmation waits for staff before it is declined on its
	// own (issue 13; default 48).
	PendingHours int `yaml:"pending_hours"`
}

// IdempotencyTTL is how long an Idempotency-Key is remembered.
func (b Booking) IdempotencyTTL() time.Duration {
	return time.Duration(b.IdempotencyTTLHours) * time.Hour
}

// Service is something customers can book.
type Service struct {
	ID              string   `yaml:"id"`
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	DurationMinutes int      `yaml:"duration_minutes"`
	Modes           []string `yaml:"modes"` // in_person, virtual
	Buffers         Buffers  `yaml:"buffers"`
	Photo           *Photo   `yaml:"photo"`
	Bring           Bring    `yaml:"bring"`
	// Questions are the service's intake form (questions.go).
	Questions []Question `yaml:"questions"`
	// ChangeCutoffHours and MaxReschedules override booking's for this
	// service (issue 13); left out, the atelier's apply.
	ChangeCutoffHours *int `yaml:"change_cutoff_hours"`
	MaxReschedules    *int `yaml:"max_reschedules"`
	// Public false keeps the service off the customers' lists: it is
	// booked through a commission's invitation or by staff (default true).
	Public *bool `yaml:"public"`
	// ArtisansNeeded is how many of the artisans who offer the service
	// take part in each booking together (issue 13; default 1).
	ArtisansNeeded int `yaml:"artisans_needed"`
	// RequiresConfirmation makes a booking of the service a request that
	// staff confirm or decline (issue 13).
	RequiresConfirmation bool `yaml:"requires_confirmation"`
}

// Buffers are the preparation and clearing times per mode.
type Buffers struct {
	InPerson Buffer `yaml:"in_person"`
	Virtual  Buffer `yaml:"virtual"`
}

// Buffer is time blocked before and after an appointment.
type Buffer struct {
	BeforeMinutes int `yaml:"before_minutes"`
	AfterMinutes  int `yaml:"after_minutes"`
}

// Artisan is a maker customers meet.
type Artisan struct {
	ID       string   `yaml:"id"`
	Name     string   `yaml:"name"`
	Bio      string   `yaml:"bio"`
	Email    string   `yaml:"email"`
	Services []string `yaml:"services"`
	// WorkingHours defaults to the atelier's opening hours when left out.
	WorkingHours Hours `yaml:"working_hours"`
	// DateHours replace the working hours on their dates (issue 12).
	DateHours []DateHours `yaml:"date_hours"`
	DailyCap  int         `yaml:"daily_cap"` // 0: no cap
	Photo     *Photo      `yaml:"photo"`
	// MeetingURL is a fixed video link, used with meetings.provider static.
	MeetingURL string `yaml:"meeting_url"`
	// GoogleCalendarID is the calendar synced when google_calendar is
	// enabled; defaults to "primary".
	GoogleCalendarID string `yaml:"google_calendar_id"`
}

// Mail configures outgoing e-mail.
type Mail struct {
	// From is the sender of every message. It should be atelier.email, the
	// ORGANIZER of the invitations (see Warnings); when the file leaves it
	// out it is atelier.name <atelier.email>.
	From      string `yaml:"from"`
	OutboxDir string `yaml:"outbox_dir"` // with no smtp.host, messages are written here as .eml
	SMTP      SMTP   `yaml:"smtp"`
	// ReminderHoursBefore sends a reminder this long before a visit; 0 sends none.
	ReminderHoursBefore int      `yaml:"reminder_hours_before"`
	AdminEmails         []string `yaml:"admin_emails"` // copied on every booking change
	// IMAP is the mailbox the answers to invitations are read from
	// (replies.go); off while its host is empty.
	IMAP IMAP `yaml:"imap"`
	// DeclinedReply is what a customer's "No" to an invitation does:
	// cancel (the booking, as their own cancel would) or notify (staff).
	DeclinedReply string `yaml:"declined_reply"`
}

// UTF8LocalParts reports whether mail can go to addresses with non-ASCII
// letters before the @ (zoë@example.com): always into the .eml folder; by
// SMTP only when smtp.smtputf8 says the server offers SMTPUTF8.
func (m Mail) UTF8LocalParts() bool { return m.SMTP.Host == "" || m.SMTP.SMTPUTF8 }

// FromAddress returns From parsed. It is valid after Parse.
func (m Mail) FromAddress() *mail.Address {
	a, err := mail.ParseAddress(m.From)
	if err != nil {
		return &mail.Address{Address: m.From}
	}
	return a
}

// Warnings lists what in a valid configuration is probably a mistake, for
// the start-up log.
func (c *Config) Warnings() []string {
	var w []string
	from := c.Mail.FromAddress().Address
	if org := strings.TrimSpace(c.Atelier.Email); org != "" && !strings.EqualFold(from, org) {
		w = append(w, fmt.Sprintf("mail.from <%s> is not atelier.email <%s>, the ORGANIZER of the invitations: "+
			"calendar replies go to the organizer, and some clients show such an invitation as sent on behalf of it "+
			"or warn that its sender is not its organizer; use the same address for both", from, org))
	}
	return append(w, c.imapWarnings()...)
}

// SMTP is the outgoing mail server; an empty Host means "write to outbox_dir".
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	TLS      string `yaml:"tls"` // starttls | tls | none
	// SMTPUTF8 says the server takes addresses with non-ASCII local parts
	// (RFC 6531); without it bookings refuse such addresses, which could
	// not be delivered.
	SMTPUTF8 bool `yaml:"smtputf8"`
}

// Meetings chooses how video links for virtual consultations are made.
type Meetings struct {
	Provider     string `yaml:"provider"` // jitsi | static
	JitsiBaseURL string `yaml:"jitsi_base_url"`
}

// Values of google_calendar.auth.
const (
	// GoogleAuthServiceAccount uses a service account key with domain-wide
	// delegation (Google Workspace); the artisan's e-mail address is the
	// subject the service account acts as.
	GoogleAuthServiceAccount = "service_account"
	// GoogleAuthOAuth uses a per-artisan OAuth token obtained in the staff
	// area.
	GoogleAuthOAuth = "oauth"
	// GoogleAuthNone sends no credentials; only for tests and emulators,
	// with Endpoint set.
	GoogleAuthNone = "none"
)

// DefaultGoogleCalendarID is the calendar synced for an artisan without
// google_calendar_id.
const DefaultGoogleCalendarID = "primary"

// GoogleCalendar configures the optional two-way Google Calendar sync. It
// is the one definition of the google_calendar section: the Google
// adapter (internal/gcal) takes it as it is, with the defaults and the
// checks of this package.
type GoogleCalendar struct {
	Enabled               bool   `yaml:"enabled"`
	Endpoint              string `yaml:"endpoint"` // API base URL override (tests, emulators)
	Auth                  string `yaml:"auth"`     // service_account | oauth | none
	ServiceAccountKeyFile string `yaml:"service_account_key_file"`
	OAuthClientID         string `yaml:"oauth_client_id"`
	OAuthClientSecret     string `yaml:"oauth_client_secret"`
	// TokenKeyFile holds the key that seals artisans' OAuth tokens in the
	// database (32 bytes, hex or base64); env ATELIER_TOKEN_KEY wins.
	TokenKeyFile    string        `yaml:"token_key_file"`
	SyncInterval    time.Duration `yaml:"sync_interval"`
	Meet            bool          `yaml:"meet"` // create Google Meet links for virtual bookings
	FreeBusyTimeout time.Duration `yaml:"freebusy_timeout"`
}

// Staff configures staff sessions.
type Staff struct {
	SessionIdleTimeout time.Duration `yaml:"session_idle_timeout"`
	SessionMaxAge      time.Duration `yaml:"session_max_age"`
}

// Default returns the configuration used for every key a file leaves out.
// It has no atelier, services or artisans, so it is not valid on its own.
func Default() Config {
	return Config{
		Server: Server{
			Addr:              "127.0.0.1:8080",
			PublicURL:         "http://127.0.0.1:8080",
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       120 * time.Second,
			ReadHeaderTimeout: 5 * time.Second,
			ShutdownTimeout:   20 * time.Second,
		},
		Log:      Log{Format: "text", Level: "info"},
		Database: Database{Driver: DriverSQLite, Path: "atelier.db", Backups: defaultBackups(), JobLease: 10 * time.Minute},
		Limits:   Limits{BookingsPerMinute: 20, LoginsPerMinute: 10, LinkRequestsPerHour: 5},
		Booking: Booking{
			MinNoticeMinutes:    1440,
			HorizonDays:         90,
			SlotIntervalMinutes: 30,
			IdempotencyTTLHours: 24,
			PendingHours:        48, // requests (issue 13)
		},
		Mail: Mail{
			// From is filled by normalize: atelier.name <atelier.email>,
			// or defaultFrom when the atelier has no address.
			OutboxDir:           "mail-outbox",
			SMTP:                SMTP{Port: 587, TLS: "starttls"},
			ReminderHoursBefore: 24,
			IMAP:                defaultIMAP(),
			DeclinedReply:       DeclinedCancel,
		},
		Meetings:       Meetings{Provider: "jitsi", JitsiBaseURL: "https://meet.jit.si"},
		GoogleCalendar: DefaultGoogleCalendar(),
		Staff:          Staff{SessionIdleTimeout: 12 * time.Hour, SessionMaxAge: 168 * time.Hour},
		Privacy:        Privacy{RetentionYears: DefaultRetentionYears},
	}
}

// DefaultGoogleCalendar is the google_calendar section a file leaves out:
// off, service account, busy times read every 2 minutes, Meet links, 2s
// for the last free/busy check.
func DefaultGoogleCalendar() GoogleCalendar {
	return GoogleCalendar{
		Auth:            GoogleAuthServiceAccount,
		SyncInterval:    2 * time.Minute,
		Meet:            true,
		FreeBusyTimeout: 2 * time.Second,
	}
}

// Parse decodes, fills defaults and validates a configuration file. Unknown
// keys are errors. A returned error is an *Error listing every problem.
func Parse(data []byte) (*Config, error) { return parse("", data) }

// Load reads the file at path and parses it; errors name the file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := parse(path, data)
	if err == nil {
		cfg.Atelier.MediaPath = mediaPath(path, cfg.Atelier.MediaDir)
	}
	return cfg, err
}

func parse(file string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: file, Problems: []Problem{syntaxProblem(err)}}
	}
	idx := indexNodes(&root)

	// Decoding into the defaults keeps them for every key the file leaves
	// out. An empty file decodes to io.EOF and leaves the defaults alone.
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var decodeProblems []Problem
	skipped := false
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, &Error{File: file, Problems: []Problem{syntaxProblem(err)}}
		}
		// The decoder carries on after a type error, so the values it
		// could decode are still checked below.
		for _, msg := range te.Errors {
			p, skip := idx.typeProblem(msg)
			decodeProblems = append(decodeProblems, p)
			skipped = skipped || skip
		}
	}

	v := validator{idx: idx}
	cfg.normalize()
	// After a duplicate key the decoder drops the whole mapping holding it,
	// so checks of other sections that depend on it would mislead: report
	// only what the decoder found.
	if !skipped {
		v.config(&cfg)
	}
	if ps := merge(decodeProblems, v.problems); len(ps) > 0 {
		return nil, newError(file, ps)
	}
	cfg.Atelier.MediaPath = mediaPath("", cfg.Atelier.MediaDir)
	return &cfg, nil
}
