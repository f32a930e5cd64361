package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/backup"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/metrics"
)

// ops is what the server offers whoever runs it: readiness, and with
// server.metrics_addr a listener of its own for Prometheus metrics and
// /readyz, started before the database is opened (so a probe sees
// "starting" during migrations) and stopped last.
type ops struct {
	logger  *slog.Logger
	ready   *httpx.Readiness
	metrics *metrics.Metrics // nil when metrics_addr is empty
	srv     *http.Server
	served  chan error
}

// startOps starts the metrics listener when server.metrics_addr is set.
func startOps(cfg *config.Config, logger *slog.Logger, env Env) (*ops, error) {
	o := &ops{logger: logger, ready: &httpx.Readiness{}}
	if cfg.Server.MetricsAddr == "" {
		return o, nil
	}
	o.metrics = metrics.New()
	ln, err := net.Listen("tcp", cfg.Server.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listening on server.metrics_addr %s: %w", cfg.Server.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.metrics.Handler(logger))
	mux.Handle("/readyz", o.ready)
	o.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	o.served = make(chan error, 1)
	go func() { o.served <- o.srv.Serve(ln) }()
	addr := ln.Addr().String()
	logger.Info("metrics listening", "addr", addr, "url", "http://"+addr+"/metrics")
	if env.MetricsReady != nil {
		env.MetricsReady(addr)
	}
	return o, nil
}

// stop closes the metrics listener (after the workers stopped, so that a
// scrape during the drain still answers).
func (o *ops) stop() {
	if o.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.srv.Shutdown(ctx); err != nil {
		o.srv.Close()
	}
	if err := <-o.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		o.logger.Warn("metrics listener", "err", err)
	}
	o.srv = nil
}

// setReady marks the server ready: /readyz answers 200 and systemd (with
// Type=notify) learns that the start is complete.
func (o *ops) setReady() {
	o.ready.SetReady()
	sdNotify(o.logger, "READY=1\nSTATUS=serving")
}

// setDraining marks the server as shutting down.
func (o *ops) setDraining() {
	o.ready.SetDraining()
	sdNotify(o.logger, "STOPPING=1\nSTATUS=finishing in-flight requests")
}

// appMetrics is the App's metrics, nil (an untyped nil) when off.
func (o *ops) appMetrics() app.Metrics {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

// requestObserver is the API's observer, nil (an untyped nil) when off.
func (o *ops) requestObserver() httpx.RequestObserver {
	if o.metrics == nil {
		return nil
	}
	return o.metrics
}

// watchStore registers the collectors that read the database at scrape
// time: the job queues, booking changes, the connection pools, and the
// artisans' Google states when the sync is on.
func (o *ops) watchStore(db database, google app.GoogleCalendar) {
	if o.metrics == nil {
		return
	}
	src := db.metricsSource()
	src.Now = time.Now
	if google != nil {
		g := google
		src.GoogleArtisans = func(ctx context.Context) (map[string]int, error) {
			st, err := g.Status(ctx)
			if err != nil {
				return nil, err
			}
			states := map[string]int{}
			for _, s := range st {
				states[s.State]++
			}
			return states, nil
		}
	}
	o.register(metrics.NewStoreCollector(src))
	for name, pool := range db.pools() {
		o.register(collectors.NewDBStatsCollector(pool, name))
	}
	if pg, ok := db.(*postgresDB); ok {
		o.register(metrics.NewPoolCollector(pg.poolStats))
	}
	if sq, ok := db.(sqliteDB); ok { // SQLite's writer (group commit)
		o.register(metrics.NewWriterCollector(func() metrics.WriterStats {
			s := sq.WriterStats()
			return metrics.WriterStats{Transactions: s.Transactions, Calls: s.Calls, Queued: s.Queued, Wait: s.Wait, GaveUp: s.GaveUp}
		}))
	}
}

// countGoogle is g counting its failed free/busy checks when the metrics
// are on.
func (o *ops) countGoogle(g app.GoogleCalendar) app.GoogleCalendar {
	if o.metrics == nil {
		return g
	}
	return countedGoogle{GoogleCalendar: g, m: o.metrics}
}

// watchBackups registers the collector of the scheduled backups.
func (o *ops) watchBackups(s *backup.Scheduler) {
	if o.metrics != nil && s != nil {
		o.register(metrics.NewBackupCollector(s.Status, time.Now))
	}
}

func (o *ops) register(c prometheus.Collector) {
	if err := o.metrics.Register(c); err != nil {
		o.logger.Warn("metrics: registering a collector", "err", err)
	}
}

// countedGoogle counts the failed free/busy checks made while booking.
type countedGoogle struct {
	app.GoogleCalendar
	m *metrics.Metrics
}

func (g countedGoogle) FreeBusy(ctx context.Context, artisanID string, from, to time.Time) ([]booking.Busy, error) {
	busy, err := g.GoogleCalendar.FreeBusy(ctx, artisanID, from, to)
	if err != nil {
		g.m.GoogleFailed("freebusy")
	}
	return busy, err
}

// countedQueue counts the failed attempts of one queue's jobs: a retry
// or a permanent failure.
type countedQueue struct {
	booking.JobQueue
	queue string
	m     *metrics.Metrics
}

// jobQueue is q, counting failures when the metrics are on.
func (o *ops) jobQueue(q booking.JobQueue, queue string) booking.JobQueue {
	if o == nil || o.metrics == nil {
		return q
	}
	return countedQueue{JobQueue: q, queue: queue, m: o.metrics}
}

func (q countedQueue) RetryJob(ctx context.Context, id int64, errText string, retryAt time.Time) error {
	q.m.JobFailed(q.queue, false)
	return q.JobQueue.RetryJob(ctx, id, errText, retryAt)
}

// PostponeJob counts as a retry: a job of an artisan whose calendar sync
// is stopped is not getting through.
func (q countedQueue) PostponeJob(ctx context.Context, id int64, errText string, until time.Time) error {
	q.m.JobFailed(q.queue, false)
	return q.JobQueue.PostponeJob(ctx, id, errText, until)
}

func (q countedQueue) FailJob(ctx context.Context, id int64, errText string) error {
	q.m.JobFailed(q.queue, true)
	return q.JobQueue.FailJob(ctx, id, errText)
}
