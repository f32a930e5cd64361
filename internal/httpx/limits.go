package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Limits are the per-client limits of the edge: booking creation and "send
// me my link again" per client address, and staff sign-ins per client
// address and per account. The JSON API and the pages share the one
// Limits of a Server (Server.Limits), so a client has a single budget
// whichever way it comes in, and both find the client's address the same
// way (ClientAddr: the peer, or behind a trusted proxy the forwarded
// client). An IPv6 client counts by its /64, the block one subscriber
// usually holds, so that hopping between its addresses does not multiply
// its budget. Every refusal is an ERATELIMIT error made with Refuse, so
// it carries its own Retry-After. It is safe for concurrent use.
//
// With Config.SharedLimits (several servers on one PostgreSQL database)
// the buckets live in the database, so the limits hold for every server
// together (sharedlimits.go); the in-process buckets then serve only
// while the database does not answer.
type Limits struct {
	trusted  []netip.Prefix
	now      func() time.Time
	bookings *limiter[netip.Addr] // nil when off

	// "Send me my link again", per client address and per e-mail
	// address asked for; nil when off.
	linksMu    sync.Mutex // the two are checked and taken together
	linksAddr  *limiter[netip.Addr]
	linksEmail *limiter[string]

	loginAddr    *limiter[string] // sign-in attempts per client address; nil allows all
	loginAccount *backoff         // sign-in attempts per e-mail address; nil never delays

	// The same limits in the shared store; each nil without one.
	store                              LimitStore
	logger                             *slog.Logger
	storeFailing                       atomic.Bool
	sBookings, sLinksAddr, sLinksEmail *shared
	sLoginAddr, sLoginAccount          *shared
}

func newLimits(cfg Config, logger *slog.Logger) *Limits {
	l := &Limits{
		store:        cfg.SharedLimits,
		logger:       logger,
		trusted:      cfg.TrustedProxies,
		now:          cfg.Now,
		bookings:     newLimiter[netip.Addr](cfg.BookingsPerMinute, time.Minute),
		linksAddr:    newLimiter[netip.Addr](cfg.LinkRequestsPerHour, time.Hour),
		linksEmail:   newLimiter[string](cfg.LinkRequestsPerHour, time.Hour),
		loginAddr:    newLimiter[string](cfg.LoginsPerMinute, time.Minute),
		loginAccount: newBackoff(cfg.LoginsPerMinute),
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	// The names are the store's: keep them when the limits change.
	l.sBookings = newShared(l, "bookings", cfg.BookingsPerMinute, time.Minute, float64(cfg.BookingsPerMinute))
	l.sLinksAddr = newShared(l, "links_addr", cfg.LinkRequestsPerHour, time.Hour, float64(cfg.LinkRequestsPerHour))
	l.sLinksEmail = newShared(l, "links_email", cfg.LinkRequestsPerHour, time.Hour, float64(cfg.LinkRequestsPerHour))
	l.sLoginAddr = newShared(l, "login_addr", cfg.LoginsPerMinute, time.Minute, float64(cfg.LoginsPerMinute))
	if bo := l.loginAccount; bo != nil {
		l.sLoginAccount = newShared(l, "login_account", 2*cfg.LoginsPerMinute, time.Minute, bo.b.capacity)
	}
	return l
}

// rateLimited is the refusal of a used-up limit; message is the API's
// detail (the pages choose their own words, with RetryWait).
func rateLimited(message string, wait time.Duration) error {
	return Refuse(booking.Errorf(booking.ERATELIMIT, "rate_limited", "%s", message), wait)
}

// ClientAddr is the address of the client of r: the peer, or, when the
// peer is a trusted proxy, the rightmost X-Forwarded-For hop that is not
// trusted.
func (l *Limits) ClientAddr(r *http.Request) netip.Addr { return clientAddr(r, l.trusted) }

// AllowBooking takes one booking attempt of r's client. When the client
// has used its limits.bookings_per_minute, it is a refusal (429) with how
// long until the next attempt is allowed.
func (l *Limits) AllowBooking(r *http.Request) error {
	if l.bookings == nil {
		return nil
	}
	key := clientKey(l.ClientAddr(r))
	var skey string
	if l.sBookings != nil {
		skey = addrKey(key)
	}
	if ok, wait := takeEither(r.Context(), l.bookings, l.sBookings, key, skey, l.now()); !ok {
		return rateLimited("too many booking requests; try again shortly", wait)
	}
	return nil
}

// AllowLinkRequest takes one request of r's client to e-mail the manage
// links of email again, from the client's budget and from the address's
// (limits.link_requests_per_hour each). When either is used up it is a
// refusal with how long until both allow one; a refused request takes
// nothing from either.
func (l *Limits) AllowLinkRequest(r *http.Request, email string) error {
	if l.linksAddr == nil {
		return nil
	}
	l.linksMu.Lock()
	defer l.linksMu.Unlock()
	ctx, now, addr, mail := r.Context(), l.now(), clientKey(l.ClientAddr(r)), accountKey(email)
	saddr := addrKey(addr)
	okAddr, waitAddr := peekEither(ctx, l.linksAddr, l.sLinksAddr, addr, saddr, now)
	okMail, waitMail := peekEither(ctx, l.linksEmail, l.sLinksEmail, mail, mail, now)
	if !okAddr || !okMail {
		return rateLimited("too many requests for links; try again later", max(waitAddr, waitMail))
	}
	// Shared with other servers, the budget may have gone between the
	// look and the take: a take refused gives the other one back.
	if ok, wait := takeEither(ctx, l.linksAddr, l.sLinksAddr, addr, saddr, now); !ok {
		return rateLimited("too many requests for links; try again later", wait)
	}
	if ok, wait := takeEither(ctx, l.linksEmail, l.sLinksEmail, mail, mail, now); !ok {
		giveBackEither(ctx, l.linksAddr, l.sLinksAddr, addr, saddr, now)
		return rateLimited("too many requests for links; try again later", wait)
	}
	return nil
}

// loginAttempt is one sign-in attempt let through by beginLogin. End it
// with the result of the password check.
type loginAttempt struct {
	l             *Limits
	addr, account string
	ended         bool
}

// beginLogin takes one sign-in attempt of r's client as email, before the
// password is checked, so that attempts made in parallel cannot all get
// through. When the client has used its limits.logins_per_minute it is a
// refusal (429) with how long until it may try again; so it is if the
// request ends during the account's delay. Otherwise it waits, before
// returning, for the account's delay: none for the first 2 ×
// logins_per_minute attempts on an account in a minute from all addresses
// together (so one address alone never slows its owner), then growing up
// to MaxLoginDelay. An account is never refused, so nobody can lock its
// owner out by failing on purpose.
func (l *Limits) beginLogin(r *http.Request, email string) (*loginAttempt, error) {
	a := &loginAttempt{l: l, addr: clientKey(l.ClientAddr(r)).String(), account: accountKey(email)}
	now := l.now()
	if ok, wait := takeEither(r.Context(), l.loginAddr, l.sLoginAddr, a.addr, a.addr, now); !ok {
		return nil, rateLimited("too many failed sign-ins; try again shortly", wait)
	}
	if d := attemptEither(r.Context(), l.loginAccount, l.sLoginAccount, a.account, now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client left during the delay: nothing was checked, so
			// the attempt is given back, and nobody reads the answer.
			a.end(nil)
			return nil, rateLimited("too many failed sign-ins; try again shortly", time.Second)
		}
	}
	return a, nil
}

// end records the outcome of the attempt's sign-in: err is what the
// sign-in returned. A wrong password (EUNAUTHORIZED) keeps the attempt
// counted; a success, or a failure that checked no password (busy,
// internal), gives it back. Calling end again does nothing.
func (a *loginAttempt) end(err error) {
	if a == nil || a.ended {
		return
	}
	a.ended = true
	if err != nil && booking.ErrorKind(err) == booking.EUNAUTHORIZED {
		return
	}
	now, ctx := a.l.now(), context.Background()
	giveBackEither(ctx, a.l.loginAddr, a.l.sLoginAddr, a.addr, a.addr, now)
	backoffGiveBackEither(ctx, a.l.loginAccount, a.l.sLoginAccount, a.account, now)
}

// accountKey is the limits' key of an e-mail address.
func accountKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// clientKey is what a client's limits are keyed by: its address, or for
// IPv6 its /64.
func clientKey(a netip.Addr) netip.Addr {
	if a.Is6() && !a.Is4In6() {
		if p, err := a.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return a
}
