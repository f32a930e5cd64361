package availability

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// A set reads back the artisans it was made of, in order, across the
// words of its bits (more than 64 and 128 candidates).
func TestArtisanSet(t *testing.T) {
	var cands []string
	for i := range 150 {
		cands = append(cands, fmt.Sprintf("a%03d", i))
	}
	r := rand.New(rand.NewPCG(18, 3))
	for range 200 {
		var in []int
		var want []string
		for i := range cands {
			if r.IntN(4) == 0 {
				in = append(in, i)
				want = append(want, cands[i])
			}
		}
		s := ArtisanSubset(cands, in...)
		if got := s.IDs(); !slices.Equal(got, want) || s.Len() != len(want) {
			t.Fatalf("IDs %v (Len %d), want %v", got, s.Len(), want)
		}
		for i, id := range cands {
			if got := s.Contains(id); got != slices.Contains(in, i) {
				t.Fatalf("Contains(%s) = %v", id, got)
			}
		}
		if len(want) > 0 && s.First() != want[0] {
			t.Fatalf("First %q, want %q", s.First(), want[0])
		}
		if !s.Equal(NewArtisanSet(want...)) || !NewArtisanSet(want...).Equal(s) {
			t.Fatalf("%v is not equal to the same ids over another list", want)
		}
		if len(want) > 0 && s.Equal(ArtisanSubset(cands, in[1:]...)) {
			t.Fatalf("%v equals itself without %s", want, want[0])
		}
	}
	var zero ArtisanSet
	if zero.Len() != 0 || zero.IDs() == nil || len(zero.IDs()) != 0 || zero.First() != "" || zero.Contains("") ||
		!zero.Equal(ArtisanSubset(cands)) || !ArtisanSubset(cands).Equal(zero) {
		t.Fatalf("the zero set is not empty")
	}
	if NewArtisanSet("b", "a").First() != "b" {
		t.Fatalf("NewArtisanSet does not keep its order")
	}
}

// With many artisans (two and three words of bits), every slot lists
// exactly the artisans the naive model finds free, and neighbouring slots
// free for the same artisans share one set.
func TestSlotsManyArtisans(t *testing.T) {
	loc := mustLoad(t, "Europe/London")
	r := rand.New(rand.NewPCG(18, 4))
	for _, nArt := range []int{64, 65, 130, 150} {
		s := &booking.Schedule{Catalog: booking.Catalog{
			Atelier: booking.Atelier{
				Location: loc, Timezone: "Europe/London", Rooms: []booking.Room{{ID: "r1"}, {ID: "r2"}}, Hours: everyDay(t, "09:00-18:00"),
				Rules: booking.Rules{MinNotice: time.Hour, HorizonDays: 30, SlotInterval: 30 * time.Minute},
			},
			Services: []booking.Service{{ID: "svc", Duration: time.Hour, Modes: []booking.Mode{booking.Virtual, booking.InPerson},
				Buffers: map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 15 * time.Minute}}}},
		}}
		// 2026-03-28 to 30: across the clock change.
		from := time.Date(2026, 3, 28, 0, 0, 0, 0, loc)
		now := from.Add(-2 * time.Hour)
		for i := range nArt {
			id := fmt.Sprintf("a%03d", i)
			hours := everyDay(t, "09:00-18:00")
			if i%7 == 3 {
				hours = everyDay(t, "12:00-16:00")
			}
			a := booking.Artisan{ID: id, Services: []string{"svc"}, Hours: hours, DailyCap: r.IntN(3) * 2}
			if r.IntN(5) == 0 {
				st := from.Add(time.Duration(r.IntN(72)) * time.Hour)
				a.TimeOff = []booking.TimeOff{{Start: st, End: st.Add(3 * time.Hour)}}
			}
			if r.IntN(9) > 0 {
				s.Services[0].Artisans = append(s.Services[0].Artisans, id)
			}
			s.Artisans = append(s.Artisans, a)
		}
		for k := range nArt * 3 {
			st := from.Add(time.Duration(r.IntN(72*2)) * 30 * time.Minute)
			mode, room := booking.Virtual, ""
			if k%15 == 0 {
				mode, room = booking.InPerson, []string{"r1", "r2"}[k%2]
			}
			end, bs, be := Times(&s.Services[0], mode, st)
			s.Bookings = append(s.Bookings, booking.Booking{ID: fmt.Sprintf("b%d", k), Status: booking.Confirmed, ServiceID: "svc",
				Mode: mode, ArtisanID: s.Artisans[r.IntN(nArt)].ID, RoomID: room, Start: st, End: end, BlockStart: bs, BlockEnd: be})
		}
		for _, mode := range []booking.Mode{booking.Virtual, booking.InPerson} {
			q := Query{ServiceID: "svc", Mode: mode, From: from, To: from.AddDate(0, 0, 3)}
			slots, err := Slots(s, q, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) < 20 {
				t.Fatalf("%d artisans, %s: %d slots: the calendar is meant to be mostly free", nArt, mode, len(slots))
			}
			n := &naive{s: s, loc: loc, first: map[[2]int64]time.Time{}, grids: map[booking.Date][]time.Time{}}
			got := map[int64][]string{}
			shared := 0
			for i, sl := range slots {
				got[sl.Start.UnixNano()] = sl.Artisans.IDs()
				if i > 0 && sl.Artisans.Equal(slots[i-1].Artisans) {
					if sl.Artisans.p != slots[i-1].Artisans.p {
						t.Errorf("%d artisans: the slots at %v and before are free for the same artisans in two sets", nArt, sl.Start)
					}
					shared++
				}
			}
			if shared == 0 {
				t.Errorf("%d artisans, %s: no two neighbouring slots share their artisans: the test checks no sharing", nArt, mode)
			}
			want := map[int64][]string{}
			for d := n.dayOf(q.From); d.Before(n.dayOf(q.To)); d = d.AddDays(1) {
				for _, st := range n.grid(d) {
					var free []string
					for i := range s.Artisans {
						if ok, _ := n.free(&s.Services[0], mode, &s.Artisans[i], st, now, ""); ok {
							free = append(free, s.Artisans[i].ID)
						}
					}
					if len(free) > 0 {
						want[st.UnixNano()] = free
					}
				}
			}
			for st, ids := range want {
				if !slices.Equal(got[st], ids) {
					t.Errorf("%d artisans, %s: at %v got %v, naive finds %v free", nArt, mode, time.Unix(0, st).In(loc), got[st], ids)
				}
			}
			for st, ids := range got {
				if _, ok := want[st]; !ok {
					t.Errorf("%d artisans, %s: slot %v %v is not free by the naive check", nArt, mode, time.Unix(0, st).In(loc), ids)
				}
			}
		}
	}
}
