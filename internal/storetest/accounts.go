package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Accounts admins manage in the app (booking.AccountStore): an invitation
// makes an account that cannot sign in until its one-time link sets a
// password; the link is stored as a hash, expires, works once and is
// replaced by a new one; role changes, disabling and signing out
// everywhere end the account's sessions.
func testAccounts(t *testing.T, open Opener) {
	e := newQuietEnv(t, open, Catalog())
	for _, step := range []func(*testing.T, *env){invitations, accessAndSessions} {
		step(t, e)
		if t.Failed() {
			return
		}
	}
}

func tokenHash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func invitations(t *testing.T, e *env) {
	ctx := context.Background()
	boss := e.mustCreateUser(t, booking.User{Email: "boss@example.com", Name: "Boss", Role: booking.RoleAdmin, PasswordHash: "h1"})
	actor := boss.Actor()
	inv := booking.Invite{TokenHash: tokenHash("t1"), CreatedBy: boss.ID, ExpiresAt: testNow.Add(72 * time.Hour)}
	job := booking.Job{Queue: "mail", Kind: "staff_invite", Payload: []byte("{}")}
	u, err := e.st.InviteUser(ctx, booking.User{Email: " Cleo@Example.com", Name: "Cleo", Role: booking.RoleArtisan, ArtisanID: "ben"}, inv, job, actor)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == "" || u.PasswordHash != "" || u.Email != "Cleo@Example.com" {
		t.Errorf("invited %+v", u)
	}
	_, err = e.st.InviteUser(ctx, booking.User{Email: "cleo@example.COM", Name: "C", Role: booking.RoleAdmin}, booking.Invite{TokenHash: tokenHash("t0"), ExpiresAt: inv.ExpiresAt}, job, actor)
	wantCode(t, err, booking.ECONFLICT, "email_taken")
	_, err = e.st.InviteUser(ctx, booking.User{Email: "x@example.com", Name: "X", Role: booking.RoleArtisan, ArtisanID: "zoe"}, booking.Invite{TokenHash: tokenHash("t9"), ExpiresAt: inv.ExpiresAt}, job, actor)
	wantCode(t, err, booking.EINVALID, booking.CodeInvalid)
	if jobs, _ := e.st.ClaimJobs(ctx, "mail", testNow, 10, time.Minute); len(jobs) != 1 || jobs[0].Kind != "staff_invite" {
		t.Errorf("queued with the invitations: %+v, want the one e-mail of the invitation made", jobs)
	}
	pending, err := e.st.PendingInvites(ctx)
	if err != nil || !pending[u.ID].Equal(inv.ExpiresAt) || len(pending) != 1 {
		t.Errorf("pending invites %v, %v", pending, err)
	}

	if got, err := e.st.InvitedUser(ctx, tokenHash("t1"), testNow); err != nil || got.ID != u.ID {
		t.Errorf("InvitedUser = %+v, %v", got, err)
	}
	_, err = e.st.InvitedUser(ctx, tokenHash("t1"), inv.ExpiresAt)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeInviteExpired)
	_, err = e.st.InvitedUser(ctx, tokenHash("nope"), testNow)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	// A new link replaces the old one.
	if err := e.st.ReplaceInvite(ctx, booking.Invite{UserID: u.ID, TokenHash: tokenHash("t2"), ExpiresAt: inv.ExpiresAt}, job, actor); err != nil {
		t.Fatal(err)
	}
	_, err = e.st.AcceptInvite(ctx, tokenHash("t1"), "hash-old", testNow)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	got, err := e.st.AcceptInvite(ctx, tokenHash("t2"), "hash-new", testNow)
	if err != nil || got.ID != u.ID {
		t.Fatalf("AcceptInvite = %+v, %v", got, err)
	}
	if stored, _ := e.st.UserByEmail(ctx, "cleo@example.com"); stored.PasswordHash != "hash-new" {
		t.Errorf("password after accepting: %q", stored.PasswordHash)
	}
	_, err = e.st.AcceptInvite(ctx, tokenHash("t2"), "hash-again", testNow)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	err = e.st.ReplaceInvite(ctx, booking.Invite{UserID: u.ID, TokenHash: tokenHash("t3"), ExpiresAt: inv.ExpiresAt}, job, actor)
	if booking.ErrorKind(err) != booking.ECONFLICT {
		t.Errorf("a new invitation for an account with a password: %v, want ECONFLICT", err)
	}
	if pending, _ := e.st.PendingInvites(ctx); len(pending) != 0 {
		t.Errorf("pending after acceptance: %v", pending)
	}
}

func accessAndSessions(t *testing.T, e *env) {
	ctx := context.Background()
	boss, err := e.st.UserByEmail(ctx, "boss@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cleo, err := e.st.UserByEmail(ctx, "cleo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.st.UserByID(ctx, cleo.ID); err != nil || got.Email != cleo.Email {
		t.Errorf("UserByID = %+v, %v", got, err)
	}
	_, err = e.st.UserByID(ctx, "us_nobody")
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	session := func(id string) {
		t.Helper()
		if err := e.st.CreateSession(ctx, booking.Session{ID: id, UserID: cleo.ID, SecretHash: []byte(id),
			CreatedAt: testNow, LastSeenAt: testNow, ExpiresAt: testNow.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	session("a")
	session("b")
	if n, err := e.st.EndSessions(ctx, cleo.ID, boss.Actor()); err != nil || n != 2 || e.sessionExists(t, "a") {
		t.Errorf("EndSessions = %d, %v", n, err)
	}
	session("c")
	if err := e.st.SetUserAccess(ctx, cleo.ID, "Cleo A.", booking.RoleAdmin, "", boss.Actor()); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.UserByID(ctx, cleo.ID); got.Role != booking.RoleAdmin || got.ArtisanID != "" || got.Name != "Cleo A." || e.sessionExists(t, "c") {
		t.Errorf("after the role change: %+v (session left: %v)", got, e.sessionExists(t, "c"))
	}
	err = e.st.SetUserAccess(ctx, cleo.ID, "Cleo", booking.RoleArtisan, "", boss.Actor())
	if booking.ErrorKind(err) != booking.EINVALID {
		t.Errorf("an artisan account without an artisan: %v, want EINVALID", err)
	}
	session("d")
	if err := e.st.SetUserDisabled(ctx, cleo.ID, true, boss.Actor()); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.UserByID(ctx, cleo.ID); !got.Disabled || e.sessionExists(t, "d") {
		t.Errorf("disabled: %+v", got)
	}
	if err := e.st.SetUserDisabled(ctx, cleo.ID, false, boss.Actor()); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.UserByID(ctx, cleo.ID); got.Disabled {
		t.Errorf("enabled: %+v", got)
	}
	wantCode(t, e.st.SetUserDisabled(ctx, "us_nobody", true, boss.Actor()), booking.ENOTFOUND, booking.CodeNotFound)
	rows, err := e.st.AuditLog(ctx, testNow.Add(-time.Hour), testNow.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"user.invited": false, "user.invite_sent": false, "user.invite_accepted": false, "user.signed_out": false,
		"user.updated": false, "user.disabled": false, "user.enabled": false}
	for _, r := range rows {
		if _, ok := want[r.Action]; ok {
			want[r.Action] = true
		}
	}
	for a, seen := range want {
		if !seen {
			t.Errorf("no %s in the audit log", a)
		}
	}
}
