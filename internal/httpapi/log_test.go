package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLogHasNoPersonalData(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	b := MustCreateBooking(t, e, Request(tomorrow10))
	var buf syncBuffer
	edge := httpx.New(httpx.Config{PublicURL: "https://atelier.example"}, slog.New(slog.NewTextHandler(&buf, nil)))
	httpapi.New(edge, e.App)
	h := edge.Handler()

	req := httptest.NewRequest(http.MethodGet, "/api/v1/bookings/"+b.ID+"?token="+b.ManageToken, nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	req = httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(mustJSON(Request(tomorrow14))))
	h.ServeHTTP(httptest.NewRecorder(), req)

	log := buf.String()
	for _, want := range []string{"route=/api/v1/bookings/{id}", "status=200", "route=/api/v1/bookings ", "status=201", "method=POST", "duration="} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{b.ManageToken, b.ID, "ana@example.com", "Ana Lim", "token="} {
		if strings.Contains(log, secret) {
			t.Errorf("log holds %q:\n%s", secret, log)
		}
	}
}

func TestStaffRouterMountPoint(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	e.Server.StaffRouter().HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}).Methods(http.MethodGet).Name(TestFixture)

	if r := e.Do(t, http.MethodGet, "/api/v1/staff/ping", nil); r.Status != http.StatusNoContent {
		t.Errorf("added staff route: %d %s", r.Status, r.Body)
	}
	r := e.Do(t, http.MethodGet, "/api/v1/staff/other", nil)
	if p := r.Problem(t); r.Status != http.StatusUnauthorized || p.Code != "unauthorized" {
		t.Errorf("unknown staff path: %d %+v", r.Status, p)
	}
	// The customer API keeps its 405s with staff routes mounted.
	if r := e.Do(t, http.MethodPut, "/api/v1/services", `{}`); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("PUT /api/v1/services: %d", r.Status)
	}
}
