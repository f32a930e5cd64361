package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats are a PostgreSQL connection pool's figures at one scrape
// (pgxpool.Stat), as the pool collector reports them.
type PoolStats struct {
	Acquired, Idle, Constructing, Max int32
	// Acquires counts the connections handed out; EmptyAcquires those
	// that had to wait for one (none was idle), Canceled those given up
	// while waiting; AcquireWait is the time spent acquiring, in all.
	Acquires, EmptyAcquires, Canceled int64
	AcquireWait                       time.Duration
}

type poolCollector struct {
	stat                                        func() PoolStats
	conns, max, acquires, empty, canceled, wait *prometheus.Desc
}

// NewPoolCollector reports the PostgreSQL pool stat reads at each scrape:
// a pool whose acquires wait (atelier_pg_pool_empty_acquires_total rising,
// the wait's seconds growing) is too small for the load, the first thing
// to look at when requests queue with several servers on one database.
func NewPoolCollector(stat func() PoolStats) prometheus.Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &poolCollector{
		stat:     stat,
		conns:    d("atelier_pg_pool_connections", "Connections of this server's PostgreSQL pool, by state (acquired: in use; idle; constructing).", "state"),
		max:      d("atelier_pg_pool_max_connections", "The most connections this server's PostgreSQL pool opens (pool_max_conns)."),
		acquires: d("atelier_pg_pool_acquires_total", "Connections handed out by the PostgreSQL pool."),
		empty:    d("atelier_pg_pool_empty_acquires_total", "Connections the PostgreSQL pool handed out after a wait, none being idle."),
		canceled: d("atelier_pg_pool_canceled_acquires_total", "Waits for a PostgreSQL connection given up (the request ended first)."),
		wait:     d("atelier_pg_pool_acquire_seconds_total", "Time spent acquiring PostgreSQL connections, in all (the waits for one included)."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.max, c.acquires, c.empty, c.canceled, c.wait} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	for _, g := range []struct {
		state string
		n     int32
	}{{"acquired", s.Acquired}, {"idle", s.Idle}, {"constructing", s.Constructing}} {
		ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(g.n), g.state)
	}
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.Max))
	ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(s.Acquires))
	ch <- prometheus.MustNewConstMetric(c.empty, prometheus.CounterValue, float64(s.EmptyAcquires))
	ch <- prometheus.MustNewConstMetric(c.canceled, prometheus.CounterValue, float64(s.Canceled))
	ch <- prometheus.MustNewConstMetric(c.wait, prometheus.CounterValue, s.AcquireWait.Seconds())
}
