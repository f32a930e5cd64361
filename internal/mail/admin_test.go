package mail_test

import (
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/mail"
)

// TestAdminNotice: a notice about the service reaches every admin address
// in one message from the atelier's sender, with its subject and text and
// no booking; without admin addresses there is nothing to send.
func TestAdminNotice(t *testing.T) {
	clk := &clock{t: t0}
	o := MustOptions(t, clk)
	jobs, err := mail.AdminNotice(o, "Google Calendar sync stopped for mei", "Reconnect in the staff area: https://book.maison.example/staff\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Queue != mail.Queue || jobs[0].Kind != mail.KindStaffNotice || jobs[0].BookingID != "" {
		t.Fatalf("jobs = %+v, want one staff notice of no booking on the mail queue", jobs)
	}
	q := newMemQueue()
	q.Add(clk.Now(), jobs...)
	srv := MustStartSMTP(t)
	if n := runOnce(t, MustWorker(t, q, srv, o, nil)); n != 1 {
		t.Fatalf("claimed %d jobs, want 1", n)
	}
	if st := q.States(); st["done"] != 1 {
		t.Fatalf("queue states %v, want the notice done", st)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "bookings@maison.example" || strings.Join(r.To, " ") != "admin@maison.example MEI@maison.example" {
		t.Errorf("envelope %s → %v, want the sender to both admins", r.From, r.To)
	}
	h, root := MustParseMIME(t, r.Data)
	if subj, _ := h.Subject(); subj != "Google Calendar sync stopped for mei" {
		t.Errorf("Subject = %q", subj)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 2 {
		t.Errorf("To = %v (%v), want both admins", to, err)
	}
	if date, err := h.Date(); err != nil || !date.Equal(t0) {
		t.Errorf("Date = %v (%v), want %v", date, err, t0)
	}
	// Text only, in a text/plain body: no empty HTML part for an
	// HTML-first client to show instead.
	if root.ContentType != "text/plain" || !strings.Contains(string(root.Body), "Reconnect in the staff area: https://book.maison.example/staff") {
		t.Errorf("message is %s with body %q, want text/plain with the text", root.ContentType, root.Body)
	}

	o.StaffCopies = nil
	if jobs, err := mail.AdminNotice(o, "x", "y"); err != nil || len(jobs) != 0 {
		t.Errorf("without admins: %v, %v; want no job", jobs, err)
	}
}
