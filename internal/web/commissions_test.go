package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// bookWithToken books a coming virtual design consultation with mei for c
// and returns it with its manage token.
func (e *Env) bookWithToken(tb testing.TB, start time.Time, c booking.Customer) (*app.Booking, string) {
	tb.Helper()
	made, err := e.App.CreateBooking(context.Background(), app.BookingRequest{
		Service: "bespoke-design", Mode: booking.Virtual, Artisan: "mei", Start: start, Customer: c,
	}, app.CreateOptions{})
	if err != nil {
		tb.Fatalf("book for %s: %v", c.Name, err)
	}
	return made.Booking, made.ManageToken
}

var commissionLink = regexp.MustCompile(`/staff/commissions/(cm_[a-z2-7]+)`)

// TestStaffCommissionPages: "Open a commission" from a booking's page
// opens one filled from the booking; its page changes the stage and the
// details (an empty title refused, in words), attaches a past booking by
// its reference and detaches it; the booking page, the customer's page and
// the calendar tile name the commission; the board lists commissions by
// stage and says in words which are overdue; another artisan's account
// does not see it.
func TestStaffCommissionPages(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	get := func(path string) Page {
		t.Helper()
		return env.Send(t, http.MethodGet, path, "", "", "Cookie", cookie)
	}
	post := func(path string, form url.Values) Page {
		t.Helper()
		return env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	}
	grace := booking.Customer{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+1 212 555 0100"}
	env.MustPastBooking(t, "bk_pastgrace00000000000", time.Date(2026, 11, 20, 14, 0, 0, 0, Singapore), grace)
	coming, _ := env.bookWithToken(t, time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), grace)

	// From the booking's page.
	p := get("/staff/bookings/" + coming.ID)
	open := "/staff/commissions/new?booking=" + coming.ID
	if !strings.Contains(html.UnescapeString(p.Body), `href="`+open+`"`) {
		t.Fatalf("the booking page has no Open a commission link:\n%s", p.Body)
	}
	form := get(open)
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `name="booking" value="`+coming.ID+`"`) || !strings.Contains(form.Body, "Grace Hopper") {
		t.Fatalf("the form from a booking: %d\n%s", form.Status, form.Body)
	}
	made := post("/staff/commissions", url.Values{"title": {"Sapphire ring"}, "booking": {coming.ID}, "artisan": {"mei"},
		"stage": {"consultation"}, "notes": {"Budget 5k"}, "needed_by": {"2026-12-24"}})
	m := commissionLink.FindStringSubmatch(made.Location)
	if made.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("open: %d %s %s", made.Status, made.Location, made.Body)
	}
	page := commissionLink.FindString(made.Location)
	p = get(made.Location)
	body := html.UnescapeString(p.Body)
	for _, want := range []string{"Sapphire ring", "The commission is open.", "Grace Hopper", "Thu 10 Dec 2026", "Budget 5k", "Consultation"} {
		if !strings.Contains(body, want) {
			t.Errorf("the commission page lacks %q", want)
		}
	}

	// The stage and the details.
	if r := post(page+"/stage", url.Values{"stage": {"design"}}); r.Status != http.StatusSeeOther {
		t.Errorf("stage: %d %s", r.Status, r.Body)
	}
	if p := get(page); !strings.Contains(p.Body, `<span class="tag">Design</span>`) {
		t.Errorf("the stage did not change")
	}
	r := post(page, url.Values{"title": {"  "}, "notes": {"kept?"}, "needed_by": {"2026-12-24"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The title is required.") {
		t.Errorf("empty title: %d\n%s", r.Status, r.Body)
	}
	if r := post(page, url.Values{"title": {"Sapphire ring, oval"}, "notes": {"Budget 6k"}, "needed_by": {""}, "artisan": {"mei"}}); r.Status != http.StatusSeeOther {
		t.Errorf("details: %d %s", r.Status, r.Body)
	}
	body = html.UnescapeString(get(page).Body)
	if !strings.Contains(body, "Sapphire ring, oval") || !strings.Contains(body, "Budget 6k") || !strings.Contains(body, "No date given") {
		t.Errorf("the details did not change:\n%s", body)
	}

	// Attach the past booking by its upper-case reference, then detach it.
	if r := post(page+"/bookings", url.Values{"booking": {"BK_PASTGRACE00000000000"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("attach: %d %s", r.Status, r.Body)
	}
	body = html.UnescapeString(get(page).Body)
	if i := strings.Index(body, `id="cm-past"`); i < 0 || !strings.Contains(body[i:], "Fri 20 Nov 2026") {
		t.Errorf("the past booking is not among the past appointments")
	}
	if r := post(page+"/bookings", url.Values{"booking": {"bk_nobody"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "That booking is not a known booking.") {
		t.Errorf("attach unknown: %d", r.Status)
	}

	// The booking page, the customer's page and the calendar name it.
	if p := get("/staff/bookings/" + coming.ID); !strings.Contains(p.Body, `href="`+page+`">Sapphire ring, oval</a>`) {
		t.Errorf("the booking page does not name its commission")
	}
	cust := customerLink.FindStringSubmatch(get("/staff/bookings/" + coming.ID).Body)
	if cust == nil {
		t.Fatal("no customer link")
	}
	if p := get(cust[1]); !strings.Contains(p.Body, `href="`+page+`"><strong>Sapphire ring, oval</strong>`) {
		t.Errorf("the customer's page does not list the commission")
	}
	if p := get("/staff/calendar?view=day&date=2026-12-10"); !strings.Contains(html.UnescapeString(p.Body), "For: Sapphire ring, oval") {
		t.Errorf("the calendar tile does not name the commission")
	}
	if r := post(page+"/bookings/bk_pastgrace00000000000/detach", nil); r.Status != http.StatusSeeOther {
		t.Errorf("detach: %d", r.Status)
	}
	if p := get("/staff/bookings/bk_pastgrace00000000000"); !strings.Contains(p.Body, "/staff/commissions/new?booking=bk_pastgrace00000000000") {
		t.Errorf("the detached booking still names a commission")
	}

	// Fresh, needed in 9 days with nothing booked: overdue on the board.
	ada := post("/staff/commissions", url.Values{"title": {"Wedding bands"}, "name": {"Ada Lovelace"}, "email": {"ada@example.org"},
		"artisan": {"arjun"}, "stage": {"making"}, "needed_by": {"2026-12-10"}})
	if ada.Status != http.StatusSeeOther {
		t.Fatalf("fresh: %d %s", ada.Status, ada.Body)
	}
	if r := post(page, url.Values{"title": {"Sapphire ring, oval"}, "needed_by": {"2026-12-08"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("needed by: %d", r.Status)
	}
	board := get("/staff/commissions")
	body = html.UnescapeString(board.Body)
	design, making := strings.Index(body, `id="stage-design"`), strings.Index(body, `id="stage-making"`)
	if board.Status != http.StatusOK || design < 0 || making < 0 {
		t.Fatalf("board: %d\n%s", board.Status, body)
	}
	if !strings.Contains(body[design:making], "Sapphire ring, oval") || !strings.Contains(body[making:], "Wedding bands") {
		t.Errorf("the commissions are not under their stages:\n%s", body)
	}
	overdue := body[strings.Index(body, `id="overdue"`):]
	overdue = overdue[:strings.Index(overdue, "</div>")]
	if !strings.Contains(overdue, "Wedding bands") || !strings.Contains(overdue, "needed by Thursday 10 December 2026 and no next appointment is booked") ||
		strings.Contains(overdue, "Sapphire") {
		t.Errorf("the overdue notice: %s", overdue)
	}
	if card := body[making:]; !strings.Contains(card, `<span class="tag wait">Overdue</span>`) || !strings.Contains(card, "Nothing booked") {
		t.Errorf("the overdue card does not say so in words:\n%s", card)
	}

	// Another artisan's account sees neither the page nor the card.
	env.MustCreateUser(t, "arjun@example.com", "Arjun", "arjun")
	login := env.MustPost(t, "/staff/login", url.Values{"email": {"arjun@example.com"}, "password": {StaffPassword}})
	arjun := strings.Split(login.Header.Get("Set-Cookie"), ";")[0]
	if p := env.Send(t, http.MethodGet, page, "", "", "Cookie", arjun); p.Status != http.StatusNotFound {
		t.Errorf("arjun opens mei's commission: %d", p.Status)
	}
	if p := env.Send(t, http.MethodGet, "/staff/commissions", "", "", "Cookie", arjun); strings.Contains(p.Body, "Sapphire") || !strings.Contains(p.Body, "Wedding bands") {
		t.Errorf("arjun's board shows another's commission or not his own")
	}
}

// TestStaffCommissionNewBooking: "Book the next appointment" on a
// commission's page books for the commission: the booking joins it.
func TestStaffCommissionNewBooking(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	grace := booking.Customer{Name: "Grace Hopper", Email: "grace@example.com"}
	b, _ := env.bookWithToken(t, time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), grace)
	cm, err := env.App.CreateCommission(context.Background(), mustAdmin(t, env), app.CommissionRequest{Title: "Brooch", Booking: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	p := env.Send(t, http.MethodGet, "/staff/commissions/"+cm.ID, "", "", "Cookie", cookie)
	next := regexp.MustCompile(`href="(/staff/bookings/new\?[^"]*commission=[^"]+)"`).FindStringSubmatch(p.Body)
	if next == nil {
		t.Fatalf("no Book the next appointment link:\n%s", p.Body)
	}
	q, _ := url.ParseQuery(strings.SplitN(html.UnescapeString(next[1]), "?", 2)[1])
	q.Set("key", "AAAAAAAAAAAAAAAAAAAAAA")
	form := env.Send(t, http.MethodGet, "/staff/bookings/new?"+q.Encode(), "", "", "Cookie", cookie)
	if !strings.Contains(form.Body, `name="commission" value="`+cm.ID+`"`) || !strings.Contains(form.Body, "Brooch") || !strings.Contains(form.Body, `value="Grace Hopper"`) {
		t.Fatalf("the New booking form is not for the commission:\n%s", form.Body)
	}
	f := url.Values{"key": {"AAAAAAAAAAAAAAAAAAAAAA"}, "commission": {cm.ID}, "service": {"bespoke-design"}, "mode": {"virtual"},
		"artisan": {"mei"}, "date": {"2026-12-17"}, "time": {"14:00"}, "name": {"Grace Hopper"}, "email": {"grace@example.com"}}
	r := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", f.Encode(), "Cookie", cookie)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "saved=created-commission") {
		t.Fatalf("book: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	v, err := env.App.StaffCommission(context.Background(), mustAdmin(t, env), cm.ID)
	if err != nil || len(v.Bookings) != 2 {
		t.Errorf("the commission's bookings after booking for it: %v %v", v, err)
	}
}

func mustAdmin(tb testing.TB, env *Env) *booking.User {
	tb.Helper()
	u, err := env.DB.UserByEmail(context.Background(), "boss@example.com")
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// TestCustomerCommissionPage: the manage token of a booking of the
// commission opens the customer's page of it (title, stage, the
// appointments with their manage links, no staff notes), and the manage
// page links to it; a token of a booking outside the commission is the
// "link not valid" page.
func TestCustomerCommissionPage(t *testing.T) {
	env := MustOpenEnv(t)
	staffLogin(t, env)
	grace := booking.Customer{Name: "Grace Hopper", Email: "grace@example.com"}
	first, token := env.bookWithToken(t, time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), grace)
	second, _ := env.bookWithToken(t, time.Date(2026, 12, 17, 14, 0, 0, 0, Singapore), grace)
	_, outsideToken := env.bookWithToken(t, time.Date(2026, 12, 18, 14, 0, 0, 0, Singapore), grace)
	ctx, admin := context.Background(), mustAdmin(t, env)
	cm, err := env.App.CreateCommission(ctx, admin, app.CommissionRequest{Title: "Sapphire ring", Booking: first.ID, Notes: "SECRET margin", Stage: "fitting"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.AttachBooking(ctx, admin, cm.ID, second.ID); err != nil {
		t.Fatal(err)
	}

	p := env.Send(t, http.MethodGet, "/commissions/"+cm.ID+"?token="+url.QueryEscape(token), "", "")
	body := html.UnescapeString(p.Body)
	if p.Status != http.StatusOK {
		t.Fatalf("customer page: %d\n%s", p.Status, body)
	}
	for _, want := range []string{"Sapphire ring", "Where it is now: Fitting.", `aria-current="step"`, "Thursday 10 December 2026", "Thursday 17 December 2026",
		"/bookings/" + second.ID + "?token=" + url.QueryEscape(token)} {
		if !strings.Contains(body, want) {
			t.Errorf("the customer's page lacks %q", want)
		}
	}
	if strings.Contains(body, "SECRET") {
		t.Errorf("staff notes on the customer's page")
	}
	// Its manage links open the other booking with the same token.
	if p := env.Send(t, http.MethodGet, "/bookings/"+second.ID+"?token="+url.QueryEscape(token), "", ""); p.Status != http.StatusOK {
		t.Errorf("the second booking with the first's token: %d", p.Status)
	}
	// The manage page links to the commission.
	m := env.Send(t, http.MethodGet, "/bookings/"+first.ID+"?token="+url.QueryEscape(token), "", "")
	if !strings.Contains(html.UnescapeString(m.Body), "/commissions/"+cm.ID+"?token="+url.QueryEscape(token)) || !strings.Contains(m.Body, "This appointment is part of Sapphire ring.") {
		t.Errorf("the manage page does not link to the commission:\n%s", m.Body)
	}
	// An invitation's link opens the page too, without the appointments'
	// manage links.
	iv, err := env.App.CreateInvitation(ctx, admin, cm.ID, app.InvitationRequest{Service: "ring-sizing"})
	if err != nil {
		t.Fatal(err)
	}
	byInvite := env.Send(t, http.MethodGet, "/commissions/"+cm.ID+"?token="+url.QueryEscape(iv.Token), "", "")
	if b := html.UnescapeString(byInvite.Body); byInvite.Status != http.StatusOK || !strings.Contains(b, "Sapphire ring") ||
		strings.Contains(b, "/bookings/"+second.ID) || !strings.Contains(b, "use the link in its confirmation e-mail") {
		t.Errorf("the page by the invitation's link: %d\n%s", byInvite.Status, mainOf(b))
	}
	for name, path := range map[string]string{
		"OutsideToken": "/commissions/" + cm.ID + "?token=" + url.QueryEscape(outsideToken),
		"NoToken":      "/commissions/" + cm.ID,
		"UnknownID":    "/commissions/cm_nobody?token=" + url.QueryEscape(token),
	} {
		if p := env.Send(t, http.MethodGet, path, "", ""); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Sapphire") {
			t.Errorf("%s: %d", name, p.Status)
		}
	}
}
