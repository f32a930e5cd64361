package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// newInvitation is an invitation of commission cm to book design, open
// for a month from testNow, with the hash of its token.
func newInvitation(cm, id string) (booking.Invitation, []byte) {
	h := sha256.Sum256([]byte("invitation-token-" + id))
	return booking.Invitation{ID: id, CommissionID: cm, ServiceID: "design", Mode: booking.Virtual, ArtisanID: "ana",
		Note: "Your sketches are ready", ExpiresAt: testNow.Add(30 * 24 * time.Hour), CreatedBy: "us_admin"}, h[:]
}

// mustCommission opens a commission for Cleo with Ana.
func (e *env) mustCommission(t *testing.T, title string) string {
	t.Helper()
	c, err := e.st.CreateCommission(context.Background(), booking.Commission{Title: title, Stage: "design", ArtisanID: "ana",
		Customer: newBooking(req{}).Booking.Customer}, "", admin)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func (e *env) mustInvite(t *testing.T, iv booking.Invitation, hash []byte, jobs ...booking.Job) {
	t.Helper()
	if err := e.st.CreateInvitation(context.Background(), iv, hash, jobs, admin); err != nil {
		t.Fatal(err)
	}
}

// bookWith books r using invitation id.
func (e *env) bookWith(st Store, r req, id string) (*booking.Booking, error) {
	nb := newBooking(r)
	nb.Invitation = &booking.InvitationUse{ID: id}
	b, _, err := st.CreateBooking(context.Background(), nb, place(nb, ""))
	return b, err
}

// invitationFixture is a store with two commissions of Cleo's and the
// booking made with the first invitation.
type invitationFixture struct {
	e       *env
	cm, cm2 string
	booked  *booking.Booking
}

// An invitation is stored with its e-mail job and found by its token's
// hash; it books once, and the booking it makes is named on it and joins
// the commission; used, revoked or expired, it books nothing and the
// booking is not stored.
func testInvitations(t *testing.T, open Opener) {
	e := newEnv(t, open, Catalog())
	f := &invitationFixture{e: e, cm: e.mustCommission(t, "Emerald engagement ring"), cm2: e.mustCommission(t, "Wedding bands")}
	for _, step := range []func(*testing.T){f.stored, f.booksOnce, f.revoked, f.expired, f.listed} {
		step(t)
		if t.Failed() {
			return
		}
	}
}

func (f *invitationFixture) stored(t *testing.T) {
	ctx, e := context.Background(), f.e
	iv, hash := newInvitation(f.cm, "iv_1")
	mail := booking.Job{Queue: "mail", Kind: "invitation", Payload: []byte("the e-mail")}
	e.mustInvite(t, iv, hash, mail)
	got, err := e.st.InvitationByToken(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "iv_1" || got.CommissionID != f.cm || got.ServiceID != "design" || got.Mode != booking.Virtual ||
		got.ArtisanID != "ana" || got.Note != iv.Note || !got.ExpiresAt.Equal(iv.ExpiresAt) || !got.CreatedAt.Equal(testNow) ||
		got.CreatedBy != "us_admin" || got.State(testNow) != booking.InvitationOpen {
		t.Fatalf("stored invitation: %+v", got)
	}
	other := sha256.Sum256([]byte("another token"))
	if _, err := e.st.InvitationByToken(ctx, other[:]); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("an unknown token: %v, want ENOTFOUND", err)
	}
	if jobs, err := e.st.ClaimJobs(ctx, "mail", testNow, 10, time.Minute); err != nil || len(jobs) != 1 || string(jobs[0].Payload) != "the e-mail" {
		t.Errorf("the invitation's e-mail job: %v %+v", err, jobs)
	}
}

func (f *invitationFixture) booksOnce(t *testing.T) {
	ctx, e := context.Background(), f.e
	b, err := e.bookWith(e.st, req{Artisan: "ana", Start: at(11, 0)}, "iv_1")
	if err != nil {
		t.Fatal(err)
	}
	f.booked = b
	if b.CommissionID != f.cm {
		t.Errorf("the booking made belongs to %q, want %s", b.CommissionID, f.cm)
	}
	if bs, err := e.st.CommissionBookings(ctx, f.cm); err != nil || len(bs) != 1 || bs[0].ID != b.ID {
		t.Errorf("the commission's bookings: %+v %v, want %s", bs, err, b.ID)
	}
	got, err := e.st.Invitation(ctx, "iv_1")
	if err != nil || got.UsedBy != b.ID || !got.UsedAt.Equal(testNow) || got.State(testNow) != booking.InvitationUsed {
		t.Fatalf("after booking %s the invitation is %+v (%v)", b.ID, got, err)
	}
	_, err = e.bookWith(e.st, req{Artisan: "ana", Start: at(14, 0)}, "iv_1")
	wantCode(t, err, booking.ECONFLICT, booking.CodeInvitationUsed)
	_, err = e.st.RevokeInvitation(ctx, f.cm, "iv_1", admin)
	wantCode(t, err, booking.ECONFLICT, booking.CodeInvitationUsed)
}

func (f *invitationFixture) revoked(t *testing.T) {
	ctx, e := context.Background(), f.e
	iv2, hash2 := newInvitation(f.cm, "iv_2")
	e.mustInvite(t, iv2, hash2)
	_, err := e.st.RevokeInvitation(ctx, f.cm2, "iv_2", admin)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	e.setClock(testNow.Add(time.Minute))
	r, err := e.st.RevokeInvitation(ctx, f.cm, "iv_2", admin)
	if err != nil || !r.RevokedAt.Equal(testNow.Add(time.Minute)) {
		t.Fatalf("revoke: %+v %v", r, err)
	}
	if r, err := e.st.RevokeInvitation(ctx, f.cm, "iv_2", admin); err != nil || !r.RevokedAt.Equal(testNow.Add(time.Minute)) {
		t.Errorf("revoked twice: %+v %v, want it unchanged", r, err)
	}
	_, err = e.bookWith(e.st, req{Artisan: "ana", Start: at(14, 0)}, "iv_2")
	wantCode(t, err, booking.EGONE, booking.CodeInvitationRevoked)
}

func (f *invitationFixture) expired(t *testing.T) {
	e := f.e
	iv3, hash3 := newInvitation(f.cm, "iv_3")
	iv3.ExpiresAt = testNow.Add(time.Hour)
	e.mustInvite(t, iv3, hash3)
	e.setClock(testNow.Add(time.Hour))
	_, err := e.bookWith(e.st, req{Artisan: "ana", Start: at(14, 0)}, "iv_3")
	wantCode(t, err, booking.EGONE, booking.CodeInvitationExpired)
	if got := e.stored(t); len(got) != 1 || got[0].ID != f.booked.ID {
		t.Errorf("bookings stored: %+v, want only %s", got, f.booked.ID)
	}
}

func (f *invitationFixture) listed(t *testing.T) {
	ctx, e := context.Background(), f.e
	list, err := e.st.CommissionInvitations(ctx, f.cm)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range list {
		ids = append(ids, x.ID)
	}
	if fmt.Sprint(ids) != "[iv_3 iv_2 iv_1]" {
		t.Errorf("the commission's invitations: %v, want the newest first", ids)
	}
	if list, err := e.st.CommissionInvitations(ctx, f.cm2); err != nil || len(list) != 0 {
		t.Errorf("another commission's invitations: %v %v", list, err)
	}
}

// InvitationRacers book at once with one invitation, each a time of its
// own, half of them on a second store over the same database (another
// server): exactly one booking is stored, every other is refused
// invitation_used.
const InvitationRacers = 24

func testInvitationRace(t *testing.T, open Opener) {
	e := newEnv(t, open, Catalog())
	stores := []Store{e.st, e.peer(t)}
	iv, hash := newInvitation(e.mustCommission(t, "Emerald engagement ring"), "iv_race")
	e.mustInvite(t, iv, hash)
	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		booked, used int
		others       []error
	)
	start := make(chan struct{})
	for i := range InvitationRacers {
		wg.Go(func() {
			r := req{Artisan: []string{"ana", "ben"}[i%2], Start: at(10, 0).AddDate(0, 0, i/2)}
			<-start
			_, err := e.bookWith(stores[i%2], r, "iv_race")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				booked++
			case booking.ErrorCode(err) == booking.CodeInvitationUsed:
				used++
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
	if booked != 1 || used != InvitationRacers-1 {
		t.Errorf("%d bookings and %d invitation_used, want 1 and %d", booked, used, InvitationRacers-1)
	}
	bs, err := e.st.Bookings(context.Background(), at(0, 0).AddDate(0, 0, -1), at(0, 0).AddDate(0, 0, InvitationRacers), "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.st.Invitation(context.Background(), "iv_race")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || got.UsedBy != bs[0].ID {
		t.Errorf("%d bookings stored, the invitation used by %q, want one, the invitation's", len(bs), got.UsedBy)
	}
}
