package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// items returns the store's catalogue items.
func (e *env) items(t *testing.T) *booking.CatalogItems {
	t.Helper()
	it, err := e.st.CatalogItems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// The admins' edits of services, artisans, rooms and rules take effect at
// once, are refused clearly for a taken or unknown id, and are the
// database's from then on: a sync of the file changes none of them and
// names each file value it ignores.
func testCatalogItemEdits(t *testing.T, open Opener) {
	e := newEnv(t, open, Catalog())
	for _, step := range []func(*testing.T, *env){
		itemsOfTheFile, newService, editServices, editArtisans, editRooms, syncKeepsEdits, privateFromTheFile,
	} {
		step(t, e)
		if t.Failed() {
			return
		}
	}
}

var admin = booking.Actor{Kind: "staff", ID: "u1"}

// rules is what the admins set the booking rules to.
var rules = booking.Rules{MinNotice: 4 * time.Hour, HorizonDays: 30, SlotInterval: 15 * time.Minute, PendingFor: 72 * time.Hour}

func itemsOfTheFile(t *testing.T, e *env) {
	it := e.items(t)
	if len(it.Services) != 2 || len(it.Artisans) != 2 || len(it.Rooms) != 2 || it.RulesSource != booking.SourceConfig {
		t.Fatalf("items of the file's catalogue: %+v", it)
	}
	for _, s := range it.Services {
		if !s.Active || s.Source != booking.SourceConfig {
			t.Errorf("service %s: active %v source %q, want the file's and offered", s.ID, s.Active, s.Source)
		}
	}
	if got := it.Service("design"); !reflect.DeepEqual(got.Artisans, []string{"ana", "ben"}) ||
		got.Buffers[booking.InPerson] != (booking.Buffer{Before: 15 * time.Minute, After: 15 * time.Minute}) {
		t.Errorf("design as an item: %+v", got)
	}
	// The admins' view of a service shows its intake form as customers
	// see it (it showed none, as if the questions had been dropped).
	if got, want := it.Service("design").Questions, Catalog().Services[0].Questions; !reflect.DeepEqual(got, want) {
		t.Errorf("design's questions as an item:\n got %+v\nwant %+v", got, want)
	}
}

// A new service, offered by Ben, is bookable at once.
func newService(t *testing.T, e *env) {
	ctx := context.Background()
	engraving := booking.ServiceItem{Active: true, Service: booking.Service{
		ID: "engraving", Name: "Engraving", Description: "Initials inside a band", Duration: 45 * time.Minute,
		Modes:    []booking.Mode{booking.InPerson},
		Buffers:  map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 5 * time.Minute}},
		Artisans: []string{"ben"},
		// Not listed to customers (public: false): kept as such.
		Private: true,
	}}
	if err := e.st.SaveService(ctx, engraving, true, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.st.SaveService(ctx, engraving, true, admin), booking.ECONFLICT, booking.CodeIDTaken)
	ghost := engraving
	ghost.ID = "ghost"
	wantCode(t, e.st.SaveService(ctx, ghost, false, admin), booking.ENOTFOUND, booking.CodeNotFound)
	bad := engraving
	bad.ID, bad.Artisans = "bad", []string{"nobody"}
	if err := e.st.SaveService(ctx, bad, true, admin); booking.ErrorKind(err) != booking.EINVALID {
		t.Errorf("a service offered by an unknown artisan: %v, want EINVALID", err)
	}
	c, err := e.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Service("engraving"); s == nil || s.Duration != 45*time.Minute || !reflect.DeepEqual(s.Artisans, []string{"ben"}) ||
		!c.Artisan("ben").Offers("engraving") || c.Service("bad") != nil {
		t.Fatalf("the new service in the catalogue: %+v (Ben offers %v)", s, c.Artisan("ben").Services)
	}
	if !c.Service("engraving").Private || !e.items(t).Service("engraving").Private || c.Service("design").Private {
		t.Errorf("engraving private %v (item %v), design %v: want only engraving's not public",
			c.Service("engraving").Private, e.items(t).Service("engraving").Private, c.Service("design").Private)
	}
	engraving.Private = false
	if err := e.st.SaveService(ctx, engraving, false, admin); err != nil {
		t.Fatal(err)
	}
	if mustCatalog(t, e).Service("engraving").Private {
		t.Error("made public again, engraving is still not public")
	}
}

// A service the file marks public: false is stored so, and the file
// turning it public again is followed.
func privateFromTheFile(t *testing.T, e *env) {
	ctx := context.Background()
	file := Catalog()
	file.Services = append(file.Services, booking.Service{ID: "fitting", Name: "Fitting", Duration: 30 * time.Minute,
		Modes: []booking.Mode{booking.InPerson}, Buffers: map[booking.Mode]booking.Buffer{}, Artisans: []string{"ana"}, Private: true})
	for i := range file.Artisans {
		if file.Artisans[i].ID == "ana" {
			file.Artisans[i].Services = append(file.Artisans[i].Services, "fitting")
		}
	}
	for _, private := range []bool{true, false} {
		file.Services[len(file.Services)-1].Private = private
		if _, err := e.st.SyncCatalog(ctx, file); err != nil {
			t.Fatal(err)
		}
		s := mustCatalog(t, e).Service("fitting")
		if s == nil || s.Private != private || e.items(t).Service("fitting").Private != private {
			t.Errorf("the file's fitting with private %v, stored: %+v", private, s)
		}
	}
}

// Renaming design and withdrawing sizing.
func editServices(t *testing.T, e *env) {
	ctx := context.Background()
	design := *e.items(t).Service("design")
	design.Name, design.Artisans = "Design consultation", []string{"ana"}
	lo := 4.0
	design.Questions = []booking.Question{
		{ID: "occasion", Label: "Occasion", Type: booking.QChoice, Required: true, Options: []string{"Engagement", "Wedding"}},
		{ID: "weight", Label: "Gold", Type: booking.QNumber, Unit: "g", Min: &lo},
	}
	cutoff, moves := 48*time.Hour, 0
	design.ChangeCutoff, design.MaxReschedules = &cutoff, &moves
	if err := e.st.SaveService(ctx, design, false, admin); err != nil {
		t.Fatal(err)
	}
	for _, got := range []*booking.Service{&e.items(t).Service("design").Service, mustCatalog(t, e).Service("design")} {
		if !reflect.DeepEqual(got.Questions, design.Questions) || got.ChangeCutoff == nil || *got.ChangeCutoff != cutoff ||
			got.MaxReschedules == nil || *got.MaxReschedules != 0 {
			t.Errorf("design's questions and policy as stored: %+v", got)
		}
	}
	// Cleared again, the overrides are gone; a second edit keeps the questions.
	design.ChangeCutoff, design.MaxReschedules = nil, nil
	if err := e.st.SaveService(ctx, design, false, admin); err != nil {
		t.Fatal(err)
	}
	if got := e.items(t).Service("design"); got.ChangeCutoff != nil || got.MaxReschedules != nil || len(got.Questions) != 2 {
		t.Errorf("design with its overrides cleared: %+v", got)
	}
	design.ChangeCutoff = &cutoff
	if err := e.st.SaveService(ctx, design, false, admin); err != nil {
		t.Fatal(err)
	}
	sizing := *e.items(t).Service("sizing")
	sizing.Active = false
	if err := e.st.SaveService(ctx, sizing, false, admin); err != nil {
		t.Fatal(err)
	}
	c, _ := e.st.Catalog(ctx)
	if c.Service("design").Name != "Design consultation" || c.Service("sizing") != nil || c.Artisan("ana").Offers("sizing") ||
		c.Artisan("ben").Offers("design") {
		t.Errorf("after the edits: design %+v, sizing %+v, Ana offers %v, Ben %v",
			c.Service("design"), c.Service("sizing"), c.Artisan("ana").Services, c.Artisan("ben").Services)
	}
	if s := e.items(t).Service("sizing"); s == nil || s.Active || s.Source != booking.SourceStaff || s.UpdatedAt.IsZero() {
		t.Errorf("the withdrawn service as an item: %+v", s)
	}
}

func mustCatalog(t *testing.T, e *env) *booking.Catalog {
	t.Helper()
	c, err := e.st.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A new artisan and an edited one.
func editArtisans(t *testing.T, e *env) {
	ctx := context.Background()
	cleo := booking.ArtisanItem{Active: true, Artisan: booking.Artisan{
		ID: "cleo", Name: "Cleo", Bio: "Enameller", Email: "cleo@example.com", Services: []string{"engraving", "design"},
		Hours: hours(`{"tue":[["11:00","15:00"]]}`), DailyCap: 2, MeetingURL: "https://meet.example/cleo",
	}}
	if err := e.st.SaveArtisan(ctx, cleo, true, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.st.SaveArtisan(ctx, cleo, true, admin), booking.ECONFLICT, booking.CodeIDTaken)
	ben := *e.items(t).Artisan("ben")
	ben.Name, ben.MeetingURL = "Benedict", "https://meet.example/ben"
	if err := e.st.SaveArtisan(ctx, ben, false, admin); err != nil {
		t.Fatal(err)
	}
	c, _ := e.st.Catalog(ctx)
	if a := c.Artisan("cleo"); a == nil || a.DailyCap != 2 || a.MeetingURL != "https://meet.example/cleo" ||
		!reflect.DeepEqual(a.Services, []string{"engraving", "design"}) || !slices.Contains(c.Service("design").Artisans, "cleo") {
		t.Errorf("the new artisan: %+v", a)
	}
	if a := c.Artisan("ben"); a.Name != "Benedict" || a.MeetingURL != "https://meet.example/ben" {
		t.Errorf("the edited artisan: %+v", a)
	}
}

// Rooms: add, refuse a taken id, withdraw; the rules.
func editRooms(t *testing.T, e *env) {
	ctx := context.Background()
	wantCode(t, e.st.SaveRoom(ctx, booking.RoomItem{Room: booking.Room{ID: "salon", Name: "Salon"}, Active: true}, true, admin),
		booking.ECONFLICT, booking.CodeIDTaken)
	if err := e.st.SaveRoom(ctx, booking.RoomItem{Room: booking.Room{ID: "vault", Name: "Vault"}, Active: true}, true, admin); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SaveRoom(ctx, booking.RoomItem{Room: booking.Room{ID: "studio", Name: "Studio"}}, false, admin); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.st.SaveRoom(ctx, booking.RoomItem{Room: booking.Room{ID: "attic"}}, false, admin), booking.ENOTFOUND, booking.CodeNotFound)
	c, _ := e.st.Catalog(ctx)
	if rooms := c.Atelier.Rooms; len(rooms) != 2 || rooms[0].ID != "salon" || rooms[1].ID != "vault" {
		t.Errorf("rooms after adding vault and withdrawing studio: %+v", rooms)
	}
	if err := e.st.SetRules(ctx, rules, admin); err != nil {
		t.Fatal(err)
	}
	if c, _ = e.st.Catalog(ctx); c.Atelier.Rules != rules {
		t.Errorf("rules = %+v, want %+v", c.Atelier.Rules, rules)
	}
}

// A restart with the file: the app's items stay as the admins left them.
func syncKeepsEdits(t *testing.T, e *env) {
	ctx := context.Background()
	warnings, err := e.st.SyncCatalog(ctx, Catalog())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(warnings, "\n")
	for _, want := range []string{
		`service "design" was edited in the app on 2026-12-01; the file's name, artisans (who offers it), questions, change_cutoff_hours for "design" is ignored`,
		`service "sizing" was withdrawn in the app`,
		`artisan "ben" was edited in the app on 2026-12-01; the file's name, services, meeting_url for "ben" is ignored`,
		`room "studio" was withdrawn in the app`,
		`booking rules were changed in the app on 2026-12-01; the file's booking.min_notice_minutes, booking.horizon_days, booking.slot_interval_minutes, booking.pending_hours is ignored`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the sync's warnings lack %q:\n%s", want, all)
		}
	}
	c, _ := e.st.Catalog(ctx)
	switch {
	case c.Service("engraving") == nil || c.Artisan("cleo") == nil:
		t.Errorf("items made in the app were withdrawn by the file: %+v", c)
	case c.Service("design").Name != "Design consultation" || c.Service("sizing") != nil || c.Artisan("ben").Name != "Benedict":
		t.Errorf("the file overwrote the app's edits: design %+v, sizing %+v, ben %+v", c.Service("design"), c.Service("sizing"), c.Artisan("ben"))
	case c.Artisan("ben").Offers("design") || !c.Artisan("ana").Offers("design"):
		t.Errorf("who offers design was taken from the file: Ben %v, Ana %v", c.Artisan("ben").Services, c.Artisan("ana").Services)
	case c.Atelier.Rules != rules || len(c.Atelier.Rooms) != 2:
		t.Errorf("rules %+v, rooms %+v after the sync", c.Atelier.Rules, c.Atelier.Rooms)
	}

	// The file agreeing with the app gives the rules back to the file.
	file := Catalog()
	file.Atelier.Rules = rules
	if _, err := e.st.SyncCatalog(ctx, file); err != nil {
		t.Fatal(err)
	}
	if it := e.items(t); it.RulesSource != booking.SourceConfig {
		t.Errorf("rules source = %q after the file matched the app, want config", it.RulesSource)
	}
}
