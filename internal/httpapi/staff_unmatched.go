package httpapi

import (
	"net/http"

	"github.com/gorilla/mux"
)

// answerUnmatched makes the staff subrouter answer the requests none of
// its routes serves (unmatched). Both of its fallback handlers are set:
// gorilla/mux 1.8.1 does not report a method mismatch reliably from a
// subrouter (each of its routes re-matches the prefix, which clears the
// mismatch a previous route found), so unmatched decides 404 or 405 from
// the route table itself.
func (sa *staffAPI) answerUnmatched(r *mux.Router) {
	r.NotFoundHandler = http.HandlerFunc(sa.unmatched)
	r.MethodNotAllowedHandler = http.HandlerFunc(sa.unmatched)
}

// unmatched answers a request under /api/v1/staff that no route serves.
// Without a valid session it is 401, as for every staff path, so that
// nobody signed out learns which staff paths exist. With one it is 405
// with Allow when routes serve the path with other methods, else 404.
func (sa *staffAPI) unmatched(w http.ResponseWriter, r *http.Request) {
	if !isStaffPath(r.URL.Path) { // "/api/v1/staffing" has the prefix too
		sa.problem(w, r, http.StatusNotFound, "not_found", "no such resource", nil)
		return
	}
	if _, ok := sa.session(w, r); !ok {
		return
	}
	allow := sa.allowedMethods(r)
	if allow == "" {
		sa.problem(w, r, http.StatusNotFound, "not_found", "no such resource", nil)
		return
	}
	w.Header().Set("Allow", allow)
	sa.problem(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this resource", nil)
}
