package invite_test

import (
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// TestBringAdvice checks that a service's configured "what to bring"
// (passed in Details.Bring by whoever builds the invite, from its
// Advice) replaces the general advice in the invitation's DESCRIPTION,
// per mode and per language, and that another service, or a mode with
// none configured, keeps the general advice.
func TestBringAdvice(t *testing.T) {
	cat, err := i18n.New([]string{"en", "zh-Hans"}, "")
	if err != nil {
		t.Fatal(err)
	}
	en, zh := cat.Lang("en"), cat.Lang("zh-Hans")
	general := en.T("bring.in_person")
	desc := func(d invite.Details) string {
		_, _, ev := MustBuild(t, d)
		return text(t, ev, ical.PropDescription)
	}
	if d := desc(MustDetails(t, booking.InPerson)); !strings.Contains(d, "What to bring: "+general) {
		t.Errorf("unconfigured DESCRIPTION lacks the general advice:\n%s", d)
	}
	advice := invite.Advice{
		"design": {InPerson: i18n.Text{"": "Your grandmother's ring, and the box it came in.", "zh-Hans": "请带上您祖母的戒指和它的盒子。"},
			Virtual: i18n.Text{"": "A ring that fits you, and a ruler."}},
		"resize": {InPerson: i18n.Text{"": "The ring to resize."}},
	}
	d := MustDetails(t, booking.InPerson)
	d.Bring = advice.For(d.Booking.ServiceID, d.Booking.Mode, en)
	if got := desc(d); !strings.Contains(got, "What to bring: Your grandmother's ring, and the box it came in.") || strings.Contains(got, general) {
		t.Errorf("in-person DESCRIPTION:\n%s", got)
	}
	d.Lang, d.Bring = zh, advice.For(d.Booking.ServiceID, d.Booking.Mode, zh)
	if got := desc(d); !strings.Contains(got, "请带上：请带上您祖母的戒指和它的盒子。") {
		t.Errorf("zh-Hans DESCRIPTION:\n%s", got)
	}
	v := MustDetails(t, booking.Virtual)
	v.Bring = advice.For(v.Booking.ServiceID, v.Booking.Mode, en)
	if got := desc(v); !strings.Contains(got, "What to bring: A ring that fits you, and a ruler.") {
		t.Errorf("virtual DESCRIPTION:\n%s", got)
	}
	if got := advice.For("resize", booking.Virtual, en); got != en.T("bring.virtual") {
		t.Errorf("resize by video = %q, want the general advice (none configured for the mode)", got)
	}
	if got := advice.For("unknown", booking.InPerson, zh); got != zh.T("bring.in_person") {
		t.Errorf("unknown service in zh-Hans = %q", got)
	}
}
