package httpapi

import (
	"bytes"
	"github.com/klauspost/compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// writeMaybeGzip writes body with status 200, compressed with gzip when
// it is large and the client accepts gzip. The answer varies with
// Accept-Encoding either way, which caches must know.
func writeMaybeGzip(w http.ResponseWriter, r *http.Request, body []byte) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if len(body) < gzipMinSize || !acceptsGzip(r.Header.Values("Accept-Encoding")) {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		return
	}
	buf := gzipBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(buf)
	zw.Write(body) // writes into memory: cannot fail
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
