package invite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/invite"
)

const python = "/usr/bin/python3"

// requirePython skips the test when python3-icalendar is missing, unless
// ATELIER_REQUIRE_PYTHON_ICS=1 (as in CI), where a missing parser fails.
func requirePython(tb testing.TB) {
	tb.Helper()
	err := exec.Command(python, "-c", "import icalendar").Run()
	if err == nil {
		return
	}
	if os.Getenv("ATELIER_REQUIRE_PYTHON_ICS") == "1" {
		tb.Fatalf("ATELIER_REQUIRE_PYTHON_ICS=1 but %s cannot import icalendar: %v", python, err)
	}
	tb.Skipf("%s with icalendar not available: %v", python, err)
}

func runCheck(tb testing.TB, files ...string) (string, error) {
	tb.Helper()
	script, err := filepath.Abs("../../.ci/check-ics.py")
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(python, append([]string{script}, files...)...).CombinedOutput()
	return string(out), err
}

func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestCrossCheck has an independent parser (python3-icalendar, through
// .ci/check-ics.py) read sample invites and a feed.
func TestCrossCheck(t *testing.T) {
	requirePython(t)
	dir := t.TempDir()
	var files []string

	tricky := MustDetails(t, booking.Virtual)
	tricky.Booking.Customer.Name = `Zoë "Nan" O'Neil, Jr.; 💍`
	tricky.ServiceName = strings.Repeat("Création sur mesure ✨ ", 6)
	for name, d := range map[string]invite.Details{
		"in-person.ics": MustDetails(t, booking.InPerson),
		"virtual.ics":   MustDetails(t, booking.Virtual),
		"tricky.ics":    tricky,
	} {
		raw, err := invite.Build(d)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeFile(t, dir, name, raw))
		d.Booking.Status, d.Booking.Sequence = booking.Cancelled, 1
		raw, err = invite.Build(d)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeFile(t, dir, "cancel-"+name, raw))
	}
	feed, err := invite.Feed("Mei", []invite.Details{MustDetails(t, booking.InPerson), tricky})
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, writeFile(t, dir, "feed.ics", feed))
	empty, err := invite.Feed("Nobody", nil)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, writeFile(t, dir, "empty-feed.ics", empty))

	if out, err := runCheck(t, files...); err != nil {
		t.Errorf("check-ics.py: %v\n%s", err, out)
	}

	// The checker itself must catch what it is there to catch.
	t.Run("CatchesBadInvite", func(t *testing.T) {
		raw, err := invite.Build(MustDetails(t, booking.InPerson))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(raw), "\r\n ", "") // unfolded: long lines
		s = strings.Replace(s, "DTSTART:20261201T020000Z", "DTSTART;TZID=Asia/Singapore:20261201T100000", 1)
		s = strings.Replace(s, "METHOD:REQUEST", "METHOD:CANCEL", 1)
		bad := writeFile(t, t.TempDir(), "bad.ics", []byte(s))
		out, err := runCheck(t, bad)
		if err == nil {
			t.Fatalf("check-ics.py accepted a bad invite:\n%s", out)
		}
		for _, want := range []string{"octets", "DTSTART has a TZID", "METHOD:CANCEL with STATUS"} {
			if !strings.Contains(out, want) {
				t.Errorf("check-ics.py output lacks %q:\n%s", want, out)
			}
		}
	})
}
