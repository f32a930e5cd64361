package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
)

// The hand-written encoder writes exactly what encoding/json writes, on
// answers in zones with DST, half-hour and 45-minute offsets, Lord Howe's
// half-hour DST, UTC (which must read "+00:00", never "Z") and local mean
// time before 1900 (offsets with seconds), across transitions, with
// fractions of seconds and with strings that need escaping.
func TestAppendAvailabilityMatchesEncodingJSON(t *testing.T) {
	zones := []string{"UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
		"America/St_Johns", "Asia/Singapore", "Pacific/Chatham", "America/Sao_Paulo", "Africa/Casablanca", "Pacific/Apia"}
	words := []string{"artisan0", "Zoë", "a<b>&c", "quote\"back\\slash", "tab\tnew\nline\r\b\f\x01\x1f\x7f",
		"\u2028\u2029", "bad\xffutf8\xc3", "日本語", "", "emoji 💍"}
	r := rand.New(rand.NewPCG(18, 1))
	for n := range 400 {
		name := zones[n%len(zones)]
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		// Mostly near today, sometimes long ago (LMT) or far ahead.
		base := time.Date(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, loc)
		switch r.IntN(10) {
		case 0:
			base = time.Date(1850+r.IntN(80), 3, 1, 0, 0, 0, 0, loc)
		case 1:
			base = time.Date(9990, 12, 25, 0, 0, 0, 0, loc)
		}
		// The engine's times are in UTC; the answer shows them in loc.
		v := &app.Availability{Service: words[r.IntN(len(words))], Mode: booking.Mode(words[r.IntN(len(words))]),
			Zone: loc, Timezone: name}
		at := base
		for range r.IntN(300) {
			at = at.Add(time.Duration(r.IntN(6)) * 30 * time.Minute)
			if r.IntN(15) == 0 {
				at = at.Add(time.Duration(r.Int64N(int64(time.Second))))
			}
			sl := availability.Slot{Start: at.UTC(), End: at.Add(90 * time.Minute).UTC()}
			if r.IntN(10) > 0 {
				sl.Artisans = []string{}
				for range r.IntN(4) {
					sl.Artisans = append(sl.Artisans, words[r.IntN(len(words))])
				}
			}
			v.Slots = append(v.Slots, sl)
		}
		want, err := json.Marshal(newAvailabilityView(v))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendAvailability(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("answer %d (%s) differs:\n got %s\nwant %s", n, name, excerptDiff(got, want), excerptDiff(want, got))
		}
	}
}

// A many-artisan answer, where neighbouring slots list the same artisans
// (the encoder copies the array it wrote for the slot before) or lists
// that differ by one id, one in the middle, or are empty or nil, is still
// exactly what encoding/json writes; and its buffer starts at the right
// size.
func TestAppendAvailabilityRepeatedLists(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, odd := range []string{"a<b>&\"q\u2028", "artisan-50"} {
		var all []string
		for i := range 100 {
			all = append(all, fmt.Sprintf("artisan-%02d", i))
		}
		all[50] = odd
		r := rand.New(rand.NewPCG(18, 2))
		v := &app.Availability{Service: "fitting", Mode: booking.Virtual, Zone: loc, Timezone: "Europe/London"}
		at := time.Date(2026, 3, 28, 9, 0, 0, 0, loc) // across the clock change
		list := all
		for range 3000 {
			switch r.IntN(8) {
			case 0: // drop one id, keeping the order
				k := r.IntN(len(all))
				list = append(slices.Clone(all[:k]), all[k+1:]...)
			case 1: // the same ids in another array
				list = slices.Clone(list)
			case 2:
				list = nil
			case 3:
				list = []string{}
			case 4:
				list = all[r.IntN(10):]
			}
			v.Slots = append(v.Slots, availability.Slot{Start: at.UTC(), End: at.Add(15 * time.Minute).UTC(), Artisans: list})
			at = at.Add(15 * time.Minute)
		}
		want, err := json.Marshal(newAvailabilityView(v))
		if err != nil {
			t.Fatal(err)
		}
		got := appendAvailability(nil, v)
		if !bytes.Equal(got, want) {
			t.Fatalf("%q: differs:\n got %s\nwant %s", odd, excerptDiff(got, want), excerptDiff(want, got))
		}
		head := len(`{"service":"fitting","mode":"virtual","timezone":"Europe/London","slots":[`)
		if hint := answerSizeHint(v.Slots); odd == "artisan-50" && hint < len(want)-head {
			t.Errorf("size hint %d is under the answer's %d bytes of slots: the buffer grows while writing", hint, len(want)-head)
		}
	}
}

// Every instant across a year of DST transitions, minute by minute around
// each one.
func TestAppendTimeAcrossTransitions(t *testing.T) {
	for _, name := range []string{"Australia/Lord_Howe", "Europe/London", "America/New_York", "Europe/Dublin"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		var zc zoneCache
		for at := time.Date(2026, 1, 1, 0, 0, 0, 0, loc); at.Year() < 2027; at = at.Add(7 * time.Minute) {
			want, _ := At(at).MarshalJSON()
			if got := zc.appendTime(nil, at); !bytes.Equal(got, want) {
				t.Fatalf("%s: got %s, want %s", name, got, want)
			}
		}
	}
}

func excerptDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-60)
	return fmt.Sprintf("…%s… (at byte %d)", a[lo:min(len(a), i+60)], i)
}

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"deflate, GZIP;q=0.5"}, true},
		{[]string{"br", "x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"identity"}, false},
		{[]string{"gzipped"}, false},
	} {
		if got := acceptsGzip(c.values); got != c.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", c.values, got, c.want)
		}
	}
}

// A large answer is compressed for a client that accepts gzip, and reads
// back as the same bytes; a small one, or a client that does not accept
// gzip, gets it plain. Both say they vary with Accept-Encoding.
func TestWriteMaybeGzip(t *testing.T) {
	large := bytes.Repeat([]byte(`{"start":"2026-12-02T10:00:00+08:00"},`), 1000)
	small := []byte(`{"slots":[]}` + "\n")
	for _, c := range []struct {
		body   []byte
		accept string
		gzip   bool
	}{
		{large, "gzip, deflate", true},
		{large, "", false},
		{large, "gzip;q=0", false},
		{small, "gzip", false},
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/availability", nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		rec := httptest.NewRecorder()
		writeMaybeGzip(rec, req, c.body)
		h := rec.Result().Header
		if got := h.Get("Content-Encoding") == "gzip"; got != c.gzip {
			t.Errorf("%d bytes, Accept-Encoding %q: gzip %v, want %v", len(c.body), c.accept, got, c.gzip)
		}
		if h.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary %q, want Accept-Encoding", h.Get("Vary"))
		}
		if h.Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
			t.Errorf("Content-Length %s for %d bytes", h.Get("Content-Length"), rec.Body.Len())
		}
		got, err := decodeForTest(h, rec.Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.body) {
			t.Errorf("the answer read back differs from the one written")
		}
		if c.gzip && rec.Body.Len()*4 > len(c.body) {
			t.Errorf("compressed %d bytes into %d", len(c.body), rec.Body.Len())
		}
	}
}

func decodeForTest(h http.Header, body []byte) ([]byte, error) {
	if h.Get("Content-Encoding") != "gzip" {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// benchView is a 62-day answer of 8 artisans on a 30-minute grid from
// 10:00 to 17:30 in Singapore: 992 slots, about 340 KB of JSON.
func benchView(b *testing.B) *app.Availability {
	loc, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		b.Fatal(err)
	}
	v := &app.Availability{Service: "design", Mode: booking.Virtual, Zone: loc, Timezone: "Asia/Singapore"}
	all := []string{"artisan0", "artisan1", "artisan2", "artisan3", "artisan4", "artisan5", "artisan6", "artisan7"}
	for d := range 62 {
		for k := range 16 {
			at := time.Date(2026, 6, 2+d, 10, 30*k, 0, 0, loc).UTC() // the engine's times are in UTC
			v.Slots = append(v.Slots, availability.Slot{Start: at, End: at.Add(90 * time.Minute), Artisans: all[:8-(d+k)%3]})
		}
	}
	return v
}

// BenchmarkAvailabilityAnswer compares encoding/json with the hand-written
// encoder, and the cost of gzip on top, for one 62-day answer.
func BenchmarkAvailabilityAnswer(b *testing.B) {
	v := benchView(b)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(newAvailabilityView(v)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendAvailability(buf[:0], v)
		}
		b.ReportMetric(float64(len(buf)), "bytes")
	})
	for _, accept := range []string{"", "gzip"} {
		name := "written-plain"
		if accept != "" {
			name = "written-gzip"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/availability", nil)
			if accept != "" {
				req.Header.Set("Accept-Encoding", accept)
			}
			var n int
			for b.Loop() {
				rec := httptest.NewRecorder()
				writeAvailability(rec, req, v)
				n = rec.Body.Len()
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}
