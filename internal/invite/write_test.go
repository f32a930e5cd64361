package invite

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// Build writes, byte for byte, what go-ical encodes from the calendar
// event builds (buildGoICal), for random bookings: every optional
// property there or not, cancelled or not, both languages, and names,
// notes, addresses and links full of what TEXT and parameter values
// escape or quote (";", ":", ",", "\", line breaks, double quotes,
// carets, control characters, invalid UTF-8, other scripts). Where go-ical
// refuses a value, both fail alike.
func TestBuildMatchesGoICal(t *testing.T) {
	cat, err := i18n.New([]string{"en", "zh-Hans"}, "")
	if err != nil {
		t.Fatal(err)
	}
	langs := []*i18n.Lang{nil, cat.Lang("en"), cat.Lang("zh-Hans")}
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(18, 4))
	pieces := []string{"Anna", " ", "Lee", ";", ":", ",", "\\", "\n", "\r\n", "\r", "\"", "'", "^", "^n", "^^", "\t", "\x00", "\x7f", "\xff", "é", "李", "🙂", "Maison Lumière", "a long stretch of words that will need folding at seventy-five octets"}
	str := func(max int) string {
		var b strings.Builder
		for range rng.IntN(max + 1) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	maybe := func(s string) string {
		if rng.IntN(3) == 0 {
			return ""
		}
		return s
	}
	urls := []string{"", "https://book.maison.example/bookings/bk_1?token=a;b,c", "https://meet.jit.si/x y", "http://[::1", "https://例え.jp/パス?q=1", "mailto:a@b", "https://a.example/%zz"}
	var direct, refused int
	for i := range 3000 {
		start := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(1e6)) * time.Minute)
		b := &booking.Booking{
			ID:        "bk_" + str(2),
			Status:    []booking.Status{booking.Confirmed, booking.Cancelled, booking.Pending}[rng.IntN(3)],
			ServiceID: "design",
			Mode:      []booking.Mode{booking.Virtual, booking.InPerson}[rng.IntN(2)],
			ArtisanID: "mei",
			Start:     start.In(sgt),
			End:       start.Add(time.Duration(15+rng.IntN(200)) * time.Minute),
			Customer:  booking.Customer{Name: maybe(str(4)), Email: maybe([]string{"anna@example.org", "zoë@bücher.de", "a;b@example.org", "x@例え.jp"}[rng.IntN(4)]), Phone: maybe("+65 8123 4567")},
			Notes:     maybe(str(5)),
			Location:  maybe(str(3)),
			Sequence:  rng.IntN(20),
			Discreet:  rng.IntN(4) == 0,
		}
		if b.Mode == booking.Virtual {
			b.MeetingURL = urls[rng.IntN(len(urls))]
		}
		if rng.IntN(2) == 0 {
			b.CreatedAt = start.Add(-time.Duration(rng.IntN(1e5)) * time.Second)
		}
		if rng.IntN(2) == 0 {
			b.UpdatedAt = start.Add(-time.Duration(rng.IntN(1e5)) * time.Second)
		}
		d := Details{
			Booking:        b,
			ServiceName:    maybe(str(3)),
			ArtisanName:    maybe(str(2)),
			ArtisanEmail:   maybe("mei@example.com"),
			OrganizerName:  maybe(str(2)),
			OrganizerEmail: maybe([]string{"hello@maison.example", "bookings@bücher.de"}[rng.IntN(2)]),
			PublicURL:      maybe([]string{"https://book.maison.example", "http://127.0.0.1:8080", "https://bücher.de/x"}[rng.IntN(3)]),
			ManageURL:      urls[rng.IntN(len(urls))],
			Bring:          maybe(str(3)),
			Lang:           langs[rng.IntN(len(langs))],
			Now:            start.Add(-time.Duration(rng.IntN(1e6)) * time.Second),
			RSVP:           rng.IntN(2) == 0,
		}
		if rng.IntN(4) != 0 {
			d.Atelier = &booking.Atelier{Name: maybe(str(3)), Email: maybe("hello@maison.example"), Address: maybe(str(3)), Timezone: "Asia/Singapore", Location: sgt}
		}
		got, gotErr := Build(d)
		want, wantErr := buildGoICal(d)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Fatalf("case %d: error %v, go-ical's %v", i, gotErr, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n%s\nwant (go-ical)\n%s", i, got, want)
		}
		switch _, ok, err := buildDirect(d); {
		case ok:
			direct++
		case err == nil:
			refused++ // a value go-ical refuses: its path, its error
		}
	}
	t.Logf("%d written directly, %d through go-ical, the rest refused (a bad meeting link)", direct, refused)
	if direct < 2000 {
		t.Fatalf("only %d of 3000 invites were written directly (%d went to go-ical)", direct, refused)
	}
}
