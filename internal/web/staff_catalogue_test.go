package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/httpx"
)

// postForm sends a staff form as the browser does.
func (e *Env) postForm(t *testing.T, cookie, path string, v url.Values) Page {
	t.Helper()
	return e.Send(t, "POST", path, "application/x-www-form-urlencoded", v.Encode(), "Cookie", cookie)
}

func (e *Env) get(t *testing.T, cookie, path string) Page {
	t.Helper()
	return e.Send(t, "GET", path, "", "", "Cookie", cookie)
}

// An admin adds a service with the form; customers see it at once; a
// wrong form comes back with its messages and what was typed; withdrawn,
// customers no longer see it. An artisan's account may not see the page.
func TestStaffServicePages(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	env.MustCreateUser(t, "mei@example.com", "Mei", "mei")
	admin, mei := env.mustSignIn(t, "boss@example.com"), env.mustSignIn(t, "mei@example.com")

	if p := env.get(t, mei, "/staff/services"); p.Status != http.StatusForbidden {
		t.Errorf("an artisan's account on the services page: %d", p.Status)
	}
	bad := env.postForm(t, admin, "/staff/services", url.Values{"name": {"Hand engraving"}, "duration": {"an hour"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "must be a number of minutes") ||
		!strings.Contains(bad.Body, "needs at least one of") || !strings.Contains(bad.Body, `value="Hand engraving"`) {
		t.Errorf("a wrong form: %d\n%s", bad.Status, bad.Body)
	}
	p := env.postForm(t, admin, "/staff/services", url.Values{"name": {"Hand engraving"}, "duration": {"45"},
		"description": {"Initials inside a band."}, "mode": {"virtual"}, "before_virtual": {"5"}, "after_virtual": {"0"}, "artisan": {"arjun"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/staff/services?") {
		t.Fatalf("adding: %d %s", p.Status, p.Location)
	}
	list := env.get(t, admin, p.Location)
	if !strings.Contains(list.Body, "Hand engraving is added") || !strings.Contains(list.Body, `href="/staff/services/hand-engraving"`) {
		t.Errorf("the list after adding:\n%s", list.Body)
	}
	if book := env.get(t, "", "/book"); !strings.Contains(book.Body, "Hand engraving") {
		t.Errorf("customers do not see the new service")
	}
	edit := env.get(t, admin, "/staff/services/hand-engraving")
	if edit.Status != 200 || !strings.Contains(edit.Body, `name="before_virtual" type="number" inputmode="numeric" min="0" max="1440" value="5"`) {
		t.Errorf("the edit page: %d\n%s", edit.Status, edit.Body)
	}
	p = env.postForm(t, admin, "/staff/services/hand-engraving/deactivate", nil)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("withdrawing: %d", p.Status)
	}
	if book := env.get(t, "", "/book"); strings.Contains(book.Body, "Hand engraving") {
		t.Errorf("customers still see the withdrawn service")
	}
	if list := env.get(t, admin, "/staff/services"); !strings.Contains(list.Body, "Withdrawn") {
		t.Errorf("the list does not mark the withdrawn service")
	}
	if p := env.get(t, admin, "/staff/services/nope"); p.Status != http.StatusNotFound {
		t.Errorf("an unknown service: %d", p.Status)
	}
}

// Artisans: added with their hours, edited, withdrawn; each reaches their
// hours and time off. Settings: rooms and booking rules.
func TestStaffArtisanAndSettingsPages(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	admin := env.mustSignIn(t, "boss@example.com")
	p := env.postForm(t, admin, "/staff/artisans", url.Values{"name": {"Léa Moreau"}, "email": {"lea@example.com"},
		"service": {"ring-sizing"}, "hours_tue": {"10:00-16:00"}, "daily_cap": {"3"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("adding an artisan: %d\n%s", p.Status, p.Body)
	}
	list := env.get(t, admin, "/staff/artisans")
	if !strings.Contains(list.Body, `href="/staff/artisans/lea-moreau"`) || !strings.Contains(list.Body, `href="/staff/artisans/mei"`) {
		t.Errorf("the artisans list lacks the links to their hours:\n%s", list.Body)
	}
	if hrs := env.get(t, admin, "/staff/artisans/lea-moreau"); hrs.Status != 200 || !strings.Contains(hrs.Body, `value="10:00-16:00"`) {
		t.Errorf("the new artisan's hours page: %d", hrs.Status)
	}
	p = env.postForm(t, admin, "/staff/artisans/lea-moreau/edit", url.Values{"name": {"Léa Moreau"}, "email": {"not mail"}, "service": {"ring-sizing"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "must be a valid e-mail address") {
		t.Errorf("a wrong address: %d", p.Status)
	}
	p = env.postForm(t, admin, "/staff/artisans/lea-moreau/edit", url.Values{"name": {"Léa M."}, "email": {"lea@example.com"},
		"service": {"ring-sizing"}, "meeting_url": {"https://meet.example/lea"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("editing: %d\n%s", p.Status, p.Body)
	}
	if p := env.postForm(t, admin, "/staff/artisans/lea-moreau/deactivate", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("withdrawing: %d", p.Status)
	}
	if !strings.Contains(env.get(t, admin, "/staff/artisans").Body, "Take bookings again") {
		t.Error("the withdrawn artisan cannot be offered again")
	}

	// Settings.
	if p := env.postForm(t, admin, "/staff/settings/booking-rules", url.Values{"notice": {"120"}, "horizon": {"0"}, "interval": {"30"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a horizon of 0: %d", p.Status)
	}
	if p := env.postForm(t, admin, "/staff/settings/booking-rules", url.Values{"notice": {"60"}, "horizon": {"30"}, "interval": {"30"}}); p.Status != http.StatusSeeOther {
		t.Errorf("saving the rules: %d\n%s", p.Status, p.Body)
	}
	set := env.get(t, admin, "/staff/settings")
	if !strings.Contains(set.Body, `id="horizon" name="horizon" type="number" inputmode="numeric" min="1" max="730" value="30"`) {
		t.Errorf("settings after the change:\n%s", set.Body)
	}
	if p := env.postForm(t, admin, "/staff/rooms", url.Values{"room_name": {"The vault"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("adding a room: %d\n%s", p.Status, p.Body)
	}
	if !strings.Contains(env.get(t, admin, "/staff/settings").Body, "The vault") {
		t.Error("the new room is not listed")
	}
	if p := env.postForm(t, admin, "/staff/rooms/the-vault/deactivate", nil); p.Status != http.StatusSeeOther {
		t.Errorf("withdrawing the room: %d", p.Status)
	}
}

var inviteLink = regexp.MustCompile(`https?://[^\s"<>]+/staff/invite\?token=[A-Za-z0-9_-]+`)

// An admin invites someone; the e-mail's link lets them choose a
// password once; they sign in with it; disabled, they cannot.
func TestStaffAccountPages(t *testing.T) {
	env, m := MustOpenMailEnv(t, httpx.Config{})
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	admin := env.mustSignIn(t, "boss@example.com")

	p := env.postForm(t, admin, "/staff/accounts", url.Values{"email": {"boss@example.com"}, "name": {"Again"}, "role": {"admin"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "already has a staff account") {
		t.Errorf("inviting a taken address: %d", p.Status)
	}
	p = env.postForm(t, admin, "/staff/accounts", url.Values{"email": {"siti.new@example.com"}, "name": {"Siti"}, "role": {"artisan"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "is required for an artisan") {
		t.Errorf("an artisan's account without its artisan: %d", p.Status)
	}
	p = env.postForm(t, admin, "/staff/accounts", url.Values{"email": {"siti.new@example.com"}, "name": {"Siti Rahmah"}, "role": {"artisan"}, "artisan": {"siti"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("inviting: %d\n%s", p.Status, p.Body)
	}
	if list := env.get(t, admin, "/staff/accounts"); !strings.Contains(list.Body, "Siti Rahmah") || !strings.Contains(list.Body, "Invited") {
		t.Errorf("the list after inviting:\n%s", list.Body)
	}
	// She cannot sign in before she has chosen a password.
	if p := env.MustPost(t, "/staff/login", url.Values{"email": {"siti.new@example.com"}, "password": {""}}); p.Status == http.StatusSeeOther {
		t.Fatal("an invited account signed in without a password")
	}
	var link string
	for name, raw := range m.Run(t) {
		if strings.Contains(name, "staff_invite") {
			s := MustParseSent(t, raw)
			if len(s.To) != 1 || s.To[0] != "siti.new@example.com" {
				t.Errorf("the invitation went to %v", s.To)
			}
			link = inviteLink.FindString(s.Text)
		}
	}
	if link == "" {
		t.Fatal("no invitation e-mail with a link")
	}
	u, _ := url.Parse(link)
	path := u.Path + "?" + u.RawQuery
	page := env.get(t, "", path)
	if page.Status != 200 || !strings.Contains(page.Body, "siti.new@example.com") {
		t.Fatalf("the invitation page: %d", page.Status)
	}
	token := u.Query().Get("token")
	p = env.postForm(t, "", "/staff/invite", url.Values{"token": {token}, "password": {"short"}, "confirm": {"short"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "at least 12") {
		t.Errorf("a short password: %d", p.Status)
	}
	const pw = "a fine long passphrase"
	p = env.postForm(t, "", "/staff/invite", url.Values{"token": {token}, "password": {pw}, "confirm": {pw}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/staff/login?") {
		t.Fatalf("setting the password: %d %s", p.Status, p.Location)
	}
	if again := env.postForm(t, "", "/staff/invite", url.Values{"token": {token}, "password": {pw + "!"}, "confirm": {pw + "!"}}); again.Status != http.StatusNotFound ||
		!strings.Contains(again.Body, "no longer works") {
		t.Errorf("the link used a second time: %d", again.Status)
	}
	if p := env.MustPost(t, "/staff/login", url.Values{"email": {"siti.new@example.com"}, "password": {pw}}); p.Status != http.StatusSeeOther {
		t.Fatalf("signing in with the new password: %d", p.Status)
	}

	// Her account, disabled, cannot sign in; the admin cannot disable
	// their own.
	var id string
	if m := regexp.MustCompile(`href="/staff/accounts/(us_[A-Za-z0-9_-]+)">Siti Rahmah`).FindStringSubmatch(env.get(t, admin, "/staff/accounts").Body); m != nil {
		id = m[1]
	} else {
		t.Fatal("no link to her account")
	}
	if p := env.postForm(t, admin, "/staff/accounts/"+id+"/disable", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("disabling: %d", p.Status)
	}
	if p := env.MustPost(t, "/staff/login", url.Values{"email": {"siti.new@example.com"}, "password": {pw}}); p.Status == http.StatusSeeOther {
		t.Error("a disabled account signed in")
	}
	var bossID string
	if m := regexp.MustCompile(`href="/staff/accounts/(us_[A-Za-z0-9_-]+)">Boss`).FindStringSubmatch(env.get(t, admin, "/staff/accounts").Body); m != nil {
		bossID = m[1]
	}
	if p := env.postForm(t, admin, "/staff/accounts/"+bossID+"/disable", nil); p.Status != http.StatusConflict {
		t.Errorf("an admin disabling their own account: %d", p.Status)
	}
	// Signing out everywhere ends the admin's own session too.
	if p := env.postForm(t, admin, "/staff/accounts/"+bossID+"/signout", nil); p.Status != http.StatusSeeOther || p.Location != "/staff/login" {
		t.Errorf("signing out everywhere: %d %s", p.Status, p.Location)
	}
	if p := env.get(t, admin, "/staff/accounts"); p.Status == 200 {
		t.Error("the session still works after signing out everywhere")
	}
}

// Artisans together on the service page: more than offer the service is
// refused beside the field and changes nothing; two of two is saved, shown
// again on the page, and customers' availability then needs both free.
func TestStaffServiceArtisansTogether(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	admin := env.mustSignIn(t, "boss@example.com")
	form := url.Values{"name": {"Stones and setting"}, "duration": {"60"}, "mode": {"virtual"},
		"artisan": {"mei", "arjun"}, "together": {"3"}}
	bad := env.postForm(t, admin, "/staff/services", form)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "Artisans together is 3 but only 2 artisans offer this service") ||
		!strings.Contains(bad.Body, `id="together" name="together" type="number" inputmode="numeric" min="1" max="20" value="3"`) {
		t.Fatalf("three of two artisans: %d\n%s", bad.Status, bad.Body)
	}
	form.Set("together", "2")
	if p := env.postForm(t, admin, "/staff/services", form); p.Status != http.StatusSeeOther {
		t.Fatalf("two of two: %d\n%s", p.Status, p.Body)
	}
	edit := env.get(t, admin, "/staff/services/stones-and-setting")
	if !strings.Contains(edit.Body, `name="together" type="number" inputmode="numeric" min="1" max="20" value="2"`) {
		t.Errorf("the edit page does not show two together:\n%s", edit.Body)
	}
	c, err := env.App.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if svc := c.Service("stones-and-setting"); svc == nil || svc.Needed() != 2 {
		t.Errorf("the catalogue's service = %+v, want two artisans together", svc)
	}
}
