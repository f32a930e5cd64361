// Package mailaddr handles internationalised e-mail addresses (RFC 6530):
// a domain with non-ASCII letters is sent as IDNA A-labels (punycode),
// which every mail server accepts; a local part with non-ASCII letters can
// only be delivered through a server that offers SMTPUTF8 (RFC 6531).
package mailaddr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrDomain is returned for a domain that is not a valid (internationalised)
// host name.
var ErrDomain = errors.New("not a valid domain name")

// Split splits a bare address ("ana@example.com") at its last '@'.
func Split(addr string) (local, domain string, ok bool) {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", "", false
	}
	return addr[:at], addr[at+1:], true
}

// ASCIIDomain returns domain as IDNA A-labels ("bücher.de" →
// "xn--bcher-kva.de"), mapped and checked with the UTS #46 lookup profile
// (what browsers and mail clients do with a typed name). An ASCII domain
// without A-labels is returned unchanged; one with A-labels is checked.
func ASCIIDomain(domain string) (string, error) {
	if isASCII(domain) && !strings.Contains(strings.ToLower(domain), "xn--") {
		return domain, nil
	}
	a, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrDomain, domain, err)
	}
	if len(a) > 253 {
		return "", fmt.Errorf("%w: %q is longer than 253 octets", ErrDomain, domain)
	}
	for _, l := range strings.Split(a, ".") {
		if l == "" || len(l) > 63 {
			return "", fmt.Errorf("%w: %q has an empty or too long label", ErrDomain, domain)
		}
	}
	return a, nil
}

// ToASCII returns addr with its domain in A-labels; the local part is
// kept as it is (a server that offers SMTPUTF8 takes it in UTF-8).
func ToASCII(addr string) (string, error) {
	local, domain, ok := Split(addr)
	if !ok {
		return "", fmt.Errorf("mailaddr: %q is not an address", addr)
	}
	d, err := ASCIIDomain(domain)
	if err != nil {
		return "", err
	}
	return local + "@" + d, nil
}

// UTF8Local reports whether addr's local part has non-ASCII letters, so
// that it can only be sent with SMTPUTF8.
func UTF8Local(addr string) bool {
	local, _, ok := Split(addr)
	if !ok {
		return !isASCII(addr)
	}
	return !isASCII(local)
}

// Mailto returns the mailto: URI of addr (RFC 6068): the domain in
// A-labels, and in the local part non-ASCII octets and characters a URI
// cannot hold percent-encoded. An address whose domain does not convert
// is written with its domain percent-encoded too.
func Mailto(addr string) string {
	addr = strings.TrimSpace(addr)
	local, domain, ok := Split(addr)
	if !ok {
		return "mailto:" + escape(addr)
	}
	if d, err := ASCIIDomain(domain); err == nil {
		domain = d
	} else {
		domain = escape(domain)
	}
	return "mailto:" + escape(local) + "@" + domain
}

func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c <= ' ' || strings.IndexByte("\"%<>\\^`{|}?#[]", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Equal reports whether a and b name the same mailbox, as the reader of
// replies compares a reply's addresses with a booking's customer. Both are
// trimmed; the domains are compared case-insensitively once both are in
// IDNA A-labels (so "Bücher.de" and "xn--bcher-kva.de" are the same), and
// the local parts case-insensitively too: RFC 5321 lets a server tell
// "Ana" from "ana", but no mail service our customers use does, and the
// address a customer typed when booking is often capitalised otherwise
// than the one their calendar writes. An address without a domain, or
// with a domain in A-labels or non-ASCII letters that is not a valid
// name, equals nothing.
func Equal(a, b string) bool {
	la, da, ok1 := Split(strings.TrimSpace(a))
	lb, db, ok2 := Split(strings.TrimSpace(b))
	if !ok1 || !ok2 || !strings.EqualFold(la, lb) {
		return false
	}
	xa, err1 := ASCIIDomain(da)
	xb, err2 := ASCIIDomain(db)
	return err1 == nil && err2 == nil && strings.EqualFold(strings.TrimSuffix(xa, "."), strings.TrimSuffix(xb, "."))
}
