package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atelier-app/atelier/internal/httpx"
)

// A 62-day answer is large: a client that accepts gzip gets it compressed,
// and it reads back as the very bytes a client without gzip gets.
func TestAvailabilityGzip(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	h := e.Edge.Handler()
	get := func(accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/availability?service=design&mode=virtual&from=2026-12-01&to=2027-01-31", nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec
	}
	plain, zipped := get(""), get("gzip, deflate, br")
	if plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("compressed for a client that did not ask")
	}
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("%d bytes sent plain to a client that accepts gzip", plain.Body.Len())
	}
	for _, rec := range []*httptest.ResponseRecorder{plain, zipped} {
		if rec.Header().Get("Vary") != "Accept-Encoding" || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", rec.Header())
		}
	}
	t.Logf("62 days: %d bytes, %d gzipped", plain.Body.Len(), zipped.Body.Len())
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain.Body.Bytes()) {
		t.Fatalf("the gzipped answer reads back differently")
	}
}
