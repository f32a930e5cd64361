package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WriterStats are the SQLite writer's figures at one scrape
// (sqlite.DB.WriterStats), as the writer collector reports them.
type WriterStats struct {
	// Transactions counts the write transactions committed, Calls the
	// writes they held (group commit: several writes share a COMMIT).
	Transactions, Calls int64
	// Queued is how many writes wait for the writer.
	Queued int
	// Wait is the time writes waited for their turn, in all; GaveUp counts
	// those that gave up past the busy timeout.
	Wait   time.Duration
	GaveUp int64
}

type writerCollector struct {
	stat                             func() WriterStats
	txs, calls, queued, wait, gaveUp *prometheus.Desc
}

// NewWriterCollector reports the SQLite writer's figures at each scrape:
// writes queue for the one writer, which commits those that wait together
// (calls per transaction rising with the load); a queue that stays long,
// or waits given up, mean the writes need more than the disk and one core
// can give.
func NewWriterCollector(stat func() WriterStats) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &writerCollector{
		stat:   stat,
		txs:    d("atelier_sqlite_write_transactions_total", "SQLite write transactions committed (each one COMMIT, one wait for the disk)."),
		calls:  d("atelier_sqlite_writes_total", "Writes committed; several writes that wait together share one transaction (group commit)."),
		queued: d("atelier_sqlite_write_queue", "Writes waiting for the SQLite writer just now."),
		wait:   d("atelier_sqlite_write_wait_seconds_total", "Time writes waited for their turn on the SQLite writer, in all."),
		gaveUp: d("atelier_sqlite_write_gave_up_total", "Writes that gave up waiting for the SQLite writer past the busy timeout (answered 503)."),
	}
}

func (c *writerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.txs, c.calls, c.queued, c.wait, c.gaveUp} {
		ch <- d
	}
}

func (c *writerCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	ch <- prometheus.MustNewConstMetric(c.txs, prometheus.CounterValue, float64(s.Transactions))
	ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(s.Calls))
	ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, float64(s.Queued))
	ch <- prometheus.MustNewConstMetric(c.wait, prometheus.CounterValue, s.Wait.Seconds())
	ch <- prometheus.MustNewConstMetric(c.gaveUp, prometheus.CounterValue, float64(s.GaveUp))
}
