package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestStaffBookingCustomerReply: the staff views carry the customer's
// answer and a proposed time in the documented shape (the contract check
// of StaffEnv), whether it is free only on the view of one booking.
func TestStaffBookingCustomerReply(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, Request("2026-12-09T14:00:00+08:00"))
	record := func(r booking.InboundReply) {
		t.Helper()
		r.Mailbox, r.Stamp = "INBOX", Now.Add(-time.Hour)
		act := func(*booking.Booking, *booking.CustomerReply) booking.ReplyAction {
			return booking.ReplyAction{Outcome: booking.ReplyRecorded, Record: true, Actor: booking.ReplyActor}
		}
		if o, _, err := e.DB.ApplyReply(context.Background(), r, b.ID, act); err != nil || o != booking.ReplyRecorded {
			t.Fatalf("record: %q %v", o, err)
		}
	}
	record(booking.InboundReply{Key: "k1", Method: booking.MethodReply, PartStat: booking.PartAccepted})
	proposed := time.Date(2026, 12, 10, 14, 0, 0, 0, MustZone("Asia/Singapore"))
	record(booking.InboundReply{Key: "k2", Method: booking.MethodCounter, PartStat: booking.PartTentative,
		Start: proposed, End: proposed.Add(90 * time.Minute)})

	type reply struct {
		Status  string `json:"status"`
		Current bool   `json:"current"`
		Counter *struct {
			Start  string `json:"start"`
			Free   *bool  `json:"free"`
			Reason string `json:"reason"`
		} `json:"counter"`
	}
	var one struct {
		CustomerReply *reply `json:"customer_reply"`
	}
	r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+b.ID, nil)
	r.JSON(t, &one)
	cr := one.CustomerReply
	if r.Status != http.StatusOK || cr == nil || cr.Status != "ACCEPTED" || !cr.Current || cr.Counter == nil ||
		cr.Counter.Start != "2026-12-10T14:00:00+08:00" || cr.Counter.Free == nil || !*cr.Counter.Free {
		t.Fatalf("one booking: %d %s", r.Status, r.Body)
	}
	var list []struct {
		ID            string `json:"id"`
		CustomerReply *reply `json:"customer_reply"`
	}
	r = e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings?from=2026-12-09&to=2026-12-09", nil)
	r.JSON(t, &list)
	if r.Status != http.StatusOK || len(list) != 1 || list[0].CustomerReply == nil || list[0].CustomerReply.Counter == nil ||
		list[0].CustomerReply.Counter.Free != nil {
		t.Fatalf("listing: %d %s", r.Status, r.Body)
	}
}
