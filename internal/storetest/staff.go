package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Staff accounts (what the atelier user commands do), sessions, calendar
// feed secrets and the audit log: booking.StaffStore.

func (e *env) mustCreateUser(t *testing.T, u booking.User) *booking.User {
	t.Helper()
	got, err := e.st.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatalf("create user %s: %v", u.Email, err)
	}
	return got
}

// Accounts: one per address in any case, an artisan account needs an
// active artisan and only it has one; found by address in any case.
func testUsers(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	admin := e.mustCreateUser(t, booking.User{Email: " Boss@Example.com ", Name: "Boss", Role: booking.RoleAdmin, PasswordHash: "h1"})
	if admin.ID == "" || admin.Email != "Boss@Example.com" || !admin.CreatedAt.Equal(testNow) {
		t.Errorf("created %+v: want an id, the address trimmed, created now", admin)
	}
	artisan := e.mustCreateUser(t, booking.User{Email: "ana.staff@example.com", Name: "Ana", Role: booking.RoleArtisan, ArtisanID: "ana", PasswordHash: "h2"})

	tests := []struct {
		name string
		user booking.User
		kind booking.Kind
		code string
	}{
		{"EmailTakenAnyCase", booking.User{Email: "boss@example.COM", Name: "B", Role: booking.RoleAdmin, PasswordHash: "h"}, booking.ECONFLICT, "email_taken"},
		{"UnknownArtisan", booking.User{Email: "x@example.com", Name: "X", Role: booking.RoleArtisan, ArtisanID: "zoe", PasswordHash: "h"}, booking.EINVALID, booking.CodeInvalid},
		{"ArtisanWithoutArtisan", booking.User{Email: "y@example.com", Name: "Y", Role: booking.RoleArtisan, PasswordHash: "h"}, booking.EINVALID, booking.CodeInvalid},
		{"AdminWithArtisan", booking.User{Email: "z@example.com", Name: "Z", Role: booking.RoleAdmin, ArtisanID: "ana", PasswordHash: "h"}, booking.EINVALID, booking.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.st.CreateUser(ctx, tc.user)
			wantCode(t, err, tc.kind, tc.code)
		})
	}

	got, err := e.st.UserByEmail(ctx, "BOSS@example.com")
	if err != nil || !reflect.DeepEqual(got, admin) {
		t.Fatalf("UserByEmail in another case: %+v, %v; want %+v", got, err, admin)
	}
	users, err := e.st.Users(ctx)
	if err != nil || len(users) != 2 || users[0].ID != artisan.ID || users[1].ID != admin.ID {
		t.Fatalf("Users = %+v, %v; want ana.staff then Boss, by address in any case", users, err)
	}
	if users[0].ArtisanID != "ana" || users[0].Role != booking.RoleArtisan || users[0].PasswordHash != "h2" {
		t.Errorf("artisan account = %+v", users[0])
	}
	_, err = e.st.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
}

// Sessions: stored, read with their user, touched, deleted; sessions past
// their expiry are purged when another is made; a password change or a
// disabled account ends them all; every account change is audited.
func testSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	u := e.mustCreateUser(t, booking.User{Email: "boss@example.com", Name: "Boss", Role: booking.RoleAdmin, PasswordHash: "h1"})
	other := e.mustCreateUser(t, booking.User{Email: "other@example.com", Name: "Other", Role: booking.RoleAdmin, PasswordHash: "h"})
	now := testNow.Add(-time.Hour)
	session := func(id, user string, created time.Time, life time.Duration) {
		t.Helper()
		if err := e.st.CreateSession(ctx, booking.Session{ID: id, UserID: user, SecretHash: []byte("hash-" + id),
			CreatedAt: created, LastSeenAt: created, ExpiresAt: created.Add(life)}); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(id string) bool { t.Helper(); return e.sessionExists(t, id) }

	session("s1", u.ID, now, time.Hour)
	s, su, err := e.st.Session(ctx, "s1")
	if err != nil || su.ID != u.ID || su.Email != u.Email || string(s.SecretHash) != "hash-s1" ||
		!s.CreatedAt.Equal(now) || !s.ExpiresAt.Equal(now.Add(time.Hour)) || s.UserID != u.ID {
		t.Fatalf("Session = %+v, %+v, %v", s, su, err)
	}
	if err := e.st.TouchSession(ctx, "s1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := e.st.Session(ctx, "s1"); !s.LastSeenAt.Equal(now.Add(time.Minute)) {
		t.Errorf("LastSeenAt = %v after touch", s.LastSeenAt)
	}
	// Another's session, made later, purges the expired one.
	session("short", other.ID, now, time.Minute)
	session("later", other.ID, now.Add(2*time.Minute), time.Hour)
	if exists("short") || !exists("later") || !exists("s1") {
		t.Errorf("after a session made past another's expiry: short %v, later %v, s1 %v; want only short gone",
			exists("short"), exists("later"), exists("s1"))
	}
	if err := e.st.DeleteSession(ctx, "later"); err != nil || exists("later") {
		t.Errorf("DeleteSession: %v, still there %v", err, exists("later"))
	}
	if err := e.st.DeleteSession(ctx, "never"); err != nil {
		t.Errorf("deleting an unknown session: %v", err)
	}

	checkAccountChangesEndSessions(t, e, u, other)
}

// sessionExists reports whether session id is stored.
func (e *env) sessionExists(t *testing.T, id string) bool {
	t.Helper()
	_, _, err := e.st.Session(context.Background(), id)
	if err != nil && booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

// checkAccountChangesEndSessions: a password change or a disabled account
// (u) ends all its sessions, not other's; enabling keeps the password;
// both are audited.
func checkAccountChangesEndSessions(t *testing.T, e *env, u, other *booking.User) {
	t.Helper()
	ctx := context.Background()
	now := testNow.Add(-time.Hour)
	session := func(id, user string) {
		t.Helper()
		if err := e.st.CreateSession(ctx, booking.Session{ID: id, UserID: user, SecretHash: []byte("hash-" + id),
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(id string) bool { t.Helper(); return e.sessionExists(t, id) }
	if err := e.st.SetUserPassword(ctx, "Boss@example.com", "h2"); err != nil {
		t.Fatal(err)
	}
	if exists("s1") {
		t.Error("a session survived a password change")
	}
	wantCode(t, e.st.SetUserPassword(ctx, "nobody@example.com", "h"), booking.ENOTFOUND, booking.CodeNotFound)
	session("s2", u.ID)
	session("o1", other.ID)
	if err := e.st.DisableUser(ctx, "boss@example.com"); err != nil {
		t.Fatal(err)
	}
	if exists("s2") || !exists("o1") {
		t.Errorf("after disabling: own session %v, another account's %v; want only the other", exists("s2"), exists("o1"))
	}
	if got, _ := e.st.UserByEmail(ctx, "boss@example.com"); !got.Disabled || got.PasswordHash != "h2" {
		t.Errorf("user after passwd and disable = %+v", got)
	}
	wantCode(t, e.st.DisableUser(ctx, "nobody@example.com"), booking.ENOTFOUND, booking.CodeNotFound)
	if err := e.st.EnableUser(ctx, "BOSS@example.com"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.UserByEmail(ctx, "boss@example.com"); got.Disabled || got.PasswordHash != "h2" {
		t.Errorf("user after enable = %+v, want active with its password", got)
	}
	wantCode(t, e.st.EnableUser(ctx, "nobody@example.com"), booking.ENOTFOUND, booking.CodeNotFound)
	want := []string{"user.disabled user:" + u.ID, "user.enabled user:" + u.ID}
	if got := e.auditTrail(t, "user."); !reflect.DeepEqual(got, want) {
		t.Errorf("audit of the accounts: %v, want %v", got, want)
	}
}

// auditTrail is "action target" of every audit row of the test day whose
// action starts with prefix, oldest first.
func (e *env) auditTrail(t *testing.T, prefix string) []string {
	t.Helper()
	log, err := e.st.AuditLog(context.Background(), testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range log {
		if len(a.Action) >= len(prefix) && a.Action[:len(prefix)] == prefix {
			out = append(out, a.Action+" "+a.Target)
		}
	}
	return out
}

func feedHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func (e *env) wantFeed(t *testing.T, token, artisan string) {
	t.Helper()
	got, err := e.st.FeedByTokenHash(context.Background(), feedHash(token))
	if err != nil || got != artisan {
		t.Errorf("FeedByTokenHash(%s) = %q, %v; want %q", token, got, err, artisan)
	}
}

func (e *env) wantNoFeed(t *testing.T, token string) {
	t.Helper()
	_, err := e.st.FeedByTokenHash(context.Background(), feedHash(token))
	if booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("FeedByTokenHash(%s): %v, want ENOTFOUND", token, err)
	}
}

// Feeds: one secret per feed, replaced by a rotation, refused for an
// unknown artisan, revoked once; each change audited without the secret.
func testFeedTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	actor := booking.Actor{Kind: "staff", ID: "u1"}
	for _, f := range []struct{ artisan, token string }{{"ana", "ana-1"}, {"ben", "ben-1"}, {"", "atelier-1"}} {
		if err := e.st.SetFeedToken(ctx, f.artisan, feedHash(f.token), actor); err != nil {
			t.Fatalf("SetFeedToken(%q): %v", f.artisan, err)
		}
	}
	e.wantFeed(t, "ana-1", "ana")
	e.wantFeed(t, "ben-1", "ben")
	e.wantFeed(t, "atelier-1", "")
	e.wantNoFeed(t, "guess")

	if err := e.st.SetFeedToken(ctx, "ana", feedHash("ana-2"), actor); err != nil {
		t.Fatal(err)
	}
	e.wantNoFeed(t, "ana-1")
	e.wantFeed(t, "ana-2", "ana")
	e.wantFeed(t, "ben-1", "ben")

	wantCode(t, e.st.SetFeedToken(ctx, "zoe", feedHash("zoe-1"), actor), booking.ENOTFOUND, booking.CodeNotFound)
	e.wantNoFeed(t, "zoe-1")

	deleted, err := e.st.DeleteFeedToken(ctx, "ben", actor)
	if err != nil || !deleted {
		t.Fatalf("DeleteFeedToken(ben) = %v, %v; want true, nil", deleted, err)
	}
	e.wantNoFeed(t, "ben-1")
	if deleted, err := e.st.DeleteFeedToken(ctx, "ben", actor); err != nil || deleted {
		t.Errorf("second DeleteFeedToken(ben) = %v, %v; want false, nil", deleted, err)
	}
	e.wantFeed(t, "atelier-1", "")

	want := []string{"feed.created feed:artisan:ana", "feed.created feed:artisan:ben", "feed.created feed:atelier",
		"feed.rotated feed:artisan:ana", "feed.revoked feed:artisan:ben"}
	if got := e.auditTrail(t, "feed."); !reflect.DeepEqual(got, want) {
		t.Errorf("audit of the feeds: %v, want %v", got, want)
	}
	log, err := e.st.AuditLog(ctx, testNow.Add(-time.Hour), testNow.Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range log {
		if string(a.Before) != "null" || string(a.After) != "null" || a.Actor != actor {
			t.Errorf("feed audit row %+v: want the staff actor and no images (never the secret)", a)
		}
	}
}

// Disabling an account revokes the feeds it made and its artisan's feed
// unless another active account of that artisan remains; enabling brings
// none back. Two accounts of one artisan disabled at once revoke its feed.
func testFeedsOfDisabledAccounts(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	admin := e.mustCreateUser(t, booking.User{Email: "admin@example.com", Name: "Admin", Role: booking.RoleAdmin, PasswordHash: "h"})
	ana1 := e.mustCreateUser(t, booking.User{Email: "ana1@example.com", Name: "Ana", Role: booking.RoleArtisan, ArtisanID: "ana", PasswordHash: "h"})
	e.mustCreateUser(t, booking.User{Email: "ana2@example.com", Name: "Ana too", Role: booking.RoleArtisan, ArtisanID: "ana", PasswordHash: "h"})
	e.mustCreateUser(t, booking.User{Email: "ben@example.com", Name: "Ben", Role: booking.RoleArtisan, ArtisanID: "ben", PasswordHash: "h"})
	set := func(artisan, token string, by *booking.User) {
		t.Helper()
		if err := e.st.SetFeedToken(ctx, artisan, feedHash(token), booking.Actor{Kind: "staff", ID: by.ID}); err != nil {
			t.Fatal(err)
		}
	}
	set("", "atelier", admin)
	set("ana", "ana", ana1)
	set("ben", "ben", admin)

	// The admin goes: the feeds it made go with it; Ana's, made by her
	// own active account, stays.
	if err := e.st.DisableUser(ctx, "admin@example.com"); err != nil {
		t.Fatal(err)
	}
	e.wantNoFeed(t, "atelier") // made by the admin
	e.wantNoFeed(t, "ben")     // made by the admin
	e.wantFeed(t, "ana", "ana")
	if err := e.st.EnableUser(ctx, "admin@example.com"); err != nil {
		t.Fatal(err)
	}
	e.wantNoFeed(t, "atelier") // enabling brings no URL back

	// Ana's feed, made by the admin this time: both her accounts go at
	// once, so it is revoked (by whichever goes second). Again with Ben's
	// accounts, new each round, so that the two meet more than once.
	set("ana", "ana-2", admin)
	disableTogether(t, e, "ana", "ana-2", "ana1@example.com", "ana2@example.com")
	if err := e.st.DisableUser(ctx, "ben@example.com"); err != nil { // no feed of Ben's to revoke now
		t.Fatal(err)
	}
	for round := range 4 {
		var emails []string
		for i := range 2 {
			u := e.mustCreateUser(t, booking.User{Email: fmt.Sprintf("ben%d.%d@example.com", round, i), Name: "Ben",
				Role: booking.RoleArtisan, ArtisanID: "ben", PasswordHash: "h"})
			emails = append(emails, u.Email)
		}
		set("ben", fmt.Sprintf("ben-%d", round), admin)
		disableTogether(t, e, "ben", fmt.Sprintf("ben-%d", round), emails...)
	}
	revoked := map[string]int{}
	for _, a := range e.auditTrail(t, "feed.revoked") {
		revoked[a]++
	}
	// Ben's feed: by the admin's disabling, then once per round.
	if revoked["feed.revoked feed:artisan:ana"] != 1 || revoked["feed.revoked feed:artisan:ben"] != 1+4 {
		t.Errorf("feeds revoked %v, want Ana's once and Ben's 5 times (each round's by the account disabled second)", revoked)
	}
}

// disableTogether disables the accounts with the addresses at once; the
// feed of artisan with token is then refused and its row gone.
func disableTogether(t *testing.T, e *env, artisan, token string, emails ...string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(emails))
	for i, email := range emails {
		wg.Go(func() { errs[i] = e.st.DisableUser(context.Background(), email) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	e.wantNoFeed(t, token)
}
