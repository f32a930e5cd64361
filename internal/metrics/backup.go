package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atelier-app/atelier/internal/backup"
)

// backupCollector reports the scheduled backups' status at scrape time.
type backupCollector struct {
	status                                     func() backup.Status
	now                                        func() time.Time
	lastSuccess, size, failures, failing, kept *prometheus.Desc
}

// NewBackupCollector returns the collector of the scheduled backups whose
// status is read by status; now is the clock (nil: time.Now).
func NewBackupCollector(status func() backup.Status, now func() time.Time) prometheus.Collector {
	if now == nil {
		now = time.Now
	}
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &backupCollector{
		status:      status,
		now:         now,
		lastSuccess: d("atelier_backup_last_success_timestamp_seconds", "When the newest good backup was made (Unix time; 0: none yet)."),
		size:        d("atelier_backup_last_size_bytes", "Size of the newest good backup."),
		failures:    d("atelier_backup_failures", "Failed backup attempts in a row (0 after a good one)."),
		failing:     d("atelier_backup_failing", "1 while the backups need attention (the last attempt failed, or the newest is over two periods old), else 0."),
		kept:        d("atelier_backup_kept", "Backups in the backup folder after the latest rotation."),
	}
}

func (c *backupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lastSuccess
	ch <- c.size
	ch <- c.failures
	ch <- c.failing
	ch <- c.kept
}

func (c *backupCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.status()
	last := 0.0
	if !st.LastSuccess.IsZero() {
		last = float64(st.LastSuccess.UnixMilli()) / 1000
	}
	failing := 0.0
	if st.Failing(c.now()) {
		failing = 1
	}
	ch <- prometheus.MustNewConstMetric(c.lastSuccess, prometheus.GaugeValue, last)
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(st.LastBytes))
	ch <- prometheus.MustNewConstMetric(c.failures, prometheus.GaugeValue, float64(st.Failures))
	ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing)
	ch <- prometheus.MustNewConstMetric(c.kept, prometheus.GaugeValue, float64(st.Kept))
}
