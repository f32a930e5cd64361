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
	// The engine's sets: 150 candidates (three words of bits), every word
	// among them.
	var cands []string
	for i := range 150 {
		cands = append(cands, fmt.Sprintf("%s%d", words[i%len(words)], i))
	}
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
			switch r.IntN(10) {
			case 0: // none
			case 1, 2, 3: // any words, in any order, repeated
				var list []string
				for range r.IntN(4) {
					list = append(list, words[r.IntN(len(words))])
				}
				sl.Artisans = availability.NewArtisanSet(list...)
			default: // as the engine makes them: subsets of one list of candidates
				var in []int
				for i := range cands {
					if r.IntN(3) > 0 {
						in = append(in, i)
					}
				}
				sl.Artisans = availability.ArtisanSubset(cands, in...)
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
		checkStreamed(t, fmt.Sprintf("answer %d (%s)", n, name), v, want, 1+r.IntN(4000))
	}
}

// checkStreamed checks that v written in pieces of piece bytes is want,
// and that answerSize worked out its length.
func checkStreamed(t *testing.T, desc string, v *app.Availability, want []byte, piece int) {
	t.Helper()
	var out pieces
	aw := answerWriter{w: &out, max: piece}
	aw.encode(v)
	aw.flush()
	if got := out.Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("%s, in pieces of %d: differs:\n got %s\nwant %s", desc, piece, excerptDiff(got, want), excerptDiff(want, got))
	}
	if len(want) > 2*piece+2000 && out.writes < 2 {
		t.Errorf("%s: %d bytes written in %d piece(s) of at most %d", desc, len(want), out.writes, piece)
	}
	if n := answerSize(v); n != len(want) {
		t.Errorf("%s: answerSize %d, written %d", desc, n, len(want))
	}
}

// pieces is a bytes.Buffer that counts its writes and keeps the largest.
type pieces struct {
	bytes.Buffer
	writes, largest int
}

func (p *pieces) Write(b []byte) (int, error) {
	p.writes++
	p.largest = max(p.largest, len(b))
	return p.Buffer.Write(b)
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
		every := make([]int, len(all))
		for i := range every {
			every[i] = i
		}
		list := availability.ArtisanSubset(all, every...)
		for range 3000 {
			switch r.IntN(8) {
			case 0: // drop one id, keeping the order
				k := r.IntN(len(all))
				list = availability.ArtisanSubset(all, append(slices.Clone(every[:k]), every[k+1:]...)...)
			case 1: // the same ids in another set
				list = availability.ArtisanSubset(all, slices.Collect(func(yield func(int) bool) {
					for i, id := range all {
						if list.Contains(id) && !yield(i) {
							return
						}
					}
				})...)
			case 2:
				list = availability.ArtisanSet{}
			case 3:
				list = availability.ArtisanSubset(all)
			case 4:
				list = availability.ArtisanSubset(all, every[r.IntN(10):]...)
			case 5: // the same ids over another list of candidates
				list = availability.NewArtisanSet(list.IDs()...)
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
		for _, piece := range []int{1, 700, answerPiece} {
			checkStreamed(t, fmt.Sprintf("%q", odd), v, want, piece)
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
		writeMaybeGzip(rec, req, bytesBody(c.body))
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
	every := []int{0, 1, 2, 3, 4, 5, 6, 7}
	for d := range 62 {
		for k := range 16 {
			at := time.Date(2026, 6, 2+d, 10, 30*k, 0, 0, loc).UTC() // the engine's times are in UTC
			v.Slots = append(v.Slots, availability.Slot{Start: at, End: at.Add(90 * time.Minute), Artisans: availability.ArtisanSubset(all, every[:8-(d+k)%3]...)})
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

// bytesBody is a body already in memory, as a streamedBody.
func bytesBody(b []byte) streamedBody {
	return streamedBody{
		atLeast: len(b),
		size:    func() int { return len(b) },
		write: func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		},
	}
}

// manyArtisansView is a 62-day answer of 100 artisans (2.3 MB of JSON),
// each slot free for all but a few, neighbours mostly for the same.
func manyArtisansView(tb testing.TB) *app.Availability {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		tb.Fatal(err)
	}
	var cands []string
	for i := range 100 {
		cands = append(cands, fmt.Sprintf("a%03d", i))
	}
	r := rand.New(rand.NewPCG(18, 5))
	v := &app.Availability{Service: "fitting", Mode: booking.Virtual, Zone: loc, Timezone: "Europe/London"}
	var set availability.ArtisanSet
	for d := range 62 {
		for k := range 48 {
			if set.Len() == 0 || r.IntN(3) == 0 {
				var in []int
				for i := range cands {
					if r.IntN(20) > 0 {
						in = append(in, i)
					}
				}
				set = availability.ArtisanSubset(cands, in...)
			}
			at := time.Date(2026, 3, 1+d, 0, 30*k, 0, 0, loc).UTC()
			v.Slots = append(v.Slots, availability.Slot{Start: at, End: at.Add(time.Hour), Artisans: set})
		}
	}
	return v
}

// writeCounter is a ResponseRecorder that counts the writes of the body.
type writeCounter struct {
	*httptest.ResponseRecorder
	writes, largest int
}

func (w *writeCounter) Write(b []byte) (int, error) {
	w.writes++
	w.largest = max(w.largest, len(b))
	return w.ResponseRecorder.Write(b)
}

// A large answer is written to the client in pieces, never whole, with
// the Content-Length it then has (plain, gzipped, small, and for HEAD
// the same headers and no body); and a real server and client agree.
func TestWriteAvailabilityInPieces(t *testing.T) {
	large := manyArtisansView(t)
	small := &app.Availability{Service: "fitting", Mode: booking.Virtual, Zone: time.UTC, Timezone: "UTC", Slots: large.Slots[:3]}
	for _, v := range []*app.Availability{large, small} {
		view, err := json.Marshal(newAvailabilityView(v))
		if err != nil {
			t.Fatal(err)
		}
		want := append(view, '\n')
		for _, accept := range []string{"", "gzip"} {
			var getLength string
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				req := httptest.NewRequest(method, "/api/v1/availability", nil)
				if accept != "" {
					req.Header.Set("Accept-Encoding", accept)
				}
				rec := &writeCounter{ResponseRecorder: httptest.NewRecorder()}
				writeAvailability(rec, req, v)
				h := rec.Result().Header
				desc := fmt.Sprintf("%d bytes, %s, Accept-Encoding %q", len(want), method, accept)
				if zipped := h.Get("Content-Encoding") == "gzip"; zipped != (accept != "" && len(want) >= gzipMinSize) {
					t.Errorf("%s: gzip %v", desc, zipped)
				}
				if method == http.MethodHead {
					if h.Get("Content-Length") != getLength {
						t.Errorf("%s: Content-Length %s, GET's %s", desc, h.Get("Content-Length"), getLength)
					}
					if accept == "" && rec.writes > 0 {
						t.Errorf("%s: %d writes of a body", desc, rec.writes)
					}
					continue
				}
				getLength = h.Get("Content-Length")
				if getLength != fmt.Sprint(rec.Body.Len()) {
					t.Errorf("%s: Content-Length %s for %d bytes", desc, getLength, rec.Body.Len())
				}
				got, err := decodeForTest(h, rec.Body.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: differs:\n got %s\nwant %s", desc, excerptDiff(got, want), excerptDiff(want, got))
				}
				if accept == "" && len(want) > 4*answerPiece && (rec.writes < len(want)/(2*answerPiece) || rec.largest > 2*answerPiece) {
					t.Errorf("%s: written in %d writes, the largest %d bytes: not in pieces", desc, rec.writes, rec.largest)
				}
			}
		}
	}

	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeAvailability(w, r, large) }))
	defer hs.Close()
	for _, accept := range []string{"identity", "gzip"} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL, nil)
		req.Header.Set("Accept-Encoding", accept)
		res, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.ContentLength != int64(len(body)) {
			t.Fatalf("%s: read %d bytes of %d: %v", accept, len(body), res.ContentLength, err)
		}
		if got, err := decodeForTest(res.Header, body); err != nil || !bytes.HasSuffix(got, []byte("]}\n")) {
			t.Fatalf("%s: the answer reads back %d bytes ending %q: %v", accept, len(got), got[max(0, len(got)-10):], err)
		}
	}
}

// timeLen is the length appendTime writes, near the ends of the
// four-digit years too (where the layout writes otherwise), in zones far
// east and west, with and without fractions.
func TestTimeLen(t *testing.T) {
	for _, name := range []string{"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "Europe/London"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, base := range []time.Time{
			time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC),
			time.Date(9998, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC),
		} {
			var zc zoneCache
			for h := -60; h <= 60; h++ {
				for _, ns := range []int{0, 1, 500_000_000, 123_456_780} {
					at := base.Add(time.Duration(h)*time.Hour + time.Duration(ns)).In(loc)
					if got, want := zc.timeLen(at), len(zc.appendTime(nil, at)); got != want {
						t.Fatalf("%s: timeLen(%v) = %d, appendTime writes %d", name, at, got, want)
					}
				}
			}
		}
	}
}
