package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/atelier-app/atelier/internal/buildinfo"
)

// startOpsServer starts Main on the demo configuration with the metrics
// listener and the scheduled backups on, and returns the server with its
// public and metrics addresses.
func startOpsServer(t *testing.T, edits ...string) (*testServer, *runningServer) {
	t.Helper()
	edits = append(edits, "  metrics_addr: \"\"", "  metrics_addr: 127.0.0.1:0",
		"    dir: \"\"", "    dir: saved")
	s := newTestServer(t, edits...)
	s.log = &syncBuffer{}
	rs := startServer(t, s.log, "--config", s.cfg, "--db", filepath.Join(s.dir, "atelier.db"), "--addr", "127.0.0.1:0")
	if rs.metricsAddr == "" {
		t.Fatal("no metrics listener")
	}
	s.base = "http://" + rs.addr
	return s, rs
}

// scrape reads and parses the metrics.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the exposition: %v", err)
	}
	return fams
}

// sample finds the metric of family name whose labels include want.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

// TestMetrics scrapes the metrics listener of a real server after some
// traffic: requests by route template, booking events, job queues,
// availability computations, backups, runtime and process, and no
// personal data or raw path anywhere.
func TestMetrics(t *testing.T) {
	s, rs := startOpsServer(t)
	slots := s.freeSlots()
	id, token := s.book(slots[0], "ada.lovelace@example.com")
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/bookings/"+id+"?token="+token, nil, http.StatusOK, nil)
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings/"+id+"/cancel?token="+token, nil, http.StatusOK, nil)
	for _, path := range []string{"/api/v1/no-such-thing/" + token, "/staff"} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// The public listener does not serve the metrics.
	if resp, err := http.Get(s.base + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("public /metrics: %v %v, want 404", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	waitHealth(t, s.base, "ok") // the first backup is written

	// The exposition itself holds no personal data, token, id or raw path.
	resp, err := http.Get("http://" + rs.metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, secret := range []string{token, id, "ada.lovelace", "Ada Lovelace", "no-such-thing"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the metrics contain %q", secret)
		}
	}

	fams := scrape(t, rs.metricsAddr)
	v := buildinfo.Read()
	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"atelier_http_requests_total", map[string]string{"method": "GET", "route": "/api/v1/availability", "code": "200"}, 1},
		{"atelier_http_requests_total", map[string]string{"method": "POST", "route": "/api/v1/bookings", "code": "201"}, 1},
		{"atelier_http_requests_total", map[string]string{"method": "GET", "route": "/api/v1/bookings/{id}", "code": "200"}, 1},
		{"atelier_http_requests_total", map[string]string{"method": "POST", "route": "/api/v1/bookings/{id}/cancel", "code": "200"}, 1},
		{"atelier_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "code": "404"}, 1},
		{"atelier_http_requests_total", map[string]string{"method": "GET", "route": "/staff", "code": "303"}, 1},
		{"atelier_http_request_duration_seconds", map[string]string{"method": "POST", "route": "/api/v1/bookings"}, 1},
		{"atelier_bookings_total", map[string]string{"event": "created", "actor": "customer"}, 1},
		{"atelier_bookings_total", map[string]string{"event": "cancelled", "actor": "customer"}, 1},
		{"atelier_bookings_total", map[string]string{"event": "moved", "actor": "customer"}, 0},
		{"atelier_bookings_total", map[string]string{"event": "declined", "actor": "staff"}, 0},
		{"atelier_jobs", map[string]string{"queue": "mail", "state": "pending"}, 0},
		{"atelier_jobs", map[string]string{"queue": "mail", "state": "done"}, 0},
		{"atelier_jobs", map[string]string{"queue": "mail", "state": "failed"}, 0},
		{"atelier_jobs_due", map[string]string{"queue": "mail"}, 0},
		{"atelier_jobs_oldest_due_age_seconds", map[string]string{"queue": "mail"}, 0},
		{"atelier_job_failures_total", map[string]string{"queue": "mail", "outcome": "retry"}, 0},
		{"atelier_job_failures_total", map[string]string{"queue": "gcal", "outcome": "failed"}, 0},
		{"atelier_availability_computation_duration_seconds", map[string]string{"kind": "customer"}, 1},
		{"atelier_backup_last_success_timestamp_seconds", nil, float64(time.Now().Add(-time.Hour).Unix())},
		{"atelier_backup_kept", nil, 1},
		{"atelier_backup_failing", nil, 0},
		{"atelier_build_info", map[string]string{"version": v.Version, "go_version": v.GoVersion}, 1},
		{"go_goroutines", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
		{"go_sql_open_connections", map[string]string{"db_name": "write"}, 1},
		// The booking, its cancellation and the sync at start at least.
		{"atelier_sqlite_write_transactions_total", nil, 3},
		{"atelier_sqlite_writes_total", nil, 3},
		{"atelier_sqlite_write_queue", nil, 0},
	}
	for _, c := range checks {
		m := sample(fams, c.name, c.labels)
		if m == nil {
			t.Errorf("no %s%v", c.name, c.labels)
			continue
		}
		if got := value(m); got < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, got, c.min)
		}
	}
	// Each booking change is counted once, however often it is scraped.
	fams = scrape(t, rs.metricsAddr)
	if got := value(sample(fams, "atelier_bookings_total", map[string]string{"event": "created", "actor": "customer"})); got != 1 {
		t.Errorf("after a second scrape, %v bookings created, want 1", got)
	}
	// The mail jobs of the booking and its cancellation are counted.
	var mailJobs float64
	for _, state := range []string{"pending", "done", "failed"} {
		mailJobs += value(sample(fams, "atelier_jobs", map[string]string{"queue": "mail", "state": state}))
	}
	if mailJobs < 2 {
		t.Errorf("%v mail jobs, want at least the confirmation and the cancellation", mailJobs)
	}
	// Every route label is a template or "unmatched", never a raw path.
	for _, m := range fams["atelier_http_requests_total"].Metric {
		for _, l := range m.Label {
			if l.GetName() == "route" && l.GetValue() != "unmatched" && !strings.HasPrefix(l.GetValue(), "/") {
				t.Errorf("route label %q", l.GetValue())
			}
		}
	}
}

// TestReadiness: /readyz is 200 on both listeners while serving; from
// SIGTERM on, while an in-flight request finishes, the metrics listener
// says "draining" (503); systemd is told READY=1 and STOPPING=1.
func TestReadiness(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	readNotify := func(want string) {
		t.Helper()
		notify.SetReadDeadline(time.Now().Add(30 * time.Second))
		buf := make([]byte, 512)
		n, err := notify.Read(buf)
		if err != nil || !strings.HasPrefix(string(buf[:n]), want) {
			t.Fatalf("systemd was told %q (%v), want %q", buf[:n], err, want)
		}
	}

	s, rs := startOpsServer(t)
	readNotify("READY=1")
	metricsBase := "http://" + rs.metricsAddr
	for _, base := range []string{s.base, metricsBase} {
		var r struct{ Status string }
		call(t, http.DefaultClient, http.MethodGet, base+"/readyz", nil, http.StatusOK, &r)
		if r.Status != "ready" {
			t.Errorf("%s/readyz: %q", base, r.Status)
		}
	}

	// A request still sending its body keeps the server draining. It asks
	// for "100 Continue", which the server sends once the handler reads the
	// body: from then on the request is in flight.
	body := `{"service": "ring-sizing", "mode": "in_person"}`
	conn, err := net.Dial("tcp", rs.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "POST /api/v1/bookings HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", rs.addr, len(body))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("waiting for 100 Continue: %q %v", line, err)
	}
	br.ReadString('\n') // the blank line after it
	stopped := make(chan error, 1)
	go func() { stopped <- rs.stop() }()
	readNotify("STOPPING=1")
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(metricsBase + "/readyz")
		if err != nil {
			t.Fatalf("the metrics listener closed before the drain ended: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(b), `"draining"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz during the drain: %d %s", resp.StatusCode, b)
		}
		time.Sleep(10 * time.Millisecond) // polling the server, not hiding a race
	}
	// The in-flight request is answered; then the server stops.
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the in-flight request got %d, want its answer (422)", resp.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: %v", err)
	}
}
