// Package metrics is the server's Prometheus instrumentation
// (server.metrics_addr): requests by route template, booking changes by
// event, the job queues, mail and Google failures, availability
// computations, backups, and the Go runtime and process.
//
// No label ever holds personal data or anything a client chooses freely:
// routes are the router's templates ("/api/v1/bookings/{id}"), never raw
// paths; methods outside the standard ones are "other"; the rest are
// queue names, states, event kinds and actor kinds of our own.
//
// The hot path (one request) costs two map lookups under a read lock and
// two atomic updates: the label children of each (method, route, status)
// are resolved once and kept.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/atelier-app/atelier/internal/buildinfo"
)

// Metrics holds the registry and the instruments the code updates.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	availability *prometheus.HistogramVec
	jobFailures  *prometheus.CounterVec
	google       *prometheus.CounterVec

	mu       sync.RWMutex
	children map[requestKey]requestChild
}

type requestKey struct {
	method, route string
	status        int
}

type requestChild struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New returns the metrics with the Go runtime, process and build
// collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atelier_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "atelier_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		availability: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "atelier_availability_computation_duration_seconds",
			Help:    "Time to compute the free slots of an availability query (schedule read and engine), by who asked (customer or staff).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 12), // 0.5 ms to about 1 s
		}, []string{"kind"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atelier_job_failures_total",
			Help: "Failed attempts of background jobs (mail sent, Google Calendar writes), by queue and outcome: retry (tried again later) or failed (given up).",
		}, []string{"queue", "outcome"}),
		google: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atelier_google_failures_total",
			Help: "Google Calendar calls made while booking that failed or timed out, by operation (the stored busy times decided instead).",
		}, []string{"op"}),
		children: map[requestKey]requestChild{},
	}
	info := buildinfo.Read()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "atelier_build_info",
		Help:        "The running build: always 1, with its version, commit and Go version as labels.",
		ConstLabels: prometheus.Labels{"version": info.Version, "commit": info.Commit, "go_version": info.GoVersion},
	})
	build.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.availability, m.jobFailures, m.google, build,
	)
	// The series every dashboard expects exist from the start, at 0.
	for _, q := range []string{"mail", "gcal"} {
		for _, o := range []string{"retry", "failed"} {
			m.jobFailures.WithLabelValues(q, o)
		}
	}
	m.google.WithLabelValues("freebusy")
	for _, k := range []string{"customer", "staff"} {
		m.availability.WithLabelValues(k)
	}
	return m
}

// Register adds a collector (the store's, the backups') to the registry.
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// Handler serves the exposition format at /metrics. A collector that fails
// (the database busy at scrape time) is logged and left out; the rest is
// served.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandling:     promhttp.ContinueOnError,
		Registry:          m.reg, // promhttp_metric_handler_errors_total
		EnableOpenMetrics: true,
	})
}

// ObserveRequest counts one answered request. route is the router's
// template ("unmatched" when none matched).
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	k := requestKey{method: methodLabel(method), route: route, status: status}
	m.mu.RLock()
	c, ok := m.children[k]
	m.mu.RUnlock()
	if !ok {
		c = m.child(k)
	}
	c.count.Inc()
	c.duration.Observe(d.Seconds())
}

// child resolves and keeps the instruments of k.
func (m *Metrics) child(k requestKey) requestChild {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.children[k]; ok {
		return c
	}
	c := requestChild{
		count:    m.requests.WithLabelValues(k.method, k.route, codeLabel(k.status)),
		duration: m.duration.WithLabelValues(k.method, k.route),
	}
	m.children[k] = c
	return c
}

// AvailabilityComputed records one computation of free slots.
func (m *Metrics) AvailabilityComputed(kind string, d time.Duration) {
	m.availability.WithLabelValues(kind).Observe(d.Seconds())
}

// JobFailed counts a failed attempt of a job of queue: permanent when it
// was given up, else it is retried.
func (m *Metrics) JobFailed(queue string, permanent bool) {
	outcome := "retry"
	if permanent {
		outcome = "failed"
	}
	m.jobFailures.WithLabelValues(queue, outcome).Inc()
}

// GoogleFailed counts a Google Calendar call of op that failed.
func (m *Metrics) GoogleFailed(op string) { m.google.WithLabelValues(op).Inc() }

// methodLabel keeps the standard methods and folds any other (a client
// may send any token) into "other".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// codes are the status labels, made once.
var codes = func() (c [600]string) {
	for i := 100; i < len(c); i++ {
		c[i] = strconv.Itoa(i)
	}
	return c
}()

func codeLabel(status int) string {
	if status >= 100 && status < len(codes) {
		return codes[status]
	}
	return "other"
}
