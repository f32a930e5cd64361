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
)

// Limits are the per-client limits of the server: booking creation per
// client address, and failed staff sign-ins per client address and per
// account. The JSON API and the pages (internal/web) share the one Limits
// of a Server (Server.Limits), so a client has a single budget whichever
// way it comes in, and both find the client's address the same way
// (ClientAddr: the peer, or behind a trusted proxy the forwarded client).
// It is safe for concurrent use once the server is serving.
type Limits struct {
	trusted  []netip.Prefix
	now      func() time.Time // clock of the booking limit
	bookings *limiter         // nil when off

	loginNow     func() time.Time // clock of the sign-in throttle
	loginAddr    *auth.Throttle   // failed sign-ins per client address; nil allows all
	loginAccount *auth.Throttle   // failed sign-ins per e-mail address; nil allows all
}

func newLimits(cfg Config) *Limits {
	l := &Limits{trusted: cfg.TrustedProxies, now: cfg.Now, loginNow: time.Now}
	if l.now == nil {
		l.now = time.Now
	}
	if cfg.BookingsPerMinute > 0 {
		l.bookings = newLimiter(cfg.BookingsPerMinute)
	}
	return l
}

// enableLogins turns on the sign-in throttle (EnableStaff, before serving).
func (l *Limits) enableLogins(perMinute int, now func() time.Time) {
	l.loginNow = now
	l.loginAddr = auth.NewThrottle(perMinute)
	l.loginAccount = auth.NewThrottle(perMinute)
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
	return l.bookings.allow(l.ClientAddr(r), l.now())
}

// CheckLogin reports whether r's client may try to sign in as email; if
// not, wait is how long until it may. Checking takes nothing: only
// failures count (FailLogin).
func (l *Limits) CheckLogin(r *http.Request, email string) (ok bool, wait time.Duration) {
	now := l.loginNow()
	okAddr, waitAddr := l.loginAddr.Check(l.ClientAddr(r).String(), now)
	okAcct, waitAcct := l.loginAccount.Check(accountKey(email), now)
	if okAddr && okAcct {
		return true, 0
	}
	return false, max(waitAddr, waitAcct)
}

// FailLogin counts a failed sign-in as email against r's client and
// against the account.
func (l *Limits) FailLogin(r *http.Request, email string) {
	now := l.loginNow()
	l.loginAddr.Fail(l.ClientAddr(r).String(), now)
	l.loginAccount.Fail(accountKey(email), now)
}

// accountKey is the throttle key of an e-mail address.
func accountKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// limiter is a token bucket per client address. Buckets idle for longer
// than idleAfter are full again, so they are dropped to bound memory.
type limiter struct {
	perMinute int
	idleAfter time.Duration

	mu        sync.Mutex
	buckets   map[netip.Addr]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{
		perMinute: perMinute,
		idleAfter: 2 * time.Minute, // a bucket refills completely in one minute
		buckets:   make(map[netip.Addr]*bucket),
	}
}

// allow takes one token for addr at now. When none is left it returns
// false and how long until one is.
func (l *limiter) allow(addr netip.Addr, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.idleAfter {
		for a, b := range l.buckets {
			if now.Sub(b.seen) > l.idleAfter {
				delete(l.buckets, a)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[addr]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.buckets[addr] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// size is the number of tracked addresses (for tests).
func (l *limiter) size() int {
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
