package httpapi

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/httpx"
)

// answerUnmatched makes the staff subrouter answer the requests none of
// its routes serves (unmatched). Both of its fallback handlers are set:
// gorilla/mux 1.8.1 does not report a method mismatch reliably from a
// subrouter (each of its routes re-matches the prefix, which clears the
// mismatch a previous route found), so unmatched decides 404 or 405 from
// the route table itself.
func (s *Server) answerUnmatched(r *mux.Router) {
	h := s.handle(s.unmatched)
	r.NotFoundHandler = h
	r.MethodNotAllowedHandler = h
}

// unmatched answers a request under /api/v1/staff that no route serves.
// Without a valid session it is 401, as for every staff path, so that
// nobody signed out learns which staff paths exist. With one it is 405
// with Allow when routes serve the path with other methods, else 404.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) error {
	if !isStaffPath(r.URL.Path) { // "/api/v1/staffing" has the prefix too
		return httpx.ErrNoRoute
	}
	if _, err := s.edge.Authenticate(w, r); err != nil {
		return err
	}
	return s.edge.Unmatched(w, r)
}
