// Package meeting gives virtual bookings a video-call link when they are
// made: a room with an unguessable name on a Jitsi server, or a fixed link
// per artisan (a personal Zoom room, say).
package meeting

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/atelier-app/atelier/internal/booking"
)

// Linker returns the video-call link for a virtual booking.
type Linker interface {
	Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error)
}

// DefaultJitsiBaseURL is the public Jitsi server used when none is configured.
const DefaultJitsiBaseURL = "https://meet.jit.si"

// Jitsi makes a new room for every booking on a Jitsi Meet server. Room
// names are a readable prefix and 128 random bits, so nobody can guess a
// customer's room.
type Jitsi struct {
	BaseURL string    // e.g. https://meet.jit.si; DefaultJitsiBaseURL when empty
	Prefix  string    // readable start of the room name; "atelier" when empty
	Rand    io.Reader // crypto/rand.Reader when nil (tests may fix it)
}

var unsafeRoomChars = regexp.MustCompile(`[^A-Za-z0-9-]+`)

// Link implements Linker.
func (j Jitsi) Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	base := j.BaseURL
	if base == "" {
		base = DefaultJitsiBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("meeting: jitsi base URL %q is not an http(s) URL", base)
	}
	r := j.Rand
	if r == nil {
		r = rand.Reader
	}
	var secret [16]byte // 128 bits
	if _, err := io.ReadFull(r, secret[:]); err != nil {
		return "", fmt.Errorf("meeting: random room name: %w", err)
	}
	prefix := j.Prefix
	if prefix == "" {
		prefix = "atelier"
	}
	if a != nil && a.ID != "" {
		prefix += "-" + a.ID
	}
	prefix = strings.Trim(unsafeRoomChars.ReplaceAllString(prefix, "-"), "-")
	room := prefix + "-" + base64.RawURLEncoding.EncodeToString(secret[:])
	return strings.TrimRight(u.String(), "/") + "/" + room, nil
}

// Static gives each artisan a fixed link (from artisans[].meeting_url),
// and asks Fallback for artisans without one.
type Static struct {
	URLs     map[string]string // artisan id → link
	Fallback Linker            // may be nil
}

// ErrNoLink is returned by Static for an artisan with no link and no
// fallback.
var ErrNoLink = &booking.Error{Kind: booking.EINTERNAL, Code: booking.CodeInternal, Message: "no meeting link configured for this artisan"}

// Link implements Linker.
func (s Static) Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	id := ""
	if a != nil && a.MeetingURL != "" {
		return a.MeetingURL, nil // the catalogue's, which an admin may have changed
	}
	if a != nil {
		id = a.ID
	} else if b != nil {
		id = b.ArtisanID
	}
	if l := s.URLs[id]; l != "" {
		return l, nil
	}
	if s.Fallback != nil {
		return s.Fallback.Link(ctx, b, a)
	}
	return "", fmt.Errorf("meeting: artisan %q: %w", id, ErrNoLink)
}

// Config is the meetings section of the configuration.
type Config struct {
	Provider     string            // "jitsi" (default) or "static"
	JitsiBaseURL string            // meetings.jitsi_base_url
	ArtisanURLs  map[string]string // artisans[].meeting_url, by artisan id
}

// New returns the Linker for c: "jitsi" makes a new room for every
// booking; "static" uses the artisan's own link, and gives artisans without
// one a Jitsi room, so every virtual booking has a working link.
func New(c Config) (Linker, error) {
	jitsi := Jitsi{BaseURL: c.JitsiBaseURL}
	if _, err := jitsi.Link(context.Background(), nil, nil); err != nil {
		return nil, err
	}
	for id, l := range c.ArtisanURLs {
		if l == "" {
			continue
		}
		if u, err := url.Parse(l); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("meeting: artisan %q: meeting_url %q is not an http(s) URL", id, l)
		}
	}
	switch c.Provider {
	case "", "jitsi":
		return jitsi, nil
	case "static":
		return Static{URLs: c.ArtisanURLs, Fallback: jitsi}, nil
	default:
		return nil, fmt.Errorf("meeting: unknown provider %q (want jitsi or static)", c.Provider)
	}
}
