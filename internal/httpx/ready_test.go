package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/httpx"
)

func TestReadinessStates(t *testing.T) {
	var r httpx.Readiness
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
