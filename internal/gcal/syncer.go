package gcal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/oauth2/google"
	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/outbox"
)

// Bookings is the part of the booking store the sync reads.
// booking.Store satisfies it.
type Bookings interface {
	Booking(ctx context.Context, id string) (*booking.Booking, error)
	Catalog(ctx context.Context) (*booking.Catalog, error)
}

// Options configure a Syncer. Config, Store, Bookings are required.
type Options struct {
	Config   Config
	Store    calsync.Store
	Bookings Bookings
	// CalendarIDs maps artisan ids to Google calendar ids; an artisan not
	// listed uses "primary".
	CalendarIDs map[string]string
	// OAuth is the OAuth client for auth "oauth" (see NewOAuth).
	OAuth *OAuth
	// StaffURL returns the staff-area link of a booking, put in the event.
	StaffURL func(bookingID string) string
	// OnSyncStopped is called once when an artisan's sync stops (revoked
	// access, quota); the wiring turns it into a mail to admins.
	OnSyncStopped func(artisanID, reason string)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits between in-process retries and Meet polls (default: a
	// timer honouring ctx). Tests pass one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Retry is the in-process backoff (default 500ms to 8s) and RetryTries
	// the attempts per call (default 3).
	Retry      outbox.Backoff
	RetryTries int
	// ParkInterval is how often jobs of a stopped artisan are looked at
	// again (default 5m); they run once the artisan is reconnected.
	ParkInterval time.Duration
	// MeetPolls bounds the events.get calls while a Meet link is pending
	// (default 10), MeetPollDelay is the wait between them (default 500ms).
	MeetPolls     int
	MeetPollDelay time.Duration
	// HTTPClient, if set, carries the requests (auth none only); its
	// Timeout should be set.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Syncer syncs bookings to Google and busy times from Google.
type Syncer struct {
	opts Options
	cfg  Config
	log  *slog.Logger
	now  func() time.Time

	saKey []byte // service account key (auth service_account)

	mu      sync.Mutex
	clients map[string]*calendar.Service // by artisan id
}

// New returns a Syncer. It reads the service account key file once.
func New(opts Options) (*Syncer, error) {
	if opts.Store == nil || opts.Bookings == nil {
		return nil, errors.New("gcal: Store and Bookings are required")
	}
	cfg := withDefaults(opts.Config)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Retry.Base <= 0 {
		opts.Retry = outbox.Backoff{Base: 500 * time.Millisecond, Max: 8 * time.Second}
	}
	if opts.RetryTries <= 0 {
		opts.RetryTries = 3
	}
	if opts.ParkInterval <= 0 {
		opts.ParkInterval = 5 * time.Minute
	}
	if opts.MeetPolls <= 0 {
		opts.MeetPolls = 10
	}
	if opts.MeetPollDelay <= 0 {
		opts.MeetPollDelay = 500 * time.Millisecond
	}
	if opts.StaffURL == nil {
		opts.StaffURL = func(string) string { return "" }
	}
	if opts.OnSyncStopped == nil {
		opts.OnSyncStopped = func(string, string) {}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Syncer{opts: opts, cfg: cfg, log: opts.Logger, now: opts.Now, clients: map[string]*calendar.Service{}}
	switch cfg.Auth {
	case AuthServiceAccount:
		key, err := os.ReadFile(cfg.ServiceAccountKeyFile)
		if err != nil {
			return nil, fmt.Errorf("gcal: read service account key: %w", err)
		}
		if _, err := google.JWTConfigFromJSON(key, calendar.CalendarScope); err != nil {
			return nil, fmt.Errorf("gcal: service account key %s: %w", cfg.ServiceAccountKeyFile, err)
		}
		s.saKey = key
	case AuthOAuth:
		if opts.OAuth == nil {
			return nil, errors.New("gcal: auth oauth needs Options.OAuth")
		}
	case AuthNone:
	default:
		// config refuses it; a Config built in code must not get a
		// client without credentials by mistake.
		return nil, fmt.Errorf("gcal: unknown auth %q", cfg.Auth)
	}
	return s, nil
}

// CalendarID returns the Google calendar id used for an artisan.
func (s *Syncer) CalendarID(artisanID string) string {
	if id := s.opts.CalendarIDs[artisanID]; id != "" {
		return id
	}
	return DefaultCalendarID
}

// service returns the calendar client of an artisan, creating it on first use.
func (s *Syncer) service(ctx context.Context, a *booking.Artisan) (*calendar.Service, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc := s.clients[a.ID]; svc != nil {
		return svc, nil
	}
	// Token sources outlive the call that created them.
	base := context.WithoutCancel(ctx)
	var opts []option.ClientOption
	if ep := endpoint(s.cfg); ep != "" {
		opts = append(opts, option.WithEndpoint(ep))
	}
	switch s.cfg.Auth {
	case AuthNone:
		opts = append(opts, option.WithoutAuthentication())
		if s.opts.HTTPClient != nil {
			opts = append(opts, option.WithHTTPClient(s.opts.HTTPClient))
		}
	case AuthServiceAccount:
		jwt, err := google.JWTConfigFromJSON(s.saKey, calendar.CalendarScope)
		if err != nil {
			return nil, fmt.Errorf("gcal: service account key: %w", err)
		}
		if a.Email == "" {
			return nil, fmt.Errorf("gcal: artisan %s has no e-mail address to act as: %w", a.ID, errNotConnected)
		}
		jwt.Subject = a.Email // domain-wide delegation: act as the artisan
		opts = append(opts, option.WithTokenSource(jwt.TokenSource(base)))
	case AuthOAuth:
		ts, err := s.opts.OAuth.TokenSource(base, a.ID)
		if err != nil {
			return nil, err
		}
		opts = append(opts, option.WithTokenSource(ts))
	}
	svc, err := calendar.NewService(base, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcal: client for artisan %s: %w", a.ID, err)
	}
	s.clients[a.ID] = svc
	return svc, nil
}

// artisan returns the artisan with id from the catalogue.
func (s *Syncer) artisan(ctx context.Context, id string) (*booking.Artisan, *booking.Catalog, error) {
	cat, err := s.opts.Bookings.Catalog(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("gcal: catalogue: %w", err)
	}
	a := cat.Artisan(id)
	if a == nil {
		return nil, cat, booking.ErrNotFound("artisan " + id)
	}
	return a, cat, nil
}

// errStopped is returned for work on an artisan whose sync is stopped.
type errStopped struct {
	artisanID string
	state     calsync.ConnState
	reason    string
}

func (e *errStopped) Error() string {
	return fmt.Sprintf("google calendar sync of artisan %s is stopped (%s): %s", e.artisanID, e.state, e.reason)
}

// checkRunning returns *errStopped if the artisan's sync is stopped.
func (s *Syncer) checkRunning(ctx context.Context, artisanID string) error {
	st, err := s.opts.Store.ArtisanSync(ctx, artisanID)
	if err != nil {
		return fmt.Errorf("gcal: artisan state: %w", err)
	}
	if st != nil && st.State.Stopped() {
		return &errStopped{artisanID: artisanID, state: st.State, reason: st.LastError}
	}
	return nil
}

// succeeded records a successful call for the artisan.
func (s *Syncer) succeeded(ctx context.Context, artisanID string) error {
	st := calsync.ArtisanSync{ArtisanID: artisanID, State: calsync.StateConnected, LastSuccess: s.now()}
	if err := s.opts.Store.SetArtisanSync(ctx, st); err != nil {
		return fmt.Errorf("gcal: save artisan state: %w", err)
	}
	return nil
}

// failed records a failed call for the artisan and stops its sync for
// auth and quota failures, reporting the stop once.
func (s *Syncer) failed(ctx context.Context, artisanID string, f failure) error {
	prev, err := s.opts.Store.ArtisanSync(ctx, artisanID)
	if err != nil {
		return fmt.Errorf("gcal: artisan state: %w", err)
	}
	st := calsync.ArtisanSync{ArtisanID: artisanID, State: calsync.StateConnected}
	if prev != nil {
		st = *prev
	}
	st.LastError, st.ErrorAt = f.err.Error(), s.now()
	if f.class == classStop {
		st.State = f.state
	}
	if err := s.opts.Store.SetArtisanSync(ctx, st); err != nil {
		return fmt.Errorf("gcal: save artisan state: %w", err)
	}
	if f.class == classStop && f.state.Stopped() && (prev == nil || !prev.State.Stopped()) {
		s.log.Warn("gcal: sync stopped", "artisan", artisanID, "state", f.state, "err", f.err)
		s.opts.OnSyncStopped(artisanID, st.LastError)
	}
	return nil
}

// Reconnect resumes a stopped artisan's sync, for instance after a new OAuth
// token was saved or the quota reset. The cached client is dropped so the
// new credentials are used, and the next inbound sync is a full one.
func (s *Syncer) Reconnect(ctx context.Context, artisanID string) error {
	s.mu.Lock()
	delete(s.clients, artisanID)
	s.mu.Unlock()
	prev, err := s.opts.Store.ArtisanSync(ctx, artisanID)
	if err != nil {
		return fmt.Errorf("gcal: artisan state: %w", err)
	}
	st := calsync.ArtisanSync{ArtisanID: artisanID, State: calsync.StateConnected}
	if prev != nil {
		st.LastSuccess = prev.LastSuccess
	}
	if err := s.opts.Store.SetArtisanSync(ctx, st); err != nil {
		return fmt.Errorf("gcal: save artisan state: %w", err)
	}
	if err := s.opts.Store.ClearSyncCursor(ctx, artisanID); err != nil {
		return fmt.Errorf("gcal: clear sync cursor: %w", err)
	}
	return nil
}

// Status returns the connection state of every artisan in the catalogue,
// for the staff area and /healthz. Artisans never synced are reported as
// connected with no last success (service account) or not connected
// (OAuth, no token).
func (s *Syncer) Status(ctx context.Context) ([]calsync.ArtisanSync, error) {
	cat, err := s.opts.Bookings.Catalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("gcal: catalogue: %w", err)
	}
	all, err := s.opts.Store.ArtisanSyncs(ctx)
	if err != nil {
		return nil, fmt.Errorf("gcal: artisan states: %w", err)
	}
	byID := make(map[string]calsync.ArtisanSync, len(all))
	for _, st := range all {
		byID[st.ArtisanID] = st
	}
	out := make([]calsync.ArtisanSync, 0, len(cat.Artisans))
	for _, a := range cat.Artisans {
		st, ok := byID[a.ID]
		if !ok {
			st = calsync.ArtisanSync{ArtisanID: a.ID, State: calsync.StateConnected}
			if s.cfg.Auth == AuthOAuth {
				if tok, err := s.opts.Store.OAuthToken(ctx, a.ID); err != nil {
					return nil, fmt.Errorf("gcal: oauth token: %w", err)
				} else if tok == nil {
					st.State = calsync.StateNotConnected
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// BookingStatus returns whether a booking is synced to Google and the last
// error, or nil if no sync was attempted yet. A booking changed since its
// last sync (moved, cancelled: its sequence is past the synced one) is
// pending until its job has written the change, so staff never read
// "synced" while Google still shows the old time.
func (s *Syncer) BookingStatus(ctx context.Context, bookingID string) (*calsync.BookingSync, error) {
	bs, err := s.opts.Store.BookingSync(ctx, bookingID)
	if err != nil {
		return nil, fmt.Errorf("gcal: booking sync state: %w", err)
	}
	if bs != nil && bs.State == calsync.SyncSynced {
		if b, err := s.opts.Bookings.Booking(ctx, bookingID); err == nil && b.Sequence > bs.Sequence {
			bs.State = calsync.SyncPending
		}
	}
	return bs, nil
}
