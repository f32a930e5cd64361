package sqlite_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func mustCatalog(tb testing.TB, db interface {
	Catalog(context.Context) (*booking.Catalog, error)
}) *booking.Catalog {
	tb.Helper()
	c, err := db.Catalog(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCatalogRoundTrip(t *testing.T) {
	db := MustOpenDB(t)
	got := mustCatalog(t, db)
	want := testCatalog()
	if got.Atelier.Name != want.Atelier.Name || got.Atelier.Location.String() != "Asia/Singapore" ||
		got.Atelier.Rules != want.Atelier.Rules || got.Atelier.Address != want.Atelier.Address {
		t.Errorf("atelier = %+v", got.Atelier)
	}
	if jsonOf(got.Atelier.Hours) != jsonOf(want.Atelier.Hours) {
		t.Errorf("opening hours = %s, want %s", jsonOf(got.Atelier.Hours), jsonOf(want.Atelier.Hours))
	}
	if jsonOf(got.Atelier.Rooms) != jsonOf(want.Atelier.Rooms) {
		t.Errorf("rooms = %+v", got.Atelier.Rooms)
	}
	design := got.Service("design")
	if design == nil || design.Duration != 90*time.Minute || !slices.Equal(design.Modes, []booking.Mode{booking.InPerson, booking.Virtual}) ||
		design.Buffers[booking.InPerson] != (booking.Buffer{Before: 15 * time.Minute, After: 15 * time.Minute}) ||
		!slices.Equal(design.Artisans, []string{"ana", "ben"}) {
		t.Errorf("design = %+v", design)
	}
	if sizing := got.Service("sizing"); sizing == nil || !slices.Equal(sizing.Artisans, []string{"ana"}) {
		t.Errorf("sizing = %+v", sizing)
	}
	ana := got.Artisan("ana")
	if ana == nil || ana.DailyCap != 4 || ana.Email != "ana@example.com" || !slices.Equal(ana.Services, []string{"design", "sizing"}) {
		t.Errorf("ana = %+v", ana)
	}
	if len(got.Atelier.Closures) != 1 || got.Atelier.Closures[0].Reason != "Christmas" || got.Atelier.Closures[0].Source != "config" {
		t.Errorf("closures = %+v", got.Atelier.Closures)
	}
}

func TestSyncCatalog(t *testing.T) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}

	t.Run("FileChangesApply", func(t *testing.T) {
		db := MustOpenDB(t)
		old := MustCreateBooking(t, db, req{Artisan: "ben", Start: at(10, 0)})
		cat := testCatalog()
		cat.Atelier.Name = "Atelier Renamed"
		cat.Atelier.Hours = hours(`{"tue":[["11:00","18:00"]]}`)
		cat.Services[0].Duration = 2 * time.Hour
		cat.Services = cat.Services[:1]               // sizing goes
		cat.Artisans = cat.Artisans[:1]               // Ben goes
		cat.Artisans[0].Services = []string{"design"} // Ana stops sizing
		cat.Artisans[0].Hours = hours(`{"wed":[["09:00","12:00"]]}`)
		cat.Atelier.Closures = []booking.Closure{{From: booking.Date{Year: 2027, Month: 1, Day: 1}, To: booking.Date{Year: 2027, Month: 1, Day: 1}, Reason: "New Year"}}
		warnings, err := db.SyncCatalog(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 0 {
			t.Errorf("warnings = %q, want none", warnings)
		}
		got := mustCatalog(t, db)
		if got.Atelier.Name != "Atelier Renamed" || jsonOf(got.Atelier.Hours) != `{"tue":[["11:00","18:00"]]}` {
			t.Errorf("atelier = %q, hours %s", got.Atelier.Name, jsonOf(got.Atelier.Hours))
		}
		if len(got.Services) != 1 || got.Services[0].Duration != 2*time.Hour || !slices.Equal(got.Services[0].Artisans, []string{"ana"}) {
			t.Errorf("services = %+v", got.Services)
		}
		if len(got.Artisans) != 1 || got.Artisans[0].ID != "ana" || jsonOf(got.Artisans[0].Hours) != `{"wed":[["09:00","12:00"]]}` {
			t.Errorf("artisans = %+v", got.Artisans)
		}
		if len(got.Atelier.Closures) != 1 || got.Atelier.Closures[0].Reason != "New Year" {
			t.Errorf("closures = %+v, want the file's only", got.Atelier.Closures)
		}
		// Ben's old booking still reads.
		if b, err := db.Booking(ctx, old.ID); err != nil || b.ArtisanID != "ben" {
			t.Errorf("old booking = %+v, %v", b, err)
		}
		// Ben comes back when the file lists him again.
		if _, err := db.SyncCatalog(ctx, testCatalog()); err != nil {
			t.Fatal(err)
		}
		if got := mustCatalog(t, db); got.Artisan("ben") == nil || got.Service("sizing") == nil {
			t.Errorf("re-added artisan or service missing: %+v", got)
		}
	})

	t.Run("StaffHoursSurvive", func(t *testing.T) {
		db := MustOpenDB(t)
		staffHours := hours(`{"mon":[["12:00","20:00"]]}`)
		if err := db.SetOpeningHours(ctx, staffHours, staff); err != nil {
			t.Fatal(err)
		}
		if err := db.SetWorkingHours(ctx, "ana", staffHours, staff); err != nil {
			t.Fatal(err)
		}
		cl, err := db.AddClosure(ctx, booking.Closure{From: booking.Date{Year: 2026, Month: 12, Day: 31}, To: booking.Date{Year: 2026, Month: 12, Day: 31}, Reason: "Stocktake"}, staff)
		if err != nil {
			t.Fatal(err)
		}
		cat := testCatalog()
		cat.Atelier.Hours = hours(`{"mon":[["09:00","17:00"]]}`)
		cat.Artisans[0].Hours = hours(`{"mon":[["09:00","17:00"]]}`)
		cat.Artisans[1].Hours = hours(`{"fri":[["09:00","17:00"]]}`)
		warnings, err := db.SyncCatalog(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"opening hours were changed by staff on 2026-12-01", `working hours of artisan "ana" were changed by staff on 2026-12-01`}
		if len(warnings) != len(want) {
			t.Fatalf("warnings = %q, want %d", warnings, len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(warnings[i], w) {
				t.Errorf("warning %d = %q, want it to start %q", i, warnings[i], w)
			}
		}
		got := mustCatalog(t, db)
		if jsonOf(got.Atelier.Hours) != jsonOf(staffHours) || jsonOf(got.Artisan("ana").Hours) != jsonOf(staffHours) {
			t.Errorf("staff hours lost: atelier %s, ana %s", jsonOf(got.Atelier.Hours), jsonOf(got.Artisan("ana").Hours))
		}
		if jsonOf(got.Artisan("ben").Hours) != `{"fri":[["09:00","17:00"]]}` {
			t.Errorf("ben's hours from the file did not apply: %s", jsonOf(got.Artisan("ben").Hours))
		}
		var reasons []string
		for _, c := range got.Atelier.Closures {
			reasons = append(reasons, c.Reason+"/"+c.Source)
		}
		if !slices.Equal(reasons, []string{"Christmas/config", "Stocktake/staff"}) {
			t.Errorf("closures = %v", reasons)
		}
		if got.Atelier.Closures[1].ID != cl.ID {
			t.Errorf("staff closure id changed: %s, was %s", got.Atelier.Closures[1].ID, cl.ID)
		}

		// Once the file agrees with the staff, it manages the hours again.
		cat.Atelier.Hours = staffHours
		if warnings, err = db.SyncCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], `"ana"`) {
			t.Errorf("warnings = %q, want Ana's only", warnings)
		}
		cat.Atelier.Hours = hours(`{"sat":[["10:00","14:00"]]}`)
		if warnings, err = db.SyncCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], `"ana"`) {
			t.Errorf("warnings after a file edit = %q, want Ana's only (the atelier's hours are the file's again)", warnings)
		}
		if got := mustCatalog(t, db); jsonOf(got.Atelier.Hours) != `{"sat":[["10:00","14:00"]]}` {
			t.Errorf("file edit after reconciling did not apply: %s", jsonOf(got.Atelier.Hours))
		}
	})

	t.Run("ConfigClosureIDsStable", func(t *testing.T) {
		db := MustOpenDB(t)
		before := mustCatalog(t, db).Atelier.Closures
		if _, err := db.SyncCatalog(ctx, testCatalog()); err != nil {
			t.Fatal(err)
		}
		after := mustCatalog(t, db).Atelier.Closures
		if jsonOf(before) != jsonOf(after) {
			t.Errorf("closures changed on an identical sync: %s -> %s", jsonOf(before), jsonOf(after))
		}
	})
}

func TestStaffWriters(t *testing.T) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}

	t.Run("Closures", func(t *testing.T) {
		db := MustOpenDB(t)
		d := booking.Date{Year: 2026, Month: 12, Day: 30}
		_, err := db.AddClosure(ctx, booking.Closure{From: d, To: d.AddDays(-1)}, staff)
		wantCode(t, err, booking.EINVALID, booking.CodeInvalid)
		c, err := db.AddClosure(ctx, booking.Closure{From: d, To: d.AddDays(1), Reason: "Stocktake"}, staff)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == "" || c.Source != "staff" {
			t.Errorf("closure = %+v", c)
		}
		config := mustCatalog(t, db).Atelier.Closures[0]
		wantCode(t, db.DeleteClosure(ctx, config.ID, staff), booking.ECONFLICT, "closure_from_config")
		if err := db.DeleteClosure(ctx, c.ID, staff); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteClosure(ctx, c.ID, staff), booking.ENOTFOUND, booking.CodeNotFound)
		wantCode(t, db.DeleteClosure(ctx, "x", staff), booking.ENOTFOUND, booking.CodeNotFound)
		if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action IN ('closure.added', 'closure.deleted') AND actor_id = 'u1'`); n != 2 {
			t.Errorf("%d closure audit rows, want 2", n)
		}
	})

	t.Run("TimeOff", func(t *testing.T) {
		db := MustOpenDB(t)
		_, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(12, 0), End: at(11, 0)}, staff)
		wantCode(t, err, booking.EINVALID, booking.CodeInvalid)
		_, err = db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "nobody", Start: at(10, 0), End: at(11, 0)}, staff)
		wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
		to, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(10, 0), End: at(11, 0), Reason: "errand"}, staff)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustCatalog(t, db).Artisan("ana").TimeOff; len(got) != 1 || got[0].ID != to.ID || !got[0].Start.Equal(at(10, 0)) {
			t.Errorf("Ana's time off = %+v", got)
		}
		wantCode(t, db.DeleteTimeOff(ctx, "ben", to.ID, staff), booking.ENOTFOUND, booking.CodeNotFound)
		if err := db.DeleteTimeOff(ctx, "ana", to.ID, staff); err != nil {
			t.Fatal(err)
		}
		if got := mustCatalog(t, db).Artisan("ana").TimeOff; len(got) != 0 {
			t.Errorf("time off still there: %+v", got)
		}
	})

	t.Run("HoursOfUnknownArtisan", func(t *testing.T) {
		db := MustOpenDB(t)
		wantCode(t, db.SetWorkingHours(ctx, "nobody", booking.WeekHours{}, staff), booking.ENOTFOUND, booking.CodeNotFound)
	})
}
