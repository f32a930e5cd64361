package sqlite_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	admin, err := db.CreateUser(ctx, booking.User{Email: "Boss@Example.com", Name: "Boss", Role: booking.RoleAdmin, PasswordHash: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, booking.User{Email: "ana.staff@example.com", Name: "Ana", Role: booking.RoleArtisan, ArtisanID: "ana", PasswordHash: "h2"}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		user booking.User
		want booking.Kind
	}{
		{"EmailTakenAnyCase", booking.User{Email: "boss@example.COM", Name: "B", Role: booking.RoleAdmin, PasswordHash: "h"}, booking.ECONFLICT},
		{"UnknownArtisan", booking.User{Email: "x@example.com", Name: "X", Role: booking.RoleArtisan, ArtisanID: "zoe", PasswordHash: "h"}, booking.EINVALID},
		{"ArtisanWithoutArtisan", booking.User{Email: "y@example.com", Name: "Y", Role: booking.RoleArtisan, PasswordHash: "h"}, booking.EINVALID},
		{"AdminWithArtisan", booking.User{Email: "z@example.com", Name: "Z", Role: booking.RoleAdmin, ArtisanID: "ana", PasswordHash: "h"}, booking.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.CreateUser(ctx, tc.user); booking.ErrorKind(err) != tc.want {
				t.Errorf("CreateUser: %v, want kind %s", err, tc.want)
			}
		})
	}

	got, err := db.UserByEmail(ctx, "BOSS@example.com")
	if err != nil || got.ID != admin.ID {
		t.Fatalf("UserByEmail in another case: %+v, %v", got, err)
	}
	users, err := db.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("Users = %d users, %v; want 2", len(users), err)
	}
	if _, err := db.UserByEmail(ctx, "nobody@example.com"); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("unknown e-mail: %v, want ENOTFOUND", err)
	}
}

func TestSessionsEndWithPasswordChangeAndDisable(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	u, err := db.CreateUser(ctx, booking.User{Email: "boss@example.com", Name: "Boss", Role: booking.RoleAdmin, PasswordHash: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	open := func(id string) {
		t.Helper()
		if err := db.CreateSession(ctx, booking.Session{ID: id, UserID: u.ID, SecretHash: []byte("hash"),
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(id string) bool {
		t.Helper()
		_, _, err := db.Session(ctx, id)
		if err != nil && booking.ErrorKind(err) != booking.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}

	open("s1")
	s, su, err := db.Session(ctx, "s1")
	if err != nil || su.ID != u.ID || !s.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("Session = %+v, %+v, %v", s, su, err)
	}
	if err := db.TouchSession(ctx, "s1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := db.Session(ctx, "s1"); !s.LastSeenAt.Equal(now.Add(time.Minute)) {
		t.Errorf("LastSeenAt = %v after touch", s.LastSeenAt)
	}
	if err := db.SetUserPassword(ctx, "boss@example.com", "h2"); err != nil {
		t.Fatal(err)
	}
	if exists("s1") {
		t.Error("a session survived a password change")
	}
	open("s2")
	if err := db.DisableUser(ctx, "boss@example.com"); err != nil {
		t.Fatal(err)
	}
	if exists("s2") {
		t.Error("a session survived disabling the account")
	}
	if got, _ := db.UserByEmail(ctx, "boss@example.com"); !got.Disabled || got.PasswordHash != "h2" {
		t.Errorf("user after passwd and disable = %+v", got)
	}
	if err := db.DisableUser(ctx, "nobody@example.com"); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("disable unknown: %v, want ENOTFOUND", err)
	}
	if err := db.EnableUser(ctx, "BOSS@example.com"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.UserByEmail(ctx, "boss@example.com"); got.Disabled || got.PasswordHash != "h2" {
		t.Errorf("user after enable = %+v, want active with its password", got)
	}
	if err := db.EnableUser(ctx, "nobody@example.com"); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("enable unknown: %v, want ENOTFOUND", err)
	}
	entries, err := db.AuditLog(ctx, testNow.Add(-time.Hour), testNow.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range entries {
		if a.Target == "user:"+u.ID {
			actions = append(actions, a.Action)
		}
	}
	if !slices.Contains(actions, "user.disabled") || !slices.Contains(actions, "user.enabled") {
		t.Errorf("audit of the account: %v, want user.disabled and user.enabled", actions)
	}
}
