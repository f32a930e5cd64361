package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"DirectPeer", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"UntrustedPeerForwardedIgnored", "203.0.113.7:5555", []string{"198.51.100.1"}, "203.0.113.7"},
		{"TrustedPeer", "10.1.2.3:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"RightmostUntrusted", "10.1.2.3:80", []string{"1.1.1.1, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"SeveralHeaders", "10.1.2.3:80", []string{"1.1.1.1", "198.51.100.1"}, "198.51.100.1"},
		{"AllTrusted", "10.1.2.3:80", []string{"10.7.7.7"}, "10.7.7.7"},
		{"GarbageStops", "10.1.2.3:80", []string{"198.51.100.1, nonsense"}, "10.1.2.3"},
		{"NoHeader", "10.1.2.3:80", nil, "10.1.2.3"},
		{"IPv6Peer", "[::1]:80", []string{"2001:db8::5"}, "2001:db8::5"},
		{"MappedIPv4", "[::ffff:203.0.113.9]:80", nil, "203.0.113.9"},
		{"PortInForwarded", "10.1.2.3:80", []string{"198.51.100.1:4711"}, "198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddr(r, trusted); got.String() != tt.want {
				t.Errorf("clientAddr = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter[netip.Addr](3, time.Minute)
	a := netip.MustParseAddr("203.0.113.1")
	b := netip.MustParseAddr("203.0.113.2")
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	for i := range 3 {
		if ok, _ := l.allow(a, t0); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, wait := l.allow(a, t0)
	if ok || wait <= 0 || wait > 20*time.Second {
		t.Fatalf("fourth request: ok %v wait %v, want refused with a wait of at most 20s", ok, wait)
	}
	if got := retryAfter(wait); got != "20" {
		t.Errorf("Retry-After = %s, want 20", got)
	}
	if ok, _ := l.allow(b, t0); !ok {
		t.Error("another address shares the bucket")
	}
	if ok, _ := l.allow(a, t0.Add(20*time.Second)); !ok {
		t.Error("a token did not come back after 20s")
	}
	// Idle buckets are dropped on a later call.
	if n := l.size(); n != 2 {
		t.Fatalf("size = %d, want 2", n)
	}
	l.allow(b, t0.Add(10*time.Minute))
	if n := l.size(); n != 1 {
		t.Errorf("size after 10 idle minutes = %d, want 1 (only the caller)", n)
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{time.Millisecond, "1"}, {1500 * time.Millisecond, "2"}, {3 * time.Second, "3"}} {
		if got := retryAfter(tt.d); got != tt.want {
			t.Errorf("retryAfter(%v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}

// TestClientKey: an IPv6 client is limited by its /64, which a subscriber
// usually holds whole, so hopping between its addresses gains nothing;
// IPv4 clients stay one address each.
func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"2001:db8:1:2:aaaa::5", "2001:db8:1:2::"},
	} {
		if ka, kb := clientKey(netip.MustParseAddr(tc.a)), clientKey(netip.MustParseAddr(tc.b)); ka != kb {
			t.Errorf("%s and %s have keys %s and %s, want one /64", tc.a, tc.b, ka, kb)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"203.0.113.1", "203.0.113.2"},
	} {
		if ka, kb := clientKey(netip.MustParseAddr(tc.a)), clientKey(netip.MustParseAddr(tc.b)); ka == kb {
			t.Errorf("%s and %s share the key %s", tc.a, tc.b, ka)
		}
	}
}
