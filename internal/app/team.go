package app

import (
	"slices"
	"strconv"

	"github.com/atelier-app/atelier/internal/booking"
)

// Services that need several artisans together (booking.Service.ArtisansNeeded).

// validateArtisans checks the artisans a booking request chose, adding
// field errors to errs, and returns the booking's first artisan: artisan,
// else the first of artisans. For a service of one artisan, artisans may
// name that one only.
func validateArtisans(c *booking.Catalog, errs booking.FieldErrors, svc *booking.Service, artisan string, artisans []string) string {
	if len(artisans) == 0 {
		return artisan
	}
	need := 1
	if svc != nil {
		need = svc.Needed()
	}
	switch {
	case len(artisans) > need && need == 1:
		errs.Add("artisans", "this service is booked with one artisan")
	case len(artisans) > need:
		errs.Add("artisans", "this service is booked with "+strconv.Itoa(need)+" artisans: choose at most "+strconv.Itoa(need))
	case artisan != "" && artisan != artisans[0]:
		errs.Add("artisan", "must be the first of artisans (or left out)")
	}
	for i, id := range artisans {
		key := "artisans[" + strconv.Itoa(i) + "]"
		switch ar := c.Artisan(id); {
		case id == "":
			errs.Add(key, "is empty")
		case slices.Index(artisans[:i], id) >= 0:
			errs.Add(key, "is named twice")
		case ar == nil:
			errs.Add(key, "unknown artisan")
		case svc != nil && !hosts(svc, ar):
			errs.Add(key, "does not offer this service")
		}
	}
	return artisans[0]
}

// keepTeam sets m.team for a booking of several artisans: those of them
// who still offer its service. A move with no artisan asked for, or with
// one of the team asked for (a tile dragged in that artisan's column of
// the calendar, an artisan account's own move), keeps them all, the
// booking's own artisan still first (the move is refused with
// slot_unavailable when one of them is not free then); "any" tries them
// first; another artisan's id asks for that artisan and lets the engine
// choose the others.
func keepTeam(m *move, svc *booking.Service, asked string) {
	m.team = teamOf(m.b, m.c, svc)
	if keepsTeam(m.team, asked) {
		m.req.ArtisanID, m.req.Artisans = m.team[0], m.team
	}
}

// keepsTeam reports whether a move of a booking of team (teamOf) asking
// for asked keeps the whole team: asked is none or one of them.
func keepsTeam(team []string, asked string) bool {
	return len(team) > 0 && (asked == "" || slices.Contains(team, asked))
}

// teamOf is, for a booking b of several artisans, those of them who still
// offer its service svc, b's own artisan first when they do; nil for a
// booking of one artisan.
func teamOf(b *booking.Booking, c *booking.Catalog, svc *booking.Service) []string {
	if svc == nil || svc.Needed() < 2 || len(b.Extras()) == 0 {
		return nil
	}
	var team []string
	for _, id := range b.ArtisanIDs() {
		if hosts(svc, c.Artisan(id)) && len(team) < svc.Needed() {
			team = append(team, id)
		}
	}
	return team
}

// applyTeam sets the number of artisans each booking of s takes, checked
// against the artisans who offer it (also when only those change).
func applyTeam(s *booking.ServiceItem, req ServiceRequest, errs booking.FieldErrors) {
	if req.ArtisansNeeded == nil && req.Artisans == nil {
		return
	}
	n := s.Needed()
	if req.ArtisansNeeded != nil {
		n = *req.ArtisansNeeded
	}
	switch {
	case n < 1:
		errs.Add("artisans_needed", "must be at least 1")
	case n > len(s.Artisans):
		errs.Add("artisans_needed", "is "+strconv.Itoa(n)+" but only "+strconv.Itoa(len(s.Artisans))+" artisans offer this service")
	case n == 1:
		s.ArtisansNeeded = 0 // one is the zero value, as the stores keep it
	default:
		s.ArtisansNeeded = n
	}
}

// ownBusy is the booking's own time in each of its artisans' calendars,
// which Google reports as busy while the booking is moved.
func ownBusy(b *booking.Booking) []booking.Busy {
	var out []booking.Busy
	for _, id := range b.ArtisanIDs() {
		out = append(out, booking.Busy{ArtisanID: id, Start: b.Start, End: b.End})
	}
	return out
}
