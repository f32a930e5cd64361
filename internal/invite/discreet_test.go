package invite_test

import (
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// discreetDetails is a discreet (surprise) booking of mode in lang, with a
// service whose name and advice give the piece away.
func discreetDetails(t *testing.T, mode booking.Mode, lang string) invite.Details {
	t.Helper()
	cat, err := i18n.New([]string{"en", "zh-Hans"}, "")
	if err != nil {
		t.Fatal(err)
	}
	d := MustDetails(t, mode)
	d.Booking.ID = "bk_discreet_" + lang + "_" + string(mode)
	d.Booking.Discreet = true
	d.Booking.Customer.Language = lang
	d.ServiceName = "Engagement ring: sapphire solitaire"
	d.Bring = "Your partner's ring size and the sapphire you chose"
	d.Lang = cat.Lang(lang)
	return d
}

// giveaways are the words a discreet booking's invitation must not hold.
var giveaways = []string{"Engagement", "sapphire", "solitaire", "ring size"} // ("ring" alone is in "bring")

// TestDiscreetInvite: a discreet booking's invitation is titled only
// "Appointment at Maison Lumière" (in the customer's language), and its
// DESCRIPTION and alarm name no service, piece or stone (the service's own
// advice, which could, gives way to the general advice); the time, place
// and manage link stay. A plain booking keeps the service's name.
func TestDiscreetInvite(t *testing.T) {
	for _, tc := range []struct {
		lang, title string
		mode        booking.Mode
	}{
		{"en", "Appointment at Maison Lumière", booking.InPerson},
		{"en", "Appointment at Maison Lumière", booking.Virtual},
		{"zh-Hans", "Maison Lumière的预约", booking.InPerson},
	} {
		t.Run(tc.lang+"/"+string(tc.mode), func(t *testing.T) {
			for _, status := range []booking.Status{booking.Confirmed, booking.Cancelled} {
				d := discreetDetails(t, tc.mode, tc.lang)
				d.Booking.Status = status
				raw, _, ev := MustBuild(t, d)
				if summary, _ := ev.Props.Text(ical.PropSummary); summary != tc.title {
					t.Errorf("%s: SUMMARY %q, want %q", status, summary, tc.title)
				}
				desc, _ := ev.Props.Text(ical.PropDescription)
				if !strings.Contains(desc, tc.title) || !strings.Contains(desc, d.ManageURL) {
					t.Errorf("%s: DESCRIPTION lacks the title or the manage link:\n%s", status, desc)
				}
				unfolded := strings.ReplaceAll(string(raw), "\r\n ", "")
				for _, w := range giveaways {
					if strings.Contains(unfolded, w) {
						t.Errorf("%s: the invitation holds %q:\n%s", status, w, unfolded)
					}
				}
			}
		})
	}

	d := MustDetails(t, booking.InPerson)
	_, _, ev := MustBuild(t, d)
	if summary, _ := ev.Props.Text(ical.PropSummary); summary != "Bespoke design consultation with Mei at Maison Lumière" {
		t.Errorf("plain SUMMARY %q", summary)
	}
}
