// Package storetest is the contract of a store: one set of tests that
// every implementation of the domain's store interfaces passes, run by each
// store package's own tests (internal/sqlite on a file, internal/postgres
// on a real PostgreSQL server). The tests use only the interfaces, never a
// database's SQL, so a difference between the stores is a failure here.
//
// It covers the catalogue (booking.CatalogStore and the configuration
// file's sync); the bookings (booking.BookingStore): round trips, create,
// get, cancel, reschedule, the 100-customer race for one slot of an
// artisan and of a room (through the placement check and, with the check
// bypassed, through the database's own constraint) and idempotency keys;
// the job queue (booking.JobStore, job.go): leases, retries, put-offs and
// give-ups, workers of two stores on one database claiming each job once,
// an expired lease claimed by another server, and the health counts; the
// staff (booking.StaffStore and the user commands' writes, staff.go):
// accounts, sessions, feed secrets and what disabling an account revokes;
// replies to invitations (booking.ReplyStore, reply.go): each message acted
// on once by readers on two stores at once, all or nothing; and the
// calendar sync's state (calsync.Store, calsync.go), whose contract the
// in-memory store of the Google sync's tests passes too.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// Store is what the contract exercises: the catalogue, booking and job
// stores, the start-up sync of the configuration file's catalogue, and
// what the wiring reads of the queue.
type Store interface {
	booking.CatalogStore
	booking.BookingStore
	booking.JobStore
	booking.CatalogEditor
	booking.StaffStore
	booking.AccountStore
	booking.ReplyStore
	booking.PhotoStore
	booking.RequestStore
	calsync.Store
	booking.CustomerStore
	booking.CommissionStore
	booking.PrivacyStore
	booking.InvitationStore // invitation.go
	SyncCatalog(ctx context.Context, cat *booking.Catalog) (warnings []string, err error)
	// JobStats counts jobs by queue and state (the metrics).
	JobStats(ctx context.Context) (map[string]map[string]int, error)
	// FailedJobs returns up to limit failed jobs of queue, latest first.
	FailedJobs(ctx context.Context, queue string, limit int) ([]booking.QueuedJob, error)

	// What the atelier user commands need of the staff accounts.
	CreateUser(ctx context.Context, u booking.User) (*booking.User, error)
	Users(ctx context.Context) ([]booking.User, error)
	SetUserPassword(ctx context.Context, email, hash string) error
	DisableUser(ctx context.Context, email string) error
	EnableUser(ctx context.Context, email string) error

	// The server's upkeep and what tests read of the manage tokens.
	ManageTokens(ctx context.Context, id string) ([]booking.ManageToken, error)
	PurgeManageTokens(ctx context.Context, endedBefore time.Time) (int64, error)
	PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error)
	FillBookingUIDs(ctx context.Context, uid func(id string) string) (int, error)

	// GoogleBusy returns the stored Google busy intervals of an artisan.
	GoogleBusy(ctx context.Context, artisanID string) ([]calsync.BusyEvent, error)
}

// Peer is a store that opens another store on its own database, as a
// second server on the same database would (PostgreSQL), or a second
// process on the same file (SQLite). The peer has the first store's hooks
// and is closed when the test ends.
type Peer interface {
	Peer(tb testing.TB) Store
}

// PayloadReader reads the stored payload of job id, whatever its state
// (a test hook of each store: no interface of the application reads the
// payload of a job that is done).
type PayloadReader interface {
	JobPayload(ctx context.Context, id int64) ([]byte, error)
}

// Hooks are what a store is opened with: its clock and the outbox's hooks.
type Hooks struct {
	Now       func() time.Time
	Jobs      booking.JobsFunc      // DB.Jobs; may be nil
	ReplyJobs booking.ReplyJobsFunc // DB.ReplyJobs; may be nil
}

// Opener makes a new, empty store with the hooks h; it is closed when the
// test ends.
type Opener func(t testing.TB, h Hooks) Store

// Run runs the contract against the stores open makes.
func Run(t *testing.T, open Opener) {
	t.Run("CatalogRoundTrip", func(t *testing.T) { testCatalogRoundTrip(t, open) })
	t.Run("CatalogEdits", func(t *testing.T) { testCatalogEdits(t, open) })
	t.Run("ClosureRace", func(t *testing.T) { testClosureRace(t, open) })
	t.Run("DateHours", func(t *testing.T) { testDateHours(t, open) })
	t.Run("Policy", func(t *testing.T) { testPolicy(t, open) })
	t.Run("CatalogItemEdits", func(t *testing.T) { testCatalogItemEdits(t, open) })
	t.Run("BookingRoundTrip", func(t *testing.T) { testBookingRoundTrip(t, open) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, open) })
	t.Run("Reschedule", func(t *testing.T) { testReschedule(t, open) })
	t.Run("Race", func(t *testing.T) { testRace(t, open) })
	t.Run("RaceDailyCap", func(t *testing.T) { testRaceDailyCap(t, open) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testConcurrentWrites(t, open) }) // concurrent.go
	t.Run("Teams", func(t *testing.T) { testTeams(t, open) })                       // team.go
	t.Run("TeamRace", func(t *testing.T) { testTeamRace(t, open) })                 // team.go
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open) })
	t.Run("Schedule", func(t *testing.T) { testSchedule(t, open) })
	t.Run("AvailabilitySchedule", func(t *testing.T) { testAvailabilitySchedule(t, open) }) // availability.go
	t.Run("JobQueue", func(t *testing.T) { testJobQueue(t, open) })
	t.Run("ClaimJobsConcurrent", func(t *testing.T) { testClaimJobsConcurrent(t, open) })
	t.Run("ClaimOneBookingAtATime", func(t *testing.T) { testClaimOneBookingAtATime(t, open) })
	t.Run("ExpiredLease", func(t *testing.T) { testExpiredLease(t, open) })
	t.Run("PostponeJob", func(t *testing.T) { testPostponeJob(t, open) })
	t.Run("JobPayloads", func(t *testing.T) { testJobPayloads(t, open) }) // job.go
	t.Run("JobHealth", func(t *testing.T) { testJobHealth(t, open) })
	t.Run("BookingJobs", func(t *testing.T) { testBookingJobs(t, open) })
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open) })     // customer.go
	t.Run("Commissions", func(t *testing.T) { testCommissions(t, open) }) // commission.go
	t.Run("Users", func(t *testing.T) { testUsers(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open) })
	t.Run("FeedTokens", func(t *testing.T) { testFeedTokens(t, open) })
	t.Run("FeedsOfDisabledAccounts", func(t *testing.T) { testFeedsOfDisabledAccounts(t, open) })
	t.Run("ApplyReplyConcurrent", func(t *testing.T) { testApplyReplyConcurrent(t, open) })
	t.Run("ApplyReplyRollsBack", func(t *testing.T) { testApplyReplyRollsBack(t, open) })
	t.Run("ApplyReplyUnknown", func(t *testing.T) { testApplyReplyUnknown(t, open) })
	t.Run("ReplyRecorded", func(t *testing.T) { testReplyRecorded(t, open) })
	t.Run("ReplyCursor", func(t *testing.T) { testReplyCursor(t, open) })
	t.Run("CalendarSync", func(t *testing.T) { testCalendarSync(t, open) })
	t.Run("Photos", func(t *testing.T) { testPhotos(t, open) })
	t.Run("ManageTokens", func(t *testing.T) { testManageTokens(t, open) })
	t.Run("CustomerBookings", func(t *testing.T) { testCustomerBookings(t, open) })
	t.Run("PurgeIdempotency", func(t *testing.T) { testPurgeIdempotency(t, open) })
	t.Run("FillBookingUIDs", func(t *testing.T) { testFillBookingUIDs(t, open) })
	t.Run("BookingLifecycle", func(t *testing.T) { testBookingLifecycle(t, open) })
	t.Run("IDsNotReused", func(t *testing.T) { testIDsNotReused(t, open) })
	t.Run("PendingHoldsTime", func(t *testing.T) { testPendingHoldsTime(t, open) })           // requests.go
	t.Run("Erasure", func(t *testing.T) { testErasure(t, open) })                             // privacy.go
	t.Run("PrivacyLinks", func(t *testing.T) { testPrivacyLinks(t, open) })                   // privacy.go
	t.Run("ErasureWithCommission", func(t *testing.T) { testErasureWithCommission(t, open) }) // privacy.go
	t.Run("PendingHoldsTime", func(t *testing.T) { testPendingHoldsTime(t, open) })           // requests.go
	t.Run("Invitations", func(t *testing.T) { testInvitations(t, open) })                     // invitation.go
	t.Run("InvitationRace", func(t *testing.T) { testInvitationRace(t, open) })
	t.Run("Requests", func(t *testing.T) { testRequests(t, open) })
	t.Run("RequestDecisionRace", func(t *testing.T) { testRequestDecisionRace(t, open) })
}

// testNow is the stores' clock.
var testNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// day is a date in the tests' future; sgt is the atelier's zone.
var (
	sgt = mustZone("Asia/Singapore")
	day = booking.Date{Year: 2026, Month: time.December, Day: 8}
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at returns hh:mm on the test day in Singapore.
func at(hh, mm int) time.Time { return day.At(booking.Clock(hh*60+mm), sgt) }

func hours(spec string) booking.WeekHours {
	var w booking.WeekHours
	if err := w.UnmarshalJSON([]byte(spec)); err != nil {
		panic(err)
	}
	return w
}

// Catalog is the contract's atelier: two rooms, two services, two
// artisans, a closure and a time off from the file.
func Catalog() *booking.Catalog {
	week := hours(`{"mon":[["10:00","19:00"]],"tue":[["10:00","19:00"]],"wed":[["10:00","19:00"]],
		"thu":[["10:00","19:00"]],"fri":[["10:00","19:00"]],"sat":[["10:00","17:00"]]}`)
	return &booking.Catalog{
		Atelier: booking.Atelier{
			Name: "Atelier Test", Timezone: "Asia/Singapore", Location: sgt,
			Address: "1 Jewel Lane", Phone: "+65 6000 0000", Email: "hello@example.com", MapURL: "https://maps.example/1",
			Rooms: []booking.Room{{ID: "salon", Name: "Salon"}, {ID: "studio", Name: "Studio"}},
			Hours: week,
			Closures: []booking.Closure{
				{From: booking.Date{Year: 2026, Month: 12, Day: 25}, To: booking.Date{Year: 2026, Month: 12, Day: 26}, Reason: "Christmas"},
			},
			Rules: booking.Rules{MinNotice: 2 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute, PendingFor: 24 * time.Hour},
		},
		Services: []booking.Service{
			{
				ID: "design", Name: "Bespoke design consultation", Description: "Sketches and stones", Duration: 90 * time.Minute,
				Modes:   []booking.Mode{booking.InPerson, booking.Virtual},
				Buffers: map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 15 * time.Minute, After: 15 * time.Minute}, booking.Virtual: {}},
				Questions: []booking.Question{
					{ID: "occasion", Label: "Occasion", Type: booking.QChoice, Required: true, Options: []string{"Engagement", "Wedding"}},
					{ID: "size", Label: "Ring size", Type: booking.QNumber, Units: booking.RingSizeUnits, Help: "If you know it"},
					{ID: "gold", Label: "Gold", Type: booking.QNumber, Unit: "g", Min: new(float64), Max: func() *float64 { f := 500.0; return &f }()},
					{ID: "photos", Label: "Photos", Type: booking.QPhotos},
				},
			},
			{
				ID: "sizing", Name: "Ring sizing", Duration: 30 * time.Minute,
				Modes:   []booking.Mode{booking.InPerson},
				Buffers: map[booking.Mode]booking.Buffer{booking.InPerson: {After: 10 * time.Minute}},
				// Kept through the store's round trip (the store does not act on it).
				RequiresConfirmation: true,
			},
		},
		Artisans: []booking.Artisan{
			{ID: "ana", Name: "Ana", Bio: "Goldsmith", Email: "ana@example.com", Services: []string{"design", "sizing"}, Hours: week, DailyCap: 4,
				TimeOff: []booking.TimeOff{{ArtisanID: "ana", Start: at(18, 0).AddDate(0, 0, 2), End: at(19, 0).AddDate(0, 0, 2), Reason: "Fair"}}},
			{ID: "ben", Name: "Ben", Email: "ben@example.com", Services: []string{"design"}, Hours: week},
		},
	}
}

// oneRoom is Catalog with a single room.
func oneRoom() *booking.Catalog {
	c := Catalog()
	c.Atelier.Rooms = c.Atelier.Rooms[:1]
	return c
}

// recorder is a JobsFunc that makes one mail job per event and remembers
// the events.
type recorder struct {
	mu     sync.Mutex
	events []booking.Event
}

func (r *recorder) jobs(e booking.Event) ([]booking.Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return []booking.Job{{Queue: "mail", Kind: string(e.Kind), BookingID: e.Booking.ID, Payload: []byte(e.Booking.ID)}}, nil
}

func (r *recorder) kinds() []booking.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []booking.EventKind
	for _, e := range r.events {
		out = append(out, e.Kind)
	}
	return out
}

// env is a store with the contract's catalogue, at testNow unless the
// test moves its clock (setClock).
type env struct {
	st  Store
	rec *recorder

	mu        sync.Mutex
	clock     time.Time
	jobsFn    booking.JobsFunc      // the store's job hook just now (setJobs)
	replyJobs booking.ReplyJobsFunc // the store's reply hook just now (setReplyJobs)
}

func newEnv(t *testing.T, open Opener, cat *booking.Catalog) *env {
	t.Helper()
	e := &env{rec: &recorder{}, clock: testNow}
	e.jobsFn = e.rec.jobs
	e.open(t, open, cat)
	return e
}

// newQuietEnv is newEnv with no jobs for booking changes, so a test of the
// queue sees only the jobs it enqueues.
func newQuietEnv(t *testing.T, open Opener, cat *booking.Catalog) *env {
	t.Helper()
	e := &env{rec: &recorder{}, clock: testNow}
	e.open(t, open, cat)
	return e
}

func (e *env) open(t *testing.T, open Opener, cat *booking.Catalog) {
	t.Helper()
	e.st = open(t, Hooks{Now: e.now, Jobs: e.jobs, ReplyJobs: e.replies})
	if _, err := e.st.SyncCatalog(context.Background(), cat); err != nil {
		t.Fatal(err)
	}
}

// jobs is the store's job hook: the one set last (setJobs), or none.
func (e *env) jobs(ev booking.Event) ([]booking.Job, error) {
	e.mu.Lock()
	fn := e.jobsFn
	e.mu.Unlock()
	if fn == nil {
		return nil, nil
	}
	return fn(ev)
}

// replies is the store's reply hook: the one set last (setReplyJobs), or
// none.
func (e *env) replies(ev booking.ReplyEvent) ([]booking.Job, error) {
	e.mu.Lock()
	fn := e.replyJobs
	e.mu.Unlock()
	if fn == nil {
		return nil, nil
	}
	return fn(ev)
}

// setJobs makes fn the store's job hook (nil: no jobs).
func (e *env) setJobs(fn booking.JobsFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.jobsFn = fn
}

// setReplyJobs makes fn the store's reply hook (nil: no jobs).
func (e *env) setReplyJobs(fn booking.ReplyJobsFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.replyJobs = fn
}

// now is the store's clock.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock
}

// setClock moves the store's clock to t.
func (e *env) setClock(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = t
}

// peer opens another store on e's database (Peer), or fails the test.
func (e *env) peer(t *testing.T) Store {
	t.Helper()
	p, ok := e.st.(Peer)
	if !ok {
		t.Fatalf("the store %T cannot open a second store on its database (storetest.Peer)", e.st)
	}
	return p.Peer(t)
}

// payload returns the stored payload of job id (PayloadReader).
func (e *env) payload(t *testing.T, id int64) []byte {
	t.Helper()
	r, ok := e.st.(PayloadReader)
	if !ok {
		t.Fatalf("the store %T cannot read a job's payload (storetest.PayloadReader)", e.st)
	}
	p, err := r.JobPayload(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// req describes a booking to make.
type req struct {
	ID      string
	Service string
	Mode    booking.Mode
	Artisan string
	Start   time.Time
}

// newBooking builds the NewBooking for r with the catalogue's durations
// and buffers.
func newBooking(r req) booking.NewBooking {
	if r.Service == "" {
		r.Service = "design"
	}
	if r.Mode == "" {
		r.Mode = booking.Virtual
	}
	svc := Catalog().Service(r.Service)
	buf := svc.Buffers[r.Mode]
	end := r.Start.Add(svc.Duration)
	token := sha256.Sum256([]byte("token-" + r.ID + r.Start.String()))
	return booking.NewBooking{
		Booking: booking.Booking{
			ID: r.ID, ServiceID: r.Service, Mode: r.Mode, ArtisanID: r.Artisan,
			Start: r.Start, End: end, BlockStart: r.Start.Add(-buf.Before), BlockEnd: end.Add(buf.After),
			Customer: booking.Customer{Name: "Cleo Customer", Email: "Cleo@Example.com", Phone: "+65 8000 0000", Timezone: "Asia/Singapore"},
			Notes:    "A sapphire, oval",
		},
		TokenHash: token[:],
		Actor:     booking.Actor{Kind: "customer"},
	}
}

// place is a PlaceFunc as the application's, reduced: the requested
// artisan if they offer the service and are free over the block, and for
// a visit the first free room. The booking self (being moved) is ignored.
func place(nb booking.NewBooking, self string) booking.PlaceFunc {
	b := nb.Booking
	return func(s *booking.Schedule) (booking.Placement, error) {
		a := s.Artisan(b.ArtisanID)
		if a == nil || !a.Offers(b.ServiceID) {
			return booking.Placement{}, booking.ErrSlotUnavailable("the artisan does not offer it")
		}
		roomBusy := map[string]bool{}
		for _, o := range s.Bookings {
			if o.ID == self || !booking.Overlaps(b.BlockStart, b.BlockEnd, o.BlockStart, o.BlockEnd) {
				continue
			}
			if o.ArtisanID == b.ArtisanID {
				return booking.Placement{}, booking.ErrSlotUnavailable("the artisan is busy")
			}
			if o.RoomID != "" {
				roomBusy[o.RoomID] = true
			}
		}
		for _, t := range a.TimeOff {
			if booking.Overlaps(b.BlockStart, b.BlockEnd, t.Start, t.End) {
				return booking.Placement{}, booking.ErrSlotUnavailable("the artisan is away")
			}
		}
		p := booking.Placement{ArtisanID: b.ArtisanID}
		if b.Mode == booking.InPerson {
			for _, r := range s.Atelier.Rooms {
				if !roomBusy[r.ID] {
					p.RoomID = r.ID
					break
				}
			}
			if p.RoomID == "" {
				return booking.Placement{}, booking.ErrSlotUnavailable("no room is free")
			}
		}
		return p, nil
	}
}

// blindPlace accepts everything, as buggy code bypassing the checks would:
// only the database's constraints stand in the way. Visits go to room.
func blindPlace(nb booking.NewBooking, room string) booking.PlaceFunc {
	return func(*booking.Schedule) (booking.Placement, error) {
		p := booking.Placement{ArtisanID: nb.Booking.ArtisanID}
		if nb.Booking.Mode == booking.InPerson {
			p.RoomID = room
		}
		return p, nil
	}
}

func (e *env) mustCreate(t *testing.T, r req) *booking.Booking {
	t.Helper()
	nb := newBooking(r)
	b, _, err := e.st.CreateBooking(context.Background(), nb, place(nb, ""))
	if err != nil {
		t.Fatalf("create booking %+v: %v", r, err)
	}
	return b
}

// stored returns every booking of the test week, any status.
func (e *env) stored(t *testing.T) []booking.Booking {
	t.Helper()
	bs, err := e.st.Bookings(context.Background(), at(0, 0).AddDate(0, 0, -7), at(0, 0).AddDate(0, 0, 7), "")
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// wantCode fails unless err is a booking error of kind with code.
func wantCode(t *testing.T, err error, kind booking.Kind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s", kind, code)
	}
	if booking.ErrorKind(err) != kind || booking.ErrorCode(err) != code {
		t.Fatalf("got error %v (%s/%s), want %s/%s", err, booking.ErrorKind(err), booking.ErrorCode(err), kind, code)
	}
}

// normalized returns c with what the store assigns cleared (closure and
// time off ids), instants in UTC and the zone left out (compared by name
// apart), for comparing catalogues.
func normalized(c *booking.Catalog) *booking.Catalog {
	n := *c
	n.Atelier.Location = nil
	n.Atelier.Closures = append([]booking.Closure(nil), c.Atelier.Closures...)
	for i := range n.Atelier.Closures {
		n.Atelier.Closures[i].ID = ""
	}
	n.Artisans = append([]booking.Artisan(nil), c.Artisans...)
	for i := range n.Artisans {
		n.Artisans[i].TimeOff = append([]booking.TimeOff(nil), c.Artisans[i].TimeOff...)
		for j := range n.Artisans[i].TimeOff {
			to := &n.Artisans[i].TimeOff[j]
			to.ID, to.Start, to.End = "", to.Start.UTC(), to.End.UTC()
		}
	}
	return &n
}

// The file's catalogue comes back as it went in, with what the store adds:
// closures marked as the file's, each service's artisans.
func testCatalogRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	got, err := e.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Atelier.Location == nil || got.Atelier.Location.String() != "Asia/Singapore" {
		t.Errorf("zone = %v, want Asia/Singapore", got.Atelier.Location)
	}
	want := Catalog()
	want.Atelier.Closures[0].Source = "config"
	want.Services[0].Artisans = []string{"ana", "ben"}
	want.Services[1].Artisans = []string{"ana"}
	if g, w := normalized(got), normalized(want); !reflect.DeepEqual(g, w) {
		t.Errorf("catalogue round trip:\n got %+v\nwant %+v", g, w)
	}
	for _, c := range got.Atelier.Closures {
		if c.ID == "" {
			t.Errorf("closure %+v has no id", c)
		}
	}

	closureID, offID := got.Atelier.Closures[0].ID, got.Artisan("ana").TimeOff[0].ID

	// Syncing a changed file: a service and an artisan gone, a room renamed.
	next := Catalog()
	next.Services = next.Services[:1]
	next.Artisans = next.Artisans[:1]
	next.Artisans[0].Services = []string{"design"}
	next.Atelier.Rooms[1].Name = "Workshop"
	if _, err := e.st.SyncCatalog(ctx, next); err != nil {
		t.Fatal(err)
	}
	got, err = e.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Services) != 1 || len(got.Artisans) != 1 || got.Atelier.Rooms[1].Name != "Workshop" ||
		got.Artisan("ben") != nil || got.Service("sizing") != nil {
		t.Errorf("after a second sync the catalogue is %+v", got)
	}
	if len(got.Atelier.Closures) != 1 || got.Atelier.Closures[0].ID != closureID ||
		len(got.Artisans[0].TimeOff) != 1 || got.Artisans[0].TimeOff[0].ID != offID {
		t.Errorf("an unchanged closure or time off was replaced: %+v, %+v (ids were %s, %s)",
			got.Atelier.Closures, got.Artisans[0].TimeOff, closureID, offID)
	}
}

// Staff edits take effect at once, and the staff's hours survive a sync of
// the file (with a warning).
func testCatalogEdits(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	e := newEnv(t, open, Catalog())
	short := hours(`{"mon":[["12:00","14:00"]]}`)
	if err := e.st.SetOpeningHours(ctx, short, staff); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetWorkingHours(ctx, "ben", short, staff); err != nil {
		t.Fatal(err)
	}
	err := e.st.SetWorkingHours(ctx, "nobody", short, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	cl, err := e.st.AddClosure(ctx, booking.Closure{From: day, To: day, Reason: "Inventory"}, staff)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.st.AddClosure(ctx, booking.Closure{From: day, To: booking.Date{Year: 2026, Month: 12, Day: 1}}, staff)
	if booking.ErrorKind(err) != booking.EINVALID {
		t.Errorf("a closure ending before it starts: %v, want EINVALID", err)
	}
	// The same dates again (another reason, or the file's own) close
	// nothing more: refused, naming the closure already there.
	_, err = e.st.AddClosure(ctx, booking.Closure{From: day, To: day, Reason: "Stocktake"}, staff)
	wantCode(t, err, booking.ECONFLICT, booking.CodeClosureExists)
	if err != nil && !strings.Contains(booking.ErrorMessage(err), "closure "+cl.ID) {
		t.Errorf("the refusal %q does not name closure %s", booking.ErrorMessage(err), cl.ID)
	}
	christmas := booking.Closure{From: booking.Date{Year: 2026, Month: 12, Day: 25}, To: booking.Date{Year: 2026, Month: 12, Day: 26}}
	_, err = e.st.AddClosure(ctx, christmas, staff)
	wantCode(t, err, booking.ECONFLICT, booking.CodeClosureExists)
	off, err := e.st.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ben", Start: at(12, 0), End: at(13, 0), Reason: "Dentist"}, staff)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.st.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "nobody", Start: at(12, 0), End: at(13, 0)}, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	warnings, err := e.st.SyncCatalog(ctx, Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 {
		t.Errorf("sync after staff edits warned %q, want one warning each for the opening and Ben's hours", warnings)
	}
	c, err := e.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Atelier.Hours, short) || !reflect.DeepEqual(c.Artisan("ben").Hours, short) {
		t.Errorf("the staff's hours were overwritten by the file: %v, %v", c.Atelier.Hours, c.Artisan("ben").Hours)
	}
	if len(c.Atelier.Closures) != 2 || len(c.Artisan("ben").TimeOff) != 1 || !c.Artisan("ben").TimeOff[0].Start.Equal(at(12, 0)) {
		t.Errorf("the staff's closure or time off is missing: %+v, %+v", c.Atelier.Closures, c.Artisan("ben").TimeOff)
	}

	var fromFile string
	for _, x := range c.Atelier.Closures {
		if x.Source == "config" {
			fromFile = x.ID
		}
	}
	err = e.st.DeleteClosure(ctx, fromFile, staff)
	wantCode(t, err, booking.ECONFLICT, "closure_from_config")
	if err := e.st.DeleteClosure(ctx, cl.ID, staff); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.st.DeleteClosure(ctx, cl.ID, staff), booking.ENOTFOUND, booking.CodeNotFound)
	wantCode(t, e.st.DeleteTimeOff(ctx, "ana", off.ID, staff), booking.ENOTFOUND, booking.CodeNotFound)
	if err := e.st.DeleteTimeOff(ctx, "ben", off.ID, staff); err != nil {
		t.Fatal(err)
	}
	if c, _ = e.st.Catalog(ctx); len(c.Atelier.Closures) != 1 || len(c.Artisan("ben").TimeOff) != 0 {
		t.Errorf("after the deletes: closures %+v, Ben's time off %+v", c.Atelier.Closures, c.Artisan("ben").TimeOff)
	}
}

// A booking comes back as it was made, by id, by manage token and in the
// listings, with the names of its service and artisan kept.
func testBookingRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	nb := newBooking(req{ID: "bk_roundtrip", Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
	nb.Booking.UID = "bk_roundtrip@atelier.example"
	nb.Booking.Location = "1 Jewel Lane"
	nb.Booking.Customer.Language = "zh-Hans" // kept for its e-mails (issue 16)
	nb.Booking.Discreet = true               // a surprise: kept for its e-mails and invites
	nb.Booking.Answers = booking.Answers{"occasion": json.RawMessage(`"Wedding"`), "size": json.RawMessage(`{"value":"N½","unit":"UK/AU"}`)}
	b, rec, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil || rec != nil {
		t.Fatalf("create: %v, %+v", err, rec)
	}
	want := nb.Booking
	want.Status, want.RoomID, want.Sequence = booking.Confirmed, "salon", 0
	want.CreatedAt, want.UpdatedAt = testNow, testNow
	want.ServiceName, want.ArtisanName = "Bespoke design consultation", "Ana"
	for _, tm := range []*time.Time{&want.Start, &want.End, &want.BlockStart, &want.BlockEnd} {
		*tm = tm.UTC()
	}
	if !reflect.DeepEqual(*b, want) {
		t.Errorf("created:\n got %+v\nwant %+v", *b, want)
	}
	got, err := e.st.Booking(ctx, b.ID)
	if err != nil || !reflect.DeepEqual(*got, want) {
		t.Errorf("read back (%v):\n got %+v\nwant %+v", err, got, want)
	}
	if got, err := e.st.BookingByManageToken(ctx, b.ID, nb.TokenHash); err != nil || got.ID != b.ID {
		t.Errorf("by manage token: %+v, %v", got, err)
	}
	_, err = e.st.BookingByManageToken(ctx, b.ID, []byte("wrong"))
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	_, err = e.st.Booking(ctx, "bk_unknown")
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	extra := sha256.Sum256([]byte("reminder"))
	if err := e.st.AddManageTokens(ctx, booking.ManageToken{BookingID: b.ID, Hash: extra[:], Purpose: "reminder"}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.st.BookingByManageToken(ctx, b.ID, extra[:]); err != nil || got.ID != b.ID {
		t.Errorf("by a reminder's token: %+v, %v", got, err)
	}

	mine, err := e.st.CustomerBookings(ctx, "cleo@EXAMPLE.com", testNow, 10)
	if err != nil || len(mine) != 1 || mine[0].ID != b.ID {
		t.Errorf("customer bookings by the address in another case: %+v, %v", mine, err)
	}
	if list := e.stored(t); len(list) != 1 || !reflect.DeepEqual(list[0], want) {
		t.Errorf("listed: %+v", list)
	}
	if list, _ := e.st.Bookings(ctx, at(0, 0), at(23, 0), "ben"); len(list) != 0 {
		t.Errorf("Ben's listing holds Ana's booking: %+v", list)
	}

	staff := booking.Actor{Kind: "staff", ID: "u1"}
	if err := e.st.SetStaffNotes(ctx, b.ID, "Prefers platinum", staff); err != nil {
		t.Fatal(err)
	}
	notes, err := e.st.StaffNotes(ctx, b.ID, "bk_other")
	if err != nil || !reflect.DeepEqual(notes, map[string]string{b.ID: "Prefers platinum"}) {
		t.Errorf("staff notes: %v, %v", notes, err)
	}
	if err := e.st.SetStaffNotes(ctx, b.ID, " ", staff); err != nil {
		t.Fatal(err)
	}
	if notes, _ := e.st.StaffNotes(ctx, b.ID); len(notes) != 0 {
		t.Errorf("blank notes were kept: %v", notes)
	}
	wantCode(t, e.st.SetStaffNotes(ctx, "bk_unknown", "x", staff), booking.ENOTFOUND, booking.CodeNotFound)
	if k := e.rec.kinds(); !reflect.DeepEqual(k, []booking.EventKind{booking.EventCreated}) {
		t.Errorf("job events %v, want one created", k)
	}
}

// Cancelling frees the time at once; a second cancel is a conflict.
func testCancel(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0)})
	got, err := e.st.CancelBooking(ctx, b.ID, staff)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != booking.Cancelled || got.Sequence != 1 {
		t.Errorf("cancelled = %+v", got)
	}
	if stored, _ := e.st.Booking(ctx, b.ID); stored.Status != booking.Cancelled || stored.Sequence != 1 {
		t.Errorf("stored = %+v", stored)
	}
	_, err = e.st.CancelBooking(ctx, b.ID, staff)
	wantCode(t, err, booking.ECONFLICT, booking.CodeBookingCancelled)
	_, err = e.st.CancelBooking(ctx, "bk_unknown", staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0)}) // free again
	if k := e.rec.kinds(); !reflect.DeepEqual(k, []booking.EventKind{booking.EventCreated, booking.EventCancelled, booking.EventCreated}) {
		t.Errorf("job events %v", k)
	}
}

// A move re-checks the slot; refused moves change nothing; a move to the
// booking's own time changes nothing either.
func testReschedule(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
	other := e.mustCreate(t, req{Artisan: "ben", Mode: booking.InPerson, Start: at(14, 0)})
	move := func(r req, pf func(booking.NewBooking) booking.PlaceFunc) (*booking.Booking, error) {
		nb := newBooking(r)
		return e.st.RescheduleBooking(ctx, b.ID, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd, staff, pf(nb))
	}
	self := func(nb booking.NewBooking) booking.PlaceFunc { return place(nb, b.ID) }

	// Overlapping its own old time is fine.
	got, err := move(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(10, 30)}, self)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Start.Equal(at(10, 30)) || got.Sequence != 1 || got.Status != booking.Confirmed {
		t.Errorf("moved = %+v", got)
	}
	// Again to the same place: nothing changes.
	again, err := move(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(10, 30)}, self)
	if err != nil || again.Sequence != 1 {
		t.Errorf("the same move again: %+v, %v; want sequence 1", again, err)
	}
	// Onto Ben's visit with Ben: refused by the check, and with the check
	// bypassed by the database.
	_, err = move(req{ID: b.ID, Artisan: "ben", Mode: booking.InPerson, Start: at(14, 0)}, self)
	wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	_, err = move(req{ID: b.ID, Artisan: "ben", Mode: booking.InPerson, Start: at(14, 0)},
		func(nb booking.NewBooking) booking.PlaceFunc { return blindPlace(nb, other.RoomID) })
	wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	// Into Ben's room at his time with Ana: the room refuses.
	_, err = move(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(14, 0)},
		func(nb booking.NewBooking) booking.PlaceFunc { return blindPlace(nb, other.RoomID) })
	wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	stored, _ := e.st.Booking(ctx, b.ID)
	if !stored.Start.Equal(at(10, 30)) || stored.Sequence != 1 || stored.ArtisanID != "ana" {
		t.Errorf("after refused moves the booking is %+v", stored)
	}
	// To Ben at another time: the artisan's name follows.
	got, err = move(req{ID: b.ID, Artisan: "ben", Mode: booking.InPerson, Start: at(16, 0)}, self)
	if err != nil || got.ArtisanID != "ben" || got.ArtisanName != "Ben" || got.Sequence != 2 {
		t.Errorf("move to Ben: %+v, %v", got, err)
	}
	if _, err := e.st.CancelBooking(ctx, b.ID, staff); err != nil {
		t.Fatal(err)
	}
	_, err = move(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)}, self)
	wantCode(t, err, booking.ECONFLICT, booking.CodeBookingCancelled)
	want := []booking.EventKind{booking.EventCreated, booking.EventCreated, booking.EventRescheduled, booking.EventRescheduled, booking.EventCancelled}
	if k := e.rec.kinds(); !reflect.DeepEqual(k, want) {
		t.Errorf("job events %v, want %v", k, want)
	}
}

// RaceCustomers is how many customers race for one slot.
const RaceCustomers = 100

// 100 customers book the same slot at once: exactly one gets it, the
// others a clean slot_unavailable, never a database error. With the check
// bypassed ("blind"), only the database's constraint stands between them.
func testRace(t *testing.T, open Opener) {
	tests := []struct {
		name  string
		cat   func() *booking.Catalog
		req   func(i int) req
		blind bool
	}{
		{"Artisan", Catalog, func(int) req { return req{Artisan: "ana", Start: at(11, 0)} }, false},
		{"ArtisanConstraint", Catalog, func(int) req { return req{Artisan: "ana", Start: at(11, 0)} }, true},
		{"Room", oneRoom, func(i int) req {
			return req{Artisan: []string{"ana", "ben"}[i%2], Mode: booking.InPerson, Start: at(11, 0)}
		}, false},
		{"RoomConstraint", oneRoom, func(i int) req {
			return req{Artisan: []string{"ana", "ben"}[i%2], Mode: booking.InPerson, Start: at(11, 0)}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, open, tt.cat())
			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				ok        int
				conflicts int
				others    []error
			)
			start := make(chan struct{})
			for i := range RaceCustomers {
				wg.Go(func() {
					nb := newBooking(tt.req(i))
					pf := place(nb, "")
					if tt.blind {
						pf = blindPlace(nb, "salon")
					}
					<-start
					_, _, err := e.st.CreateBooking(context.Background(), nb, pf)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case booking.ErrorCode(err) == booking.CodeSlotUnavailable:
						conflicts++
					default:
						others = append(others, err)
					}
				})
			}
			close(start)
			wg.Wait()
			for _, err := range others {
				t.Errorf("unexpected error: %v", err)
			}
			t.Logf("%d customers: %d booked, %d slot_unavailable, %d other errors", RaceCustomers, ok, conflicts, len(others))
			if ok != 1 || conflicts != RaceCustomers-1 {
				t.Errorf("got %d bookings and %d conflicts, want 1 and %d", ok, conflicts, RaceCustomers-1)
			}
			if got := e.stored(t); len(got) != 1 {
				t.Errorf("%d bookings stored, want 1", len(got))
			}
			if k := e.rec.kinds(); len(k) < 1 {
				t.Errorf("no job event for the booking made")
			}
		})
	}
}

// Customers book different times of one artisan's day at once, and the
// artisan takes one booking a day: exactly one gets in. No database
// constraint can say this (the times do not overlap), so it holds only if
// the store's re-check sees every booking committed before it, with no
// other booking of the artisan committed in between.
func testRaceDailyCap(t *testing.T, open Opener) {
	cat := Catalog()
	cat.Artisans[0].DailyCap = 1
	e := newEnv(t, open, cat)
	const n = 18 // 40-minute blocks from 10:00: all on the test day
	capped := func(nb booking.NewBooking) booking.PlaceFunc {
		inner := place(nb, "")
		return func(s *booking.Schedule) (booking.Placement, error) {
			taken := 0
			for _, o := range s.Bookings {
				if o.ArtisanID == nb.Booking.ArtisanID && booking.DateOf(o.Start.In(sgt)) == day {
					taken++
				}
			}
			if taken >= s.Artisan(nb.Booking.ArtisanID).DailyCap {
				return booking.Placement{}, booking.ErrSlotUnavailable("the artisan's day is full")
			}
			return inner(s)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			nb := newBooking(req{Service: "sizing", Mode: booking.InPerson, Artisan: "ana", Start: at(10, 0).Add(time.Duration(i) * 40 * time.Minute)})
			<-start
			_, _, errs[i] = e.st.CreateBooking(context.Background(), nb, capped(nb))
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case booking.ErrorCode(err) != booking.CodeSlotUnavailable:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if got := e.stored(t); ok != 1 || len(got) != 1 {
		t.Errorf("%d customers booked and %d bookings stored for an artisan who takes 1 a day", ok, len(got))
	}
}

// Requests with one Idempotency-Key make one booking, even at once; the
// others get the stored record. A refused request stores no record.
func testIdempotency(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	key := sha256.Sum256([]byte("key-1"))
	reqHash := sha256.Sum256([]byte("body-1"))
	const n = 20
	var wg sync.WaitGroup
	ids := make([]string, n)
	recs := make([]*booking.IdempotencyRecord, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			nb := newBooking(req{ID: fmt.Sprintf("bk_%02d", i), Artisan: "ana", Start: at(15, 0)})
			nb.Idempotency = &booking.IdempotencyRecord{KeyHash: key[:], RequestHash: reqHash[:], Response: []byte("sealed")}
			<-start
			b, rec, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
			errs[i], recs[i] = err, rec
			if b != nil {
				ids[i] = b.ID
			}
		})
	}
	close(start)
	wg.Wait()
	first, replays := "", 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if recs[i] == nil {
			if first != "" {
				t.Fatalf("two requests created a booking: %s and %s", first, ids[i])
			}
			first = ids[i]
			continue
		}
		replays++
		if string(recs[i].Response) != "sealed" || string(recs[i].RequestHash) != string(reqHash[:]) || recs[i].BookingID != first && first != "" {
			t.Errorf("replay %d got record %+v", i, recs[i])
		}
	}
	for i := range n {
		if ids[i] != first {
			t.Errorf("request %d got booking %q, want %q", i, ids[i], first)
		}
	}
	if replays != n-1 {
		t.Errorf("%d replays, want %d", replays, n-1)
	}
	if got := e.stored(t); len(got) != 1 {
		t.Errorf("%d bookings stored, want 1", len(got))
	}
	rec, err := e.st.LookupIdempotency(ctx, key[:])
	if err != nil || rec == nil || rec.BookingID != first || !rec.CreatedAt.Equal(testNow) {
		t.Errorf("LookupIdempotency = %+v, %v; want booking %s at %v", rec, err, first, testNow)
	}
	if rec, err := e.st.LookupIdempotency(ctx, []byte("unknown")); rec != nil || err != nil {
		t.Errorf("unknown key: got %+v, %v; want nil, nil", rec, err)
	}

	// A request refused for its slot leaves no record: the key may be
	// used again for another time.
	key2 := sha256.Sum256([]byte("key-2"))
	nb := newBooking(req{Artisan: "ana", Start: at(15, 0)})
	nb.Idempotency = &booking.IdempotencyRecord{KeyHash: key2[:], RequestHash: reqHash[:], Response: []byte("sealed")}
	_, _, err = e.st.CreateBooking(ctx, nb, place(nb, ""))
	wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	if rec, err := e.st.LookupIdempotency(ctx, key2[:]); rec != nil || err != nil {
		t.Errorf("a refused request left a record: %+v, %v", rec, err)
	}
}

// Schedule holds the confirmed bookings touching the window (not the
// cancelled ones, nor those outside it) and the catalogue's time off in it.
func testSchedule(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	in := e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0)})
	gone := e.mustCreate(t, req{Artisan: "ben", Start: at(10, 0)})
	if _, err := e.st.CancelBooking(ctx, gone.ID, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}
	e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0).AddDate(0, 0, 1)})
	s, err := e.st.Schedule(ctx, at(0, 0), at(23, 59))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Bookings) != 1 || s.Bookings[0].ID != in.ID || !s.Bookings[0].BlockStart.Equal(in.BlockStart) ||
		s.Bookings[0].ArtisanID != "ana" || s.Bookings[0].Status != booking.Confirmed {
		t.Errorf("schedule bookings = %+v, want only %s", s.Bookings, in.ID)
	}
	if s.Atelier.Name != "Atelier Test" || len(s.Artisans) != 2 || len(s.Artisan("ana").TimeOff) != 0 {
		t.Errorf("schedule catalogue = %+v (Ana's time off two days later must not be in it)", s.Catalog)
	}
	s, err = e.st.Schedule(ctx, at(0, 0).AddDate(0, 0, 2), at(23, 59).AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Artisan("ana").TimeOff) != 1 {
		t.Errorf("Ana's time off is not in the schedule of its day: %+v", s.Artisan("ana"))
	}
}

// spans parses "10:00-19:00" spans for the tests.
func spans(ss ...string) []booking.Span {
	var out []booking.Span
	for _, s := range ss {
		var sp booking.Span
		if err := sp.UnmarshalJSON([]byte(`["` + s[:5] + `","` + s[6:] + `"]`)); err != nil {
			panic(err)
		}
		out = append(out, sp)
	}
	return out
}

// Hours for one date: the file's entries seed them, staff's set or
// removed ones win over the file's for that date (with a warning), the
// next catalogue and schedule see every change, and an artisan's and the
// atelier's hours for one date are apart.
func testDateHours(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	eve := booking.Date{Year: 2026, Month: 12, Day: 23}
	sunday := booking.Date{Year: 2026, Month: 12, Day: 13}
	file := func() *booking.Catalog {
		c := Catalog()
		c.Atelier.DateHours = []booking.DateHours{
			{Date: eve, Hours: spans("10:00-21:00"), Source: "config"},
			{Date: sunday, Hours: spans("12:00-16:00"), Source: "config"},
		}
		c.Artisans[1].DateHours = []booking.DateHours{{Date: eve, ArtisanID: "ben", Source: "config"}} // off that date
		return c
	}
	e := newEnv(t, open, file())
	check := func(what, artisan string, d booking.Date, want []booking.Span, special bool) {
		t.Helper()
		checkDateHours(t, e.st, what, artisan, d, want, special)
	}
	check("from the file", "", eve, spans("10:00-21:00"), true)
	check("from the file", "ben", eve, nil, true)
	check("from the file", "ana", eve, spans("10:00-19:00"), false)
	check("from the file", "", sunday, spans("12:00-16:00"), true)

	list, err := e.st.DateHoursIn(ctx, sunday, eve)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Date != sunday || list[1].ArtisanID != "" || list[2].ArtisanID != "ben" || list[2].Source != "config" {
		t.Fatalf("listed %+v, want Sunday's, then the eve's for the atelier and for Ben, from the file", list)
	}
	if l, _ := e.st.DateHoursIn(ctx, sunday.AddDays(1), eve.AddDays(-1)); len(l) != 0 {
		t.Errorf("listed %+v between the dates", l)
	}

	// Staff change the eve's hours and remove Sunday's.
	set, err := e.st.SetDateHours(ctx, booking.DateHours{Date: eve, Hours: spans("10:00-13:00", "14:00-20:00")}, staff)
	if err != nil {
		t.Fatal(err)
	}
	if set.ID == "" || set.ID == list[1].ID || set.Source != "staff" {
		t.Errorf("set %+v, want a new id (not %s) from staff", set, list[1].ID)
	}
	check("set by staff", "", eve, spans("10:00-13:00", "14:00-20:00"), true)
	var seen booking.DateHours
	gone, err := e.st.DeleteDateHours(ctx, list[0].ID, func(d booking.DateHours) error { seen = d; return nil }, staff)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Date != sunday || gone.Date != sunday {
		t.Errorf("delete asked about %+v and removed %+v, want Sunday's", seen, gone)
	}
	check("removed by staff", "", sunday, nil, false)
	_, err = e.st.DeleteDateHours(ctx, list[0].ID, func(booking.DateHours) error { return nil }, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	_, err = e.st.DeleteDateHours(ctx, "nope", func(booking.DateHours) error { return nil }, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	// A refusal of allow leaves the hours in place.
	refused := booking.Errorf(booking.EFORBIDDEN, "forbidden", "not yours")
	_, err = e.st.DeleteDateHours(ctx, list[2].ID, func(booking.DateHours) error { return refused }, staff)
	wantCode(t, err, booking.EFORBIDDEN, "forbidden")
	check("refused removal", "ben", eve, nil, true)
	// An empty list closes a date; an unknown artisan is not found.
	if _, err := e.st.SetDateHours(ctx, booking.DateHours{Date: day, ArtisanID: "ana"}, staff); err != nil {
		t.Fatal(err)
	}
	check("closed by staff", "ana", day, nil, true)
	_, err = e.st.SetDateHours(ctx, booking.DateHours{Date: day, ArtisanID: "nobody", Hours: spans("10:00-11:00")}, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)

	testDateHoursSync(t, e.st, file, check)
}

// testDateHoursSync is testDateHours' restarts with the file.
func testDateHoursSync(t *testing.T, st Store, file func() *booking.Catalog, check func(what, artisan string, d booking.Date, want []booking.Span, special bool)) {
	ctx := context.Background()
	eve := booking.Date{Year: 2026, Month: 12, Day: 23}
	sunday := booking.Date{Year: 2026, Month: 12, Day: 13}
	// A restart with the same file: the staff's eve and Sunday stay, with
	// a warning each; Ben's eve still follows the file.
	warnings, err := st.SyncCatalog(ctx, file())
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 {
		t.Errorf("sync warned %q, want one warning each for the eve and Sunday", warnings)
	}
	check("after a restart", "", eve, spans("10:00-13:00", "14:00-20:00"), true)
	check("after a restart", "", sunday, nil, false)
	check("after a restart", "ana", day, nil, true)

	// The file changed: Ben works the eve after all and a new date comes;
	// the file made to agree with the staff's eve takes it back.
	next := file()
	next.Artisans[1].DateHours[0].Hours = spans("15:00-21:00")
	next.Atelier.DateHours[0].Hours = spans("10:00-13:00", "14:00-20:00")
	next.Atelier.DateHours = append(next.Atelier.DateHours, booking.DateHours{Date: eve.AddDays(1), Source: "config"})
	if _, err := st.SyncCatalog(ctx, next); err != nil {
		t.Fatal(err)
	}
	check("file edited", "ben", eve, spans("15:00-21:00"), true)
	check("file edited", "", eve.AddDays(1), nil, true)
	list, err := st.DateHoursIn(ctx, eve, eve)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Source != "config" {
		t.Errorf("the eve's hours after the file agreed: %+v, want them the file's again", list)
	}
	// Without the entries in the file, the file's hours go and the staff's stay.
	if _, err := st.SyncCatalog(ctx, Catalog()); err != nil {
		t.Fatal(err)
	}
	check("entries removed from the file", "", eve, spans("10:00-19:00"), false)
	check("entries removed from the file", "ben", eve, spans("10:00-19:00"), false)
	check("entries removed from the file", "ana", day, nil, true)
}

// checkDateHours checks the hours of artisan ("" for the atelier) on d in
// the catalogue and in a schedule of that day.
func checkDateHours(t *testing.T, st Store, what, artisan string, d booking.Date, want []booking.Span, special bool) {
	t.Helper()
	ctx := context.Background()
	hoursOf := func(c *booking.Catalog) ([]booking.Span, bool) {
		if artisan == "" {
			return c.Atelier.HoursOn(d)
		}
		return c.Artisan(artisan).HoursOn(d)
	}
	c, err := st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, sp := hoursOf(c); !reflect.DeepEqual(got, want) || sp != special {
		t.Errorf("%s: hours of %q on %s = %v (set for the date: %v), want %v (%v)", what, artisan, d, got, sp, want, special)
	}
	s, err := st.Schedule(ctx, d.In(sgt), d.AddDays(1).In(sgt))
	if err != nil {
		t.Fatal(err)
	}
	if got, sp := hoursOf(&s.Catalog); !reflect.DeepEqual(got, want) || sp != special {
		t.Errorf("%s: the schedule's hours of %q on %s = %v (%v), want %v (%v)", what, artisan, d, got, sp, want, special)
	}
}

// policyCatalog is Catalog with a booking policy: changes by customers
// close 48 hours before, two moves at most, and ring sizing changeable
// until it starts, as often as wanted.
func policyCatalog() *booking.Catalog {
	c := Catalog()
	c.Atelier.Rules.ChangeCutoff, c.Atelier.Rules.MaxReschedules = 48*time.Hour, 2
	c.Atelier.Rules.PolicyNote = "A deposit is kept for a late cancellation."
	zero, none := time.Duration(0), 0
	c.Services[1].ChangeCutoff, c.Services[1].MaxReschedules = &zero, &none
	return c
}

// The booking policy: its values round-trip; the store refuses a
// customer's cancel or move inside the cutoff and a move past the limit
// (counting only the customer's own moves), inside the write transaction
// so that moves sent at once cannot pass the limit together; staff are
// never bound.
func testPolicy(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	customer := booking.Actor{Kind: "customer"}
	e := newEnv(t, open, policyCatalog())
	c, err := e.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.PolicyOf("design"), (booking.Policy{ChangeCutoff: 48 * time.Hour, MaxReschedules: 2, Note: "A deposit is kept for a late cancellation."}); got != want {
		t.Errorf("design's policy %+v, want %+v", got, want)
	}
	if got := c.PolicyOf("sizing"); got.ChangeCutoff != 0 || got.MaxReschedules != 0 || c.Service("sizing").ChangeCutoff == nil || c.Service("design").ChangeCutoff != nil {
		t.Errorf("sizing's policy %+v (service %+v)", got, c.Service("sizing"))
	}

	b := e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0)})
	move := func(actor booking.Actor, start time.Time) (*booking.Booking, error) {
		nb := newBooking(req{ID: b.ID, Artisan: "ana", Start: start})
		return e.st.RescheduleBooking(ctx, b.ID, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd, actor, place(nb, b.ID))
	}
	for i, step := range []struct {
		actor booking.Actor
		start time.Time
		count int
	}{{customer, at(10, 30), 1}, {staff, at(11, 0), 1}, {customer, at(11, 30), 2}, {staff, at(12, 0), 2}} {
		got, err := move(step.actor, step.start)
		if err != nil || got.Reschedules != step.count || !got.Start.Equal(step.start) {
			t.Fatalf("move %d by %s: %+v, %v; want %d counted", i, step.actor.Kind, got, err, step.count)
		}
	}
	_, err = move(customer, at(13, 0))
	wantCode(t, err, booking.ECONFLICT, booking.CodeRescheduleLimit)
	if s, _ := e.st.Booking(ctx, b.ID); !s.Start.Equal(at(12, 0)) || s.Reschedules != 2 {
		t.Errorf("after the refused move: %+v", s)
	}

	// Moves sent at once by the customer: only as many as the limit allows.
	c2 := e.mustCreate(t, req{Artisan: "ben", Start: at(10, 0)})
	var wg sync.WaitGroup
	var mu sync.Mutex
	moved, refused := 0, 0
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := at(11+i, 0)
			nb := newBooking(req{ID: c2.ID, Artisan: "ben", Start: start})
			_, err := e.st.RescheduleBooking(ctx, c2.ID, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd, customer, place(nb, c2.ID))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				moved++
			case booking.ErrorCode(err) == booking.CodeRescheduleLimit:
				refused++
			default:
				t.Errorf("a move at once: %v", err)
			}
		}()
	}
	wg.Wait()
	if s, _ := e.st.Booking(ctx, c2.ID); moved != 2 || refused != 4 || s.Reschedules != 2 {
		t.Errorf("moves at once: %d made, %d refused, %d counted; want 2, 4, 2", moved, refused, s.Reschedules)
	}

	// Inside the 48 hours: the customer can neither cancel nor move; staff can.
	e.setClock(at(12, 0).Add(-47 * time.Hour))
	_, err = e.st.CancelBooking(ctx, b.ID, customer)
	wantCode(t, err, booking.ECONFLICT, booking.CodeChangeWindowClosed)
	_, err = move(customer, at(14, 0))
	wantCode(t, err, booking.ECONFLICT, booking.CodeChangeWindowClosed)
	if s, _ := e.st.Booking(ctx, b.ID); s.Status != booking.Confirmed {
		t.Errorf("a refused cancel changed the booking: %+v", s)
	}
	if got, err := e.st.CancelBooking(ctx, b.ID, staff); err != nil || got.Status != booking.Cancelled {
		t.Errorf("staff cancel inside the window: %+v, %v", got, err)
	}
	// Ring sizing has no cutoff of its own: an hour before is fine.
	sz := e.mustCreate(t, req{Service: "sizing", Mode: booking.InPerson, Artisan: "ana", Start: at(15, 0)})
	e.setClock(at(14, 0))
	if _, err := e.st.CancelBooking(ctx, sz.ID, customer); err != nil {
		t.Errorf("cancel of ring sizing an hour before: %v", err)
	}
}

// Staff adding the same closure at once (a double click, two admins, two
// servers on one database) store it once: one add succeeds, every other
// is told the atelier is already closed on those dates.
func testClosureRace(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	e := newEnv(t, open, Catalog())
	const n = 8
	cl := booking.Closure{From: day, To: day.AddDays(2), Reason: "Stocktake"}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := e.st.AddClosure(ctx, cl, staff)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	added := 0
	for err := range errs {
		switch {
		case err == nil:
			added++
		case booking.ErrorCode(err) != booking.CodeClosureExists:
			t.Errorf("a concurrent add failed with %v, want ok or %s", err, booking.CodeClosureExists)
		}
	}
	if added != 1 {
		t.Errorf("%d of %d concurrent adds of one closure succeeded, want 1", added, n)
	}
	c, err := e.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, x := range c.Atelier.Closures {
		if x.From == cl.From && x.To == cl.To {
			stored++
		}
	}
	if stored != 1 {
		t.Errorf("the catalogue holds %d closures of %s to %s, want 1: %+v", stored, cl.From, cl.To, c.Atelier.Closures)
	}
}
