package httpx

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// HandlerFunc is a handler of either adapter. It answers its request or
// returns the error it could not answer, before writing anything; the
// edge answers that error (Handle): the status and any Retry-After from
// the one table, a log line for a fault, and the adapter's Renderer for
// the words.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Renderer writes the answer to an error in an adapter's own form: the
// JSON API as problem details, the pages as a page. The edge has set the
// status it is given and any Retry-After already, and logged what needs
// logging: a Renderer chooses only the words.
type Renderer interface {
	RenderError(w http.ResponseWriter, r *http.Request, status int, err error)
}

// RenderFunc is a Renderer made of a function.
type RenderFunc func(w http.ResponseWriter, r *http.Request, status int, err error)

// RenderError calls f.
func (f RenderFunc) RenderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	f(w, r, status, err)
}

// EMETHOD is the edge's own kind of error: the path exists, not with this
// method (405, with an Allow header). The domain's kinds are in
// internal/booking.
const EMETHOD booking.Kind = "method_not_allowed"

// answer is how HTTP answers one kind of error: its status and, for a
// refusal that passes by itself, how long a client should wait before it
// tries again (the Retry-After header; 0 for none).
type answer struct {
	status     int
	retryAfter time.Duration
}

// UnavailableRetry is the Retry-After of every 503: the store gives up on a
// locked database after its busy timeout, so a few seconds later is a fair
// time to send the same request again.
const UnavailableRetry = 5 * time.Second

// answers is the one table from error kind to HTTP answer. The JSON API
// and the pages both answer from it, each choosing only its words, so that
// a kind cannot be a 4xx in one and a forgotten 500 in the other.
var answers = map[booking.Kind]answer{
	booking.EINVALID:      {status: http.StatusUnprocessableEntity},
	booking.EMALFORMED:    {status: http.StatusBadRequest},
	booking.ENOTFOUND:     {status: http.StatusNotFound},
	booking.ECONFLICT:     {status: http.StatusConflict},
	booking.EGONE:         {status: http.StatusGone}, // an expired or revoked invitation
	booking.EUNAUTHORIZED: {status: http.StatusUnauthorized},
	booking.EFORBIDDEN:    {status: http.StatusForbidden},
	booking.ETOOLARGE:     {status: http.StatusRequestEntityTooLarge},
	booking.EUNSUPPORTED:  {status: http.StatusUnsupportedMediaType},
	booking.ERATELIMIT:    {status: http.StatusTooManyRequests},
	booking.EUNAVAILABLE:  {status: http.StatusServiceUnavailable, retryAfter: UnavailableRetry},
	booking.EINTERNAL:     {status: http.StatusInternalServerError},
	EMETHOD:               {status: http.StatusMethodNotAllowed},
}

// answerOf looks err up in the table; errors that are not *booking.Error
// values, and kinds missing from it, are internal.
func answerOf(err error) answer {
	if a, ok := answers[booking.ErrorKind(err)]; ok {
		return a
	}
	return answers[booking.EINTERNAL]
}

// StatusOf returns the HTTP status of err from the one table.
func StatusOf(err error) int { return answerOf(err).status }

// SetRetryAfter sets the Retry-After header err asks for: a refusal's own
// wait (Refuse), else the table's (a 503 asks for a retry shortly), and
// reports whether it set one. A Retry-After already set is kept.
func SetRetryAfter(h http.Header, err error) bool {
	wait, _ := retryWait(err, answerOf(err))
	return setRetryAfter(h, wait)
}

// retryWait is how long err asks a client to wait, a being its answer in
// the table, and whether err is a refusal.
func retryWait(err error, a answer) (time.Duration, bool) {
	if r := refusalIn(err); r != nil {
		return r.wait, true
	}
	return a.retryAfter, false
}

func setRetryAfter(h http.Header, wait time.Duration) bool {
	if wait <= 0 || h.Get("Retry-After") != "" {
		return false
	}
	h.Set("Retry-After", RetryAfter(wait))
	return true
}

// RetryAfter formats a delay for the Retry-After header: whole seconds,
// rounded up, at least 1.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Max(1, math.Ceil(d.Seconds()))))
}

// refusal is an error the server chose to answer with a wait of its own.
type refusal struct {
	err  error
	wait time.Duration
}

func (e *refusal) Error() string { return e.err.Error() }
func (e *refusal) Unwrap() error { return e.err }

// Refuse returns err as a refusal that passes by itself: a used-up limit,
// every password check taken. It is answered with err's status and a
// Retry-After of wait, and it is not a fault of the server, so it is never
// logged.
func Refuse(err error, wait time.Duration) error { return &refusal{err: err, wait: wait} }

// RetryWait returns the wait of a refusal (Refuse) in err's chain, for
// words such as "please wait a minute".
func RetryWait(err error) (time.Duration, bool) {
	if r := refusalIn(err); r != nil {
		return r.wait, true
	}
	return 0, false
}

// refusalIn finds a refusal in err's chain as errors.As would, without
// the allocation errors.As makes on every answer.
func refusalIn(err error) *refusal {
	for err != nil {
		switch e := err.(type) {
		case *refusal:
			return e
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				if r := refusalIn(inner); r != nil {
					return r
				}
			}
			return nil
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// Handle returns h as an http.Handler whose errors render answers.
func (s *Server) Handle(render Renderer, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Error(w, r, err, render)
		}
	})
}

// Error answers err: its status and Retry-After from the one table, a log
// line when it is the server's fault, and render for the body. Internal
// errors are logged with their detail; a 503 (a locked database, a full
// disk) is logged as a warning for the operator, as nothing was changed
// and the client is told when to try again; a refusal is not logged.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error, render Renderer) {
	a := answerOf(err)
	status := a.status
	wait, refused := retryWait(err, a)
	setRetryAfter(w.Header(), wait)
	if !refused {
		switch {
		case status == http.StatusServiceUnavailable:
			s.logger.WarnContext(r.Context(), "unavailable", "method", r.Method, "route", Route(r), "err", err)
		case status >= 500 && booking.ErrorKind(err) == booking.EINTERNAL:
			s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", Route(r), "err", err)
		}
	}
	if render == nil {
		render = s.fallback
	}
	render.RenderError(w, r, status, err)
}

// plainText is the Renderer of a server without adapters: the status text.
var plainText = RenderFunc(func(w http.ResponseWriter, _ *http.Request, status int, _ error) {
	http.Error(w, http.StatusText(status), status)
})
