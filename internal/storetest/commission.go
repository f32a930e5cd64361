package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// testCommissions: a commission made fresh gets its customer's id (the
// one later bookings of the address share) and one made from a booking
// takes that booking in; lists filter by stage, artisan, customer and id;
// an edit that fails changes nothing; bookings join, leave and are listed
// by start; the manage token of a booking of the commission opens it, any
// other token does not; every change is audited.
func testCommissions(t *testing.T, open Opener) {
	f := newCommissionFixture(t, open)
	t.Run("List", f.list)
	t.Run("Update", f.update)
	t.Run("Bookings", f.bookings)
	t.Run("ManageToken", f.manageToken)
	t.Run("Audit", f.audit)
	t.Run("AttachRace", f.attachRace)
}

// commissionFixture is two commissions: fresh (Dev's, with ana, needed by
// 2027-03-14; Dev has a booking d1 in no commission yet) and fromBooking
// (Cleo's, with ben, made from her booking bk_comm2).
type commissionFixture struct {
	e                  *env
	staff              booking.Actor
	fresh, fromBooking *booking.Commission
	dev                booking.Customer
	d1                 *booking.Booking
}

var commissionNeeded, _ = booking.ParseDate("2027-03-14")

func newCommissionFixture(t *testing.T, open Opener) *commissionFixture {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	staff := booking.Actor{Kind: "staff", ID: "us_boss"}
	needed := commissionNeeded

	fresh, err := e.st.CreateCommission(ctx, booking.Commission{
		Title: "Emerald engagement ring", Stage: "consultation", ArtisanID: "ana", Notes: "Budget firm",
		Customer: booking.Customer{Name: "Dev Patel", Email: "Dev@Example.net", Phone: "+65 9000 0001", Timezone: "Asia/Singapore", Language: "en"},
		NeededBy: needed,
	}, "", staff)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fresh.ID, booking.CommissionIDPrefix) || !strings.HasPrefix(fresh.CustomerID, "cu_") {
		t.Errorf("ids: %q, customer %q", fresh.ID, fresh.CustomerID)
	}
	got, err := e.st.Commission(ctx, fresh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Emerald engagement ring" || got.Stage != "consultation" || got.ArtisanID != "ana" || got.Notes != "Budget firm" ||
		got.Customer != fresh.Customer || got.NeededBy != needed || !got.CreatedAt.Equal(e.now()) || got.CustomerID != fresh.CustomerID {
		t.Errorf("read back %+v, want %+v", got, fresh)
	}
	// A later booking of the address, in another case, is the same customer.
	dev := booking.Customer{Name: "Dev Patel", Email: "dev@EXAMPLE.net"}
	d1 := e.createFor(t, req{ID: "bk_comm1", Artisan: "ana", Start: at(10, 0)}, dev)
	ids, err := e.st.CustomerIDs(ctx, dev.Email)
	if err != nil || ids[dev.Email] != fresh.CustomerID {
		t.Errorf("the booking's customer = %v (%v), want the commission's %s", ids, err, fresh.CustomerID)
	}

	// From a booking: it joins at once.
	cleo := e.createFor(t, req{ID: "bk_comm2", Artisan: "ben", Start: at(11, 0)}, booking.Customer{Name: "Cleo", Email: "cleo@example.com"})
	fromBooking, err := e.st.CreateCommission(ctx, booking.Commission{
		Title: "Recycled gold band", Stage: "design", ArtisanID: "ben", Customer: cleo.Customer,
	}, cleo.ID, staff)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := e.st.Booking(ctx, cleo.ID); b.CommissionID != fromBooking.ID {
		t.Errorf("booking's commission = %q, want %q", b.CommissionID, fromBooking.ID)
	}
	_, err = e.st.CreateCommission(ctx, booking.Commission{Title: "X", Stage: "design", ArtisanID: "ben", Customer: cleo.Customer}, "bk_nobody", staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	return &commissionFixture{e: e, staff: staff, fresh: fresh, fromBooking: fromBooking, dev: dev, d1: d1}
}

func (f *commissionFixture) list(t *testing.T) {
	ctx, e, fresh, fromBooking := context.Background(), f.e, f.fresh, f.fromBooking
	for _, tt := range []struct {
		name string
		q    booking.CommissionQuery
		want []string
	}{
		{"All", booking.CommissionQuery{}, []string{fromBooking.ID, fresh.ID}},
		{"Stage", booking.CommissionQuery{Stage: "design"}, []string{fromBooking.ID}},
		{"Artisan", booking.CommissionQuery{ArtisanID: "ana"}, []string{fresh.ID}},
		{"Customer", booking.CommissionQuery{CustomerID: fresh.CustomerID}, []string{fresh.ID}},
		{"IDs", booking.CommissionQuery{IDs: []string{fresh.ID, "cm_nobody"}}, []string{fresh.ID}},
		{"NoIDs", booking.CommissionQuery{IDs: []string{}}, nil},
		{"None", booking.CommissionQuery{Stage: "ready"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := e.st.Commissions(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
}

func (f *commissionFixture) update(t *testing.T) {
	ctx, e, staff, fresh := context.Background(), f.e, f.staff, f.fresh
	e.setClock(e.now().Add(time.Minute))
	refused := booking.Errorf(booking.EINVALID, "", "no")
	_, err := e.st.UpdateCommission(ctx, fresh.ID, func(c *booking.Commission) error {
		c.Title = "changed"
		return refused
	}, staff)
	if !errors.Is(err, refused) {
		t.Errorf("edit's error = %v, want it as it is", err)
	}
	if c, _ := e.st.Commission(ctx, fresh.ID); c.Title != "Emerald engagement ring" {
		t.Errorf("a refused edit changed the title to %q", c.Title)
	}
	up, err := e.st.UpdateCommission(ctx, fresh.ID, func(c *booking.Commission) error {
		c.Title, c.Stage, c.ArtisanID, c.Notes, c.NeededBy = "Emerald ring, pear cut", "approved", "ben", "", booking.Date{}
		return nil
	}, staff)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.st.Commission(ctx, fresh.ID)
	if *c != *up || c.Title != "Emerald ring, pear cut" || c.Stage != "approved" || c.ArtisanID != "ben" || c.Notes != "" ||
		!c.NeededBy.IsZero() || !c.UpdatedAt.Equal(e.now()) || !c.CreatedAt.Equal(fresh.CreatedAt) || c.Customer != fresh.Customer {
		t.Errorf("updated %+v, stored %+v", up, c)
	}
	_, err = e.st.UpdateCommission(ctx, "cm_nobody", func(*booking.Commission) error { return nil }, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
}

func (f *commissionFixture) bookings(t *testing.T) {
	ctx, e, staff, fresh, dev, d1 := context.Background(), f.e, f.staff, f.fresh, f.dev, f.d1
	d2 := e.createFor(t, req{ID: "bk_comm3", Artisan: "ana", Start: at(13, 0)}, dev)
	for _, id := range []string{d2.ID, d1.ID} {
		if err := e.st.LinkBooking(ctx, id, fresh.ID, staff); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.LinkBooking(ctx, d1.ID, fresh.ID, staff); err != nil { // again: nothing changes
		t.Fatal(err)
	}
	bs, err := e.st.CommissionBookings(ctx, fresh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := bookingIDs(bs); !slices.Equal(got, []string{d1.ID, d2.ID}) || bs[0].CommissionID != fresh.ID {
		t.Errorf("bookings %v, want by start [%s %s]", got, d1.ID, d2.ID)
	}
	if err := e.st.LinkBooking(ctx, d2.ID, "", staff); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.st.Booking(ctx, d2.ID); b.CommissionID != "" {
		t.Errorf("detached booking still in %q", b.CommissionID)
	}
	bs, _ = e.st.CommissionBookings(ctx, fresh.ID)
	if got := bookingIDs(bs); !slices.Equal(got, []string{d1.ID}) {
		t.Errorf("after detaching: %v", got)
	}
	wantCode(t, e.st.LinkBooking(ctx, "bk_nobody", fresh.ID, staff), booking.ENOTFOUND, booking.CodeNotFound)
	wantCode(t, e.st.LinkBooking(ctx, d2.ID, "cm_nobody", staff), booking.ENOTFOUND, booking.CodeNotFound)

	// A booking made for a commission carries it from the start.
	nb := newBooking(req{ID: "bk_comm4", Artisan: "ana", Start: at(16, 0)})
	nb.Booking.CommissionID = fresh.ID
	b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.Booking(ctx, b.ID); got.CommissionID != fresh.ID {
		t.Errorf("booking made in a commission: %q", got.CommissionID)
	}
}

func (f *commissionFixture) manageToken(t *testing.T) {
	ctx, e, fresh := context.Background(), f.e, f.fresh
	// newBooking's token of bk_comm1 (in the commission), of bk_comm3
	// (detached) and of bk_comm2 (another commission).
	tok := func(id string, start time.Time) []byte {
		h := sha256.Sum256([]byte("token-" + id + start.String()))
		return h[:]
	}
	c, err := e.st.CommissionByManageToken(ctx, fresh.ID, tok("bk_comm1", at(10, 0)))
	if err != nil || c.ID != fresh.ID {
		t.Errorf("token of a booking of it: %v, %v", c, err)
	}
	_, err = e.st.CommissionByManageToken(ctx, fresh.ID, tok("bk_comm3", at(13, 0)))
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	_, err = e.st.CommissionByManageToken(ctx, fresh.ID, tok("bk_comm2", at(11, 0)))
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	_, err = e.st.CommissionByManageToken(ctx, "cm_nobody", tok("bk_comm1", at(10, 0)))
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
}

func (f *commissionFixture) audit(t *testing.T) {
	ctx, e, staff := context.Background(), f.e, f.staff
	rows, err := e.st.AuditLog(ctx, testNow.Add(-time.Hour), e.now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rows {
		if strings.HasPrefix(r.Action, "commission.") {
			count[r.Action]++
			if r.Actor != staff {
				t.Errorf("%s by %+v", r.Action, r.Actor)
			}
		}
	}
	// Two made; one edit (the refused one left none); links: cleo's at
	// creation, d1, d2, d2's detach.
	if count["commission.create"] != 2 || count["commission.update"] != 1 || count["commission.link"] != 4 {
		t.Errorf("audit rows %v", count)
	}
}

// attachRace: goroutines attach one booking to two commissions at once;
// it ends in exactly one, every attempt for the other is refused
// (EINVALID on "booking"), and it is moved by no one.
func (f *commissionFixture) attachRace(t *testing.T) {
	ctx, e := context.Background(), f.e
	var cms []string
	for _, title := range []string{"Race A", "Race B"} {
		c, err := e.st.CreateCommission(ctx, booking.Commission{Title: title, Stage: "design", ArtisanID: "ana", Customer: f.dev}, "", f.staff)
		if err != nil {
			t.Fatal(err)
		}
		cms = append(cms, c.ID)
	}
	b := e.createFor(t, req{ID: "bk_commrace", Artisan: "ana", Start: at(18, 0)}, f.dev)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.st.LinkBooking(ctx, b.ID, cms[i%2], f.staff)
		}()
	}
	wg.Wait()
	got, err := e.st.Booking(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	won := slices.Index(cms, got.CommissionID)
	if won < 0 {
		t.Fatalf("the booking is in %q, neither of %v", got.CommissionID, cms)
	}
	for i, err := range errs {
		switch {
		case i%2 == won && err != nil:
			t.Errorf("attempt %d for the winner: %v", i, err)
		case i%2 != won && booking.ErrorKind(err) != booking.EINVALID:
			t.Errorf("attempt %d for the other commission: %v, want EINVALID", i, err)
		}
	}
}
