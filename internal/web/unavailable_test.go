package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// wantCalm503 checks a page answering a database that cannot write: 503
// with Retry-After, saying that nothing changed and to try again, with no
// trace of an internal error.
func wantCalm503(tb testing.TB, p Page) {
	tb.Helper()
	if p.Status != http.StatusServiceUnavailable {
		tb.Fatalf("status %d, want 503; body:\n%s", p.Status, p.Body)
	}
	if secs, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		tb.Errorf("Retry-After = %q, want 1 to 60 seconds", p.Header.Get("Retry-After"))
	}
	if !strings.Contains(p.Body, "nothing was changed; please try again in a moment.") {
		tb.Errorf("the page does not say that nothing changed and to try again:\n%s", p.Body)
	}
	for _, bad := range []string{"Something went wrong", "SQLITE", "database is locked", "internal error"} {
		if strings.Contains(p.Body, bad) {
			tb.Errorf("the page shows %q", bad)
		}
	}
}

// TestPagesWhileDatabaseLocked: with the database's write lock held by
// another process past the busy timeout, booking through the pages keeps
// the customer's details on a 503 form, cancelling shows a calm "try
// again" page, nothing is changed, and both go through afterwards.
func TestPagesWhileDatabaseLocked(t *testing.T) {
	env := MustOpenEnvWith(t, httpx.Config{}, sqlite.Options{BusyTimeout: 150 * time.Millisecond})
	other := env.MustBook(t, "ring-sizing", "in_person", "", time.Date(2026, 12, 12, 15, 0, 0, 0, Singapore))

	raw, err := sql.Open("sqlite", "file:"+env.Path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	lock, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := raw.QueryRow("SELECT count(*) FROM bookings WHERE status = 'confirmed'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	form := url.Values{
		"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Europe/London"},
		"start": {time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)},
		"name":  {"Ada Lovelace"}, "email": {"ada@example.com"}, "notes": {"size N"},
	}
	p := env.MustPost(t, "/book/details", form)
	wantCalm503(t, p)
	for _, w := range []string{`value="Ada Lovelace"`, `value="ada@example.com"`, ">size N</textarea>"} {
		if !strings.Contains(p.Body, w) {
			t.Errorf("the details form lost %q", w)
		}
	}
	cancel := url.Values{"token": {other.ManageToken}}
	wantCalm503(t, env.MustPost(t, "/bookings/"+other.ID+"/cancel", cancel))
	if n := count(); n != 1 {
		t.Errorf("%d confirmed bookings while locked, want the 1 made before", n)
	}

	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if p := env.MustPost(t, "/book/details", form); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/bookings/bk_") {
		t.Errorf("booking again once unlocked: status %d, Location %q, want 303 to the booking", p.Status, p.Location)
	}
	if p := env.MustPost(t, "/bookings/"+other.ID+"/cancel", cancel); p.Status != http.StatusSeeOther {
		t.Errorf("cancelling again once unlocked: status %d, want 303", p.Status)
	}
	if n := count(); n != 1 {
		t.Errorf("%d confirmed bookings at the end, want 1 (the new one; the other cancelled)", n)
	}
}
