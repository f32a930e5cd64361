package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

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
