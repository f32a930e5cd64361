// Package app is the application service of the atelier: the use cases
// behind the customer API (browse the catalogue, find free slots, book,
// view, cancel and reschedule with a manage token) and their staff
// counterparts. It knows nothing of HTTP; adapters translate its views and
// *booking.Error values into their own protocol.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// DefaultIdempotencyTTL is how long an Idempotency-Key is honoured when
// Deps.IdempotencyTTL is zero.
const DefaultIdempotencyTTL = 24 * time.Hour

// MeetingLinker creates the video-call link of a virtual booking. It is
// called before the booking is stored, with the artisan who will host.
type MeetingLinker interface {
	Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error)
}

// Deps are what the application service is made of; New takes them once.
// Store is required; every other member has a default.
type Deps struct {
	// Store is the persistence of every use case (store.go).
	Store Store
	// Now is the clock; nil means time.Now.
	Now       func() time.Time
	Logger    *slog.Logger // nil discards
	PublicURL string       // e.g. "https://atelier.example.com", no trailing slash
	// Meetings creates video-call links for virtual bookings; nil means
	// virtual bookings carry no link.
	Meetings MeetingLinker
	// Google is the Google Calendar sync (see google.go): a last free/busy
	// check of the slot before a booking is stored, and sync states for
	// staff. Nil means sync is off.
	Google GoogleCalendar
	// GoogleOAuth connects artisans' own Google accounts (auth oauth; see
	// google.go); nil otherwise.
	GoogleOAuth GoogleConnector
	// UTF8LocalParts says mail can be delivered to addresses with non-ASCII
	// letters before the @ (config.Mail.UTF8LocalParts); without it a
	// booking with such an address is refused with a field error.
	UTF8LocalParts bool
	// ManageLinks builds the e-mail job of RequestManageLinks; nil means
	// links cannot be sent again.
	ManageLinks ManageLinksJob
	// PrivacyLink builds the e-mail job of a customer's privacy link
	// (privacy.go); nil means customers cannot ask from the manage page.
	PrivacyLink PrivacyLinkJob
	// RetentionYears is how long after its appointment a booking's
	// personal data is kept before RunRetention erases it
	// (privacy.retention_years); zero keeps it.
	RetentionYears int
	// StaffInvite builds the e-mail job of a staff invitation
	// (accounts.go); nil means admins cannot invite from the app.
	StaffInvite StaffInviteJob
	// InvitationMail builds the e-mail job of an invitation to book a
	// commission's next step (invitations.go); nil sends none (the link
	// is still in the answer, for staff to pass on).
	InvitationMail InvitationMailJob
	// IdempotencyTTL is how long an Idempotency-Key replays its first
	// response; afterwards reusing it is refused. Zero means
	// DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// Metrics is told of measurements of the use cases (metrics.go); nil
	// means none.
	Metrics Metrics
	// Replies says the customers' answers to invitations are read
	// (mail.imap): only then do invites ask for one (RSVP=TRUE).
	Replies bool
	// DeclinedReply is what a customer's "No" does: DeclinedCancel (the
	// default, for "") or DeclinedNotify (replies.go).
	DeclinedReply string
	// Languages is the message catalogue (atelier.languages): a booking
	// keeps one of its languages, and its invitation is written in it;
	// nil is English only.
	Languages *i18n.Catalogue
	// Advice is the services' "what to bring" (services[].bring), for the
	// invitation's DESCRIPTION.
	Advice invite.Advice
	// CommissionStages are the stages of commissions, in order
	// (commissions.stages); nil means booking.DefaultCommissionStages.
	CommissionStages []string

	// Passwords are the argon2id costs of the dummy hash computed for an
	// unknown e-mail address at sign-in; zero means auth.DefaultParams.
	Passwords auth.Params
	// Checker runs the password checks of Login, a few at a time; nil
	// means one with auth.DefaultConcurrentChecks and Passwords.
	Checker *auth.Checker
	// SessionIdleTimeout ends a staff session unused for this long;
	// SessionMaxAge ends any session this long after sign-in. Zero means
	// DefaultSessionIdleTimeout and DefaultSessionMaxAge.
	SessionIdleTimeout, SessionMaxAge time.Duration
}

// App is the application service: every use case of customers (with a
// manage token) and of staff (with their account, whose role rules each
// use case asks: booking.User.MayManage, MaySee, Scope). It is made by New
// and not changed afterwards, so one value serves every adapter and
// goroutine.
type App struct {
	store          Store
	clock          func() time.Time
	log            *slog.Logger
	publicURL      string
	langs          *i18n.Catalogue // nil: English only
	advice         invite.Advice
	meetings       MeetingLinker
	google         GoogleCalendar
	googleOAuth    GoogleConnector
	utf8LocalParts bool
	manageLinks    ManageLinksJob
	staffInvite    StaffInviteJob
	privacyLink    PrivacyLinkJob
	retentionYears int
	invitationMail InvitationMailJob // invitations.go
	passwords      auth.Params       // the costs of passwords set through an invitation
	idempotencyTTL time.Duration
	metrics        Metrics
	replies        bool
	declinedReply  string
	stages         []string // commission stages (commissions.go)

	checker     *auth.Checker
	idleTimeout time.Duration
	maxAge      time.Duration

	indexes *availability.Indexes // availability.go
}

// Languages is the message catalogue of the configured languages (never
// nil: English only when none was configured).
func (a *App) Languages() *i18n.Catalogue {
	if a.langs == nil {
		return englishOnly()
	}
	return a.langs
}

// englishOnly is the catalogue of an App configured with no languages,
// made once: the booking endpoint asks for it on every request, and a
// catalogue took 30 us to build.
var englishOnly = sync.OnceValue(func() *i18n.Catalogue {
	c, err := i18n.New(nil, "")
	if err != nil {
		panic(err) // the embedded messages are checked by the tests
	}
	return c
})

// New makes the application service of d, with the defaults of the
// members d leaves zero. It panics without a store: that is a wiring
// mistake, not a condition to handle.
func New(d Deps) *App {
	if d.Store == nil {
		panic("app.New: Deps.Store is required")
	}
	a := &App{
		store: d.Store, clock: d.Now, log: d.Logger, publicURL: d.PublicURL,
		meetings: d.Meetings, google: d.Google, googleOAuth: d.GoogleOAuth,
		utf8LocalParts: d.UTF8LocalParts, manageLinks: d.ManageLinks, staffInvite: d.StaffInvite, privacyLink: d.PrivacyLink, retentionYears: d.RetentionYears, passwords: d.Passwords,
		idempotencyTTL: d.IdempotencyTTL, metrics: d.Metrics,
		replies: d.Replies, declinedReply: d.DeclinedReply,
		langs: d.Languages, advice: d.Advice,
		checker: d.Checker, idleTimeout: d.SessionIdleTimeout, maxAge: d.SessionMaxAge,
	}
	if a.clock == nil {
		a.clock = time.Now
	}
	a.invitationMail = d.InvitationMail
	a.indexes = availability.NewIndexes(availabilityMemoBytes)
	a.stages = slices.Clone(d.CommissionStages)
	if len(a.stages) == 0 {
		a.stages = slices.Clone(booking.DefaultCommissionStages)
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.idempotencyTTL <= 0 {
		a.idempotencyTTL = DefaultIdempotencyTTL
	}
	if a.idleTimeout <= 0 {
		a.idleTimeout = DefaultSessionIdleTimeout
	}
	if a.maxAge <= 0 {
		a.maxAge = DefaultSessionMaxAge
	}
	if a.passwords.Memory == 0 {
		a.passwords = auth.DefaultParams
	}
	if a.checker == nil {
		params := d.Passwords
		if params.Memory == 0 {
			params = auth.DefaultParams
		}
		a.checker = auth.NewChecker(params, auth.DefaultConcurrentChecks, auth.DefaultWaitingChecks)
	}
	return a
}

// Now is the service's clock, for adapters that show "today".
func (a *App) Now() time.Time { return a.clock() }

// PublicURL is the address the atelier is reached at, without a trailing
// slash (links in answers and e-mails start with it).
func (a *App) PublicURL() string { return a.publicURL }

// GoogleSync reports whether Google Calendar sync is on (Deps.Google).
func (a *App) GoogleSync() bool { return a.google != nil }

// GoogleAccounts reports whether artisans connect their own Google
// accounts (Deps.GoogleOAuth with sync on).
func (a *App) GoogleAccounts() bool { return a.google != nil && a.googleOAuth != nil }

func (a *App) now() time.Time { return a.clock() }

func (a *App) logger() *slog.Logger { return a.log }

// catalog loads the current catalogue.
func (a *App) catalog(ctx context.Context) (*booking.Catalog, error) {
	c, err := a.store.Catalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	return c, nil
}

// internal wraps an unexpected failure so that it is reported as EINTERNAL
// (ErrorKind of a non-*booking.Error is EINTERNAL) while keeping the cause.
func internal(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }
