package storetest

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// testErasure: erasing a customer's personal data blanks their past
// bookings (name, address, phone, notes, answers), deletes their photos,
// staff notes, customer notes and manage tokens, drops their e-mails'
// messages (one not yet sent is not sent), scrubs the audit rows, hides
// them from the search, and leaves a coming booking and other customers
// as they were; the retention erasure takes every customer's bookings
// ended before its cutoff; a customer with no booking left is gone.
func testErasure(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	var erasedEvents []string
	e.setJobs(func(ev booking.Event) ([]booking.Job, error) {
		if ev.Kind == booking.EventErased {
			erasedEvents = append(erasedEvents, ev.Booking.ID+" "+ev.Booking.Customer.Name)
			return []booking.Job{{Queue: "gcal", Kind: string(ev.Kind), BookingID: ev.Booking.ID}}, nil
		}
		return []booking.Job{{Queue: "mail", Kind: string(ev.Kind), BookingID: ev.Booking.ID, Payload: []byte("To: " + ev.Booking.Customer.Email)}}, nil
	})
	cleo := booking.Customer{Name: "Cleo Customer", Email: "Cleo@Example.com", Phone: "+65 8111 2222", Timezone: "Asia/Singapore"}
	ada := booking.Customer{Name: "Ada Lovelace", Email: "ada@example.org", Phone: "+44 20 7946 0018"}
	mk := func(id, artisan string, start time.Time, c booking.Customer) *booking.Booking {
		t.Helper()
		e.setClock(e.now().Add(time.Minute))
		nb := newBooking(req{ID: id, Artisan: artisan, Start: start})
		nb.Booking.Customer = c
		nb.Booking.Notes = "Notes of " + c.Name
		nb.Booking.Answers = booking.Answers{"stones": []byte(`"A sapphire for ` + c.Name + `"`)}
		nb.TokenHash = []byte(id + "-token-hash-0123456789abcdef0123")
		b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
		if err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
		return b
	}
	past := mk("bk_erase_past", "ana", at(10, 0), cleo)
	cleoComing := cleo
	cleoComing.Name = "Cleo Marchetti"
	coming := mk("bk_erase_coming", "ben", at(15, 0), cleoComing)
	adaPast := mk("bk_erase_ada", "ben", at(9, 0), ada)
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	if _, err := e.st.AddPhoto(ctx, booking.Photo{BookingID: past.ID, ContentType: "image/jpeg", Width: 4, Height: 3},
		[]byte{0xFF, 0xD8, 9}, []byte{0xFF, 0xD8, 8}, booking.Actor{Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetStaffNotes(ctx, past.ID, "Cleo prefers rose gold", staff); err != nil {
		t.Fatal(err)
	}
	ids, err := e.st.CustomerIDs(ctx, cleo.Email, ada.Email)
	if err != nil || ids[cleo.Email] == "" || ids[ada.Email] == "" {
		t.Fatalf("customer ids %v, %v", ids, err)
	}
	cleoID, adaID := ids[cleo.Email], ids[ada.Email]
	if err := e.st.SetCustomerNotes(ctx, cleoID, "Cleo is allergic to nickel", staff); err != nil {
		t.Fatal(err)
	}
	link := booking.PrivacyLink{TokenHash: hashOf("cleo-link"), Purpose: booking.PrivacyExport, CustomerID: cleoID,
		BookingID: coming.ID, ExpiresAt: testNow.Add(24 * time.Hour), Uses: 2}
	if err := e.st.AddPrivacyLink(ctx, link, booking.Job{Queue: "mail", Kind: "privacy_export", BookingID: coming.ID}); err != nil {
		t.Fatal(err)
	}

	f := erasureFixture{e: e, past: past, coming: coming, adaPast: adaPast, cleo: cleo, cleoID: cleoID, adaID: adaID, staff: staff, link: link, erasedEvents: &erasedEvents}
	f.first(t)
	f.retention(t)
	f.last(t)
}

// erasureFixture is testErasure's store: Cleo's past and coming bookings,
// Ada's past one, Cleo's photo, notes and privacy link.
type erasureFixture struct {
	e                     *env
	past, coming, adaPast *booking.Booking
	cleo                  booking.Customer
	cleoID, adaID         string
	staff                 booking.Actor
	link                  booking.PrivacyLink
	erasedEvents          *[]string
}

func (f *erasureFixture) first(t *testing.T) {
	ctx, e, past, coming, adaPast, cleoID, staff := context.Background(), f.e, f.past, f.coming, f.adaPast, f.cleoID, f.staff
	ada := booking.Customer{Name: "Ada Lovelace"}
	// Cleo's erasure with "now" between her two bookings.
	res, err := e.st.ErasePersonalData(ctx, booking.Erasure{CustomerID: cleoID, EndedBefore: at(12, 0), Cancelled: true}, staff)
	if err != nil {
		t.Fatal(err)
	}
	if want := (booking.ErasureResult{Bookings: 1, Photos: 1, Kept: 1}); res != want {
		t.Errorf("erasure %+v, want %+v", res, want)
	}
	got, err := e.st.Booking(ctx, past.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Name != "" || got.Customer.Email != "" || got.Customer.Phone != "" || got.Notes != "" || len(got.Answers) != 0 || got.ErasedAt.IsZero() {
		t.Errorf("erased booking %+v", got)
	}
	if got.Start != past.Start || got.ServiceID != past.ServiceID || got.ArtisanID != past.ArtisanID || got.Status != past.Status {
		t.Errorf("erased booking lost its record: %+v", got)
	}
	if c, err := e.st.Booking(ctx, coming.ID); err != nil || c.Customer != coming.Customer || c.Notes != coming.Notes || len(c.Answers) != 1 || !c.ErasedAt.IsZero() {
		t.Errorf("the coming booking changed: %+v, %v", c, err)
	}
	if a, err := e.st.Booking(ctx, adaPast.ID); err != nil || a.Customer.Name != ada.Name {
		t.Errorf("another customer's booking changed: %+v, %v", a, err)
	}
	f.leftovers(t)
}

// leftovers checks that the erased booking's photos, notes and manage
// tokens are gone and the customer is what remains.
func (f *erasureFixture) leftovers(t *testing.T) {
	ctx, e, past, cleoID := context.Background(), f.e, f.past, f.cleoID
	if ps, err := e.st.Photos(ctx, past.ID); err != nil || len(ps[past.ID]) != 0 {
		t.Errorf("photos left: %v, %v", ps, err)
	}
	if notes, err := e.st.StaffNotes(ctx, past.ID); err != nil || notes[past.ID] != "" {
		t.Errorf("staff notes left: %v, %v", notes, err)
	}
	if _, err := e.st.BookingByManageToken(ctx, past.ID, []byte(past.ID+"-token-hash-0123456789abcdef0123")); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("the erased booking's manage token still opens it: %v", err)
	}
	p, err := e.st.Customer(ctx, cleoID, "")
	if err != nil || p.Notes != "" || p.Bookings != 1 || p.Name != "Cleo Marchetti" {
		t.Errorf("customer after erasure %+v, %v", p, err)
	}
	f.traces(t)
}

// traces checks what else the first erasure changed: the search, the
// e-mails, the calendar jobs, the audit and the links.
func (f *erasureFixture) traces(t *testing.T) {
	ctx, e, past, coming, adaPast, cleoID, link := context.Background(), f.e, f.past, f.coming, f.adaPast, f.cleoID, f.link
	e.wantSearch(t, "customer", nil)             // only the erased booking had that name
	e.wantSearch(t, "8111", []string{coming.ID}) // the phone is the coming booking's
	e.wantSearch(t, "cleo", []string{coming.ID}) // the name
	e.wantSearch(t, "lovelace", []string{adaPast.ID})
	for _, j := range e.jobsOf(t, past.ID, "mail") {
		if j.State != booking.JobDone {
			t.Errorf("the erased booking's e-mail %+v is still to be sent", j)
		}
	}
	if pr, ok := e.st.(PayloadReader); ok {
		for _, j := range e.jobsOf(t, past.ID, "mail") {
			if p, err := pr.JobPayload(ctx, j.ID); err != nil || len(p) != 0 {
				t.Errorf("the erased booking's e-mail keeps %q, %v", p, err)
			}
		}
	}
	if len(e.jobsOf(t, past.ID, "gcal")) != 1 || len(*f.erasedEvents) != 1 || (*f.erasedEvents)[0] != past.ID+" " {
		t.Errorf("calendar jobs %+v, events %q", e.jobsOf(t, past.ID, "gcal"), *f.erasedEvents)
	}
	e.wantAuditClean(t, "Cleo", "example.com", "nickel", "rose gold", "sapphire")
	if n := len(e.auditOf(t, past.ID, "booking.erased")); n != 1 {
		t.Errorf("%d booking.erased rows", n)
	}
	if got := e.auditTrail(t, "customer.erased"); len(got) != 1 {
		t.Errorf("customer.erased rows %v", got)
	}
	if l, err := e.st.UsePrivacyLink(ctx, link.TokenHash, booking.PrivacyExport, testNow, false); err != nil || l.CustomerID != cleoID {
		t.Errorf("the link of a customer still there: %+v, %v", l, err)
	}

}

func (f *erasureFixture) retention(t *testing.T) {
	ctx, e, coming, adaID := context.Background(), f.e, f.coming, f.adaID
	// The retention erasure: every customer's bookings ended before the
	// cutoff (Ada's; Cleo's past one is erased already).
	res, err := e.st.ErasePersonalData(ctx, booking.Erasure{EndedBefore: at(12, 0)}, booking.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bookings != 1 {
		t.Errorf("retention %+v, want 1 booking", res)
	}
	if _, err := e.st.Customer(ctx, adaID, ""); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("Ada without bookings is still a customer: %v", err)
	}
	e.wantSearch(t, "lovelace", nil)
	if c, err := e.st.Booking(ctx, coming.ID); err != nil || c.Customer != coming.Customer {
		t.Errorf("retention changed the coming booking: %+v, %v", c, err)
	}
	if got := e.auditTrail(t, "privacy.retention"); len(got) != 1 {
		t.Errorf("privacy.retention rows %v", got)
	}
	// Nothing more to erase: no audit row.
	if res, err := e.st.ErasePersonalData(ctx, booking.Erasure{EndedBefore: at(12, 0)}, booking.Actor{}); err != nil || res.Bookings != 0 {
		t.Errorf("second retention %+v, %v", res, err)
	}
	if got := e.auditTrail(t, "privacy.retention"); len(got) != 1 {
		t.Errorf("privacy.retention rows after an empty run %v", got)
	}

}

func (f *erasureFixture) last(t *testing.T) {
	ctx, e, past, cleo, cleoID, staff, link := context.Background(), f.e, f.past, f.cleo, f.cleoID, f.staff, f.link
	// Cleo's erasure once her coming booking is over too: she is gone.
	res, err := e.st.ErasePersonalData(ctx, booking.Erasure{CustomerID: cleoID, EndedBefore: at(23, 0)}, staff)
	if err != nil || res.Bookings != 1 || !res.CustomerGone || res.Kept != 0 {
		t.Errorf("second erasure %+v, %v", res, err)
	}
	if _, err := e.st.Customer(ctx, cleoID, ""); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("Cleo is still a customer: %v", err)
	}
	if ids, err := e.st.CustomerIDs(ctx, cleo.Email); err != nil || len(ids) != 0 {
		t.Errorf("Cleo's address still has an id: %v, %v", ids, err)
	}
	e.wantSearch(t, "cleo", nil)
	e.wantSearch(t, "example", nil)
	if _, err := e.st.UsePrivacyLink(ctx, link.TokenHash, booking.PrivacyExport, testNow, false); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("the link of a customer gone: %v", err)
	}
	if _, err := e.st.ErasePersonalData(ctx, booking.Erasure{CustomerID: cleoID, EndedBefore: at(23, 0)}, staff); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("erasing a customer gone: %v", err)
	}
	// The booking itself is still found by its reference, erased.
	e.wantSearch(t, strings.ToUpper(past.ID), []string{past.ID})
}

// wantSearch checks the bookings a search for q finds.
func (e *env) wantSearch(t *testing.T, q string, want []string) {
	t.Helper()
	bs, err := e.st.SearchBookings(context.Background(), booking.SearchQuery{Terms: booking.SearchTerms(q), Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if got := bookingIDs(bs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("search %q found %v, want %v", q, got, want)
	}
	cs, err := e.st.SearchCustomers(context.Background(), booking.SearchQuery{Terms: booking.SearchTerms(q), Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 && len(cs) != 0 {
		t.Errorf("search %q found customers %+v", q, cs)
	}
}

func (e *env) jobsOf(t *testing.T, id, queue string) []booking.JobRecord {
	t.Helper()
	jobs, err := e.st.BookingJobs(context.Background(), id, queue)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// wantAuditClean fails when any audit row holds one of words.
func (e *env) wantAuditClean(t *testing.T, words ...string) {
	t.Helper()
	log, err := e.st.AuditLog(context.Background(), testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range log {
		row := strings.ToLower(string(a.Before) + string(a.After) + a.Target)
		for _, w := range words {
			if a.BookingID == "bk_erase_coming" || a.BookingID == "bk_erase_ada" {
				continue // not erased
			}
			if strings.Contains(row, strings.ToLower(w)) {
				t.Errorf("audit row %s %s keeps %q: %s %s", a.Action, a.BookingID, w, a.Before, a.After)
			}
		}
	}
}

func hashOf(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// testPrivacyLinks: a link works its number of uses, for its purpose
// only, until it expires; OfferJob keeps one pending job of a kind of the
// periodic queue.
func testPrivacyLinks(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	b := e.createFor(t, req{ID: "bk_link", Artisan: "ana", Start: at(10, 0)}, booking.Customer{Name: "Cleo", Email: "cleo@example.com"})
	ids, err := e.st.CustomerIDs(ctx, "cleo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	l := booking.PrivacyLink{TokenHash: hashOf("t1"), Purpose: booking.PrivacyErase, CustomerID: ids["cleo@example.com"],
		BookingID: b.ID, ExpiresAt: testNow.Add(time.Hour), Uses: 2}
	if err := e.st.AddPrivacyLink(ctx, l, booking.Job{Queue: "mail", Kind: "privacy_erase", BookingID: b.ID, Payload: []byte("m")}); err != nil {
		t.Fatal(err)
	}
	if jobs := e.jobsOf(t, b.ID, "mail"); len(jobs) != 2 || jobs[1].Kind != "privacy_erase" {
		t.Errorf("the link's e-mail was not queued: %+v", jobs)
	}
	if _, err := e.st.UsePrivacyLink(ctx, l.TokenHash, booking.PrivacyExport, testNow, true); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("used for another purpose: %v", err)
	}
	for i := 1; i >= 0; i-- {
		got, err := e.st.UsePrivacyLink(ctx, l.TokenHash, booking.PrivacyErase, testNow, true)
		if err != nil || got.Uses != i || got.CustomerID != l.CustomerID || got.BookingID != b.ID || !got.ExpiresAt.Equal(l.ExpiresAt) {
			t.Errorf("use: %+v, %v", got, err)
		}
	}
	if _, err := e.st.UsePrivacyLink(ctx, l.TokenHash, booking.PrivacyErase, testNow, false); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("a spent link: %v", err)
	}
	l2 := l
	l2.TokenHash = hashOf("t2")
	if err := e.st.AddPrivacyLink(ctx, l2, booking.Job{Queue: "mail", Kind: "privacy_erase", BookingID: b.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = e.st.UsePrivacyLink(ctx, l2.TokenHash, booking.PrivacyErase, testNow.Add(time.Hour), true)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeLinkExpired)
	if _, err := e.st.UsePrivacyLink(ctx, hashOf("unknown"), booking.PrivacyErase, testNow, true); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("unknown link: %v", err)
	}

	job := booking.Job{Queue: booking.PrivacyQueue, Kind: booking.RetentionJob, RunAt: testNow}
	for i, want := range []bool{true, false} {
		if added, err := e.st.OfferJob(ctx, job); err != nil || added != want {
			t.Errorf("offer %d: %v, %v; want %v", i, added, err, want)
		}
	}
	claimed, err := e.st.ClaimJobs(ctx, booking.PrivacyQueue, testNow, 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %+v, %v", claimed, err)
	}
	if added, err := e.st.OfferJob(ctx, job); err != nil || added {
		t.Errorf("offered while claimed: %v, %v", added, err)
	}
	if err := e.st.CompleteJob(ctx, claimed[0].ID); err != nil {
		t.Fatal(err)
	}
	if added, err := e.st.OfferJob(ctx, job); err != nil || !added {
		t.Errorf("offer after the run: %v, %v", added, err)
	}
}

// testErasureWithCommission: a customer gone from every booking but with a
// commission stays only as the commission's anchor: no address, no name,
// no notes on the commission, its title and stage kept; the audit rows of
// the commission lose the details.
func testErasureWithCommission(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	dev := booking.Customer{Name: "Dev Patel", Email: "dev@example.net", Phone: "+65 9000 0001"}
	b := e.createFor(t, req{ID: "bk_erase_comm", Artisan: "ana", Start: at(10, 0)}, dev)
	c, err := e.st.CreateCommission(ctx, booking.Commission{Title: "Emerald engagement ring", Stage: "consultation", ArtisanID: "ana",
		Notes: "Dev's budget is firm", Customer: dev}, b.ID, staff)
	if err != nil {
		t.Fatal(err)
	}
	iv, hash := newInvitation(c.ID, "iv_erase_open")
	iv.Note = "Bring Dev's grandmother's ring"
	e.mustInvite(t, iv, hash)
	res, err := e.st.ErasePersonalData(ctx, booking.Erasure{CustomerID: c.CustomerID, EndedBefore: at(23, 0), Cancelled: true}, staff)
	if err != nil || res.Bookings != 1 || !res.CustomerGone {
		t.Fatalf("erasure %+v, %v", res, err)
	}
	// The invitation keeps no note and books no more (its details are gone).
	if got, err := e.st.Invitation(ctx, iv.ID); err != nil || got.Note != "" || got.State(testNow) != booking.InvitationRevoked {
		t.Errorf("the open invitation after the erasure: %+v, %v", got, err)
	}
	got, err := e.st.Commission(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Name != "" || got.Customer.Email != "" || got.Customer.Phone != "" || got.Notes != "" ||
		got.Title != "Emerald engagement ring" || got.Stage != "consultation" {
		t.Errorf("the commission after the erasure: %+v", got)
	}
	if _, err := e.st.Customer(ctx, c.CustomerID, ""); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("the customer page after the erasure: %v", err)
	}
	if ids, err := e.st.CustomerIDs(ctx, dev.Email); err != nil || len(ids) != 0 {
		t.Errorf("the address still has a customer: %v, %v", ids, err)
	}
	e.wantSearch(t, "patel", nil)
	log, err := e.st.AuditLog(ctx, testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range log {
		if row := string(a.Before) + string(a.After); strings.Contains(row, "Dev") || strings.Contains(row, "example.net") {
			t.Errorf("audit %s keeps the customer: %s", a.Action, row)
		}
	}
	// The address books again: a new customer, not the erased one.
	again := e.createFor(t, req{ID: "bk_erase_comm2", Artisan: "ben", Start: at(14, 0)}, dev)
	if ids, err := e.st.CustomerIDs(ctx, again.Customer.Email); err != nil || ids[dev.Email] == "" || ids[dev.Email] == c.CustomerID {
		t.Errorf("a new booking's customer %v, %v (erased: %s)", ids, err, c.CustomerID)
	}
}
