package gcaltest

import (
	"context"
	"sort"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// Store is an in-memory calsync.Store.
type Store struct {
	mu       sync.Mutex
	cursors  map[string]calsync.SyncCursor
	busy     map[string]map[string]calsync.BusyEvent // artisan → event id
	bookings map[string]calsync.BookingSync
	artisans map[string]calsync.ArtisanSync
	tokens   map[string]oauth2.Token
}

var _ calsync.Store = (*Store)(nil)

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		cursors: map[string]calsync.SyncCursor{}, busy: map[string]map[string]calsync.BusyEvent{},
		bookings: map[string]calsync.BookingSync{}, artisans: map[string]calsync.ArtisanSync{}, tokens: map[string]oauth2.Token{},
	}
}

// Busy returns the stored busy intervals of an artisan, by start time.
func (s *Store) Busy(artisanID string) []booking.Busy {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []booking.Busy
	for _, b := range s.busy[artisanID] {
		out = append(out, booking.Busy{ArtisanID: b.ArtisanID, Start: b.Start, End: b.End})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func (s *Store) SyncCursor(_ context.Context, artisanID string) (*calsync.SyncCursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cursors[artisanID]
	if !ok {
		return nil, nil
	}
	return &c, nil
}

func (s *Store) ReplaceBusy(_ context.Context, artisanID string, busy []calsync.BusyEvent, cur calsync.SyncCursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]calsync.BusyEvent{}
	putBusy(m, busy)
	s.busy[artisanID], s.cursors[artisanID] = m, cur
	return nil
}

func (s *Store) UpdateBusy(_ context.Context, artisanID string, upsert []calsync.BusyEvent, remove []string, cur calsync.SyncCursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.busy[artisanID]
	if m == nil {
		m = map[string]calsync.BusyEvent{}
		s.busy[artisanID] = m
	}
	for _, id := range remove {
		delete(m, id)
	}
	putBusy(m, upsert)
	s.cursors[artisanID] = cur
	return nil
}

// putBusy stores busy by event id; an interval of no length (at the
// database stores' millisecond precision) blocks nothing and is removed
// instead, as the database stores do.
func putBusy(m map[string]calsync.BusyEvent, busy []calsync.BusyEvent) {
	for _, b := range busy {
		if !b.Start.Truncate(time.Millisecond).Before(b.End.Truncate(time.Millisecond)) {
			delete(m, b.EventID)
			continue
		}
		m[b.EventID] = b
	}
}

func (s *Store) ClearSyncCursor(_ context.Context, artisanID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cursors, artisanID)
	return nil
}

func (s *Store) BookingSync(_ context.Context, id string) (*calsync.BookingSync, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bookings[id]
	if !ok {
		return nil, nil
	}
	return &b, nil
}

func (s *Store) SetBookingSync(_ context.Context, b calsync.BookingSync) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bookings[b.BookingID] = b
	return nil
}

func (s *Store) ArtisanSync(_ context.Context, id string) (*calsync.ArtisanSync, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.artisans[id]
	if !ok {
		return nil, nil
	}
	return &a, nil
}

func (s *Store) ArtisanSyncs(context.Context) ([]calsync.ArtisanSync, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]calsync.ArtisanSync, 0, len(s.artisans))
	for _, a := range s.artisans {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ArtisanID < out[j].ArtisanID })
	return out, nil
}

func (s *Store) SetArtisanSync(_ context.Context, a calsync.ArtisanSync) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.artisans[a.ArtisanID] = a
	return nil
}

func (s *Store) OAuthToken(_ context.Context, id string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

func (s *Store) SaveOAuthToken(_ context.Context, id string, t *oauth2.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = *t
	return nil
}

func (s *Store) DeleteOAuthToken(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, id)
	return nil
}

// Bookings is an in-memory booking store and job queue: enough of the
// real store for the sync worker. Changes enqueue jobs through JobsFunc,
// as the SQLite store does in its transaction.
type Bookings struct {
	mu       sync.Mutex
	Cat      *booking.Catalog
	JobsFunc booking.JobsFunc
	bookings map[string]*booking.Booking
	jobs     []*booking.QueuedJob
	leased   map[int64]time.Time
	nextID   int64
	failed   []booking.QueuedJob
}

// Failed returns the jobs given up on.
func (m *Bookings) Failed() []booking.QueuedJob {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]booking.QueuedJob(nil), m.failed...)
}

// NewBookings returns an empty store with the catalogue and jobs function.
func NewBookings(cat *booking.Catalog, jobs booking.JobsFunc) *Bookings {
	return &Bookings{Cat: cat, JobsFunc: jobs, bookings: map[string]*booking.Booking{}, leased: map[int64]time.Time{}}
}

func (m *Bookings) Catalog(context.Context) (*booking.Catalog, error) { return m.Cat, nil }

func (m *Bookings) Booking(_ context.Context, id string) (*booking.Booking, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.bookings[id]
	if !ok {
		return nil, booking.ErrNotFound("booking")
	}
	c := *b
	return &c, nil
}

// All returns copies of all bookings.
func (m *Bookings) All() []booking.Booking {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []booking.Booking
	for _, b := range m.bookings {
		out = append(out, *b)
	}
	return out
}

// Create stores a confirmed booking and enqueues its jobs.
func (m *Bookings) Create(b booking.Booking) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b.Status = booking.Confirmed
	m.bookings[b.ID] = &b
	c := b
	return m.enqueue(booking.Event{Kind: booking.EventCreated, Booking: &c})
}

// Reschedule moves a booking to start (same duration), bumping its sequence.
func (m *Bookings) Reschedule(id string, start time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bookings[id]
	prev := *b
	d := b.End.Sub(b.Start)
	b.Start, b.End, b.BlockStart, b.BlockEnd = start, start.Add(d), start, start.Add(d)
	b.Sequence++
	c := *b
	return m.enqueue(booking.Event{Kind: booking.EventRescheduled, Booking: &c, Previous: &prev})
}

// Move moves a booking to another artisan at start (same duration),
// bumping its sequence; a non-empty meetingURL replaces its video link, as
// a move to another host does.
func (m *Bookings) Move(id, artisanID string, start time.Time, meetingURL string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bookings[id]
	prev := *b
	d := b.End.Sub(b.Start)
	b.ArtisanID = artisanID
	b.Start, b.End, b.BlockStart, b.BlockEnd = start, start.Add(d), start, start.Add(d)
	if meetingURL != "" {
		b.MeetingURL = meetingURL
	}
	b.Sequence++
	c := *b
	return m.enqueue(booking.Event{Kind: booking.EventRescheduled, Booking: &c, Previous: &prev})
}

// SetTeam gives a booking of several artisans another team (artisans,
// its artisan first) at the same time, bumping its sequence, as a move
// that changes who takes part does.
func (m *Bookings) SetTeam(id string, artisans []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bookings[id]
	prev := *b
	b.ArtisanID, b.Artisans = artisans[0], artisans
	b.Sequence++
	c := *b
	return m.enqueue(booking.Event{Kind: booking.EventRescheduled, Booking: &c, Previous: &prev})
}

// Cancel cancels a booking, bumping its sequence.
func (m *Bookings) Cancel(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bookings[id]
	prev := *b
	b.Status = booking.Cancelled
	b.Sequence++
	c := *b
	return m.enqueue(booking.Event{Kind: booking.EventCancelled, Booking: &c, Previous: &prev})
}

func (m *Bookings) enqueue(e booking.Event) error {
	jobs, err := m.JobsFunc(e)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		m.nextID++
		m.jobs = append(m.jobs, &booking.QueuedJob{Job: j, ID: m.nextID})
	}
	return nil
}

// Pending returns the jobs not yet completed or failed.
func (m *Bookings) Pending() []booking.QueuedJob {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []booking.QueuedJob
	for _, j := range m.jobs {
		out = append(out, *j)
	}
	return out
}

func (m *Bookings) ClaimJobs(_ context.Context, queue string, now time.Time, limit int, lease time.Duration) ([]booking.QueuedJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []booking.QueuedJob
	for _, j := range m.jobs {
		if len(out) == limit {
			break
		}
		if j.Queue != queue || j.RunAt.After(now) || m.leased[j.ID].After(now) {
			continue
		}
		m.leased[j.ID] = now.Add(lease)
		j.Attempts++ // counted at claim, like the SQLite store
		out = append(out, *j)
	}
	return out, nil
}

func (m *Bookings) remove(id int64) {
	for i, j := range m.jobs {
		if j.ID == id {
			m.jobs = append(m.jobs[:i], m.jobs[i+1:]...)
			return
		}
	}
}

func (m *Bookings) CompleteJob(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(id)
	return nil
}

func (m *Bookings) FailJob(_ context.Context, id int64, errText string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range m.jobs {
		if j.ID == id {
			f := *j
			f.LastError = errText
			m.failed = append(m.failed, f)
		}
	}
	m.remove(id)
	return nil
}

// PostponeJob makes the job due again at until, not counted as an attempt.
func (m *Bookings) PostponeJob(_ context.Context, id int64, errText string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range m.jobs {
		if j.ID == id {
			j.LastError, j.RunAt = errText, until
			j.Attempts-- // the claim was no attempt, like the SQLite store
			delete(m.leased, id)
		}
	}
	return nil
}

func (m *Bookings) RetryJob(_ context.Context, id int64, errText string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range m.jobs {
		if j.ID == id {
			j.LastError, j.RunAt = errText, at
			delete(m.leased, id)
		}
	}
	return nil
}
