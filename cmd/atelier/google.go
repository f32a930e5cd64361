package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/mail"
)

// OAuthCallbackPath is where Google sends an artisan back after consent
// (auth oauth); register server.public_url + this path as the redirect URI.
const OAuthCallbackPath = "/api/v1/staff/google/callback"

// newSyncer builds the Syncer from the google_calendar section and the
// artisans' google_calendar_id, and with auth oauth the OAuth client that
// connects artisans' accounts (else nil).
func newSyncer(cfg *config.Config, db database, mailOpts mail.Options, logger *slog.Logger) (*gcal.Syncer, *gcal.OAuth, error) {
	g := cfg.GoogleCalendar // checked and given its defaults by config
	if db.calendarSync() == nil {
		return nil, nil, fmt.Errorf("google_calendar: the %s store does not keep the calendar sync yet; turn google_calendar off or run on SQLite", cfg.Database.Driver)
	}
	calIDs := make(map[string]string)
	for _, ar := range cfg.Artisans {
		if ar.GoogleCalendarID != "" {
			calIDs[ar.ID] = ar.GoogleCalendarID
		}
	}
	public := strings.TrimSuffix(cfg.Server.PublicURL, "/")
	opts := gcal.Options{
		Config: g, Store: db.calendarSync(), Bookings: db, CalendarIDs: calIDs,
		StaffURL: func(id string) string { return public + "/staff/bookings/" + url.PathEscape(id) },
		Logger:   logger.With("worker", "gcal"),
		OnSyncStopped: func(artisanID, reason string) {
			notifySyncStopped(db, mailOpts, logger, artisanID, reason)
		},
	}
	if g.Auth == gcal.AuthNone {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if g.Auth == gcal.AuthOAuth {
		tokens, err := tokenStore(g, db, logger)
		if err != nil {
			return nil, nil, err
		}
		opts.OAuth = gcal.NewOAuth(g.OAuthClientID, g.OAuthClientSecret, public+OAuthCallbackPath, tokens)
	}
	s, err := gcal.New(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("google_calendar: %w", err)
	}
	return s, opts.OAuth, nil
}

// TokenKeyEnv names the environment variable with the key that seals
// OAuth tokens; it wins over google_calendar.token_key_file.
const TokenKeyEnv = "ATELIER_TOKEN_KEY"

// tokenStore returns where OAuth tokens are kept: sealed with the key of
// ATELIER_TOKEN_KEY or google_calendar.token_key_file, or in clear (with a
// warning) when neither is set.
func tokenStore(g config.GoogleCalendar, db database, logger *slog.Logger) (calsync.Store, error) {
	raw, from := os.Getenv(TokenKeyEnv), TokenKeyEnv
	if raw == "" && g.TokenKeyFile != "" {
		b, err := os.ReadFile(g.TokenKeyFile)
		if err != nil {
			return nil, fmt.Errorf("google_calendar.token_key_file: %w", err)
		}
		raw, from = string(b), "google_calendar.token_key_file"
	}
	if raw == "" {
		logger.Warn("google calendar: OAuth tokens are stored in clear; set google_calendar.token_key_file or " + TokenKeyEnv + " to seal them")
		return db.calendarSync(), nil
	}
	key, err := gcal.ParseTokenKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	return gcal.SealTokens(db.calendarSync(), key)
}

// notifySyncStopped logs that an artisan's sync stopped and queues one
// mail to mail.admin_emails (mail.AdminNotice; the mail queue sends it with
// its usual retries). gcal calls it once per stop.
func notifySyncStopped(db database, mailOpts mail.Options, logger *slog.Logger, artisanID, reason string) {
	logger.Error("google calendar sync stopped for an artisan: reconnect it in the staff area",
		"artisan", artisanID, "reason", reason)
	jobs, err := syncStoppedMail(mailOpts, artisanID, reason)
	if err == nil && len(jobs) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = db.Enqueue(ctx, jobs...)
	}
	if err != nil {
		logger.Error("queueing the sync-stopped mail", "artisan", artisanID, "err", err)
	}
}

// syncStoppedMail is the mail telling admins that an artisan's sync
// stopped, none without admin addresses.
func syncStoppedMail(o mail.Options, artisanID, reason string) ([]booking.Job, error) {
	public := strings.TrimSuffix(o.PublicURL, "/")
	text := fmt.Sprintf("Google Calendar sync has stopped for artisan %s.\n\nReason: %s\n\n"+
		"New and changed bookings are kept and will reach the calendar once the artisan is reconnected;\n"+
		"until then, events added in Google do not block the artisan's availability.\n\n"+
		"Reconnect in the staff area: %s/staff\n", artisanID, reason, public)
	return mail.AdminNotice(o, "Google Calendar sync stopped for "+artisanID, text)
}

// googleApp adapts the Syncer to what the use cases need.
type googleApp struct{ s *gcal.Syncer }

func (g googleApp) FreeBusy(ctx context.Context, artisanID string, from, to time.Time) ([]booking.Busy, error) {
	return g.s.FreeBusy(ctx, artisanID, from, to)
}

func (g googleApp) Status(ctx context.Context) ([]app.GoogleArtisan, error) {
	all, err := g.s.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]app.GoogleArtisan, 0, len(all))
	for _, st := range all {
		out = append(out, app.GoogleArtisan{
			ArtisanID: st.ArtisanID, CalendarID: g.s.CalendarID(st.ArtisanID), State: string(st.State),
			LastSuccess: timePtr(st.LastSuccess), LastError: st.LastError, ErrorAt: timePtr(st.ErrorAt),
		})
	}
	return out, nil
}

func (g googleApp) BookingStatus(ctx context.Context, bookingID string) (*app.GoogleBooking, error) {
	st, err := g.s.BookingStatus(ctx, bookingID)
	if err != nil || st == nil {
		return nil, err
	}
	return &app.GoogleBooking{State: string(st.State), SyncedAt: timePtr(st.SyncedAt), LastError: st.LastError, MeetURL: st.MeetURL}, nil
}

func (g googleApp) Reconnect(ctx context.Context, artisanID string) error {
	return g.s.Reconnect(ctx, artisanID)
}

func (g googleApp) SyncNow(ctx context.Context) error { return g.s.SyncAll(ctx) }

// timePtr returns nil for the zero time (JSON null), else t in UTC.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
