package web

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atelier-app/atelier/internal/app"
)

// firstResponse is the pages' app.Replayer. A repeat of a booking form
// (the same one-time key) lands on the booking the first one made, so the
// first response kept is what that needs: the booking's reference and its
// manage token. A response kept by an older version (the JSON API's
// booking view) has the same two members.
type firstResponse struct{}

// madeBooking is the first response of a booking form.
type madeBooking struct {
	ID          string `json:"id"`
	ManageToken string `json:"manage_token"`
}

func (firstResponse) FirstResponse(c *app.Created) ([]byte, error) {
	return json.Marshal(madeBooking{ID: c.Booking.ID, ManageToken: c.ManageToken})
}

// made is the reference and manage token of the booking a form made, or
// the first one made with the form's key.
func made(c *app.Created) (id, token string, err error) {
	if !c.Replayed {
		return c.Booking.ID, c.ManageToken, nil
	}
	var m madeBooking
	if err := json.Unmarshal(c.Response, &m); err != nil {
		return "", "", fmt.Errorf("read the first response of a booking form: %w", err)
	}
	if m.ID == "" {
		return "", "", errors.New("the first response of a booking form names no booking")
	}
	return m.ID, m.ManageToken, nil
}
