package httpapi

import (
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

func (s *Server) registerAvailabilityRoutes(r *mux.Router) {
	r.Handle(prefix+"/availability", s.handle(s.handleAvailability)).Methods(http.MethodGet, http.MethodHead)
}

// handleAvailability serves GET /api/v1/availability.
func (s *Server) handleAvailability(w http.ResponseWriter, r *http.Request) error {
	q, err := parseAvailabilityQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	v, err := s.app.Availability(r.Context(), q)
	if err != nil {
		return err
	}
	writeAvailability(w, r, v)
	return nil
}

// answerBuffers holds the buffers availability answers are encoded into,
// a piece at a time (answerWriter), so that a busy server does not
// allocate (and collect) one per request.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, answerPiece+answerPiece/2); return &b }}

// maxPooledAnswer is the largest buffer put back: a rare huge one does
// not stay in memory for ever.
const maxPooledAnswer = 4 << 20

// writeAvailability writes v as JSON, the same bytes as writeJSON would
// write its view (newAvailabilityView), in pieces: into the compressor
// (writeMaybeGzip), or straight to the client after a Content-Length
// worked out beforehand (answerSize). The answer is never held whole.
func writeAvailability(w http.ResponseWriter, r *http.Request, v *app.Availability) {
	w.Header().Set("Content-Type", "application/json")
	writeMaybeGzip(w, r, streamedBody{
		// A slot takes at least 85 bytes, its comma aside ({"start":"…",
		// "end":"…","artisans":[]}), and the answer at least one more
		// (the newline): a long answer is known large without measuring it.
		atLeast: len(v.Slots)*85 + 1,
		size:    func() int { return answerSize(v) + 1 },
		write: func(w io.Writer) error {
			bp := answerBuffers.Get().(*[]byte)
			aw := answerWriter{w: w, b: (*bp)[:0]}
			aw.encode(v)
			aw.b = append(aw.b, '\n')
			aw.flush()
			if cap(aw.b) <= maxPooledAnswer {
				*bp = aw.b[:0]
				answerBuffers.Put(bp)
			}
			return aw.err
		},
	})
}

// parseAvailabilityQuery parses the query string of an availability
// request. A query that cannot be read (bad escaping, a parameter given
// twice, a date that is not YYYY-MM-DD, a missing parameter) is EMALFORMED
// with a field map; the meaning of the values is checked by the app.
func parseAvailabilityQuery(raw string) (app.AvailabilityQuery, error) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return app.AvailabilityQuery{}, malformed("the query string is not valid")
	}
	errs := booking.FieldErrors{}
	get := func(k string, required bool) string {
		v := vals[k]
		switch {
		case len(v) > 1:
			errs.Add(k, "must be given once")
			return ""
		case len(v) == 0 || v[0] == "":
			if required {
				errs.Add(k, "is required")
			}
			return ""
		}
		return v[0]
	}
	date := func(k string) booking.Date {
		v := get(k, true)
		if v == "" {
			return booking.Date{}
		}
		d, err := booking.ParseDate(v)
		if err != nil {
			errs.Add(k, "must be a date like 2026-12-01")
		}
		return d
	}
	// An invitation names its service (and maybe mode): they may be left
	// out.
	invitation := get("invitation", false)
	q := app.AvailabilityQuery{
		Service:    get("service", invitation == ""),
		Mode:       get("mode", invitation == ""),
		Artisan:    get("artisan", false),
		From:       date("from"),
		To:         date("to"),
		Timezone:   get("tz", false),
		Invitation: invitation,
	}
	if len(errs) > 0 {
		return app.AvailabilityQuery{}, &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed,
			Message: "the query is not valid", Fields: errs}
	}
	return q, nil
}
