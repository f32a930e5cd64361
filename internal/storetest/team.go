package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// teamCatalog is Catalog with a third artisan and a service that needs two
// of its three artisans together.
func teamCatalog() *booking.Catalog {
	c := Catalog()
	week := c.Artisans[0].Hours
	c.Services = append(c.Services, booking.Service{
		ID: "duo", Name: "Design with goldsmith and gemmologist", Duration: 60 * time.Minute,
		Modes:          []booking.Mode{booking.InPerson, booking.Virtual},
		Buffers:        map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 10 * time.Minute}, booking.Virtual: {}},
		ArtisansNeeded: 2,
	})
	c.Artisans = append(c.Artisans, booking.Artisan{ID: "cal", Name: "Cal", Email: "cal@example.com", Services: []string{"duo"}, Hours: week})
	for i := range c.Artisans[:2] {
		c.Artisans[i].Services = append(c.Artisans[i].Services, "duo")
		c.Artisans[i].TimeOff = nil
	}
	return c
}

// TeamCatalog is teamCatalog, for other packages' tests (dbcopy): Catalog
// with a third artisan, cal, and a service, duo, that needs two artisans.
func TeamCatalog() *booking.Catalog { return teamCatalog() }

// TeamBooking is teamBooking, for other packages' tests, with the
// placement that takes exactly the artisans given.
func TeamBooking(id string, start time.Time, artisans ...string) (booking.NewBooking, booking.PlaceFunc) {
	nb := teamBooking(id, start, artisans...)
	return nb, blindTeam(nb)
}

// teamBooking is the NewBooking of service duo with artisans, at start.
func teamBooking(id string, start time.Time, artisans ...string) booking.NewBooking {
	nb := newBooking(req{ID: id, Service: "design", Start: start})
	nb.Booking.ServiceID = "duo"
	nb.Booking.End = start.Add(time.Hour)
	nb.Booking.BlockStart, nb.Booking.BlockEnd = start, start.Add(time.Hour)
	nb.Booking.ArtisanID = artisans[0]
	nb.Booking.Artisans = artisans
	return nb
}

// teamPlace is place for any number of artisans: each must be free over
// the block in the schedule, as one of a team or as a booking's own.
func teamPlace(nb booking.NewBooking, self string) booking.PlaceFunc {
	b := nb.Booking
	return func(s *booking.Schedule) (booking.Placement, error) {
		for _, o := range s.Bookings {
			if o.ID == self || !booking.Overlaps(b.BlockStart, b.BlockEnd, o.BlockStart, o.BlockEnd) {
				continue
			}
			for _, id := range b.ArtisanIDs() {
				if o.HasArtisan(id) {
					return booking.Placement{}, booking.ErrSlotUnavailable(id + " is busy")
				}
			}
		}
		p := booking.Placement{ArtisanID: b.ArtisanID}
		if len(b.Artisans) > 1 {
			p.Artisans = b.Artisans
		}
		return p, nil
	}
}

// blindTeam accepts everything: only the database stands in the way.
func blindTeam(nb booking.NewBooking) booking.PlaceFunc {
	return func(*booking.Schedule) (booking.Placement, error) {
		p := booking.Placement{ArtisanID: nb.Booking.ArtisanID}
		if len(nb.Booking.Artisans) > 1 {
			p.Artisans = nb.Booking.Artisans
		}
		return p, nil
	}
}

// A booking of a service that needs two artisans holds both: the schedule
// and the staff's lists show each of them busy, the database refuses an
// overlap of either (as a booking's own artisan or as one of another
// team), a cancel frees both and a move moves both.
func testTeams(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, teamCatalog())
	b, _, err := e.st.CreateBooking(ctx, teamBooking("bk_team1", at(11, 0), "ana", "ben"), teamPlace(teamBooking("bk_team1", at(11, 0), "ana", "ben"), ""))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ana", "ben"}; !slices.Equal(b.ArtisanIDs(), want) || b.ArtisanID != "ana" {
		t.Fatalf("created with %q %v, want %v", b.ArtisanID, b.ArtisanIDs(), want)
	}
	got, err := e.st.Booking(ctx, b.ID)
	if err != nil || !slices.Equal(got.ArtisanIDs(), []string{"ana", "ben"}) {
		t.Fatalf("read back %v (%v), want [ana ben]", got, err)
	}

	holds := func(t *testing.T, artisan string, want bool) {
		t.Helper()
		s, err := e.st.Schedule(ctx, at(0, 0), at(23, 0))
		if err != nil {
			t.Fatal(err)
		}
		busy := slices.ContainsFunc(s.Bookings, func(o booking.Booking) bool { return o.ID == b.ID && o.HasArtisan(artisan) })
		if busy != want {
			t.Errorf("schedule: %s busy with the team booking = %v, want %v (%+v)", artisan, busy, want, s.Bookings)
		}
		list, err := e.st.Bookings(ctx, at(0, 0), at(23, 0), artisan)
		if err != nil {
			t.Fatal(err)
		}
		listed := slices.ContainsFunc(list, func(o booking.Booking) bool { return o.ID == b.ID })
		if !listed {
			t.Errorf("%s's bookings do not list the team booking", artisan)
		}
	}
	holds(t, "ana", true)
	holds(t, "ben", true)

	// The database refuses each overlap, however the placement was made.
	refused := func(t *testing.T, what string, nb booking.NewBooking) {
		t.Helper()
		_, _, err := e.st.CreateBooking(ctx, nb, blindTeam(nb))
		if booking.ErrorCode(err) != booking.CodeSlotUnavailable {
			t.Errorf("%s: %v, want slot_unavailable", what, err)
		}
	}
	alone := newBooking(req{ID: "bk_alone", Artisan: "ben", Start: at(11, 30)})
	refused(t, "ben alone over the team's time", alone)
	refused(t, "another team sharing ben", teamBooking("bk_team2", at(11, 30), "cal", "ben"))
	refused(t, "another team sharing ana", teamBooking("bk_team3", at(10, 30), "ana", "cal"))
	other := e.mustCreate(t, req{ID: "bk_cal", Service: "design", Artisan: "ben", Start: at(14, 0)})
	refused(t, "a team whose second is booked alone", teamBooking("bk_team4", at(14, 0), "cal", "ben"))
	if got := len(e.stored(t)); got != 2 {
		t.Errorf("%d bookings stored, want 2", got)
	}

	// A move moves both: the old time is free for ben, the new one not.
	moved, err := e.st.RescheduleBooking(ctx, b.ID, at(16, 0), at(17, 0), at(16, 0), at(17, 0), booking.Actor{Kind: "staff"},
		func(s *booking.Schedule) (booking.Placement, error) {
			return teamPlace(teamBooking(b.ID, at(16, 0), "ana", "ben"), b.ID)(s)
		})
	if err != nil || !slices.Equal(moved.ArtisanIDs(), []string{"ana", "ben"}) {
		t.Fatalf("move: %v %v", moved, err)
	}
	refused(t, "ben alone over the moved team", newBooking(req{ID: "bk_alone2", Artisan: "ben", Start: at(16, 0)}))
	if _, _, err := e.st.CreateBooking(ctx, alone, blindTeam(alone)); err != nil {
		t.Errorf("ben alone at the team's old time: %v", err)
	}
	// A move of a team onto ben's own booking is refused and changes nothing.
	_, err = e.st.RescheduleBooking(ctx, b.ID, at(14, 0), at(15, 0), at(14, 0), at(15, 0), booking.Actor{Kind: "staff"},
		func(*booking.Schedule) (booking.Placement, error) {
			return booking.Placement{ArtisanID: "ana", Artisans: []string{"ana", "ben"}}, nil
		})
	if booking.ErrorCode(err) != booking.CodeSlotUnavailable {
		t.Errorf("team moved onto %s's time: %v, want slot_unavailable", other.ID, err)
	}

	// A cancel frees both.
	if _, err := e.st.CancelBooking(ctx, b.ID, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ana", "ben"} {
		nb := newBooking(req{ID: "bk_after_" + id, Artisan: id, Start: at(16, 0)})
		if _, _, err := e.st.CreateBooking(ctx, nb, blindTeam(nb)); err != nil {
			t.Errorf("%s after the team's cancel: %v", id, err)
		}
	}
}

// Customers book two teams at once that share one artisan at the same
// time (half ana with ben, half ben with cal): exactly one booking is
// made, by the store's re-check and, with the check bypassed, by the
// database alone.
func testTeamRace(t *testing.T, open Opener) {
	for _, blind := range []bool{false, true} {
		name := map[bool]string{false: "Checked", true: "Constraint"}[blind]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, open, teamCatalog())
			var (
				wg            sync.WaitGroup
				mu            sync.Mutex
				ok, conflicts int
				others        []error
				start         = make(chan struct{})
				teams         = [][]string{{"ana", "ben"}, {"cal", "ben"}}
				customers     = RaceCustomers / 2
			)
			for i := range customers {
				wg.Go(func() {
					nb := teamBooking("", at(11, 0), teams[i%2]...)
					pf := teamPlace(nb, "")
					if blind {
						pf = blindTeam(nb)
					}
					<-start
					_, _, err := e.st.CreateBooking(context.Background(), nb, pf)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case booking.ErrorCode(err) == booking.CodeSlotUnavailable:
						conflicts++
					default:
						others = append(others, err)
					}
				})
			}
			close(start)
			wg.Wait()
			for _, err := range others {
				t.Errorf("unexpected error: %v", err)
			}
			if ok != 1 || conflicts != customers-1 {
				t.Errorf("got %d bookings and %d conflicts, want 1 and %d", ok, conflicts, customers-1)
			}
			if got := e.stored(t); len(got) != 1 {
				t.Errorf("%d bookings stored, want 1", len(got))
			}
		})
	}
}
