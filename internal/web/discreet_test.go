package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/mail"
)

// TestDiscreetBooking: "Keep it a surprise" on the details form books a
// discreet booking. Its confirmation, reminder and cancellation have
// subjects, and its invitations a SUMMARY and DESCRIPTION, that name no
// service, only an appointment at the atelier; a booking without the box
// keeps the service's name. Staff see the flag on the booking's page and
// its calendar tile, and the API's views carry it.
func TestDiscreetBooking(t *testing.T) {
	env, m := MustOpenMailEnv(t, httpx.Config{})
	cat, err := env.DB.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	service := cat.Service("ring-sizing").Name
	atelierName := cat.Atelier.Name
	if service == "" || atelierName == "" {
		t.Fatalf("the test catalogue has no names (%q, %q)", service, atelierName)
	}
	wantTitle := "Appointment at " + atelierName

	page, key := env.MustOpenDetails(t, adaSlot)
	if !strings.Contains(page.Body, `name="discreet"`) || !strings.Contains(html.UnescapeString(page.Body), "Keep it a surprise") {
		t.Fatalf("the details form has no \"Keep it a surprise\" box:\n%s", mainOf(page.Body))
	}
	// A form shown again keeps the box ticked.
	bad := adaForm(key)
	bad.Set("discreet", "1")
	bad.Set("email", "not an address")
	if p := env.MustPost(t, "/book/details", bad); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `value="1" aria-describedby="hint-discreet" checked`) {
		t.Errorf("the form shown again: %d, the box not kept ticked", p.Status)
	}
	form := adaForm(key)
	form.Set("discreet", "1")
	p := env.MustPost(t, "/book/details", form)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/bookings/bk_") {
		t.Fatalf("POST /book/details: %d to %q", p.Status, p.Location)
	}
	u, _ := url.Parse(p.Location)
	id := strings.TrimPrefix(u.Path, "/bookings/")
	token := u.Query().Get("token")

	// The customer's view of the booking carries the flag.
	if v := env.MustGet(t, "/api/v1/bookings/"+id+"?token="+token); v.Status != http.StatusOK || !strings.Contains(v.Body, `"discreet":true`) {
		t.Errorf("the booking's view: %d %s", v.Status, v.Body)
	}

	// A plain booking of the same service, for comparison.
	plain := env.MustBookIn(t, "ring-sizing", "in_person", "", time.Date(2026, 12, 12, 14, 0, 0, 0, Singapore), "Europe/London")

	discreetOnly := func(kind string, s Sent) {
		t.Helper()
		if strings.Contains(s.Subject, service) || !strings.Contains(s.Subject, wantTitle) {
			t.Errorf("%s subject %q: want %q and no %q", kind, s.Subject, wantTitle, service)
		}
		if kind == mail.KindReminder {
			return // a reminder carries no invite
		}
		if s.Invite == nil {
			t.Fatalf("%s has no invite", kind)
		}
		summary, _ := s.Invite.Props.Text(ical.PropSummary)
		desc, _ := s.Invite.Props.Text(ical.PropDescription)
		if summary != wantTitle {
			t.Errorf("%s invite SUMMARY %q, want %q", kind, summary, wantTitle)
		}
		if strings.Contains(desc, service) || !strings.Contains(desc, wantTitle) {
			t.Errorf("%s invite DESCRIPTION names the service or not the atelier:\n%s", kind, desc)
		}
	}
	sent := m.Run(t)
	discreetOnly(mail.KindConfirmation, oneFor(t, sent, mail.KindConfirmation, id))
	s := oneFor(t, sent, mail.KindConfirmation, plain.ID)
	if !strings.Contains(s.Subject, service) {
		t.Errorf("plain confirmation subject %q lacks %q", s.Subject, service)
	}
	if summary, _ := s.Invite.Props.Text(ical.PropSummary); !strings.Contains(summary, service) {
		t.Errorf("plain invite SUMMARY %q lacks %q", summary, service)
	}

	// Staff see it: the booking's page and the calendar tile.
	env.MustCreateUser(t, "admin@example.com", "Admin", "")
	c := env.MustSignIn(t, "admin@example.com")
	if sp := env.Send(t, http.MethodGet, "/staff/bookings/"+id, "", "", "Cookie", c); !strings.Contains(sp.Body, "Keep it a surprise") {
		t.Errorf("the staff booking page does not show the flag:\n%s", mainOf(sp.Body))
	}
	if sp := env.Send(t, http.MethodGet, "/staff/bookings/"+plain.ID, "", "", "Cookie", c); strings.Contains(sp.Body, "Keep it a surprise") {
		t.Error("the staff page of a plain booking shows the flag")
	}
	cal := env.Send(t, http.MethodGet, "/staff/calendar?view=day&date=2026-12-12", "", "", "Cookie", c)
	if n := strings.Count(cal.Body, `class="t-surprise"`); n != 1 {
		t.Errorf("%d calendar tiles marked as a surprise, want 1 (of 2)", n)
	}
	sheet := env.Send(t, http.MethodGet, "/staff/calendar/sheet?date=2026-12-12", "", "", "Cookie", c)
	if n := strings.Count(sheet.Body, `class="sheet-discreet"`); sheet.Status != http.StatusOK || n != 1 {
		t.Errorf("the day sheet: %d, %d appointments marked as a surprise, want 1 (of 2)", sheet.Status, n)
	}
	if sv := env.Send(t, http.MethodGet, "/api/v1/staff/bookings/"+id, "", "", "Cookie", c); !strings.Contains(sv.Body, `"discreet":true`) {
		t.Errorf("the staff view of the booking: %d %s", sv.Status, sv.Body)
	}

	// The reminder, then the cancellation.
	m.Advance(time.Date(2026, 12, 11, 15, 0, 0, 0, Singapore).Sub(m.Now()))
	sent = m.Run(t)
	discreetOnly(mail.KindReminder, oneFor(t, sent, mail.KindReminder, id))
	if s := oneFor(t, sent, mail.KindReminder, plain.ID); !strings.Contains(s.Subject, service) {
		t.Errorf("plain reminder subject %q lacks %q", s.Subject, service)
	}
	for _, bk := range []struct{ id, token string }{{id, token}, {plain.ID, plainToken(t, plain.Links.Manage)}} {
		if r := env.Send(t, http.MethodPost, "/api/v1/bookings/"+bk.id+"/cancel", "application/json", "", "Authorization", "Bearer "+bk.token); r.Status != http.StatusOK {
			t.Fatalf("cancel %s: %d %s", bk.id, r.Status, r.Body)
		}
	}
	sent = m.Run(t)
	discreetOnly(mail.KindCancellation, oneFor(t, sent, mail.KindCancellation, id))
	if s := oneFor(t, sent, mail.KindCancellation, plain.ID); !strings.Contains(s.Subject, service) {
		t.Errorf("plain cancellation subject %q lacks %q", s.Subject, service)
	}

	// The invitation downloaded from the manage page is as discreet.
	ics := env.MustGet(t, "/api/v1/bookings/"+id+"/invite.ics?token="+token)
	if ics.Status != http.StatusOK || strings.Contains(ics.Body, service) || !strings.Contains(ics.Body, "SUMMARY:"+wantTitle) {
		t.Errorf("invite.ics: %d\n%s", ics.Status, ics.Body)
	}
}

func plainToken(t *testing.T, manage string) string {
	t.Helper()
	u, err := url.Parse(manage)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// oneFor is the one message of kind about booking id among msgs.
func oneFor(tb testing.TB, msgs map[string][]byte, kind, id string) Sent {
	tb.Helper()
	var found []Sent
	for name, raw := range msgs {
		if strings.Contains(name, "-"+kind+"-"+id) {
			found = append(found, MustParseSent(tb, raw))
		}
	}
	if len(found) != 1 {
		names := make([]string, 0, len(msgs))
		for n := range msgs {
			names = append(names, n)
		}
		tb.Fatalf("%d %s messages for %s, want 1 (sent: %v)", len(found), kind, id, names)
	}
	return found[0]
}
