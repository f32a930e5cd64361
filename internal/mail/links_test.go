package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// TestManageLinks: a request for the links of an address e-mails, to the
// address the bookings hold, one fresh link per coming confirmed booking
// (tokens stored before it goes out); an address without coming bookings
// gets nothing, and its job is simply done.
func TestManageLinks(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	one := MustBooking(t, "bk_one", booking.InPerson, t0)
	two := MustBooking(t, "bk_two", booking.Virtual, t0.Add(48*time.Hour))
	cancelled := MustBooking(t, "bk_gone", booking.InPerson, t0.Add(24*time.Hour))
	cancelled.Status = booking.Cancelled
	past := MustBooking(t, "bk_past", booking.InPerson, t0.Add(-96*time.Hour))
	stranger := MustBooking(t, "bk_else", booking.InPerson, t0.Add(4*time.Hour))
	stranger.Customer.Email = "someone@example.org"
	store := &bookingMap{m: map[string]*booking.Booking{}}
	for _, b := range []*booking.Booking{one, two, cancelled, past, stranger} {
		store.m[b.ID] = b
	}
	q := newMemQueue()
	for _, addr := range []string{"ZOE@example.org", "nobody@example.org"} {
		j, err := mail.ManageLinksJob(o)(addr)
		if err != nil {
			t.Fatal(err)
		}
		q.Add(clk.Now(), j)
	}
	dir := t.TempDir()
	w := MustRunner(t, q, &mail.Sender{Transport: &mail.Dir{Path: dir, Now: clk.Now}, Bookings: store, Links: store, Options: o})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := q.States(); st["done"] != 2 {
		t.Errorf("queue states %v, want both jobs done", st)
	}
	files := MustReadDir(t, dir)
	if len(files) != 1 {
		t.Fatalf("%d messages written, want one (none for the address without bookings): %v", len(files), files)
	}
	h, root := MustParseMIME(t, MustReadFile(t, dir+"/"+files[0]))
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "zoe@example.org" {
		t.Errorf("To = %v (%v), want the bookings' own address", to, err)
	}
	text := string(root.Children[0].Body)
	for _, id := range []string{"bk_one", "bk_two"} {
		if tok := MustManageToken(t, text, id); !store.opens(id, tok) {
			t.Errorf("the link of %s carries a token that was not stored", id)
		}
	}
	for _, id := range []string{"bk_gone", "bk_past", "bk_else"} {
		if strings.Contains(text, id) {
			t.Errorf("the e-mail links %s", id)
		}
	}
	if !strings.Contains(text, "Tuesday 1 December 2026, 10:00") || !strings.Contains(text, "Bespoke design consultation with Mei") {
		t.Errorf("the e-mail does not say which appointment each link opens:\n%s", text)
	}
}
