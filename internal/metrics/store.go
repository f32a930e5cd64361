package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DueJobs are the pending jobs of a queue whose time has come.
type DueJobs struct {
	Queue     string
	Jobs      int64
	OldestDue time.Time
}

// EventCount is a number of booking changes of one event by one kind of
// actor.
type EventCount struct {
	Event string // created, rescheduled, cancelled, declined, confirmed
	Actor string // customer, staff, system
	Count int64
}

// Store is what the store collector reads at each scrape. Each func is
// called with a deadline; nil funcs are skipped.
type Store struct {
	// Jobs counts jobs by queue and state: jobs["mail"]["pending"].
	Jobs func(ctx context.Context) (map[string]map[string]int, error)
	// DueJobs lists the due pending jobs by queue at now.
	DueJobs func(ctx context.Context, now time.Time) ([]DueJobs, error)
	// BookingEvents counts the booking changes recorded after the row
	// afterID and returns the id to pass next time.
	BookingEvents func(ctx context.Context, afterID int64) ([]EventCount, int64, error)
	// GoogleArtisans counts artisans by Google Calendar connection state;
	// nil when the sync is off.
	GoogleArtisans func(ctx context.Context) (map[string]int, error)
	Now            func() time.Time
	// Timeout bounds the queries of one scrape; zero means 5s.
	Timeout time.Duration
}

// eventLabel is the label of a stored event kind: a reschedule is a move.
func eventLabel(kind string) string {
	if kind == "rescheduled" {
		return "moved"
	}
	return kind
}

// storeCollector turns Store into metrics at scrape time: nothing is
// computed between scrapes, and nothing on the request path.
type storeCollector struct {
	src Store

	jobs, due, dueAge, bookings, google *prometheus.Desc
	errors                              *prometheus.CounterVec

	mu     sync.Mutex // one scrape at a time reads and advances the events
	lastID int64
	events map[[2]string]int64 // {event, actor} → changes so far
}

// NewStoreCollector returns the collector of src.
func NewStoreCollector(src Store) prometheus.Collector {
	c := &storeCollector{
		src: src,
		jobs: prometheus.NewDesc("atelier_jobs",
			"Background jobs by queue and state (pending, done, failed).", []string{"queue", "state"}, nil),
		due: prometheus.NewDesc("atelier_jobs_due",
			"Pending jobs whose time has come, waiting for a worker, by queue.", []string{"queue"}, nil),
		dueAge: prometheus.NewDesc("atelier_jobs_oldest_due_age_seconds",
			"How long the longest-waiting due job of a queue has waited past its time (0 when none is due).", []string{"queue"}, nil),
		bookings: prometheus.NewDesc("atelier_bookings_total",
			"Booking changes by event (created, moved, cancelled, declined, confirmed) and actor (customer, staff, system), "+
				"counted from the audit log: every committed change since the database was made.", []string{"event", "actor"}, nil),
		google: prometheus.NewDesc("atelier_google_artisans",
			"Artisans by Google Calendar connection state.", []string{"state"}, nil),
		events: map[[2]string]int64{},
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atelier_metrics_query_errors_total",
			Help: "Database queries of a scrape that failed (their metrics were left out or kept their last value), by query.",
		}, []string{"query"}),
	}
	for _, q := range []string{"jobs", "due_jobs", "booking_events", "google_artisans"} {
		c.errors.WithLabelValues(q)
	}
	for _, e := range []string{"created", "moved", "cancelled", "declined"} {
		for _, a := range []string{"customer", "staff", "system"} {
			c.events[[2]string{e, a}] = 0
		}
	}
	return c
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.due
	ch <- c.dueAge
	ch <- c.bookings
	if c.src.GoogleArtisans != nil {
		ch <- c.google
	}
	c.errors.Describe(ch)
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	timeout := c.src.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	now := time.Now()
	if c.src.Now != nil {
		now = c.src.Now()
	}

	if c.src.Jobs != nil {
		stats, err := c.src.Jobs(ctx)
		if err != nil {
			c.errors.WithLabelValues("jobs").Inc()
		}
		for queue, states := range stats {
			for _, state := range []string{"pending", "done", "failed"} {
				if _, ok := states[state]; !ok {
					states[state] = 0
				}
			}
			for state, n := range states {
				ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), queue, state)
			}
		}
		if c.src.DueJobs != nil {
			due, err := c.src.DueJobs(ctx, now)
			if err != nil {
				c.errors.WithLabelValues("due_jobs").Inc()
			}
			seen := map[string]bool{}
			for _, d := range due {
				seen[d.Queue] = true
				ch <- prometheus.MustNewConstMetric(c.due, prometheus.GaugeValue, float64(d.Jobs), d.Queue)
				ch <- prometheus.MustNewConstMetric(c.dueAge, prometheus.GaugeValue, max(0, now.Sub(d.OldestDue).Seconds()), d.Queue)
			}
			// Every queue that has jobs reports 0 when none is due.
			for queue := range stats {
				if !seen[queue] && err == nil {
					ch <- prometheus.MustNewConstMetric(c.due, prometheus.GaugeValue, 0, queue)
					ch <- prometheus.MustNewConstMetric(c.dueAge, prometheus.GaugeValue, 0, queue)
				}
			}
		}
	}

	if c.src.BookingEvents != nil {
		c.mu.Lock()
		// On a failure the counts so far are served again: they are
		// still true, only not up to date; the next scrape catches up.
		counts, last, err := c.src.BookingEvents(ctx, c.lastID)
		if err != nil {
			c.errors.WithLabelValues("booking_events").Inc()
		} else {
			for _, e := range counts {
				c.events[[2]string{eventLabel(e.Event), e.Actor}] += e.Count
			}
			c.lastID = last
		}
		for k, n := range c.events {
			ch <- prometheus.MustNewConstMetric(c.bookings, prometheus.CounterValue, float64(n), k[0], k[1])
		}
		c.mu.Unlock()
	}

	if c.src.GoogleArtisans != nil {
		states, err := c.src.GoogleArtisans(ctx)
		if err != nil {
			c.errors.WithLabelValues("google_artisans").Inc()
		}
		for state, n := range states {
			ch <- prometheus.MustNewConstMetric(c.google, prometheus.GaugeValue, float64(n), state)
		}
	}
	c.errors.Collect(ch)
}
