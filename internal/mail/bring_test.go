package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// TestBringInMail checks that the confirmation's text, its HTML and the
// attached invitation all give the service's configured "what to bring".
func TestBringInMail(t *testing.T) {
	o := MustOptions(t, &clock{t: t0.Add(-7 * 24 * time.Hour)})
	o.Advice = invite.Advice{"design": {Virtual: i18n.Text{"": "Your sketchbook, and a ring that fits."}}}
	b := MustBooking(t, "bk_one", booking.Virtual, t0)
	jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b, Actor: booking.Actor{Kind: "customer"}}))
	if jobs[0].kind != "confirmation" {
		t.Fatalf("first job is %s", jobs[0].kind)
	}
	_, text, html, _, ev := inviteOf(t, jobs[0].msg)
	desc, _ := ev.Props.Text(ical.PropDescription)
	for part, body := range map[string]string{"text": text, "html": html, "invite": desc} {
		if !strings.Contains(body, "Your sketchbook, and a ring that fits.") || strings.Contains(body, i18n.English().T("bring.virtual")) {
			t.Errorf("%s part does not give the service's advice:\n%s", part, body)
		}
	}
}
