package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gorilla/mux"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
)

// The contract check: every request an httpapi test sends through Env or
// StaffEnv, and the response it gets, is checked against docs/openapi.yaml
// (CheckContract wraps the test server's handler). A route, a status, a
// header or a field the document does not describe fails the test that
// met it, so the document cannot drift from the server.

func init() {
	// Invites and feeds are text/calendar; the 302 of Google's connect
	// route carries net/http's short text/html body.
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
}

// Contract is docs/openapi.yaml loaded and validated by kin-openapi (as an
// OpenAPI 3.1 document), with a router over its paths.
type Contract struct {
	Doc    *openapi3.T
	Router routers.Router
}

var loadContract = sync.OnceValues(func() (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(atelier.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load docs/openapi.yaml: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("docs/openapi.yaml is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route docs/openapi.yaml: %w", err)
	}
	return &Contract{Doc: doc, Router: r}, nil
})

// MustContract returns the loaded document.
func MustContract(tb testing.TB) *Contract {
	tb.Helper()
	c, err := loadContract()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestFixture names a route that a test adds to the server's router for
// its own purpose (a handler that panics, a mount point): the contract
// check leaves the requests it serves alone.
const TestFixture = "test fixture"

// CheckContract returns h, the whole handler of a test server over
// router, wrapped so that every request and its response are checked
// against the document; each disagreement is a test error of tb. Whether
// a route is served is router's to say (a test server without the staff
// API answers its paths as unknown ones); what a served route answers is
// the document's.
func CheckContract(tb testing.TB, router *mux.Router, h http.Handler) http.Handler {
	tb.Helper()
	c := MustContract(tb)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			if err != nil { // the client went away: nothing to check
				http.Error(w, "", http.StatusBadRequest)
				return
			}
			body = b
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		// The check gets its own copy: the handler may change r.
		seen := r.Clone(context.Background())
		served := ServedRoute(router, seen)
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		rec.finish()
		if served != nil && served.GetName() == TestFixture {
			return
		}
		// A compressed answer is checked as the client reads it.
		answer, err := decodedBody(rec.header, rec.body.Bytes())
		if err == nil {
			if served == nil {
				err = c.CheckUnserved(seen, rec.status, rec.header, answer)
			} else {
				err = c.Check(seen, body, rec.status, rec.header, answer)
			}
		}
		if err != nil {
			tb.Errorf("OpenAPI contract: %s %s → %d: %v\nresponse: %s", seen.Method, seen.URL.Path, rec.status, err, excerpt(rec.body.Bytes()))
		}
	})
}

// ServedRoute returns the route of r that serves req (path and method),
// or nil when none does and the router's fallbacks answer (404, 405, or
// 401 under /api/v1/staff).
func ServedRoute(r *mux.Router, req *http.Request) *mux.Route {
	var found *mux.Route
	_ = r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if route.GetHandler() == nil { // a subrouter's prefix: its routes are walked too
			return nil
		}
		var m mux.RouteMatch
		if route.Match(req, &m) && m.MatchErr == nil {
			found = route
			return errStopWalk
		}
		return nil
	})
	return found
}

var errStopWalk = errors.New("found")

func excerpt(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// recorder passes a response through and keeps its status, its headers as
// they were sent and its body.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
		w.header = w.ResponseWriter.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) finish() {
	if w.status == 0 { // nothing written: net/http sends 200
		w.status = http.StatusOK
		w.header = w.ResponseWriter.Header().Clone()
	}
}

// validationOptions are kin-openapi's options for both directions:
// statuses the document does not list are errors, and the credentials of
// the security schemes are looked for as the server looks for them.
var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	AuthenticationFunc:    authenticate,
}

// authenticate says whether a request carries the credential of a
// security scheme (not whether it is valid: the server says that).
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "staffSession":
		if c, err := r.Cookie(httpx.SessionCookie); err == nil && c.Value != "" {
			return nil
		}
	case "manageToken":
		if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") && tok != "" {
			return nil
		}
	case "manageTokenQuery": // the server reads it only without an Authorization header
		if r.Header.Get("Authorization") == "" && r.URL.Query().Get("token") != "" {
			return nil
		}
	}
	return fmt.Errorf("no %s credential", in.SecuritySchemeName)
}

// Check checks one exchange that a route of the server served against
// the document: req (with its body reqBody) and the response's status,
// headers and body. It returns every disagreement it finds:
//   - the document must have an operation for the request;
//   - the status must be listed for the operation, and the headers and the
//     body must match the response documented for it (kin-openapi, with
//     JSON Schema 2020-12);
//   - a request the document calls invalid must not succeed;
//   - a problem's type, title and status must agree with its code and the
//     HTTP status.
func (c *Contract) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	ctx := context.Background()
	req = req.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	var errs []error
	if header.Get("Content-Type") == "application/problem+json" && req.Method != http.MethodHead {
		if err := checkProblem(status, body); err != nil {
			errs = append(errs, err)
		}
	}
	route, params, err := c.Router.FindRoute(req)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("the server serves %s %s, which the document does not describe: %w", req.Method, req.URL.Path, err))...)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: validationOptions}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && status < 400 {
		errs = append(errs, fmt.Errorf("the server answered %d to a request the document calls invalid: %w", status, err))
	}
	op := route.Operation
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return errors.Join(append(errs, fmt.Errorf("status %d is not documented for %s (%s %s)", status, op.OperationID, route.Method, route.Path))...)
	}
	if req.Method == http.MethodHead {
		return errors.Join(errs...) // no body; kin-openapi checks nothing more of a HEAD
	}
	if len(resp.Value.Content) == 0 && len(body) > 0 && status != http.StatusNotModified {
		errs = append(errs, fmt.Errorf("%s documents no body for %d, but the server sent %q", op.OperationID, status, header.Get("Content-Type")))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: validationOptions}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", op.OperationID, err))
	}
	return errors.Join(errs...)
}

// checkProblem checks that a problem's members agree with the response.
func checkProblem(status int, body []byte) error {
	var p httpapi.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("a problem+json body that is not a problem: %w", err)
	}
	var errs []error
	if p.Status != status {
		errs = append(errs, fmt.Errorf("problem status %d in a %d response", p.Status, status))
	}
	if want := httpapi.ProblemTypePrefix + p.Code; p.Type != want {
		errs = append(errs, fmt.Errorf("problem type %q, want %q", p.Type, want))
	}
	if want := http.StatusText(status); p.Title != want {
		errs = append(errs, fmt.Errorf("problem title %q, want %q", p.Title, want))
	}
	return errors.Join(errs...)
}

// CheckUnserved checks the answer to a request that no route of the
// server serves: a problem, and one of the answers of unknown routes
// (404; 405 with an Allow header listing exactly the methods the document
// has for the path; 401 first under /api/v1/staff; 403 for a cross-origin
// unsafe request, refused before routing).
func (c *Contract) CheckUnserved(req *http.Request, status int, header http.Header, body []byte) error {
	var errs []error
	if header.Get("Content-Type") != "application/problem+json" {
		errs = append(errs, fmt.Errorf("Content-Type %q, want application/problem+json", header.Get("Content-Type")))
	} else if req.Method != http.MethodHead {
		errs = append(errs, checkProblem(status, body))
	}
	code, err := c.problemCode(req, body)
	errs = append(errs, err)
	// is reports whether the problem has code; a HEAD has no body to say.
	is := func(want string) bool { return code == want || req.Method == http.MethodHead }
	switch {
	case isStaffPath(req.URL.Path) && status == http.StatusUnauthorized && is("unauthorized"):
		// no session: the server does not say whether the path exists
	case !safeMethod(req.Method) && status == http.StatusForbidden && is("cross_origin"):
	case status == http.StatusNotFound && is("not_found"):
	case status == http.StatusMethodNotAllowed && is("method_not_allowed"):
		got := header.Get("Allow")
		if got == "" {
			errs = append(errs, errors.New("405 without Allow"))
		} else if want := c.documentedMethods(req); len(want) > 0 && !sameMethods(got, want) {
			errs = append(errs, fmt.Errorf("405 with Allow %q, but the document has %s for %s", got, want, req.URL.Path))
		}
	default:
		errs = append(errs, fmt.Errorf("no route serves %s %s, so the answer must be 404 not_found, 405 method_not_allowed, 401 unauthorized (staff paths) or 403 cross_origin (unsafe methods), not %d %q", req.Method, req.URL.Path, status, code))
	}
	return errors.Join(errs...)
}

// problemCode validates body against the Problem schema and returns its
// code ("" for a HEAD, which has no body).
func (c *Contract) problemCode(req *http.Request, body []byte) (string, error) {
	if req.Method == http.MethodHead {
		return "", nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("not a problem: %w", err)
	}
	schema := c.Doc.Components.Schemas["Problem"].Value
	if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return "", fmt.Errorf("not a Problem: %w", err)
	}
	code, _ := v.(map[string]any)["code"].(string)
	return code, nil
}

// documentedMethods lists the methods the document has for req's path.
func (c *Contract) documentedMethods(req *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		r := req.Clone(context.Background())
		r.Method = m
		if _, _, err := c.Router.FindRoute(r); err == nil {
			out = append(out, m)
		}
	}
	return out
}

func sameMethods(allow string, want []string) bool {
	var got []string
	for _, m := range strings.Split(allow, ",") {
		if m = strings.TrimSpace(m); m != "" {
			got = append(got, m)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	return slices.Equal(got, want)
}

func isStaffPath(p string) bool {
	return p == "/api/v1/staff" || strings.HasPrefix(p, "/api/v1/staff/")
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// TestContractCheck: the check passes exchanges as the server makes them
// and finds each kind of drift between the server and the document.
func TestContractCheck(t *testing.T) {
	c := MustContract(t)
	problem := func(status int, code string) string {
		return fmt.Sprintf(`{"type":"urn:atelier:problem:%s","title":%q,"status":%d,"code":%q}`, code, http.StatusText(status), status, code)
	}
	jsonH := http.Header{"Content-Type": {"application/json"}}
	problemH := http.Header{"Content-Type": {"application/problem+json"}}
	service := `{"id":"design","name":"Design","description":"","duration_minutes":90,"modes":["in_person"],"artisans":["mei"],"questions":[],"requires_confirmation":false}`
	booking := `{"id":"bk_1","status":"confirmed","service":"design","service_name":"Design","mode":"in_person","artisan":"mei","artisan_name":"Mei",` +
		`"start":"2026-12-02T10:00:00+08:00","end":"2026-12-02T11:30:00+08:00","customer":{"name":"Ana","email":"ana@example.com"},"notes":"",` +
		`"answers":{},"sequence":0,"created_at":"2026-12-01T09:00:00+08:00","updated_at":"2026-12-01T09:00:00+08:00","links":{"ics":"https://a.example/api/v1/bookings/bk_1/invite.ics"},` +
		`"policy":{"change_cutoff_hours":0,"max_reschedules":0,"reschedules":0,"changes_close_at":"2026-12-02T10:00:00+08:00","can_cancel":true,"can_reschedule":true,"text":"You can cancel or move your appointment yourself until it starts."}}`
	bookingBody := `{"service":"design","mode":"in_person","start":"2026-12-02T10:00:00+08:00","customer":{"name":"Ana","email":"ana@example.com"}}`
	manage := http.Header{"Authorization": {"Bearer tok"}}
	session := http.Header{"Cookie": {"atelier_session=a.b"}}
	tests := []struct {
		name    string
		method  string
		path    string
		reqH    http.Header
		reqBody string
		status  int
		header  http.Header
		body    string
		want    string // "" for no error, else a part of it
	}{
		{"Services", "GET", "/api/v1/services", nil, "", 200, jsonH, "[" + service + "]", ""},
		{"UndocumentedField", "GET", "/api/v1/services", nil, "", 200, jsonH, "[" + strings.Replace(service, `"id"`, `"colour":"gold","id"`, 1) + "]", "colour"},
		{"MissingField", "GET", "/api/v1/services/design", nil, "", 200, jsonH, strings.Replace(service, `"duration_minutes":90,`, "", 1), "duration_minutes"},
		{"WrongType", "GET", "/api/v1/services/design", nil, "", 200, jsonH, strings.Replace(service, `90`, `"90"`, 1), "duration_minutes"},
		{"UndocumentedStatus", "GET", "/api/v1/atelier", nil, "", 404, problemH, problem(404, "not_found"), "status 404 is not documented"},
		{"UndocumentedStatusOfHead", "HEAD", "/api/v1/atelier", nil, "", 404, problemH, "", "status 404 is not documented"},
		{"UndocumentedCode", "GET", "/api/v1/services/x", nil, "", 404, problemH, problem(404, "slot_unavailable"), "code"},
		{"ProblemTypeDisagrees", "GET", "/api/v1/services/x", nil, "", 404, problemH, strings.Replace(problem(404, "not_found"), "problem:not_found", "problem:nope", 1), "problem type"},
		{"ProblemStatusDisagrees", "GET", "/api/v1/services/x", nil, "", 404, problemH, strings.Replace(problem(404, "not_found"), `"status":404`, `"status":400`, 1), "problem status 400"},
		{"WrongMediaType", "GET", "/api/v1/services/x", nil, "", 404, jsonH, problem(404, "not_found"), "Content-Type"},
		{"Booked", "POST", "/api/v1/bookings", nil, bookingBody, 201, http.Header{"Content-Type": {"application/json"}, "Location": {"https://a.example/api/v1/bookings/bk_1"}},
			strings.Replace(booking, `"links":{`, `"manage_token":"tok","links":{"manage":"https://a.example/bookings/bk_1?token=tok",`, 1), ""},
		{"CreatedWithoutToken", "POST", "/api/v1/bookings", nil, bookingBody, 201, http.Header{"Content-Type": {"application/json"}, "Location": {"https://a.example/api/v1/bookings/bk_1"}}, booking, "manage_token"},
		{"RequiredHeaderMissing", "POST", "/api/v1/bookings", nil, bookingBody, 201, jsonH,
			strings.Replace(booking, `"links":{`, `"manage_token":"tok","links":{"manage":"https://a.example/bookings/bk_1?token=tok",`, 1), "Location"},
		{"RateLimitedWithoutRetryAfter", "POST", "/api/v1/bookings", nil, bookingBody, 429, problemH, problem(429, "rate_limited"), "Retry-After"},
		{"AcceptedAnInvalidRequest", "POST", "/api/v1/bookings/bk_1/reschedule", manage, `{"start":"2026-12-02T10:00:00+08:00","colour":"gold"}`, 200, jsonH, booking, "calls invalid"},
		{"RefusedAnInvalidRequest", "POST", "/api/v1/bookings/bk_1/reschedule", manage, `{"start":"2026-12-02T10:00:00+08:00","colour":"gold"}`, 400, problemH, problem(400, "malformed_request"), ""},
		{"AcceptedWithoutCredential", "GET", "/api/v1/bookings/bk_1", nil, "", 200, jsonH, booking, "calls invalid"},
		{"AcceptedWithTheQueryToken", "GET", "/api/v1/bookings/bk_1?token=tok", nil, "", 200, jsonH, booking, ""},
		{"BodyWhereNoneIsDocumented", "DELETE", "/api/v1/staff/closures/c1", session, "", 204, jsonH, "{}", "documents no body"},
		{"StaffBooking", "GET", "/api/v1/staff/bookings/bk_1", session, "", 200, jsonH, strings.Replace(booking, `"notes":""`, `"notes":"","staff_notes":"x"`, 1), ""},
		{"UndocumentedFieldOfComposedSchema", "GET", "/api/v1/staff/bookings/bk_1", session, "", 200, jsonH, strings.Replace(booking, `"notes":""`, `"notes":"","staff_notes":"x","colour":"gold"`, 1), "colour"},
		{"StaffFieldShownToTheCustomer", "GET", "/api/v1/bookings/bk_1", manage, "", 200, jsonH, strings.Replace(booking, `"notes":""`, `"notes":"","staff_notes":"x"`, 1), "staff_notes"},
		{"CustomerWithUndocumentedField", "GET", "/api/v1/bookings/bk_1", manage, "", 200, jsonH, strings.Replace(booking, `"email":"ana@example.com"`, `"email":"ana@example.com","vip":true`, 1), "vip"},
		{"UndocumentedRoute", "GET", "/api/v1/colours", nil, "", 200, jsonH, "[]", "does not describe"},
		{"UndocumentedMethod", "PATCH", "/api/v1/services", nil, "", 200, jsonH, "[]", "does not describe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			for k, v := range tt.reqH {
				req.Header[k] = v
			}
			if tt.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			err := c.Check(req, []byte(tt.reqBody), tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && err == nil:
				t.Errorf("got no error, want one about %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("got %v, want an error about %q", err, tt.want)
			}
		})
	}

	unserved := []struct {
		name   string
		method string
		path   string
		status int
		header http.Header
		body   string
		want   string
	}{
		{"NotFound", "GET", "/api/v1/colours", 404, problemH, problem(404, "not_found"), ""},
		{"MethodNotAllowed", "PUT", "/api/v1/services", 405, http.Header{"Content-Type": {"application/problem+json"}, "Allow": {"GET, HEAD"}}, problem(405, "method_not_allowed"), ""},
		{"AllowDisagrees", "PUT", "/api/v1/services", 405, http.Header{"Content-Type": {"application/problem+json"}, "Allow": {"GET"}}, problem(405, "method_not_allowed"), "Allow"},
		{"StaffWithoutSession", "GET", "/api/v1/staff/colours", 401, problemH, problem(401, "unauthorized"), ""},
		{"CustomerPathUnauthorized", "GET", "/api/v1/colours", 401, problemH, problem(401, "unauthorized"), "must be 404"},
		{"CrossOrigin", "POST", "/api/v1/colours", 403, problemH, problem(403, "cross_origin"), ""},
		{"Served", "GET", "/api/v1/colours", 200, jsonH, "[]", "must be 404"},
		{"NotAProblem", "GET", "/api/v1/colours", 404, problemH, `{"code":"not_found"}`, "Problem"},
	}
	for _, tt := range unserved {
		t.Run("Unserved"+tt.name, func(t *testing.T) {
			err := c.CheckUnserved(httptest.NewRequest(tt.method, tt.path, nil), tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// errorsOf is a testing.TB that keeps the errors reported to it.
type errorsOf struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (e *errorsOf) Errorf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// TestContractHook: the test servers report a route the document does
// not describe, and leave the routes named TestFixture alone.
func TestContractHook(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	e.Edge.Router().HandleFunc("/api/v1/colours", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[]"))
	}).Methods(http.MethodGet)
	e.Edge.Router().HandleFunc("/api/v1/fixture", func(w http.ResponseWriter, r *http.Request) {}).Name(TestFixture)
	tb := &errorsOf{TB: t}
	hs := httptest.NewServer(CheckContract(tb, e.Edge.Router(), e.Edge.Handler()))
	defer hs.Close()
	for _, path := range []string{"/api/v1/colours", "/api/v1/fixture", "/api/v1/services"} {
		resp, err := hs.Client().Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(tb.errs) != 1 || !strings.Contains(tb.errs[0], "GET /api/v1/colours") {
		t.Errorf("reported %q, want one error about GET /api/v1/colours", tb.errs)
	}
}

// decodedBody is body as the client reads it: gunzipped when the header
// says Content-Encoding: gzip (and then it must be valid gzip).
func decodedBody(h http.Header, body []byte) ([]byte, error) {
	if h.Get("Content-Encoding") != "gzip" {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("Content-Encoding gzip, but not gzip: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("Content-Encoding gzip, but not gzip: %w", err)
	}
	return out, nil
}
