package httpx

import (
	"net/http"
	"sync/atomic"
)

// Readiness answers GET /readyz: whether this server should be sent
// traffic. It is "starting" (503) until the wiring is done (migrations
// applied, workers started), "ready" (200) while serving, and "draining"
// (503) from SIGTERM on, while in-flight requests finish. /healthz says
// whether the server works; /readyz whether to route to it.
type Readiness struct {
	state atomic.Int32
}

const (
	stateStarting int32 = iota
	stateReady
	stateDraining
)

// SetReady marks the server ready for traffic.
func (r *Readiness) SetReady() { r.state.Store(stateReady) }

// SetDraining marks the server as shutting down; it never becomes ready
// again.
func (r *Readiness) SetDraining() { r.state.Store(stateDraining) }

// State is "starting", "ready" or "draining".
func (r *Readiness) State() string {
	switch r.state.Load() {
	case stateReady:
		return "ready"
	case stateDraining:
		return "draining"
	}
	return "starting"
}

var readyBodies = map[string][]byte{
	"starting": []byte(`{"status":"starting"}` + "\n"),
	"ready":    []byte(`{"status":"ready"}` + "\n"),
	"draining": []byte(`{"status":"draining"}` + "\n"),
}

func (r *Readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	state := r.State()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	status := http.StatusOK
	if state != "ready" {
		status = http.StatusServiceUnavailable
	}
	w.WriteHeader(status)
	if req.Method == http.MethodGet {
		w.Write(readyBodies[state])
	}
}
