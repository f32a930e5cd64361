package sqlite_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func feedHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func wantFeed(tb testing.TB, db interface {
	FeedByTokenHash(context.Context, []byte) (string, error)
}, token, artisan string) {
	tb.Helper()
	got, err := db.FeedByTokenHash(context.Background(), feedHash(token))
	if err != nil {
		tb.Fatalf("FeedByTokenHash(%s): %v", token, err)
	}
	if got != artisan {
		tb.Errorf("FeedByTokenHash(%s) = %q, want %q", token, got, artisan)
	}
}

func wantNoFeed(tb testing.TB, db interface {
	FeedByTokenHash(context.Context, []byte) (string, error)
}, token string) {
	tb.Helper()
	if _, err := db.FeedByTokenHash(context.Background(), feedHash(token)); booking.ErrorKind(err) != booking.ENOTFOUND {
		tb.Errorf("FeedByTokenHash(%s): %v, want ENOTFOUND", token, err)
	}
}

func TestFeedTokens(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	actor := booking.Actor{Kind: "staff", ID: "u1"}

	for artisan, token := range map[string]string{"ana": "ana-1", "ben": "ben-1", "": "atelier-1"} {
		if err := db.SetFeedToken(ctx, artisan, feedHash(token), actor); err != nil {
			t.Fatalf("SetFeedToken(%q): %v", artisan, err)
		}
	}
	wantFeed(t, db, "ana-1", "ana")
	wantFeed(t, db, "ben-1", "ben")
	wantFeed(t, db, "atelier-1", "")
	wantNoFeed(t, db, "guess")

	t.Run("RotateReplacesOldToken", func(t *testing.T) {
		if err := db.SetFeedToken(ctx, "ana", feedHash("ana-2"), actor); err != nil {
			t.Fatal(err)
		}
		wantNoFeed(t, db, "ana-1")
		wantFeed(t, db, "ana-2", "ana")
		wantFeed(t, db, "ben-1", "ben") // other feeds untouched
	})
	t.Run("UnknownArtisan", func(t *testing.T) {
		err := db.SetFeedToken(ctx, "zoe", feedHash("zoe-1"), actor)
		if booking.ErrorKind(err) != booking.ENOTFOUND {
			t.Errorf("SetFeedToken(zoe): %v, want ENOTFOUND", err)
		}
		wantNoFeed(t, db, "zoe-1")
	})
	t.Run("Revoke", func(t *testing.T) {
		deleted, err := db.DeleteFeedToken(ctx, "ben", actor)
		if err != nil || !deleted {
			t.Fatalf("DeleteFeedToken(ben) = %v, %v; want true, nil", deleted, err)
		}
		wantNoFeed(t, db, "ben-1")
		deleted, err = db.DeleteFeedToken(ctx, "ben", actor)
		if err != nil || deleted {
			t.Errorf("second DeleteFeedToken(ben) = %v, %v; want false, nil", deleted, err)
		}
		wantFeed(t, db, "atelier-1", "")
	})
	t.Run("OnlyTheHashIsStored", func(t *testing.T) {
		if n := count(t, db, `SELECT count(*) FROM feed_tokens WHERE token_hash = ?`, feedHash("ana-2")); n != 1 {
			t.Errorf("rows with the hash of ana-2: %d, want 1", n)
		}
		if n := count(t, db, `SELECT count(*) FROM feed_tokens WHERE CAST(token_hash AS TEXT) = 'ana-2'`); n != 0 {
			t.Errorf("rows holding the plaintext token: %d, want 0", n)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		log, err := db.AuditLog(ctx, time.Time{}, time.Now().Add(24*365*time.Hour*10), 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, e := range log {
			got[e.Action+" "+e.Target]++
		}
		for key, want := range map[string]int{
			"feed.created feed:artisan:ana": 1, "feed.rotated feed:artisan:ana": 1,
			"feed.created feed:atelier": 1, "feed.revoked feed:artisan:ben": 1,
		} {
			if got[key] != want {
				t.Errorf("audit rows %q: %d, want %d (all: %v)", key, got[key], want, got)
			}
		}
	})
}
