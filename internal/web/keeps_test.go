package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// MustRemoveFromCatalog applies the demo configuration less the artisans
// and services named, as a restart after deleting them from the file does.
func (e *Env) MustRemoveFromCatalog(tb testing.TB, artisans, services []string) {
	tb.Helper()
	cfg, err := config.Parse(atelier.ExampleConfig)
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := cfg.Catalog()
	if err != nil {
		tb.Fatal(err)
	}
	cat.Artisans = slices.DeleteFunc(cat.Artisans, func(a booking.Artisan) bool { return slices.Contains(artisans, a.ID) })
	cat.Services = slices.DeleteFunc(cat.Services, func(s booking.Service) bool { return slices.Contains(services, s.ID) })
	for i := range cat.Artisans {
		cat.Artisans[i].Services = slices.DeleteFunc(cat.Artisans[i].Services, func(id string) bool { return slices.Contains(services, id) })
	}
	for i := range cat.Services {
		cat.Services[i].Artisans = slices.DeleteFunc(cat.Services[i].Artisans, func(id string) bool { return slices.Contains(artisans, id) })
	}
	if _, err := e.DB.SyncCatalog(context.Background(), cat); err != nil {
		tb.Fatal(err)
	}
}

// TestRemovedFromCatalogKeepsNames: once an artisan or a service is
// removed from the configuration file, their bookings still read with the
// names they were made with, on the customer's manage page, on the staff
// booking page and in the API, instead of a bare id.
func TestRemovedFromCatalogKeepsNames(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	withArjun := env.MustBookIn(t, "private-viewing", "in_person", "arjun", time.Date(2026, 12, 9, 15, 30, 0, 0, Singapore), "Europe/London")
	remodel := env.MustBookIn(t, "recycled-gold-remodelling", "in_person", "mei", time.Date(2026, 12, 9, 13, 0, 0, 0, Singapore), "Europe/London")
	env.MustRemoveFromCatalog(t, []string{"arjun"}, []string{"recycled-gold-remodelling"})

	for _, tc := range []struct {
		name             string
		manage, id       string
		service, artisan string
		notShown         string
	}{
		{"RemovedArtisan", withArjun.Links.Manage, withArjun.ID, "Private viewing of the collection", "Arjun Nair", ">arjun<"},
		{"RemovedService", remodel.Links.Manage, remodel.ID, "Recycled gold remodelling consultation", "Tan Mei Ling", ">recycled-gold-remodelling<"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.manage)
			if err != nil {
				t.Fatal(err)
			}
			for _, page := range []struct {
				name, path string
				headers    []string
			}{
				{"ManagePage", u.RequestURI(), nil},
				{"StaffBookingPage", "/staff/bookings/" + tc.id, []string{"Cookie", cookie}},
			} {
				p := env.Send(t, http.MethodGet, page.path, "", "", page.headers...)
				if p.Status != http.StatusOK {
					t.Fatalf("%s: status %d", page.name, p.Status)
				}
				body := html.UnescapeString(p.Body)
				for _, w := range []string{tc.service, tc.artisan} {
					if !strings.Contains(body, w) {
						t.Errorf("%s lacks %q", page.name, w)
					}
				}
				if strings.Contains(body, tc.notShown) {
					t.Errorf("%s shows the bare id %s", page.name, tc.notShown)
				}
			}

			p := env.Send(t, http.MethodGet, "/api/v1/bookings/"+tc.id+"?token="+u.Query().Get("token"), "", "")
			var got struct {
				ServiceName string `json:"service_name"`
				ArtisanName string `json:"artisan_name"`
			}
			if err := json.Unmarshal([]byte(p.Body), &got); err != nil || p.Status != http.StatusOK {
				t.Fatalf("API: %d %s", p.Status, p.Body)
			}
			if got.ServiceName != tc.service || got.ArtisanName != tc.artisan {
				t.Errorf("API names %q, %q; want %q, %q", got.ServiceName, got.ArtisanName, tc.service, tc.artisan)
			}
		})
	}
}
