package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipMinSize is the smallest answer worth compressing: below it the
// header and the CPU cost more than the bytes saved.
const gzipMinSize = 8 << 10

// gzipWriters and gzipBuffers keep compressors and their output buffers
// across requests. The compressor is klauspost/compress's gzip (the same
// format; already in the build, through the metrics' client library): at
// its fastest level it took about two thirds of the standard library's
// CPU for the same answers, a few per cent smaller
// (BenchmarkAvailabilityAnswer/written-gzip, PERFORMANCE.md).
var (
	gzipWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level cannot fail
		return zw
	}}
	gzipBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// streamedBody is an answer written in pieces rather than held whole.
type streamedBody struct {
	// atLeast is a lower bound of its length, known without writing it.
	atLeast int
	// size is its exact length, worked out without writing it.
	size func() int
	// write writes it to w, in pieces, stopping at w's first error.
	write func(w io.Writer) error
}

// writeMaybeGzip writes body with status 200, compressed with gzip when
// it is large and the client accepts gzip. The answer varies with
// Accept-Encoding either way, which caches must know. Either way it
// carries its Content-Length: a compressed answer is compressed piece by
// piece into memory (some 15 times smaller than the answer) and sent
// once whole; a plain one is sent piece by piece after the length
// body.size worked out (and for HEAD, not written at all).
func writeMaybeGzip(w http.ResponseWriter, r *http.Request, body streamedBody) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	gz := acceptsGzip(r.Header.Values("Accept-Encoding"))
	if !gz || body.atLeast < gzipMinSize {
		if n := body.size(); !gz || n < gzipMinSize {
			h.Set("Content-Length", strconv.Itoa(n))
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				body.write(w) // a failed write is the client gone: nothing to tell it
			}
			return
		}
	}
	buf := gzipBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(buf)
	body.write(zw) // writes into memory: cannot fail
	zw.Close()
	gzipWriters.Put(zw)
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	if buf.Cap() <= maxPooledAnswer {
		gzipBuffers.Put(buf)
	}
}

// acceptsGzip reports whether Accept-Encoding values allow gzip
// (RFC 9110 §12.5.3): "gzip", "x-gzip" or "*" with a non-zero weight,
// unless gzip itself is refused with q=0.
func acceptsGzip(values []string) bool {
	star, gz, named := false, false, false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := qNonZero(params)
			switch coding {
			case "gzip", "x-gzip":
				named = true
				gz = gz || ok
			case "*":
				star = ok
			}
		}
	}
	if named {
		return gz
	}
	return star
}

// qNonZero reports whether the parameters of one coding leave it
// acceptable: no q, or a q above 0.
func qNonZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q > 0
	}
	return true
}
