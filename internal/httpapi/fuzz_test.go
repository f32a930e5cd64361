package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
)

// checkResponse fails unless the response is a non-5xx and, when it is an
// error, a problem details object.
func checkResponse(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("status %d with Content-Type %q", rec.Code, ct)
		}
		var p httpapi.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Code == "" {
			t.Fatalf("bad problem %s (%v)", rec.Body, err)
		}
	}
}

// FuzzBookingRequest sends arbitrary bodies to POST /api/v1/bookings: the
// decoder, the validation and the handler must never panic nor answer 5xx.
func FuzzBookingRequest(f *testing.F) {
	f.Add([]byte(mustJSON(Request(tomorrow10))))
	f.Add([]byte(`{"service":"design","mode":"virtual","start":"2026-12-02T10:00:00+08:00","customer":{"name":"A","email":"a@b.co","timezone":"Europe/London"}}`))
	f.Add([]byte(`{"service":"sizing","mode":"in_person","start":"9999-12-31T23:59:59-23:59","customer":{"name":"\u0000","email":"@"}}`))
	f.Add([]byte(`{"start":"0000-01-01T00:00:00Z","customer":{"phone":"((((","timezone":"Local"},"notes":"\u2028"}`))
	f.Add([]byte(`{"customer":null}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"service":"design"}{}`))
	f.Add([]byte("\xff\xfe"))
	e := MustOpenEnv(f, httpx.Config{})
	h := e.Edge.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/bookings", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, rec)
	})
}

// FuzzAvailabilityQuery sends arbitrary query strings to GET
// /api/v1/availability: never a panic, never a 5xx.
func FuzzAvailabilityQuery(f *testing.F) {
	f.Add(dayQuery)
	f.Add(dayQuery + "&tz=Europe/London&artisan=mei")
	f.Add("service=design&mode=virtual&from=2026-12-01&to=2027-01-31&tz=Australia/Lord_Howe")
	f.Add("service=design&mode=in_person&from=0001-01-01&to=0001-01-02")
	f.Add("service=design&mode=in_person&from=9999-12-30&to=9999-12-31&tz=Etc/GMT-14")
	f.Add("service=%zz&mode=;&from=&to=")
	f.Add("tz=../../etc/passwd&service=design&mode=in_person&from=2026-12-02&to=2026-12-02")
	f.Add("service=design&service=sizing")
	e := MustOpenEnv(f, httpx.Config{})
	h := e.Edge.Handler()
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/availability", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, rec)
	})
}
