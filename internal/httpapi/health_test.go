package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/buildinfo"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// TestHealthParts: parts added with AddHealth appear in /healthz; a
// degraded one makes the whole answer degraded, still 200. The running
// build is always there.
func TestHealthParts(t *testing.T) {
	e := MustOpenEnv(t, httpapi.Config{})
	failing := false
	e.Server.AddHealth("backups", func(context.Context) (any, bool) {
		return map[string]any{"failing": failing}, failing
	})
	var got struct {
		Status  string
		Version buildinfo.Info
		Backups struct{ Failing bool }
	}
	r := e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "ok" || got.Backups.Failing || got.Version != buildinfo.Read() {
		t.Errorf("healthz: %d %s", r.Status, r.Body)
	}
	failing = true
	r = e.Do(t, http.MethodGet, "/healthz", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "degraded" || !got.Backups.Failing {
		t.Errorf("healthz with a degraded part: %d %s", r.Status, r.Body)
	}
}

func TestReadinessStates(t *testing.T) {
	var r httpapi.Readiness
	for _, step := range []struct {
		set    func()
		status int
		body   string
	}{
		{func() {}, http.StatusServiceUnavailable, `{"status":"starting"}`},
		{r.SetReady, http.StatusOK, `{"status":"ready"}`},
		{r.SetDraining, http.StatusServiceUnavailable, `{"status":"draining"}`},
	} {
		step.set()
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != step.status || strings.TrimSpace(rec.Body.String()) != step.body || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("readyz: %d %s, want %d %s", rec.Code, rec.Body, step.status, step.body)
		}
	}
}
