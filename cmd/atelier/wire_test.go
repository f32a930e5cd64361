package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// mailView is what the e-mails show of a catalogue: the atelier's
// identity and rooms, and the names (and the artisans' addresses) of the
// services and artisans.
func mailView(c *booking.Catalog) string {
	a := c.Atelier
	v := fmt.Sprintf("atelier %q %q %q %q %q %q %q rooms %v\n", a.Name, a.Timezone, a.Zone(), a.Address, a.Phone, a.Email, a.MapURL, a.Rooms)
	for _, s := range c.Services {
		v += fmt.Sprintf("service %s %q\n", s.ID, s.Name)
	}
	for _, r := range c.Artisans {
		v += fmt.Sprintf("artisan %s %q %q\n", r.ID, r.Name, r.Email)
	}
	return v
}

// TestMailRendersTheFilesNames: the mail renderer is given the file's
// catalogue (build needs it before the store exists); it names everything
// as the database's catalogue does once the file is applied, also after
// staff changed hours in the database and an artisan left the file.
func TestMailRendersTheFilesNames(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Parse(atelier.ExampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.Path = filepath.Join(t.TempDir(), "atelier.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	check := func(cfg *config.Config) {
		t.Helper()
		file, err := cfg.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		db, err := openStore(ctx, cfg, file, sqlite.Options{}, logger)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		stored, err := db.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mailView(file), mailView(stored); got != want {
			t.Errorf("the file's catalogue shows\n%s\nthe database's\n%s", got, want)
		}
		// Staff give the first artisan the last one's hours: the database
		// keeps them over the file's.
		first, last := stored.Artisans[0], stored.Artisans[len(stored.Artisans)-1]
		if err := db.SetWorkingHours(ctx, first.ID, last.Hours, booking.Actor{Kind: "staff", ID: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	check(cfg)
	cfg.Artisans = cfg.Artisans[:len(cfg.Artisans)-1] // the last leaves the file
	check(cfg)
}
