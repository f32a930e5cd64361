package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"time"
)

// client speaks the customer API of docs/API.md, to one server or, with
// several bases, to each in turn, request by request (as a round-robin
// load balancer would: a booking made through one server is read back
// through another).
type client struct {
	bases []string
	next  atomic.Uint64
	hc    *http.Client
}

func newClient(conns int, bases ...string) *client {
	tr := &http.Transport{
		MaxIdleConns:        conns * len(bases),
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
	}
	return &client{bases: bases, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// base is the server of the next request.
func (c *client) base() string {
	if len(c.bases) == 1 {
		return c.bases[0]
	}
	return c.bases[(c.next.Add(1)-1)%uint64(len(c.bases))]
}

// response is a finished exchange.
type response struct {
	status int
	body   []byte
}

// do sends one request; body, when not nil, is sent as JSON. A transport
// error (no status) is returned as err.
func (c *client) do(ctx context.Context, method, path string, body any, header http.Header) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, fmt.Errorf("encoding the request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base()+path, rd)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return response{status: res.StatusCode}, fmt.Errorf("%s %s: reading the response: %w", method, path, err)
	}
	return response{status: res.StatusCode, body: b}, nil
}

// getJSON GETs path and decodes a 200 response into v.
func (c *client) getJSON(ctx context.Context, path string, v any) error {
	r, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %.200s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("GET %s: decoding: %w", path, err)
	}
	return nil
}

// atelierInfo is the part of GET /api/v1/atelier the tool needs.
type atelierInfo struct {
	Timezone string `json:"timezone"`
	Rooms    []struct {
		ID string `json:"id"`
	} `json:"rooms"`
	Booking struct {
		MinNoticeMinutes    int `json:"min_notice_minutes"`
		HorizonDays         int `json:"horizon_days"`
		SlotIntervalMinutes int `json:"slot_interval_minutes"`
	} `json:"booking"`
	loc *time.Location
}

type serviceInfo struct {
	ID              string   `json:"id"`
	DurationMinutes int      `json:"duration_minutes"`
	Modes           []string `json:"modes"`
	Artisans        []string `json:"artisans"`
}

func (s serviceInfo) offers(mode string) bool { return slices.Contains(s.Modes, mode) }

// catalogue is what the server says about itself.
type catalogue struct {
	atelier  atelierInfo
	services []serviceInfo
}

func (c *client) catalogue(ctx context.Context) (*catalogue, error) {
	var cat catalogue
	if err := c.getJSON(ctx, "/api/v1/atelier", &cat.atelier); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cat.atelier.Timezone)
	if err != nil {
		return nil, fmt.Errorf("the atelier's time zone %q: %w", cat.atelier.Timezone, err)
	}
	cat.atelier.loc = loc
	if err := c.getJSON(ctx, "/api/v1/services", &cat.services); err != nil {
		return nil, err
	}
	return &cat, nil
}

// service returns the service id, or when id is empty the first service
// offered in every one of modes.
func (cat *catalogue) service(id string, modes ...string) (serviceInfo, error) {
	for _, s := range cat.services {
		if id != "" && s.ID != id {
			continue
		}
		ok := true
		for _, m := range modes {
			ok = ok && s.offers(m)
		}
		if ok {
			return s, nil
		}
	}
	if id != "" {
		return serviceInfo{}, fmt.Errorf("no service %q offered in %v", id, modes)
	}
	return serviceInfo{}, fmt.Errorf("no service is offered in %v", modes)
}

// slot is one entry of an availability answer.
type slot struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Artisans []string  `json:"artisans"`
}

const dateLayout = "2006-01-02"

// availability returns the free slots of service in mode from first to
// last (inclusive dates in the atelier's zone, at most 62 days apart).
func (c *client) availability(ctx context.Context, service, mode string, first, last time.Time) ([]slot, error) {
	q := url.Values{}
	q.Set("service", service)
	q.Set("mode", mode)
	q.Set("from", first.Format(dateLayout))
	q.Set("to", last.Format(dateLayout))
	var out struct {
		Slots []slot `json:"slots"`
	}
	if err := c.getJSON(ctx, "/api/v1/availability?"+q.Encode(), &out); err != nil {
		return nil, err
	}
	return out.Slots, nil
}

// customer is the customer of a booking request.
type customer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// bookingRequest is the body of POST /api/v1/bookings.
type bookingRequest struct {
	Service  string    `json:"service"`
	Mode     string    `json:"mode"`
	Start    time.Time `json:"start"`
	Artisan  string    `json:"artisan,omitempty"`
	Customer customer  `json:"customer"`
	Notes    string    `json:"notes,omitempty"`
}

// bookingView is a booking as the API returns it.
type bookingView struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Service     string    `json:"service"`
	Mode        string    `json:"mode"`
	Artisan     string    `json:"artisan"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Sequence    int       `json:"sequence"`
	ManageToken string    `json:"manage_token,omitempty"`
}

// differs reports how v differs from want in what a customer sees (id,
// status, service, mode, artisan, times, sequence), or "" when it does not.
func (v bookingView) differs(want bookingView) string {
	switch {
	case v.ID != want.ID:
		return fmt.Sprintf("id %q, want %q", v.ID, want.ID)
	case v.Status != want.Status:
		return fmt.Sprintf("status %q, want %q", v.Status, want.Status)
	case v.Service != want.Service || v.Mode != want.Mode:
		return fmt.Sprintf("service %s/%s, want %s/%s", v.Service, v.Mode, want.Service, want.Mode)
	case v.Artisan != want.Artisan:
		return fmt.Sprintf("artisan %q, want %q", v.Artisan, want.Artisan)
	case !v.Start.Equal(want.Start) || !v.End.Equal(want.End):
		return fmt.Sprintf("time %s-%s, want %s-%s", v.Start, v.End, want.Start, want.End)
	case v.Sequence != want.Sequence:
		return fmt.Sprintf("sequence %d, want %d", v.Sequence, want.Sequence)
	}
	return ""
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// getBooking fetches a booking with its manage token.
func (c *client) getBooking(ctx context.Context, id, token string) (bookingView, int, error) {
	r, err := c.do(ctx, http.MethodGet, "/api/v1/bookings/"+url.PathEscape(id), nil, bearer(token))
	if err != nil {
		return bookingView{}, 0, err
	}
	var v bookingView
	if r.status == http.StatusOK {
		if err := json.Unmarshal(r.body, &v); err != nil {
			return v, r.status, fmt.Errorf("decoding booking %s: %w", id, err)
		}
	}
	return v, r.status, nil
}

// cancel cancels a booking with its manage token and returns the status.
func (c *client) cancel(ctx context.Context, id, token string) (int, error) {
	r, err := c.do(ctx, http.MethodPost, "/api/v1/bookings/"+url.PathEscape(id)+"/cancel", nil, bearer(token))
	return r.status, err
}

// dayAfter returns local midnight n days after the day of now in loc.
func dayAfter(now time.Time, loc *time.Location, n int) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, loc)
}
