package availability

import (
	"slices"
	"strconv"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Services that need several artisans together (Service.ArtisansNeeded):
// a slot is offered when at least that many of the service's artisans are
// free for the whole block, each by their own rules (hours, time off, busy
// times, bookings, daily cap), and, for a visit, one room is free. The
// slot lists every free one. A booking holds the number needed: those the
// customer chose, in the order given, then the free ones with the fewest
// bookings that local day, ties in catalogue order (the fairness rule of
// one artisan, applied in turn).

// team returns every artisan of svc, in catalogue order, and the
// candidate number of artisanID (-1 when it is "").
func team(s *booking.Schedule, svc *booking.Service, artisanID string) ([]*booking.Artisan, int, error) {
	_, cands, err := resolve(s, svc.ID, svc.Modes[0], "")
	if err != nil {
		return nil, 0, err
	}
	must := -1
	for i, a := range cands {
		if a.ID == artisanID {
			must = i
		}
	}
	return cands, must, nil
}

// slotTeam returns, for Slots, the candidates, how many of them a slot
// needs free and the candidate that must be among them (-1 for none): for
// a team every artisan of svc and the one asked for, else cands as they
// are.
func slotTeam(s *booking.Schedule, svc *booking.Service, artisanID string, cands []*booking.Artisan) ([]*booking.Artisan, int, int, error) {
	if svc.Needed() == 1 {
		return cands, 1, -1, nil
	}
	all, must, err := team(s, svc, artisanID)
	return all, svc.Needed(), must, err
}

// mustFit reports whether candidate must (-1: none) can take the block.
func (ix *index) mustFit(dy *day, must int, bs, be int64) bool {
	return must < 0 || ix.artisanProblem(dy, must, bs, be) == fits
}

// chosen folds r.ArtisanID and r.Artisans into one choice: for a service
// of one artisan ArtisanID (Artisans may name the same one), for a team
// Artisans with ArtisanID first.
func chosen(s *booking.Schedule, r Request) (Request, error) {
	svc := s.Service(r.ServiceID)
	if svc == nil || len(r.Artisans) == 0 && (svc.Needed() == 1 || r.ArtisanID == "") {
		return r, nil
	}
	if svc.Needed() == 1 {
		if len(r.Artisans) > 1 || r.ArtisanID != "" && r.ArtisanID != r.Artisans[0] {
			return r, invalidField("artisans", "this service is booked with one artisan")
		}
		r.ArtisanID, r.Artisans = r.Artisans[0], nil
		return r, nil
	}
	ids := slices.Clone(r.Artisans)
	if r.ArtisanID != "" {
		if i := slices.Index(ids, r.ArtisanID); i >= 0 {
			ids = slices.Delete(ids, i, i+1)
		}
		ids = slices.Insert(ids, 0, r.ArtisanID)
	}
	r.Artisans = ids
	return r, nil
}

// resolvePlace is resolve for Place: the request with its choice of
// artisans folded (chosen), the service, its candidates and, for a team,
// the candidate numbers of the chosen artisans.
func resolvePlace(s *booking.Schedule, r Request) (Request, *booking.Service, []*booking.Artisan, []int, error) {
	r, err := chosen(s, r)
	if err != nil {
		return r, nil, nil, nil, err
	}
	svc, cands, err := resolve(s, r.ServiceID, r.Mode, r.ArtisanID)
	if err != nil || svc.Needed() == 1 {
		return r, svc, cands, nil, err
	}
	cands, chose, err := teamOf(s, svc, r.Artisans)
	return r, svc, cands, chose, err
}

// teamOf returns every artisan of svc, in catalogue order, and the
// candidate numbers of the chosen ones, in the order chosen.
func teamOf(s *booking.Schedule, svc *booking.Service, ids []string) ([]*booking.Artisan, []int, error) {
	cands, _, err := team(s, svc, "")
	if err != nil {
		return nil, nil, err
	}
	need := svc.Needed()
	if len(ids) > need {
		return nil, nil, invalidField("artisans", "this service is booked with "+strconv.Itoa(need)+" artisans: name at most "+strconv.Itoa(need))
	}
	var chose []int
	for k, id := range ids {
		i := slices.IndexFunc(cands, func(a *booking.Artisan) bool { return a.ID == id })
		switch {
		case slices.Index(ids[:k], id) >= 0:
			return nil, nil, invalidField("artisans", "each artisan may be named once")
		case i < 0 && s.Artisan(id) == nil:
			return nil, nil, invalidField("artisans", "unknown artisan "+strconv.Quote(id))
		case i < 0:
			return nil, nil, invalidField("artisans", "the artisan "+strconv.Quote(id)+" does not offer the service")
		}
		chose = append(chose, i)
	}
	return cands, chose, nil
}

// placeTeam is Place for a service that needs several artisans: the
// chosen ones, each free, then the fairest free others (see above).
func placeTeam(s *booking.Schedule, ix *index, dy *day, r Request, svc *booking.Service, chose []int, say speaker, start, end, bs, be time.Time) (booking.Placement, error) {
	need := svc.Needed()
	bsN, beN := bs.UnixNano(), be.UnixNano()
	for _, i := range chose {
		if ix.artisanProblem(dy, i, bsN, beN) != fits {
			return booking.Placement{}, say.artisanError(s, ix, dy, i, r, svc, start, end, bs, be)
		}
	}
	var free []int
	taken := false
	for i := range ix.artisans {
		switch {
		case slices.Contains(chose, i):
		case ix.artisanProblem(dy, i, bsN, beN) == fits:
			free = append(free, i)
		default:
			taken = taken || say.artisanError(s, ix, dy, i, r, svc, start, end, bs, be).Reason == booking.ReasonTaken
		}
	}
	if len(chose)+len(free) < need {
		msg := "this appointment needs " + strconv.Itoa(need) + " artisans together and only " +
			strconv.Itoa(len(chose)+len(free)) + " of those who offer it are free at " + say.when(start)
		if taken {
			return booking.Placement{}, booking.ErrSlotUnavailable(msg)
		}
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonNotWorking, msg)
	}
	// Fewest bookings that day first; the sort is stable, so ties keep
	// catalogue order.
	slices.SortStableFunc(free, func(a, b int) int { return dy.bookings[a] - dy.bookings[b] })
	picks := append(slices.Clone(chose), free[:need-len(chose)]...)
	p := booking.Placement{ArtisanID: ix.artisans[picks[0]].ID}
	for _, i := range picks {
		p.Artisans = append(p.Artisans, ix.artisans[i].ID)
	}
	if ix.inPerson {
		room := ix.roomFree(bsN, beN)
		if room < 0 {
			return booking.Placement{}, booking.ErrSlotUnavailable("no consultation room is free then")
		}
		p.RoomID = ix.rooms[room].ID
	}
	return p, nil
}

// invalidField is an EINVALID error on one field of the request.
func invalidField(field, msg string) error {
	return booking.FieldErrors{field: msg}.Err()
}
