package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
)

// GoogleCalendar is the Google Calendar sync as the use cases see it. The
// wiring adapts the gcal package to it; Deps.Google nil means sync is off.
type GoogleCalendar interface {
	// FreeBusy asks Google, within a short timeout, which parts of
	// [from, to) are busy in the artisan's calendar. Any error means
	// Google did not answer; the stored busy times then decide alone.
	FreeBusy(ctx context.Context, artisanID string, from, to time.Time) ([]booking.Busy, error)
	// Status returns the connection state of every artisan.
	Status(ctx context.Context) ([]GoogleArtisan, error)
	// BookingStatus returns the sync state of a booking, or nil when no
	// sync has been recorded for it yet.
	BookingStatus(ctx context.Context, bookingID string) (*GoogleBooking, error)
	// SyncNow reads every running artisan's calendar now, instead of at
	// the next sync_interval.
	SyncNow(ctx context.Context) error
	// Reconnect resumes a stopped artisan's sync (after access was granted
	// again or the quota reset); nothing queued was lost.
	Reconnect(ctx context.Context, artisanID string) error
}

// GoogleOverview is the Google Calendar sync as admins see it.
type GoogleOverview struct {
	Enabled  bool
	Artisans []GoogleArtisan
}

// StaffGoogle returns the connection state of every artisan (admins only).
func (a *App) StaffGoogle(ctx context.Context, u *booking.User) (*GoogleOverview, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	st, err := a.GoogleStatus(ctx)
	if err != nil {
		return nil, err
	}
	return &GoogleOverview{Enabled: a.google != nil, Artisans: append([]GoogleArtisan{}, st...)}, nil
}

// StaffGoogleSync reads the artisans' calendars now (admins only).
func (a *App) StaffGoogleSync(ctx context.Context, u *booking.User) (*GoogleOverview, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	if a.google != nil {
		if err := a.google.SyncNow(ctx); err != nil {
			// One artisan's failure is in the states below; log the rest.
			a.logger().WarnContext(ctx, "google calendar sync now", "err", err)
		}
	}
	return a.StaffGoogle(ctx, u)
}

// StaffGoogleReconnect resumes a stopped artisan's sync (admins only).
func (a *App) StaffGoogleReconnect(ctx context.Context, u *booking.User, artisanID string) (*GoogleOverview, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	if a.google != nil {
		c, err := a.catalog(ctx)
		if err != nil {
			return nil, err
		}
		if c.Artisan(artisanID) == nil {
			return nil, booking.ErrNotFound("artisan")
		}
		if err := a.google.Reconnect(ctx, artisanID); err != nil {
			return nil, internal("google reconnect", err)
		}
	}
	return a.StaffGoogle(ctx, u)
}

// StaffGoogleBooking returns the Google sync state of a booking the user
// may see (nil when nothing is recorded yet).
func (a *App) StaffGoogleBooking(ctx context.Context, u *booking.User, id string) (*GoogleBooking, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return a.GoogleBookingStatus(ctx, b.ID)
}

// GoogleArtisan is one artisan's calendar connection, for staff and
// /healthz.
type GoogleArtisan struct {
	ArtisanID   string
	CalendarID  string
	State       string // not_connected, connected, disconnected, error
	LastSuccess *time.Time
	LastError   string
	ErrorAt     *time.Time
}

// GoogleBooking is whether a booking is in its artisan's Google Calendar.
type GoogleBooking struct {
	State     string // pending, synced, failed
	SyncedAt  *time.Time
	LastError string
	MeetURL   string
}

// GoogleStatus returns the connection state of every artisan, or nil
// when Google Calendar sync is off.
func (a *App) GoogleStatus(ctx context.Context) ([]GoogleArtisan, error) {
	if a.google == nil {
		return nil, nil
	}
	st, err := a.google.Status(ctx)
	if err != nil {
		return nil, internal("google calendar status", err)
	}
	return st, nil
}

// GoogleBookingStatus returns the Google sync state of a booking (nil when
// sync is off or nothing is recorded yet). Callers check access to the
// booking first.
func (a *App) GoogleBookingStatus(ctx context.Context, bookingID string) (*GoogleBooking, error) {
	if a.google == nil {
		return nil, nil
	}
	st, err := a.google.BookingStatus(ctx, bookingID)
	if err != nil {
		return nil, internal("google booking status", err)
	}
	return st, nil
}

// googleBusy is Google's fresh answer for the artisans a request may be
// placed with, added to the schedule the engine checks when the booking is
// stored.
type googleBusy []booking.Busy

// googleBusy asks Google, in parallel, about the block of the slot for the
// requested artisan or, for "any artisan", every artisan offering the
// service. Intervals within skip (the booking's own current time, whose
// event Google reports as busy on a reschedule) are cut out. It must run
// before a Meet link is made: that creates the booking's own event.
// Failures are logged and ignored: the stored busy times still decide.
func (a *App) googleBusy(ctx context.Context, c *booking.Catalog, r availability.Request, blockStart, blockEnd time.Time, skip ...booking.Busy) googleBusy {
	if a.google == nil {
		return nil
	}
	var ids []string
	// A team (a service that needs several artisans) may take any of
	// those who offer it besides the one asked for.
	if svc := c.Service(r.ServiceID); r.ArtisanID != "" && (svc == nil || svc.Needed() == 1) {
		ids = []string{r.ArtisanID}
	} else {
		for _, ar := range c.Artisans {
			if ar.Offers(r.ServiceID) {
				ids = append(ids, ar.ID)
			}
		}
	}
	var (
		mu  sync.Mutex
		out googleBusy
		wg  sync.WaitGroup
	)
	for _, id := range ids {
		wg.Go(func() {
			busy, err := a.google.FreeBusy(ctx, id, blockStart, blockEnd)
			if err != nil {
				a.logger().WarnContext(ctx, "google free/busy check: no answer, the stored busy times decide",
					"artisan", id, "err", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, b := range busy {
				parts := []booking.Busy{b}
				for _, sk := range skip {
					var rest []booking.Busy
					for _, p := range parts {
						rest = append(rest, subtract(p, sk)...)
					}
					parts = rest
				}
				out = append(out, parts...)
			}
		})
	}
	wg.Wait()
	return out
}

// subtract returns the parts of b outside skip (of the same artisan).
func subtract(b, skip booking.Busy) []booking.Busy {
	if skip.ArtisanID != b.ArtisanID || !skip.Start.Before(b.End) || !b.Start.Before(skip.End) {
		return []booking.Busy{b}
	}
	var out []booking.Busy
	if b.Start.Before(skip.Start) {
		out = append(out, booking.Busy{ArtisanID: b.ArtisanID, Start: b.Start, End: skip.Start})
	}
	if skip.End.Before(b.End) {
		out = append(out, booking.Busy{ArtisanID: b.ArtisanID, Start: skip.End, End: b.End})
	}
	return out
}

// into returns s with Google's answer added to its busy times; s itself is
// not changed.
func (g googleBusy) into(s *booking.Schedule) *booking.Schedule {
	if len(g) == 0 {
		return s
	}
	c := *s
	c.Busy = append(slices.Clip(s.Busy), g...)
	return &c
}

// GoogleConnector connects an artisan's own Google account with the OAuth
// authorisation-code flow (google_calendar.auth oauth); *gcal.OAuth
// implements it. Deps.GoogleOAuth nil means calendars are not connected
// this way.
type GoogleConnector interface {
	// NewState returns an unguessable state naming artisanID, valid only
	// with the same session and for a short time.
	NewState(session, artisanID string, now time.Time) string
	// CheckState returns the artisan a state was made for, or an error if
	// it was not made for session, was tampered with or has expired.
	CheckState(state, session string, now time.Time) (artisanID string, err error)
	// AuthCodeURL returns Google's consent page (offline access).
	AuthCodeURL(state string) string
	// Exchange trades an authorisation code for a token and stores it.
	Exchange(ctx context.Context, artisanID, code string) error
}

// Codes of the Google connection flow's problems.
const (
	CodeGoogleOAuthOff       = "google_oauth_off"
	CodeGoogleStateInvalid   = "google_state_invalid"
	CodeGoogleConsentDenied  = "google_consent_denied"
	CodeGoogleExchangeFailed = "google_exchange_failed"
)

// GoogleCallback is what Google sends back to the callback URL.
type GoogleCallback struct {
	State string // the state of StaffGoogleConnect
	Code  string // the authorisation code, on success
	Error string // e.g. access_denied when the user declined
}

// StaffGoogleConnect returns the Google consent page that connects the
// artisan's Google account (the artisan themselves or an admin). session
// is the caller's staff session (the cookie value): the callback is only
// accepted with the same session.
func (a *App) StaffGoogleConnect(ctx context.Context, u *booking.User, session, artisanID string) (string, error) {
	if err := a.requireGoogleOAuth(ctx, u, artisanID); err != nil {
		return "", err
	}
	return a.googleOAuth.AuthCodeURL(a.googleOAuth.NewState(session, artisanID, a.now())), nil
}

// StaffGoogleCallback finishes the connection: it checks that the state
// was made for this session and that the user may still manage the
// artisan it names, stores the token Google gives for the code and resumes
// the artisan's sync. Nothing is stored on any failure. It returns the
// artisan's connection state.
func (a *App) StaffGoogleCallback(ctx context.Context, u *booking.User, session string, cb GoogleCallback) (*GoogleArtisan, error) {
	if a.googleOAuth == nil || a.google == nil {
		return nil, errOAuthOff()
	}
	artisanID, err := a.googleOAuth.CheckState(cb.State, session, a.now())
	if err != nil {
		return nil, booking.Errorf(booking.EMALFORMED, CodeGoogleStateInvalid,
			"this Google sign-in was not started from your session or has expired; connect again from the staff area")
	}
	if err := a.requireGoogleOAuth(ctx, u, artisanID); err != nil {
		return nil, err
	}
	if cb.Error != "" {
		msg := "Google reported an error; nothing was connected"
		if cb.Error == "access_denied" {
			msg = "access to the Google Calendar was not granted; nothing was connected"
		}
		return nil, booking.Errorf(booking.EMALFORMED, CodeGoogleConsentDenied, "%s", msg)
	}
	if cb.Code == "" {
		return nil, booking.Errorf(booking.EMALFORMED, CodeGoogleExchangeFailed, "Google sent no authorisation code; connect again")
	}
	if err := a.googleOAuth.Exchange(ctx, artisanID, cb.Code); err != nil {
		a.logger().WarnContext(ctx, "google oauth: code exchange failed", "artisan", artisanID, "err", err)
		return nil, booking.Errorf(booking.EMALFORMED, CodeGoogleExchangeFailed,
			"Google did not accept the authorisation (it may have expired or been used already); connect again")
	}
	if err := a.google.Reconnect(ctx, artisanID); err != nil {
		return nil, internal("google reconnect", err)
	}
	a.logger().InfoContext(ctx, "google calendar connected", "artisan", artisanID, "by", u.ID)
	st, err := a.GoogleStatus(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range st {
		if v.ArtisanID == artisanID {
			return &v, nil
		}
	}
	return &GoogleArtisan{ArtisanID: artisanID, State: "connected"}, nil
}

// requireGoogleOAuth checks that OAuth connection is on, that the artisan
// exists and that u may manage it.
func (a *App) requireGoogleOAuth(ctx context.Context, u *booking.User, artisanID string) error {
	if a.googleOAuth == nil || a.google == nil {
		return errOAuthOff()
	}
	if err := requireArtisan(u, artisanID); err != nil {
		return err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return err
	}
	if c.Artisan(artisanID) == nil {
		return booking.ErrNotFound("artisan")
	}
	return nil
}

func errOAuthOff() error {
	return booking.Errorf(booking.ECONFLICT, CodeGoogleOAuthOff,
		"Google accounts are not connected one by one here (google_calendar.auth is not oauth)")
}
