package meeting_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/meeting"
)

var mei = &booking.Artisan{ID: "mei", Name: "Mei"}

func TestJitsi(t *testing.T) {
	ctx := context.Background()
	j := meeting.Jitsi{BaseURL: "https://jitsi.example.com/rooms/"}
	seen := map[string]bool{}
	for range 200 {
		l, err := j.Link(ctx, &booking.Booking{ID: "b1"}, mei)
		if err != nil {
			t.Fatal(err)
		}
		if seen[l] {
			t.Fatalf("room %s handed out twice", l)
		}
		seen[l] = true
		u, err := url.Parse(l)
		if err != nil || u.Host != "jitsi.example.com" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("link %q is not a room on the base URL", l)
		}
		room, ok := strings.CutPrefix(u.Path, "/rooms/atelier-mei-")
		if !ok {
			t.Fatalf("room path %q lacks the readable prefix", u.Path)
		}
		if len(room) < 22 || strings.Trim(room, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("room secret %q is not 22+ URL-safe characters (128 bits)", room)
		}
	}

	t.Run("Default", func(t *testing.T) {
		l, err := meeting.Jitsi{}.Link(ctx, nil, nil)
		if err != nil || !strings.HasPrefix(l, "https://meet.jit.si/atelier-") {
			t.Errorf("Link = %q, %v", l, err)
		}
	})
	t.Run("DeterministicRand", func(t *testing.T) {
		l, err := meeting.Jitsi{Rand: bytes.NewReader(make([]byte, 16))}.Link(ctx, nil, &booking.Artisan{ID: "a b/é"})
		if want := "https://meet.jit.si/atelier-a-b-AAAAAAAAAAAAAAAAAAAAAA"; err != nil || l != want {
			t.Errorf("Link = %q, %v; want %q", l, err, want)
		}
	})
	t.Run("RandFails", func(t *testing.T) {
		if _, err := (meeting.Jitsi{Rand: bytes.NewReader(nil)}).Link(ctx, nil, mei); err == nil {
			t.Error("no error when randomness runs out")
		}
	})
	t.Run("BadBase", func(t *testing.T) {
		if _, err := (meeting.Jitsi{BaseURL: "ftp://x"}).Link(ctx, nil, mei); err == nil {
			t.Error("no error for a non-http base URL")
		}
	})
}

func TestStatic(t *testing.T) {
	ctx := context.Background()
	s := meeting.Static{URLs: map[string]string{"mei": "https://zoom.example/j/123"}}
	for _, tc := range []struct {
		name    string
		linker  meeting.Linker
		artisan *booking.Artisan
		want    string // prefix
		wantErr bool
	}{
		{"OwnLink", s, mei, "https://zoom.example/j/123", false},
		{"NoLinkNoFallback", s, &booking.Artisan{ID: "tom"}, "", true},
		{"Fallback", meeting.Static{URLs: s.URLs, Fallback: meeting.Jitsi{}}, &booking.Artisan{ID: "tom"}, "https://meet.jit.si/atelier-tom-", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.linker.Link(ctx, &booking.Booking{ID: "b1"}, tc.artisan)
			if tc.wantErr {
				if !errors.Is(err, meeting.ErrNoLink) {
					t.Errorf("err = %v, want ErrNoLink", err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(got, tc.want) {
				t.Errorf("Link = %q, %v; want prefix %q", got, err, tc.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	ctx := context.Background()
	urls := map[string]string{"mei": "https://zoom.example/j/123"}
	for _, tc := range []struct {
		name    string
		cfg     meeting.Config
		want    string // link prefix for mei
		wantErr bool
	}{
		{"DefaultJitsi", meeting.Config{ArtisanURLs: urls}, "https://meet.jit.si/atelier-mei-", false},
		{"JitsiBase", meeting.Config{Provider: "jitsi", JitsiBaseURL: "https://j.example"}, "https://j.example/atelier-mei-", false},
		{"Static", meeting.Config{Provider: "static", ArtisanURLs: urls}, "https://zoom.example/j/123", false},
		{"Unknown", meeting.Config{Provider: "teams"}, "", true},
		{"BadArtisanURL", meeting.Config{Provider: "static", ArtisanURLs: map[string]string{"mei": "zoom"}}, "", true},
		{"BadBase", meeting.Config{JitsiBaseURL: "not a url"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := meeting.New(tc.cfg)
			if tc.wantErr {
				if err == nil {
					t.Error("New accepted a bad configuration")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.Link(ctx, &booking.Booking{ID: "b1"}, mei)
			if err != nil || !strings.HasPrefix(got, tc.want) {
				t.Errorf("Link = %q, %v; want prefix %q", got, err, tc.want)
			}
		})
	}
}
