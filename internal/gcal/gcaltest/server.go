// Package gcaltest provides an in-process fake of the Google Calendar REST
// API (the subset atelier uses, in the real wire format) with fault
// injection, and in-memory versions of the stores the sync needs.
package gcaltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/calendar/v3"
)

// Fault makes matching requests fail.
type Fault struct {
	Calendar   string        // calendar id; "" matches all
	Op         string        // insert, get, update, patch, delete, list, freebusy; "" matches all
	Status     int           // HTTP status to answer (0 with Delay: answer normally, late)
	Reason     string        // error reason, e.g. rateLimitExceeded, quotaExceeded
	RetryAfter string        // Retry-After header value
	Delay      time.Duration // wait before answering (or until the client gives up)
	Times      int           // how many requests it applies to; 0 means until cleared
}

type stored struct {
	ev    *calendar.Event
	seq   int64 // change number of the last change
	gets  int   // events.get calls since the conference was requested
	meetN int
}

// Server is the fake Calendar API. Create it with NewServer.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	cals      map[string]map[string]*stored // calendar id → event id → event
	seq       int64
	minToken  int64 // sync tokens below this are expired (410)
	faults    []*Fault
	requests  map[string]int // op → count
	PageSize  int            // events per page of events.list (default 3)
	MeetAfter int            // events.get calls before a conference is ready (default 2)
	MeetFails bool           // conference creation ends in failure
	TimeZone  string         // the calendars' zone (default UTC)
	// Authorize, when set, is given the bearer token of every request
	// (empty without one); a request it refuses gets 401 authError, as
	// Google answers an unknown or expired access token.
	Authorize func(bearer string) bool
}

// NewServer starts a fake. Close it with Close (t.Cleanup).
func NewServer() *Server {
	s := &Server{cals: map[string]map[string]*stored{}, requests: map[string]int{}, PageSize: 3, MeetAfter: 2, TimeZone: "UTC"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Endpoint is the base URL to give the client (option.WithEndpoint).
func (s *Server) Endpoint() string { return s.URL + "/calendar/v3/" }

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// ExpireSyncTokens makes every sync token issued so far answer 410 Gone.
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.minToken = s.seq
}

// Requests returns how many requests of op were answered (including faults).
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[op]
}

// Events returns the live (not cancelled) events of a calendar by id.
func (s *Server) Events(calID string) map[string]*calendar.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]*calendar.Event{}
	for id, st := range s.cals[calID] {
		if st.ev.Status != "cancelled" {
			out[id] = clone(st.ev)
		}
	}
	return out
}

// Put creates or replaces an event as the calendar's owner would in Google.
func (s *Server) Put(calID string, ev *calendar.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev = clone(ev)
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	s.save(calID, ev)
}

// Remove deletes an event as the calendar's owner would in Google.
func (s *Server) Remove(calID, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.cals[calID][id]; st != nil {
		st.ev.Status = "cancelled"
		s.seq++
		st.seq = s.seq
	}
}

func (s *Server) save(calID string, ev *calendar.Event) *stored {
	if s.cals[calID] == nil {
		s.cals[calID] = map[string]*stored{}
	}
	s.seq++
	ev.Updated = time.Now().UTC().Format(time.RFC3339Nano)
	st := s.cals[calID][ev.Id]
	if st == nil {
		st = &stored{}
		s.cals[calID][ev.Id] = st
	}
	st.ev, st.seq = ev, s.seq
	return st
}

func clone(ev *calendar.Event) *calendar.Event {
	b, _ := json.Marshal(ev)
	var c calendar.Event
	_ = json.Unmarshal(b, &c)
	return &c
}

// apiError writes a Google JSON error.
func apiError(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	domain := "global"
	if strings.Contains(reason, "Limit") || strings.Contains(reason, "quota") {
		domain = "usageLimits"
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"errors": []map[string]string{{"domain": domain, "reason": reason, "message": msg}},
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// route parses the request into an operation, calendar id and event id.
func route(r *http.Request) (op, cal, id string) {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/calendar/v3")
	if p == "/freeBusy" && r.Method == http.MethodPost {
		return "freebusy", "", ""
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) < 3 || parts[0] != "calendars" || parts[2] != "events" {
		return "", "", ""
	}
	cal = unescape(parts[1])
	if len(parts) == 4 {
		id = unescape(parts[3])
	}
	switch {
	case id == "" && r.Method == http.MethodPost:
		op = "insert"
	case id == "" && r.Method == http.MethodGet:
		op = "list"
	case id != "" && r.Method == http.MethodGet:
		op = "get"
	case id != "" && r.Method == http.MethodPut:
		op = "update"
	case id != "" && r.Method == http.MethodPatch:
		op = "patch"
	case id != "" && r.Method == http.MethodDelete:
		op = "delete"
	}
	return op, cal, id
}

func unescape(s string) string {
	if u, err := urlUnescape(s); err == nil {
		return u
	}
	return s
}

// fault returns the first fault matching the request, counting it down.
func (s *Server) fault(op, cal string) *Fault {
	for i, f := range s.faults {
		if (f.Op == "" || f.Op == op) && (f.Calendar == "" || f.Calendar == cal) {
			c := *f
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					s.faults = append(s.faults[:i], s.faults[i+1:]...)
				}
			}
			return &c
		}
	}
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, cal, id := route(r)
	if op == "" {
		apiError(w, http.StatusNotFound, "notFound", "no such method")
		return
	}
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = readAll(r); err != nil {
			apiError(w, http.StatusBadRequest, "badRequest", "unreadable body")
			return
		}
	}
	if op == "freebusy" {
		var req calendar.FreeBusyRequest
		if err := json.Unmarshal(body, &req); err == nil && len(req.Items) > 0 {
			cal = req.Items[0].Id
		}
	}
	if s.Authorize != nil {
		bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !s.Authorize(bearer) {
			apiError(w, http.StatusUnauthorized, "authError", "Invalid Credentials")
			return
		}
	}
	s.mu.Lock()
	s.requests[op]++
	f := s.fault(op, cal)
	s.mu.Unlock()
	if f != nil {
		if f.Delay > 0 {
			// The request is processed after the delay even if the client
			// gave up: like Google, the write may happen with the answer lost.
			time.Sleep(f.Delay)
		}
		if f.Status != 0 {
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			reason := f.Reason
			if reason == "" {
				reason = http.StatusText(f.Status)
			}
			apiError(w, f.Status, reason, "injected fault: "+reason)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case "insert":
		s.insert(w, r, cal, body)
	case "get":
		s.get(w, cal, id)
	case "update", "patch":
		s.update(w, r, cal, id, body, op == "patch")
	case "delete":
		s.delete(w, cal, id)
	case "list":
		s.list(w, r, cal)
	case "freebusy":
		s.freeBusy(w, body)
	}
}

func (s *Server) insert(w http.ResponseWriter, r *http.Request, cal string, body []byte) {
	var ev calendar.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		apiError(w, http.StatusBadRequest, "badRequest", "bad event")
		return
	}
	if ev.Id == "" {
		s.seq++
		ev.Id = "g" + strconv.FormatInt(s.seq, 32) + "x0000"
	}
	if !validID(ev.Id) {
		apiError(w, http.StatusBadRequest, "invalid", "Invalid resource id value.")
		return
	}
	if _, ok := s.cals[cal][ev.Id]; ok {
		// Google keeps deleted ids too: inserting one again is a conflict.
		apiError(w, http.StatusConflict, "duplicate", "The requested identifier already exists.")
		return
	}
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	st := s.save(cal, &ev)
	s.conference(st, r)
	writeJSON(w, st.ev)
}

// conference starts an asynchronous Meet creation when asked for.
func (s *Server) conference(st *stored, r *http.Request) {
	cd := st.ev.ConferenceData
	if cd == nil || cd.CreateRequest == nil {
		return
	}
	if r.URL.Query().Get("conferenceDataVersion") != "1" {
		st.ev.ConferenceData = nil // ignored without version 1, as Google does
		return
	}
	cd.CreateRequest.Status = &calendar.ConferenceRequestStatus{StatusCode: "pending"}
	st.gets, st.meetN = 0, int(s.seq)
}

// advanceConference moves a pending conference on after MeetAfter gets.
func (s *Server) advanceConference(st *stored) {
	cd := st.ev.ConferenceData
	if cd == nil || cd.CreateRequest == nil || cd.CreateRequest.Status == nil || cd.CreateRequest.Status.StatusCode != "pending" {
		return
	}
	st.gets++
	if st.gets < s.MeetAfter {
		return
	}
	if s.MeetFails {
		cd.CreateRequest.Status.StatusCode = "failure"
		return
	}
	cd.CreateRequest.Status.StatusCode = "success"
	code := fmt.Sprintf("abc-%04d-xyz", st.meetN)
	cd.ConferenceId = code
	cd.ConferenceSolution = &calendar.ConferenceSolution{Key: &calendar.ConferenceSolutionKey{Type: "hangoutsMeet"}, Name: "Google Meet"}
	cd.EntryPoints = []*calendar.EntryPoint{{EntryPointType: "video", Uri: "https://meet.google.com/" + code}}
	st.ev.HangoutLink = "https://meet.google.com/" + code
}

func (s *Server) get(w http.ResponseWriter, cal, id string) {
	st := s.cals[cal][id]
	if st == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	s.advanceConference(st)
	writeJSON(w, st.ev)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, cal, id string, body []byte, patch bool) {
	st := s.cals[cal][id]
	if st == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	var ev *calendar.Event
	if patch {
		// A patch merges the given fields into the stored event.
		var merged map[string]any
		cur, _ := json.Marshal(st.ev)
		_ = json.Unmarshal(cur, &merged)
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			apiError(w, http.StatusBadRequest, "badRequest", "bad event")
			return
		}
		for k, v := range p {
			merged[k] = v
		}
		b, _ := json.Marshal(merged)
		ev = &calendar.Event{}
		_ = json.Unmarshal(b, ev)
	} else {
		ev = &calendar.Event{}
		if err := json.Unmarshal(body, ev); err != nil {
			apiError(w, http.StatusBadRequest, "badRequest", "bad event")
			return
		}
		if ev.Status == "" {
			ev.Status = "confirmed"
		}
	}
	ev.Id = id
	newConf := ev.ConferenceData != nil && ev.ConferenceData.CreateRequest != nil &&
		(ev.ConferenceData.CreateRequest.Status == nil)
	// As in Google, hangoutLink follows the conference data.
	ev.HangoutLink = ""
	if cd := ev.ConferenceData; cd != nil {
		for _, ep := range cd.EntryPoints {
			if ep.EntryPointType == "video" {
				ev.HangoutLink = ep.Uri
			}
		}
	}
	st = s.save(cal, ev)
	if newConf {
		s.conference(st, r)
	}
	writeJSON(w, st.ev)
}

func (s *Server) delete(w http.ResponseWriter, cal, id string) {
	st := s.cals[cal][id]
	switch {
	case st == nil:
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
	case st.ev.Status == "cancelled":
		apiError(w, http.StatusGone, "deleted", "Resource has been deleted")
	default:
		st.ev.Status = "cancelled"
		s.seq++
		st.seq = s.seq
		w.WriteHeader(http.StatusNoContent)
	}
}

// list answers events.list. Tokens: sync tokens are "s<seq>", page tokens
// "p<since>.<snapshot>.<offset>".
func (s *Server) list(w http.ResponseWriter, r *http.Request, cal string) {
	q := r.URL.Query()
	var since, snapshot int64 = -1, s.seq
	offset := 0
	if tok := q.Get("syncToken"); tok != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(tok, "s"), 10, 64)
		if err != nil || n < s.minToken {
			apiError(w, http.StatusGone, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
			return
		}
		since = n
	}
	if pt := q.Get("pageToken"); pt != "" {
		var err error
		if _, err = fmt.Sscanf(pt, "p%d.%d.%d", &since, &snapshot, &offset); err != nil {
			apiError(w, http.StatusBadRequest, "invalid", "bad page token")
			return
		}
	}
	var timeMin time.Time
	if tm := q.Get("timeMin"); tm != "" {
		timeMin, _ = time.Parse(time.RFC3339, tm)
	}
	var all []*stored
	for _, st := range s.cals[cal] {
		if st.seq > snapshot {
			continue
		}
		if since >= 0 {
			if st.seq <= since {
				continue
			}
		} else if st.ev.Status == "cancelled" {
			continue
		}
		if !timeMin.IsZero() && st.ev.End != nil && st.ev.End.DateTime != "" {
			if end, err := time.Parse(time.RFC3339, st.ev.End.DateTime); err == nil && !end.After(timeMin) {
				continue
			}
		}
		all = append(all, st)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ev.Id < all[j].ev.Id })
	size := s.PageSize
	if m, err := strconv.Atoi(q.Get("maxResults")); err == nil && m > 0 && m < size {
		size = m
	}
	res := &calendar.Events{Kind: "calendar#events", TimeZone: s.TimeZone, Items: []*calendar.Event{}}
	end := min(offset+size, len(all))
	for _, st := range all[min(offset, len(all)):end] {
		res.Items = append(res.Items, st.ev)
	}
	if end < len(all) {
		res.NextPageToken = fmt.Sprintf("p%d.%d.%d", since, snapshot, end)
	} else {
		res.NextSyncToken = fmt.Sprintf("s%d", snapshot)
	}
	writeJSON(w, res)
}

func (s *Server) freeBusy(w http.ResponseWriter, body []byte) {
	var req calendar.FreeBusyRequest
	if err := json.Unmarshal(body, &req); err != nil {
		apiError(w, http.StatusBadRequest, "badRequest", "bad request")
		return
	}
	from, err1 := time.Parse(time.RFC3339, req.TimeMin)
	to, err2 := time.Parse(time.RFC3339, req.TimeMax)
	if err1 != nil || err2 != nil {
		apiError(w, http.StatusBadRequest, "badRequest", "bad time range")
		return
	}
	res := &calendar.FreeBusyResponse{Kind: "calendar#freeBusy", TimeMin: req.TimeMin, TimeMax: req.TimeMax, Calendars: map[string]calendar.FreeBusyCalendar{}}
	for _, it := range req.Items {
		fc := calendar.FreeBusyCalendar{Busy: []*calendar.TimePeriod{}}
		for _, st := range s.cals[it.Id] {
			ev := st.ev
			if ev.Status == "cancelled" || ev.Transparency == "transparent" || ev.Start == nil || ev.Start.DateTime == "" {
				continue
			}
			a, _ := time.Parse(time.RFC3339, ev.Start.DateTime)
			b, _ := time.Parse(time.RFC3339, ev.End.DateTime)
			if a.Before(to) && from.Before(b) {
				fc.Busy = append(fc.Busy, &calendar.TimePeriod{Start: a.UTC().Format(time.RFC3339), End: b.UTC().Format(time.RFC3339)})
			}
		}
		sort.Slice(fc.Busy, func(i, j int) bool { return fc.Busy[i].Start < fc.Busy[j].Start })
		res.Calendars[it.Id] = fc
	}
	writeJSON(w, res)
}

// validID reports whether id is a valid Google event id: base32hex
// characters (a-v, 0-9), 5 to 1024 of them.
func validID(id string) bool {
	if len(id) < 5 || len(id) > 1024 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
