package httpapi

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// Limits are the per-client limits of the server: booking creation per
// client address, and staff sign-ins per client address and per account.
// The JSON API and the pages (internal/web) share the one Limits of a
// Server (Server.Limits), so a client has a single budget whichever way it
// comes in, and both find the client's address the same way (ClientAddr:
// the peer, or behind a trusted proxy the forwarded client). An IPv6
// client counts by its /64, the block one subscriber usually holds, so
// that hopping between its addresses does not multiply its budget.
// It is safe for concurrent use once the server is serving.
type Limits struct {
	trusted  []netip.Prefix
	now      func() time.Time     // clock of the booking and link limits
	bookings *limiter[netip.Addr] // nil when off

	// "Send me my link again", per client address and per e-mail
	// address asked for; nil when off.
	linksMu    sync.Mutex // the two are checked and taken together
	linksAddr  *limiter[netip.Addr]
	linksEmail *limiter[string]

	loginNow     func() time.Time // clock of the sign-in limits
	loginAddr    *auth.Throttle   // sign-in attempts per client address; nil allows all
	loginAccount *auth.Backoff    // sign-in attempts per e-mail address; nil never delays
}

func newLimits(cfg Config) *Limits {
	l := &Limits{trusted: cfg.TrustedProxies, now: cfg.Now, loginNow: time.Now}
	if l.now == nil {
		l.now = time.Now
	}
	if cfg.BookingsPerMinute > 0 {
		l.bookings = newLimiter[netip.Addr](cfg.BookingsPerMinute, time.Minute)
	}
	if cfg.LinkRequestsPerHour > 0 {
		l.linksAddr = newLimiter[netip.Addr](cfg.LinkRequestsPerHour, time.Hour)
		l.linksEmail = newLimiter[string](cfg.LinkRequestsPerHour, time.Hour)
	}
	return l
}

// enableLogins turns on the sign-in limits (EnableStaff, before serving).
func (l *Limits) enableLogins(perMinute int, now func() time.Time) {
	l.loginNow = now
	l.loginAddr = auth.NewThrottle(perMinute)
	l.loginAccount = auth.NewBackoff(perMinute)
}

// ClientAddr is the address of the client of r: the peer, or, when the
// peer is a trusted proxy, the rightmost X-Forwarded-For hop that is not
// trusted.
func (l *Limits) ClientAddr(r *http.Request) netip.Addr { return clientAddr(r, l.trusted) }

// AllowBooking takes one booking attempt of r's client. When the client
// has used its limits.bookings_per_minute, it returns false and how long
// until the next attempt is allowed.
func (l *Limits) AllowBooking(r *http.Request) (ok bool, wait time.Duration) {
	if l.bookings == nil {
		return true, 0
	}
	return l.bookings.allow(clientKey(l.ClientAddr(r)), l.now())
}

// AllowLinkRequest takes one request of r's client to e-mail the manage
// links of email again, from the client's budget and from the address's
// (limits.link_requests_per_hour each). When either is used up it returns
// false and how long until both allow one; a refused request takes
// nothing from either.
func (l *Limits) AllowLinkRequest(r *http.Request, email string) (ok bool, wait time.Duration) {
	if l.linksAddr == nil {
		return true, 0
	}
	l.linksMu.Lock()
	defer l.linksMu.Unlock()
	now := l.now()
	okAddr, waitAddr := l.linksAddr.peek(clientKey(l.ClientAddr(r)), now)
	okMail, waitMail := l.linksEmail.peek(accountKey(email), now)
	if !okAddr || !okMail {
		return false, max(waitAddr, waitMail)
	}
	l.linksAddr.allow(clientKey(l.ClientAddr(r)), now)
	l.linksEmail.allow(accountKey(email), now)
	return true, 0
}

// LoginAttempt is one sign-in attempt let through by BeginLogin. End it
// with the result of the password check.
type LoginAttempt struct {
	l             *Limits
	addr, account string
	ended         bool
}

// BeginLogin takes one sign-in attempt of r's client as email, before the
// password is checked, so that attempts made in parallel cannot all get
// through. When the client has used its limits.logins_per_minute it
// returns nil and how long until it may try again (429); so it does if the
// request ends during the account's delay. Otherwise it
// waits, before returning, for the account's delay: none for the first
// 2 × logins_per_minute attempts on an account in a minute from all
// addresses together (so one address alone never slows its owner), then
// growing up to auth.MaxLoginDelay. An account is never
// refused, so nobody can lock its owner out by failing on purpose.
func (l *Limits) BeginLogin(r *http.Request, email string) (a *LoginAttempt, wait time.Duration) {
	a = &LoginAttempt{l: l, addr: clientKey(l.ClientAddr(r)).String(), account: accountKey(email)}
	now := l.loginNow()
	if ok, wait := l.loginAddr.Take(a.addr, now); !ok {
		return nil, wait
	}
	if d := l.loginAccount.Attempt(a.account, now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client left during the delay: nothing was checked, so
			// the attempt is given back, and nobody reads the answer.
			a.End(nil)
			return nil, time.Second
		}
	}
	return a, 0
}

// End records the outcome of the attempt's sign-in: err is what the
// sign-in returned. A wrong password (EUNAUTHORIZED) keeps the attempt
// counted; a success, or a failure that checked no password (busy,
// internal), gives it back. Calling End again does nothing.
func (a *LoginAttempt) End(err error) {
	if a == nil || a.ended {
		return
	}
	a.ended = true
	if err != nil && booking.ErrorKind(err) == booking.EUNAUTHORIZED {
		return
	}
	now := a.l.loginNow()
	a.l.loginAddr.Return(a.addr, now)
	a.l.loginAccount.Return(a.account, now)
}

// accountKey is the sign-in key of an e-mail address.
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

// limiter is a token bucket per key (a client address, an e-mail
// address): n tokens, refilled over per. Buckets idle for longer than
// idleAfter are full again, so they are dropped to bound memory.
type limiter[K comparable] struct {
	n         int
	per       time.Duration
	idleAfter time.Duration

	mu        sync.Mutex
	buckets   map[K]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter[K comparable](n int, per time.Duration) *limiter[K] {
	return &limiter[K]{
		n:         n,
		per:       per,
		idleAfter: 2 * per, // a bucket refills completely in per
		buckets:   make(map[K]*bucket),
	}
}

// allow takes one token for key at now. When none is left it returns
// false and how long until one is.
func (l *limiter[K]) allow(key K, now time.Time) (bool, time.Duration) {
	return l.take(key, now, true)
}

// peek reports what allow would, taking nothing.
func (l *limiter[K]) peek(key K, now time.Time) (bool, time.Duration) {
	return l.take(key, now, false)
}

func (l *limiter[K]) take(key K, now time.Time, keep bool) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.idleAfter {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.idleAfter {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.n)/l.per.Seconds()), l.n)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	if !keep {
		res.CancelAt(now)
	}
	return true, 0
}

// size is the number of tracked addresses (for tests).
func (l *limiter[K]) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// RetryAfter formats a delay for the Retry-After header: whole seconds,
// rounded up, at least 1.
func RetryAfter(d time.Duration) string { return retryAfter(d) }

// retryAfter formats a delay as whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Max(1, math.Ceil(d.Seconds()))))
}

// clientAddr is the address of the client: the peer, or, when the peer is
// a trusted proxy, the rightmost X-Forwarded-For hop that is not trusted
// (hops to its left could be forged by the client).
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseAddr(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			break // garbage: trust nothing further left
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client
}

// parseAddr accepts "ip", "ip:port" and "[ipv6]:port"; IPv4-mapped IPv6
// addresses become IPv4.
func parseAddr(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
