package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// Calendar subscription feeds: an ICS document of an artisan's bookings
// (or of everyone's, for admins) at a secret URL that calendar clients
// poll. The token in the URL is the only credential, so it is 256 random
// bits and only its SHA-256 is stored; rotating it stops the old URL at
// once.
//
// What a feed holds: confirmed bookings starting from FeedPast ago to
// FeedAhead ahead (or the booking horizon, if that is further), as VEVENTs
// with the same UID as the customer's invite, the service, mode, customer
// name and e-mail, and the meeting link or the room and address. Never the
// customer's phone number or notes, nor staff notes: a subscribed calendar
// is copied to phones and cloud accounts the atelier does not control.
//
// Cancelled bookings are left out rather than sent with STATUS:CANCELLED.
// A subscription is not iTIP: every client (Apple Calendar, Outlook,
// Thunderbird, Google Calendar) mirrors the feed, so an event missing from
// it is removed at the next refresh, while some of them (Google Calendar)
// show a STATUS:CANCELLED event as if it were still on.

// Feed window.
const (
	FeedPast  = 30 * 24 * time.Hour
	FeedAhead = 366 * 24 * time.Hour
)

// FeedDocument is a rendered feed.
type FeedDocument struct {
	Body []byte
	// ETag is a strong entity tag (with quotes) derived from Body.
	ETag string
}

// RotateArtisanFeed makes a new secret for the feed of artisan id (the
// artisan's own account or an admin) and returns it; any earlier one stops
// working. The secret is the feed's only credential: it is given only
// here (the adapter puts it in the feed's URL) and only its hash is kept.
func (a *App) RotateArtisanFeed(ctx context.Context, u *booking.User, id string) (string, error) {
	if err := requireArtisan(u, id); err != nil {
		return "", err
	}
	return a.rotateFeed(ctx, u, id)
}

// RevokeArtisanFeed stops the feed of artisan id (the artisan's own
// account or an admin). Revoking a feed that has no URL is not an error.
func (a *App) RevokeArtisanFeed(ctx context.Context, u *booking.User, id string) error {
	if err := requireArtisan(u, id); err != nil {
		return err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return err
	}
	if c.Artisan(id) == nil {
		return booking.ErrNotFound("artisan")
	}
	return a.revokeFeed(ctx, u, id)
}

// RotateAtelierFeed makes a new secret for the feed of every artisan's
// bookings (admins only), as RotateArtisanFeed does.
func (a *App) RotateAtelierFeed(ctx context.Context, u *booking.User) (string, error) {
	if err := requireAdmin(u); err != nil {
		return "", err
	}
	return a.rotateFeed(ctx, u, "")
}

// RevokeAtelierFeed stops the atelier-wide feed (admins only).
func (a *App) RevokeAtelierFeed(ctx context.Context, u *booking.User) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	return a.revokeFeed(ctx, u, "")
}

func (a *App) rotateFeed(ctx context.Context, u *booking.User, artisanID string) (string, error) {
	token, hash := newManageToken() // 256 random bits, base64url; SHA-256
	if err := a.store.SetFeedToken(ctx, artisanID, hash, u.Actor()); err != nil {
		return "", wrapStore("set feed token", err)
	}
	return token, nil
}

func (a *App) revokeFeed(ctx context.Context, u *booking.User, artisanID string) error {
	if _, err := a.store.DeleteFeedToken(ctx, artisanID, u.Actor()); err != nil {
		return internal("delete feed token", err)
	}
	return nil
}

// Feed renders the feed whose URL token is token. An unknown or revoked
// token, and the feed of an artisan no longer in the catalogue, are
// ENOTFOUND.
func (a *App) Feed(ctx context.Context, token string) (*FeedDocument, error) {
	if token == "" || len(token) > 128 {
		return nil, booking.ErrNotFound("feed")
	}
	artisanID, err := a.store.FeedByTokenHash(ctx, auth.HashSecret(token))
	if err != nil {
		return nil, wrapStore("look up feed", err)
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	at := &c.Atelier
	name := at.Name
	if artisanID != "" {
		ar := c.Artisan(artisanID)
		if ar == nil {
			return nil, booking.ErrNotFound("feed")
		}
		name = ar.Name + " · " + at.Name
	}
	now := a.now()
	ahead := max(FeedAhead, time.Duration(at.Rules.HorizonDays+1)*24*time.Hour)
	bs, err := a.store.Bookings(ctx, now.Add(-FeedPast), now.Add(ahead), artisanID)
	if err != nil {
		return nil, internal("list feed bookings", err)
	}
	events := make([]invite.Details, 0, len(bs))
	for i := range bs {
		if bs[i].Status != booking.Confirmed {
			continue
		}
		events = append(events, feedEvent(c, &bs[i], a.publicURL))
	}
	body, err := invite.Feed(invite.FeedInfo{Name: name, Location: at.Location, From: now.Add(-FeedPast), To: now.Add(ahead)}, events)
	if err != nil {
		return nil, internal("render feed", err)
	}
	sum := sha256.Sum256(body)
	return &FeedDocument{Body: body, ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}, nil
}

// feedEvent describes b for a staff calendar. It works on a copy with the
// customer's phone and notes removed, so that nothing private can reach
// the feed whatever invite.Feed does with them; for a visit the room's
// name goes before the address. DTSTAMP is the booking's last change, as
// RFC 5545 asks of a calendar without METHOD, so that an unchanged feed
// renders the same bytes (and ETag) on every request.
func feedEvent(c *booking.Catalog, orig *booking.Booking, publicURL string) invite.Details {
	b := *orig
	b.Customer.Phone, b.Notes = "", ""
	if b.Mode == booking.InPerson {
		loc := b.Location
		if loc == "" {
			loc = c.Atelier.Address
		}
		if room := roomName(c, b.RoomID); room != "" {
			loc = strings.TrimSuffix(room+", "+loc, ", ")
		}
		b.Location = loc
	}
	d := invite.Details{
		Booking:   &b,
		Atelier:   &c.Atelier,
		PublicURL: publicURL,
		Now:       b.UpdatedAt,
	}
	if d.Now.IsZero() {
		d.Now = b.CreatedAt
	}
	if d.Now.IsZero() {
		d.Now = b.Start
	}
	// A team's event names every one of its artisans (feeds are in English).
	d.ServiceName, d.ArtisanName = c.ServiceNameOf(&b), (*i18n.Catalogue)(nil).Lang("").Join(c.ArtisanNamesOf(&b))
	if a := c.Artisan(b.ArtisanID); a != nil {
		d.ArtisanEmail = a.Email
	}
	return d
}

func roomName(c *booking.Catalog, id string) string {
	for _, r := range c.Atelier.Rooms {
		if r.ID == id {
			return r.Name
		}
	}
	return ""
}
