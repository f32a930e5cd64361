package invite_test

import (
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/invite"
)

// TestBringAdvice checks that a service's configured "what to bring"
// replaces the general advice in the invitation's DESCRIPTION, per mode,
// that another service keeps the general advice, and that without
// configuration today's words stay.
func TestBringAdvice(t *testing.T) {
	t.Cleanup(func() { invite.SetAdvice(nil) })
	desc := func(m booking.Mode) string {
		_, _, ev := MustBuild(t, MustDetails(t, m))
		return text(t, ev, ical.PropDescription)
	}
	if d := desc(booking.InPerson); !strings.Contains(d, "What to bring: "+invite.DefaultBringInPerson) {
		t.Errorf("unconfigured DESCRIPTION lacks the general advice:\n%s", d)
	}
	invite.SetAdvice(map[string]invite.BringText{
		"design": {InPerson: "Your grandmother's ring, and the box it came in.", Virtual: "A ring that fits you, and a ruler."},
		"resize": {InPerson: "The ring to resize."},
	})
	if d := desc(booking.InPerson); !strings.Contains(d, "What to bring: Your grandmother's ring, and the box it came in.") || strings.Contains(d, invite.DefaultBringInPerson) {
		t.Errorf("in-person DESCRIPTION:\n%s", d)
	}
	if d := desc(booking.Virtual); !strings.Contains(d, "What to bring: A ring that fits you, and a ruler.") {
		t.Errorf("virtual DESCRIPTION:\n%s", d)
	}
	if got := invite.BringFor("resize", booking.Virtual); got != invite.DefaultBringVirtual {
		t.Errorf("resize by video = %q, want the general advice (none configured for the mode)", got)
	}
	if got := invite.BringFor("unknown", booking.InPerson); got != invite.DefaultBringInPerson {
		t.Errorf("unknown service = %q", got)
	}
}
