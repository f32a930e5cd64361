package httpapi

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Invitations to book a commission's next step (issue 13):
//
//	POST   /api/v1/staff/commissions/{id}/invitations        invite its customer (201 {url, token, expires_at})
//	GET    /api/v1/staff/commissions/{id}/invitations        its invitations, the newest first
//	DELETE /api/v1/staff/commissions/{id}/invitations/{iid}  revoke one
//
// The customer uses the token with GET /api/v1/availability?invitation=
// and POST /api/v1/bookings {"invitation"} (availability.go, requests.go).

func (sa *staffAPI) registerInvitationRoutes(r *mux.Router) {
	r.Handle("/commissions/{id}/invitations", sa.staffOnly(sa.handleCreateInvitation)).Methods(http.MethodPost)
	r.Handle("/commissions/{id}/invitations", sa.staffOnly(sa.handleListInvitations)).Methods(http.MethodGet)
	r.Handle("/commissions/{id}/invitations/{iid}", sa.staffOnly(sa.handleRevokeInvitation)).Methods(http.MethodDelete)
}

// invitationBody is the body of POST .../invitations.
type invitationBody struct {
	Service     string `json:"service"`
	Mode        string `json:"mode"`
	Artisan     string `json:"artisan"`
	ExpiresDays *int   `json:"expires_days"`
	Note        string `json:"note"`
}

// createdInvitationView is the answer to POST .../invitations: the link
// and its token, shown only here.
type createdInvitationView struct {
	invitationView
	URL   string `json:"url"`
	Token string `json:"token"`
}

// invitationView is an invitation as staff see it (no token).
type invitationView struct {
	ID          string        `json:"id"`
	Commission  string        `json:"commission"`
	Service     string        `json:"service"`
	ServiceName string        `json:"service_name"`
	Mode        *booking.Mode `json:"mode"`
	Artisan     *string       `json:"artisan"`
	Note        string        `json:"note"`
	State       string        `json:"state"`
	ExpiresAt   Time          `json:"expires_at"`
	CreatedAt   Time          `json:"created_at"`
	CreatedBy   string        `json:"created_by"`
	Booking     *string       `json:"booking"`
	UsedAt      *Time         `json:"used_at,omitempty"`
	RevokedAt   *Time         `json:"revoked_at,omitempty"`
}

func (sa *staffAPI) invitationView(r *http.Request, iv *booking.Invitation) (invitationView, error) {
	c, err := sa.staff.Catalog(r.Context())
	if err != nil {
		return invitationView{}, err
	}
	loc := c.Atelier.Zone()
	v := invitationView{ID: iv.ID, Commission: iv.CommissionID, Service: iv.ServiceID, ServiceName: iv.ServiceID, Note: iv.Note,
		State: iv.State(sa.staff.Now()), ExpiresAt: At(iv.ExpiresAt.In(loc)), CreatedAt: At(iv.CreatedAt.In(loc)), CreatedBy: iv.CreatedBy}
	if s := c.Service(iv.ServiceID); s != nil {
		v.ServiceName = s.Name
	}
	if iv.Mode != "" {
		v.Mode = &iv.Mode
	}
	if iv.ArtisanID != "" {
		v.Artisan = &iv.ArtisanID
	}
	if iv.UsedBy != "" {
		v.Booking = &iv.UsedBy
		t := At(iv.UsedAt.In(loc))
		v.UsedAt = &t
	}
	if !iv.RevokedAt.IsZero() {
		t := At(iv.RevokedAt.In(loc))
		v.RevokedAt = &t
	}
	return v, nil
}

// handleCreateInvitation serves POST /api/v1/staff/commissions/{id}/invitations.
func (sa *staffAPI) handleCreateInvitation(w http.ResponseWriter, r *http.Request) error {
	var b invitationBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	ci, err := sa.staff.CreateInvitation(r.Context(), userOf(r), mux.Vars(r)["id"], app.InvitationRequest{
		Service: b.Service, Mode: b.Mode, Artisan: b.Artisan, ExpiresDays: b.ExpiresDays, Note: b.Note,
	})
	if err != nil {
		return err
	}
	v, err := sa.invitationView(r, &ci.Invitation)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdInvitationView{invitationView: v, URL: ci.URL, Token: ci.Token})
}

// handleListInvitations serves GET /api/v1/staff/commissions/{id}/invitations.
func (sa *staffAPI) handleListInvitations(w http.ResponseWriter, r *http.Request) error {
	ivs, err := sa.staff.CommissionInvitations(r.Context(), userOf(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	out := make([]invitationView, 0, len(ivs))
	for i := range ivs {
		v, err := sa.invitationView(r, &ivs[i])
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// handleRevokeInvitation serves DELETE /api/v1/staff/commissions/{id}/invitations/{iid}.
func (sa *staffAPI) handleRevokeInvitation(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	iv, err := sa.staff.RevokeInvitation(r.Context(), userOf(r), v["id"], v["iid"])
	if err != nil {
		return err
	}
	view, err := sa.invitationView(r, iv)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view)
}
