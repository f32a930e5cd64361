package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

var sgt = mustZone("Asia/Singapore")

// now is Tuesday 1 December 2026, 09:00 in Singapore.
var now = time.Date(2026, 12, 1, 9, 0, 0, 0, sgt)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// catalog: open 10:00-19:00 every day, one room, 2 hours' notice, a
// 60-minute consultation (both modes) offered by mei and arjun.
func catalog() *booking.Catalog {
	var w booking.WeekHours
	for d := range w {
		w[d] = []booking.Span{{Start: 10 * 60, End: 19 * 60}}
	}
	return &booking.Catalog{
		Atelier: booking.Atelier{
			Name: "Atelier", Timezone: "Asia/Singapore", Location: sgt, Address: "1 Test Street",
			Rooms: []booking.Room{{ID: "salon", Name: "Salon"}}, Hours: w,
			Rules: booking.Rules{MinNotice: 2 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute},
		},
		Services: []booking.Service{{
			ID: "consult", Name: "Consultation", Duration: time.Hour,
			Modes: []booking.Mode{booking.InPerson, booking.Virtual}, Artisans: []string{"mei", "arjun"},
		}},
		Artisans: []booking.Artisan{
			{ID: "mei", Name: "Mei", Services: []string{"consult"}, Hours: w},
			{ID: "arjun", Name: "Arjun", Services: []string{"consult"}, Hours: w},
		},
	}
}

// MustOpenApp returns an App over a real store on a temporary file, with a
// clock the test can move; opts complete its parts.
func MustOpenApp(tb testing.TB, opts ...func(*app.Deps)) (*app.App, *time.Time) {
	tb.Helper()
	db, clock := MustOpenStore(tb)
	return NewApp(db, clock, opts...), clock
}

// MustOpenStore opens the store of the tests on a temporary file, with the
// test catalogue and a clock the test can move.
func MustOpenStore(tb testing.TB) (*sqlite.Store, *time.Time) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "app.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := now
	db.Now = func() time.Time { return clock }
	if _, err := db.SyncCatalog(ctx, catalog()); err != nil {
		tb.Fatal(err)
	}
	return db, &clock
}

// NewApp makes the App of the tests over db and clock, with opts applied
// to its parts.
func NewApp(db *sqlite.Store, clock *time.Time, opts ...func(*app.Deps)) *app.App {
	d := app.Deps{Store: db, Now: func() time.Time { return *clock }, PublicURL: "https://atelier.example", Passwords: auth.TestParams}
	for _, o := range opts {
		o(&d)
	}
	return app.New(d)
}

// withMeetings gives the App of a test l as its meeting links.
func withMeetings(l app.MeetingLinker) func(*app.Deps) {
	return func(d *app.Deps) { d.Meetings = l }
}

func request(start time.Time, mode booking.Mode) app.BookingRequest {
	return app.BookingRequest{
		Service: "consult", Mode: mode, Start: start,
		Customer: booking.Customer{Name: "Ana", Email: "ana@example.com"},
	}
}

// Staff accounts of the tests: an admin (u1) and the artisan accounts of
// mei and arjun.
var (
	admin      = &booking.User{ID: "u1", Role: booking.RoleAdmin}
	meiUser    = &booking.User{ID: "u2", Role: booking.RoleArtisan, ArtisanID: "mei"}
	arjunUser  = &booking.User{ID: "u3", Role: booking.RoleArtisan, ArtisanID: "arjun"}
	disabledMe = &booking.User{ID: "u4", Role: booking.RoleArtisan, ArtisanID: "mei", Disabled: true}
)

// booked is a booking a test made, with its manage token.
type booked struct {
	*app.Booking
	ManageToken string
}

// made is the booking c made or, for a replay, the first one (as the tests'
// Replayer kept it: its id, artisan and manage token).
func made(c *app.Created) *booked {
	if !c.Replayed {
		return &booked{Booking: c.Booking, ManageToken: c.ManageToken}
	}
	var r replayed
	if err := json.Unmarshal(c.Response, &r); err != nil {
		panic(err)
	}
	return &booked{Booking: &app.Booking{Booking: booking.Booking{ID: r.ID, ArtisanID: r.Artisan}}, ManageToken: r.ManageToken}
}

// replayed is the first response the tests keep.
type replayed struct {
	ID          string `json:"id"`
	Artisan     string `json:"artisan"`
	ManageToken string `json:"manage_token"`
}

// testReplay is the tests' app.Replayer.
type testReplay struct{}

func (testReplay) FirstResponse(c *app.Created) ([]byte, error) {
	return json.Marshal(replayed{ID: c.Booking.ID, Artisan: c.Booking.ArtisanID, ManageToken: c.ManageToken})
}

// instant is an RFC 3339 time of a test.
func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func wantKind(tb testing.TB, err error, kind booking.Kind, code string) {
	tb.Helper()
	if booking.ErrorKind(err) != kind || booking.ErrorCode(err) != code {
		tb.Fatalf("err = %v, want kind %s code %s", err, kind, code)
	}
}

func TestIdempotencyKeyExpires(t *testing.T) {
	a, clock := MustOpenApp(t, func(d *app.Deps) { d.IdempotencyTTL = time.Hour })
	ctx := context.Background()
	req := request(time.Date(2026, 12, 2, 10, 0, 0, 0, sgt), booking.InPerson)
	opt := app.CreateOptions{IdempotencyKey: "k", Replay: testReplay{}}
	first, err := a.CreateBooking(ctx, req, opt)
	if err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(59 * time.Minute)
	again, err := a.CreateBooking(ctx, req, opt)
	if err != nil || !again.Replayed || made(again).ManageToken != made(first).ManageToken {
		t.Fatalf("replay within the TTL: %+v, %v", again, err)
	}
	*clock = clock.Add(2 * time.Minute)
	_, err = a.CreateBooking(ctx, req, opt)
	wantKind(t, err, booking.EINVALID, booking.CodeIdempotencyMismatch)
}

func TestDifferentKeysBookTwice(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	req := request(time.Date(2026, 12, 2, 10, 0, 0, 0, sgt), booking.Virtual)
	first, err := a.CreateBooking(ctx, req, app.CreateOptions{IdempotencyKey: "alpha", Replay: testReplay{}})
	if err != nil {
		t.Fatal(err)
	}
	// The key, not the body, identifies a retry: the same body under
	// another key is a new booking (with the other, still free artisan).
	second, err := a.CreateBooking(ctx, req, app.CreateOptions{IdempotencyKey: "beta", Replay: testReplay{}})
	if err != nil {
		t.Fatal(err)
	}
	if second.Replayed || made(second).ID == made(first).ID || made(second).ArtisanID == made(first).ArtisanID {
		t.Errorf("second key: replayed %v id %s artisan %s; first id %s artisan %s",
			second.Replayed, made(second).ID, made(second).ArtisanID, made(first).ID, made(first).ArtisanID)
	}
}

func TestStaffIgnoresMinimumNotice(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	soon := time.Date(2026, 12, 1, 10, 0, 0, 0, sgt) // one hour from now; notice is two
	_, err := a.CreateBooking(ctx, request(soon, booking.InPerson), app.CreateOptions{})
	wantKind(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)

	c, err := a.StaffCreateBooking(ctx, admin, request(soon, booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatalf("staff booking: %v", err)
	}
	got, err := a.StaffGetBooking(ctx, admin, made(c).ID)
	if err != nil || got.Status != booking.Confirmed {
		t.Fatalf("StaffBooking: %+v %v", got, err)
	}
	moved, err := a.StaffReschedule(ctx, admin, made(c).ID, app.RescheduleRequest{Start: instant("2026-12-01T10:30:00+08:00")})
	if err != nil || moved.Sequence != got.Sequence+1 {
		t.Fatalf("staff reschedule inside the notice period: %+v %v", moved, err)
	}
	if _, err := a.StaffCancel(ctx, admin, made(c).ID); err != nil {
		t.Fatal(err)
	}
	_, err = a.StaffCancel(ctx, admin, made(c).ID)
	wantKind(t, err, booking.ECONFLICT, booking.CodeBookingCancelled)
	_, err = a.StaffGetBooking(ctx, admin, "bk_nothing")
	wantKind(t, err, booking.ENOTFOUND, booking.CodeNotFound)
}

// fakeLinker hands out one link per call and remembers the host.
type fakeLinker struct {
	hosts []string
	err   error
}

func (f *fakeLinker) Link(_ context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	f.hosts = append(f.hosts, a.ID)
	return "https://meet.example/" + b.ID, nil
}

func TestVirtualMeetingLink(t *testing.T) {
	l := &fakeLinker{}
	a, _ := MustOpenApp(t, withMeetings(l))
	ctx := context.Background()
	start := time.Date(2026, 12, 2, 15, 0, 0, 0, sgt)

	c, err := a.CreateBooking(ctx, request(start, booking.Virtual), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := made(c)
	if v.MeetingURL != "https://meet.example/"+v.ID || v.Location != "" {
		t.Errorf("meeting_url = %q location = %q", v.MeetingURL, v.Location)
	}
	if len(l.hosts) != 1 || l.hosts[0] != v.ArtisanID {
		t.Errorf("link made for %v, booking is with %s", l.hosts, v.ArtisanID)
	}
	got, err := a.GetBooking(ctx, v.ID, v.ManageToken)
	if err != nil || got.MeetingURL != v.MeetingURL {
		t.Errorf("stored meeting_url = %q (%v)", got.MeetingURL, err)
	}

	l.err = errors.New("video service down")
	_, err = a.CreateBooking(ctx, request(start.Add(time.Hour), booking.Virtual), app.CreateOptions{})
	wantKind(t, err, booking.EUNAVAILABLE, "meeting_unavailable")
	if booking.ErrorMessage(err) == "video service down" {
		t.Error("the linker's error text reached the user")
	}
	// In-person visits need no link.
	if _, err := a.CreateBooking(ctx, request(start.Add(time.Hour), booking.InPerson), app.CreateOptions{}); err != nil {
		t.Errorf("in-person booking with the linker down: %v", err)
	}
}

func TestWrongTokenLooksLikeUnknownID(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	c, err := a.CreateBooking(ctx, request(time.Date(2026, 12, 2, 10, 0, 0, 0, sgt), booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Change the last character (to one it is not, or 1 in 64 runs would
	// pass the right token).
	tok := made(c).ManageToken
	last := "A"
	if strings.HasSuffix(tok, last) {
		last = "B"
	}
	_, errWrong := a.GetBooking(ctx, made(c).ID, tok[:len(tok)-1]+last)
	_, errUnknown := a.GetBooking(ctx, "bk_aaaaaaaaaaaaaaaaaaaa", made(c).ManageToken)
	_, errEmpty := a.GetBooking(ctx, made(c).ID, "")
	for name, err := range map[string]error{"wrong": errWrong, "unknown": errUnknown, "empty": errEmpty} {
		if booking.ErrorKind(err) != booking.ENOTFOUND || booking.ErrorMessage(err) != booking.ErrorMessage(errUnknown) {
			t.Errorf("%s token: %v", name, err)
		}
	}
}

// TestStartValidation: a start that is off the slot grid or in the past is
// invalid input (422, errors.start) whoever books; a start on the grid
// that is not free (too soon, closed, beyond the horizon, taken) is a
// conflict (409 slot_unavailable). A rejected reschedule leaves the
// booking as it was.
func TestStartValidation(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	taken, err := a.CreateBooking(ctx, request(time.Date(2026, 12, 3, 10, 0, 0, 0, sgt), booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		start string
		staff bool
		kind  booking.Kind
		code  string
	}{
		{"OffGrid", "2026-12-02T10:10:00+08:00", false, booking.EINVALID, booking.CodeInvalid},
		{"OffGridBySeconds", "2026-12-02T10:00:30+08:00", false, booking.EINVALID, booking.CodeInvalid},
		{"OffGridStaff", "2026-12-02T10:10:00+08:00", true, booking.EINVALID, booking.CodeInvalid},
		{"Past", "2026-11-30T10:00:00+08:00", false, booking.EINVALID, booking.CodeInvalid},
		{"PastStaff", "2026-12-01T08:30:00+08:00", true, booking.EINVALID, booking.CodeInvalid},
		{"TooSoon", "2026-12-01T10:00:00+08:00", false, booking.ECONFLICT, booking.CodeSlotUnavailable},
		{"OutsideHours", "2026-12-02T20:00:00+08:00", false, booking.ECONFLICT, booking.CodeSlotUnavailable},
		{"BeyondHorizon", "2027-06-01T10:00:00+08:00", false, booking.ECONFLICT, booking.CodeSlotUnavailable},
		{"Taken", "2026-12-03T10:00:00+08:00", false, booking.ECONFLICT, booking.CodeSlotUnavailable},
		{"OnGridInAnotherZone", "2026-12-02T03:30:00+01:00", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(now, booking.InPerson)
			req.Start = instant(tt.start)
			create := a.CreateBooking
			if tt.staff {
				create = func(ctx context.Context, req app.BookingRequest, opt app.CreateOptions) (*app.Created, error) {
					return a.StaffCreateBooking(ctx, admin, req, opt)
				}
			}
			c, err := create(ctx, req, app.CreateOptions{})
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("CreateBooking: %v", err)
				}
				if _, err := a.CancelBooking(ctx, made(c).ID, made(c).ManageToken); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, err, tt.kind, tt.code)
			var e *booking.Error
			if tt.kind == booking.EINVALID && (!errors.As(err, &e) || e.Fields["start"] == "") {
				t.Errorf("err = %v, want a message for the field start", err)
			}

			_, err = a.RescheduleBooking(ctx, made(taken).ID, made(taken).ManageToken, app.RescheduleRequest{Start: instant(tt.start)})
			if tt.name == "Taken" {
				// Moving a booking onto its own time is not a clash.
				return
			}
			if !tt.staff {
				wantKind(t, err, tt.kind, tt.code)
			}
			got, err := a.GetBooking(ctx, made(taken).ID, made(taken).ManageToken)
			if err != nil || !got.Start.Equal(made(taken).Start) || got.Sequence != made(taken).Sequence {
				t.Errorf("after a refused reschedule: start %v sequence %d (%v), want %v and %d",
					got.Start, got.Sequence, err, made(taken).Start, made(taken).Sequence)
			}
		})
	}
}

// TestUnreadFieldsAnsweredTogether: a field the adapter could not read is
// answered in the same EINVALID as the use case's own checks, with the
// adapter's message, and nothing is booked.
func TestUnreadFieldsAnsweredTogether(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	req := request(time.Time{}, booking.InPerson)
	req.Customer.Email = "not an address"
	req.Unread = booking.FieldErrors{"start": "must be an RFC 3339 time"}
	_, err := a.CreateBooking(ctx, req, app.CreateOptions{})
	var e *booking.Error
	if !errors.As(err, &e) || e.Kind != booking.EINVALID || e.Fields["start"] != "must be an RFC 3339 time" || e.Fields["customer.email"] == "" {
		t.Fatalf("err = %#v, want start with the adapter's message and customer.email", err)
	}
	req.Unread = nil
	_, err = a.CreateBooking(ctx, req, app.CreateOptions{})
	if !errors.As(err, &e) || e.Fields["start"] != "is required" {
		t.Fatalf("no start: %v, want start is required", err)
	}
}

// TestLanguagesWithoutConfiguration: an App configured with no languages
// writes English, and keeps the one catalogue rather than building one
// for every request.
func TestLanguagesWithoutConfiguration(t *testing.T) {
	a, _ := MustOpenApp(t, func(d *app.Deps) { d.Languages = nil })
	c := a.Languages()
	if got := c.Match("zh-Hans,zh;q=0.9").Name(); got != "en" {
		t.Errorf("language for a Chinese browser = %q, want en (none configured)", got)
	}
	if a.Languages() != c {
		t.Errorf("Languages built a new catalogue on the second call")
	}
}
