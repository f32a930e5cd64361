package httpx

import (
	"net/http/httptest"
	"net/netip"
	"testing"
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
