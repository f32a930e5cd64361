package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// createFor makes the booking r for customer c, one minute after the
// previous one (so "the latest booking" is well defined).
func (e *env) createFor(t *testing.T, r req, c booking.Customer) *booking.Booking {
	t.Helper()
	e.setClock(e.now().Add(time.Minute))
	nb := newBooking(r)
	nb.Booking.Customer = c
	b, _, err := e.st.CreateBooking(context.Background(), nb, place(nb, ""))
	if err != nil {
		t.Fatalf("create booking %+v: %v", r, err)
	}
	return b
}

func bookingIDs(bs []booking.Booking) []string {
	out := make([]string, len(bs))
	for i := range bs {
		out[i] = bs[i].ID
	}
	return out
}

// testCustomers: one customer per e-mail address in any case, with an id
// that does not show the address; the search finds bookings and customers
// by part of a name, e-mail address, phone digits or reference, in any
// case, within an artisan's bookings when asked, at most the limit; notes
// are kept per customer.
func testCustomers(t *testing.T, open Opener) {
	f := newCustomerFixture(t, open)
	t.Run("IDs", f.ids)
	t.Run("SearchBookings", f.searchBookings)
	t.Run("SearchCustomers", f.searchCustomers)
	t.Run("Profile", f.profile)
	t.Run("History", f.history)
	t.Run("Notes", f.notes)
}

// customerFixture is three bookings of two customers: Cleo (twice, with
// ana and then ben, her address in two cases) and Ada (with ana).
type customerFixture struct {
	e             *env
	c1, c2, a1    *booking.Booking
	cleoID, adaID string
}

func newCustomerFixture(t *testing.T, open Opener) *customerFixture {
	e := newEnv(t, open, Catalog())
	cleo := booking.Customer{Name: "Cleo Customer", Email: "Cleo@Example.com", Phone: "+65 8000 0000", Timezone: "Asia/Singapore"}
	ada := booking.Customer{Name: "Ada Lovelace", Email: "ada@example.org", Phone: "+44 (20) 7946-0018", Timezone: "Europe/London"}
	c1 := e.createFor(t, req{ID: "bk_cust1", Artisan: "ana", Start: at(10, 0)}, cleo)
	cleo2 := cleo
	cleo2.Name, cleo2.Email, cleo2.Phone = "Cleo Marchetti", "cleo@example.com", ""
	c2 := e.createFor(t, req{ID: "bk_cust2", Artisan: "ben", Start: at(14, 0)}, cleo2)
	a1 := e.createFor(t, req{ID: "bk_cust3", Artisan: "ana", Start: at(15, 0)}, ada)
	f := &customerFixture{e: e, c1: c1, c2: c2, a1: a1}
	ids, err := e.st.CustomerIDs(context.Background(), "cleo@EXAMPLE.com", "ada@example.org")
	if err != nil || len(ids) != 2 {
		t.Fatalf("customer ids: %v, %v", ids, err)
	}
	f.cleoID, f.adaID = ids["cleo@EXAMPLE.com"], ids["ada@example.org"]
	return f
}

func (f *customerFixture) ids(t *testing.T) {
	ids, err := f.e.st.CustomerIDs(context.Background(), "CLEO@example.com", "ada@EXAMPLE.org", "nobody@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cleoID, adaID := ids["CLEO@example.com"], ids["ada@EXAMPLE.org"]
	if !strings.HasPrefix(cleoID, "cu_") || !strings.HasPrefix(adaID, "cu_") || cleoID == adaID || len(ids) != 2 {
		t.Fatalf("customer ids %v: want two distinct cu_ ids and none for an unknown address", ids)
	}
	if strings.Contains(strings.ToLower(cleoID), "cleo") || strings.Contains(cleoID, "example") {
		t.Errorf("the customer id %q shows the address", cleoID)
	}
	if cleoID != f.cleoID {
		t.Errorf("cleo's id %q in one case, %q in another", cleoID, f.cleoID)
	}
}

func (f *customerFixture) searchBookings(t *testing.T) {
	ctx, e, c1, c2, a1 := context.Background(), f.e, f.c1, f.c2, f.a1
	search := func(q string, artisan string, limit int) []string {
		t.Helper()
		bs, err := e.st.SearchBookings(ctx, booking.SearchQuery{Terms: booking.SearchTerms(q), ArtisanID: artisan, Limit: limit})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return bookingIDs(bs)
	}
	for _, tc := range []struct {
		name, q, artisan string
		want             []string
	}{
		{"PartOfName", "love", "", []string{a1.ID}},
		{"NameAnyCase", "LOVELACE", "", []string{a1.ID}},
		{"ShortTerm", "ad", "", []string{a1.ID}},
		{"EmailAnyCase", "CLEO@EXAMPLE", "", []string{c2.ID, c1.ID}},
		{"UpperCaseReference", "BK_CUST2", "", []string{c2.ID}},
		{"PhoneWithSpacesAndPlus", "+44 20 7946 0018", "", []string{a1.ID}},
		{"PhoneDigits", "79460018", "", []string{a1.ID}},
		{"EveryTerm", "cleo marchetti", "", []string{c2.ID}},
		{"NoMatch", "zzz", "", nil},
		{"TermsOfTwoPeople", "ada cleo", "", nil},
		{"ArtisanOnly", "cleo", "ana", []string{c1.ID}},
		{"QuoteInTerm", `cl"eo`, "", nil},
		{"Wildcards", "%_", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := search(tc.q, tc.artisan, 10); !slices.Equal(got, tc.want) {
				t.Errorf("search %q: %v, want %v", tc.q, got, tc.want)
			}
		})
	}
	if got := search("example", "", 2); len(got) != 2 || got[0] != a1.ID {
		t.Errorf("search with limit 2: %v, want the 2 latest starts", got)
	}
}

func (f *customerFixture) searchCustomers(t *testing.T) {
	ctx, e, cleoID := context.Background(), f.e, f.cleoID
	cs, err := e.st.SearchCustomers(ctx, booking.SearchQuery{Terms: booking.SearchTerms("cleo"), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].ID != cleoID || cs[0].Bookings != 2 || cs[0].Name != "Cleo Marchetti" ||
		cs[0].Email != "cleo@example.com" || cs[0].Phone != "+65 8000 0000" {
		t.Fatalf("customers found by cleo: %+v, want one with 2 bookings, the latest name and address and the latest phone given", cs)
	}
	if cs, err := e.st.SearchCustomers(ctx, booking.SearchQuery{Terms: booking.SearchTerms("example"), ArtisanID: "ben", Limit: 10}); err != nil || len(cs) != 1 || cs[0].Bookings != 1 {
		t.Errorf("customers of ben: %+v, %v; want cleo with her one booking with ben", cs, err)
	}
}

func (f *customerFixture) profile(t *testing.T) {
	ctx, e, cleoID, adaID := context.Background(), f.e, f.cleoID, f.adaID
	got, err := e.st.Customer(ctx, cleoID, "")
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastSeen.Equal(at(14, 0)) || got.FirstBooked.IsZero() {
		t.Errorf("cleo last seen %s (want %s), first booked %s", got.LastSeen, at(14, 0), got.FirstBooked)
	}
	if _, err := e.st.Customer(ctx, adaID, "ben"); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("ada through ben's bookings: %v, want ENOTFOUND", err)
	}
	if _, err := e.st.Customer(ctx, "cu_nope", ""); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("unknown customer: %v, want ENOTFOUND", err)
	}
}

func (f *customerFixture) history(t *testing.T) {
	ctx, e, cleoID, c1, c2 := context.Background(), f.e, f.cleoID, f.c1, f.c2
	hist, err := e.st.CustomerHistory(ctx, cleoID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := bookingIDs(hist); !slices.Equal(ids, []string{c2.ID, c1.ID}) {
		t.Errorf("cleo's history %v, want %v (latest first)", ids, []string{c2.ID, c1.ID})
	}
	if hist, _ := e.st.CustomerHistory(ctx, cleoID, "ana", 10); !slices.Equal(bookingIDs(hist), []string{c1.ID}) {
		t.Errorf("cleo's history with ana: %v", bookingIDs(hist))
	}
	// A cancelled booking stays in the history.
	if _, err := e.st.CancelBooking(ctx, c1.ID, booking.Actor{Kind: "staff", ID: "u1"}); err != nil {
		t.Fatal(err)
	}
	if hist, _ := e.st.CustomerHistory(ctx, cleoID, "", 10); len(hist) != 2 || hist[1].Status != booking.Cancelled {
		t.Errorf("history after a cancel: %+v", hist)
	}
}

func (f *customerFixture) notes(t *testing.T) {
	ctx, e, cleoID := context.Background(), f.e, f.cleoID
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	if err := e.st.SetCustomerNotes(ctx, cleoID, "Ring size 52; prefers rose gold.", staff); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.Customer(ctx, cleoID, "ben"); got == nil || got.Notes != "Ring size 52; prefers rose gold." || got.NotesUpdatedBy != "u1" || got.NotesUpdatedAt.IsZero() {
		t.Errorf("notes after saving: %+v", got)
	}
	if err := e.st.SetCustomerNotes(ctx, cleoID, "  ", staff); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.Customer(ctx, cleoID, ""); got == nil || got.Notes != "" || !got.NotesUpdatedAt.IsZero() {
		t.Errorf("notes after clearing: %+v", got)
	}
	if err := e.st.SetCustomerNotes(ctx, "cu_nope", "x", staff); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("notes of an unknown customer: %v, want ENOTFOUND", err)
	}
}
