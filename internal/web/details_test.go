package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// MustQueueMail makes every booking change of env queue its e-mails, as
// the server does, so that tests can count them.
func (e *Env) MustQueueMail(tb testing.TB) {
	tb.Helper()
	e.DB.Jobs = mail.Jobs(mail.Options{
		From:      &gomail.Address{Name: "Atelier", Address: "bookings@atelier.example"},
		PublicURL: e.URL,
		Now:       func() time.Time { return Now },
	})
}

// MailsTo counts the queued e-mails addressed to addr.
func (e *Env) MailsTo(tb testing.TB, addr string) int {
	tb.Helper()
	jobs, err := e.DB.ClaimJobs(context.Background(), "mail", Now.AddDate(1, 0, 0), 1000, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, j := range jobs {
		_, to, _, err := mail.ParsePayload(j.Payload)
		if err != nil {
			continue // a reminder, rendered when it is sent
		}
		if slices.Contains(to, addr) {
			n++
		}
	}
	return n
}

// BookingsOf lists the confirmed bookings of December 2026 made for the
// customer with e-mail address addr.
func (e *Env) BookingsOf(tb testing.TB, addr string) []booking.Booking {
	tb.Helper()
	all, err := e.DB.Bookings(context.Background(), time.Date(2026, 12, 1, 0, 0, 0, 0, Singapore), time.Date(2027, 1, 1, 0, 0, 0, 0, Singapore), "")
	if err != nil {
		tb.Fatal(err)
	}
	var out []booking.Booking
	for _, b := range all {
		if b.Customer.Email == addr && b.Status == booking.Confirmed {
			out = append(out, b)
		}
	}
	return out
}

var keyField = regexp.MustCompile(`<input type="hidden" name="key" value="([^"]+)">`)

// MustOpenDetails follows a slot link of the calendar to the details page
// and returns the page and the one-time key its form carries.
func (e *Env) MustOpenDetails(tb testing.TB, slotURL string) (Page, string) {
	tb.Helper()
	p := e.MustGet(tb, slotURL)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "key=") {
		tb.Fatalf("GET %s: %d to %q, want 303 to the page with its key", slotURL, p.Status, p.Location)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		tb.Fatal(err)
	}
	page := e.MustGet(tb, p.Location)
	if page.Status != http.StatusOK {
		tb.Fatalf("GET %s: %d", p.Location, page.Status)
	}
	m := keyField.FindStringSubmatch(page.Body)
	if m == nil {
		tb.Fatalf("the details form carries no key:\n%s", page.Body)
	}
	if m[1] != u.Query().Get("key") {
		tb.Fatalf("form key %q is not the key of the address %q", m[1], u.Query().Get("key"))
	}
	// Reloading the page (or coming Back to it) keeps its key.
	if again := e.MustGet(tb, p.Location); keyField.FindStringSubmatch(again.Body)[1] != m[1] {
		tb.Fatal("the page fetched again has another key")
	}
	return page, m[1]
}

// adaForm is the details form as Ada sends it for Saturday 12 December,
// 10:30 am in Singapore, with whichever artisan is free.
func adaForm(key string) url.Values {
	return url.Values{
		"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Europe/London"},
		"start": {time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)}, "key": {key},
		"name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "phone": {"+44 20 7946 0000"}, "notes": {"Size N, I think."},
	}
}

const adaSlot = "/book/details?service=ring-sizing&mode=in_person&artisan=any&tz=Europe%2FLondon&start=2026-12-12T10%3A30%3A00%2B08%3A00"

// TestDetailsFormBooksOnce: sending the details form again (Back then
// Confirm, a double click, a browser retrying the POST) answers with the
// first booking, its confirmation page and manage link, and books and
// mails nothing more. Ring sizing is offered by two artisans, so a second
// booking of the same time would go to the other one.
func TestDetailsFormBooksOnce(t *testing.T) {
	t.Run("Sequential", func(t *testing.T) {
		env := MustOpenEnv(t)
		env.MustQueueMail(t)
		_, key := env.MustOpenDetails(t, adaSlot)
		first := env.MustPost(t, "/book/details", adaForm(key))
		if first.Status != http.StatusSeeOther || !strings.HasPrefix(first.Location, "/bookings/bk_") {
			t.Fatalf("first POST: %d to %q", first.Status, first.Location)
		}
		again := env.MustPost(t, "/book/details", adaForm(key))
		if again.Status != http.StatusSeeOther || again.Location != first.Location {
			t.Fatalf("repeated POST: %d to %q, want 303 to the first booking's page %q", again.Status, again.Location, first.Location)
		}
		page := env.MustGet(t, again.Location)
		body := html.UnescapeString(page.Body)
		u, _ := url.Parse(again.Location)
		manage := env.URL + u.Path + "?token=" + u.Query().Get("token")
		if page.Status != http.StatusOK || !strings.Contains(body, "Your appointment is confirmed") || !strings.Contains(body, manage) {
			t.Errorf("the repeat's page: %d; want the confirmation with the manage link %s", page.Status, manage)
		}
		if got := env.BookingsOf(t, "ada@example.com"); len(got) != 1 {
			t.Errorf("%d bookings for Ada, want 1: %+v", len(got), got)
		}
		if got := env.MailsTo(t, "ada@example.com"); got != 1 {
			t.Errorf("%d e-mails to Ada, want 1 confirmation", got)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		env := MustOpenEnv(t)
		env.MustQueueMail(t)
		_, key := env.MustOpenDetails(t, adaSlot)
		const n = 8
		var wg sync.WaitGroup
		ready := make(chan struct{})
		got := make([]Page, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				got[i] = env.MustPost(t, "/book/details", adaForm(key))
			}()
		}
		close(ready)
		wg.Wait()
		for i, p := range got {
			if p.Status != http.StatusSeeOther || p.Location != got[0].Location || !strings.HasPrefix(p.Location, "/bookings/bk_") {
				t.Errorf("POST %d: %d to %q, want 303 to %q like the others", i, p.Status, p.Location, got[0].Location)
			}
		}
		if b := env.BookingsOf(t, "ada@example.com"); len(b) != 1 {
			t.Errorf("%d bookings for Ada after %d identical POSTs, want 1", len(b), n)
		}
		if m := env.MailsTo(t, "ada@example.com"); m != 1 {
			t.Errorf("%d e-mails to Ada, want 1", m)
		}
	})

	t.Run("ChangedAfterBack", func(t *testing.T) {
		// Back, a change to the notes, Confirm: the page says the
		// appointment is booked, keeps what was typed and books nothing;
		// only confirming once more, on purpose, books a second one.
		env := MustOpenEnv(t)
		_, key := env.MustOpenDetails(t, adaSlot)
		if p := env.MustPost(t, "/book/details", adaForm(key)); p.Status != http.StatusSeeOther {
			t.Fatalf("first POST: %d", p.Status)
		}
		changed := adaForm(key)
		changed.Set("notes", "Actually size O.")
		p := env.MustPost(t, "/book/details", changed)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "This page has already booked an appointment") ||
			!strings.Contains(p.Body, ">Actually size O.</textarea>") {
			t.Fatalf("changed repeat: %d\n%s", p.Status, p.Body)
		}
		if got := env.BookingsOf(t, "ada@example.com"); len(got) != 1 {
			t.Fatalf("%d bookings after the changed repeat, want 1", len(got))
		}
		m := keyField.FindStringSubmatch(p.Body)
		if m == nil || m[1] == key {
			t.Fatalf("the page does not carry a new key (%v)", m)
		}
		if p := env.MustPost(t, "/book/details", func() url.Values { changed.Set("key", m[1]); return changed }()); p.Status != http.StatusSeeOther {
			t.Fatalf("confirming again on purpose: %d", p.Status)
		}
		if got := env.BookingsOf(t, "ada@example.com"); len(got) != 2 || got[0].ArtisanID == got[1].ArtisanID {
			t.Errorf("after confirming on purpose: %d bookings, want 2 with the two artisans", len(got))
		}
	})

	t.Run("OtherSlotOtherKey", func(t *testing.T) {
		env := MustOpenEnv(t)
		_, a := env.MustOpenDetails(t, adaSlot)
		_, b := env.MustOpenDetails(t, strings.Replace(adaSlot, "10%3A30", "11%3A00", 1))
		_, c := env.MustOpenDetails(t, adaSlot)
		if a == b || a == c {
			t.Errorf("keys %q %q %q: every visit of a details page needs its own", a, b, c)
		}
	})
}

// TestTakenSlotKeepsDetails: when the time was taken while the customer
// typed, the answer keeps every field and the zone, offers the times
// still free, and one more Confirm books one of them.
func TestTakenSlotKeepsDetails(t *testing.T) {
	env := MustOpenEnv(t)
	_, key := env.MustOpenDetails(t, strings.Replace(adaSlot, "artisan=any", "artisan=siti", 1))
	env.MustBook(t, "ring-sizing", "in_person", "siti", time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore))
	form := adaForm(key)
	form.Set("artisan", "siti")
	p := env.MustPost(t, "/book/details", form)
	if p.Status != http.StatusConflict {
		t.Fatalf("status %d, want 409", p.Status)
	}
	body := html.UnescapeString(p.Body)
	for _, w := range []string{
		"2:30 am on Saturday 12 December 2026 was booked by someone else a moment ago",
		`value="Ada Lovelace"`, `value="ada@example.com"`, `value="+44 20 7946 0000"`, ">Size N, I think.</textarea>",
		`name="tz" value="Europe/London"`, `name="artisan" value="siti"`, `name="key" value="` + key + `"`,
		"Times in Europe / London", "Saturday 12 December 2026", "3:30 am", "11:30 am in Singapore",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("the answer lacks %q", w)
		}
	}
	taken := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)
	if strings.Contains(body, `value="`+taken+`"`) {
		t.Error("the taken time is offered again")
	}
	// Choose 11:30 am in Singapore; nothing typed again.
	next := time.Date(2026, 12, 12, 11, 30, 0, 0, Singapore)
	form.Set("start", next.Format(time.RFC3339))
	form.Set("pick", "1")
	done := env.MustPost(t, "/book/details", form)
	if done.Status != http.StatusSeeOther || !strings.HasPrefix(done.Location, "/bookings/bk_") {
		t.Fatalf("booking the other time: %d to %q", done.Status, done.Location)
	}
	got := env.BookingsOf(t, "ada@example.com")
	if len(got) != 1 || !got[0].Start.Equal(next) || got[0].ArtisanID != "siti" || got[0].Customer.Phone != "+44 20 7946 0000" ||
		got[0].Customer.Timezone != "Europe/London" || got[0].Notes != "Size N, I think." {
		t.Fatalf("booked %+v, want Ada's details with Siti at %s", got, next)
	}
	// Choosing no time is asked again, details kept.
	form.Del("start")
	form.Set("key", "")
	if p := env.MustPost(t, "/book/details", form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Please choose a time.") ||
		!strings.Contains(p.Body, `value="Ada Lovelace"`) {
		t.Errorf("no time chosen: %d", p.Status)
	}
}

// TestStaffNewBookingBooksOnce: the staff form of a booking on a
// customer's behalf carries a one-time key too, so a double click or a
// repeat after Back makes one booking.
func TestStaffNewBookingBooksOnce(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	p := env.Send(t, http.MethodGet, "/staff/bookings/new?date=2026-12-12", "", "", "Cookie", cookie)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "key=") {
		t.Fatalf("GET the form: %d to %q, want 303 to it with its key", p.Status, p.Location)
	}
	page := env.Send(t, http.MethodGet, p.Location, "", "", "Cookie", cookie)
	m := keyField.FindStringSubmatch(page.Body)
	if page.Status != http.StatusOK || m == nil || !strings.Contains(p.Location, "key="+m[1]) {
		t.Fatalf("the form (%d) does not carry the key of its address", page.Status)
	}
	form := url.Values{
		"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {""}, "date": {"2026-12-12"}, "time": {"10:30"},
		"name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "key": {m[1]},
	}
	var wg sync.WaitGroup
	got := make([]Page, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
		}()
	}
	wg.Wait()
	again := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	for i, p := range append(got, again) {
		if p.Status != http.StatusSeeOther || p.Location != got[0].Location || !strings.HasPrefix(p.Location, "/staff/bookings/bk_") {
			t.Errorf("POST %d: %d to %q, want 303 to %q", i, p.Status, p.Location, got[0].Location)
		}
	}
	if b := env.BookingsOf(t, "ada@example.com"); len(b) != 1 {
		t.Errorf("%d bookings, want 1", len(b))
	}
}
