package booking_test

import (
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// Every kind of e-mail has a name for staff, and a kind from a newer
// version still reads as words.
func TestMailKindLabel(t *testing.T) {
	for kind, want := range map[string]string{
		booking.MailConfirmation: "Confirmation to the customer",
		booking.MailUpdate:       "Change notice to the customer",
		booking.MailCancellation: "Cancellation notice to the customer",
		booking.MailReminder:     "Reminder to the customer",
		booking.MailStaffNotice:  "Notice to the artisan and staff",
		booking.MailLinks:        "Links sent again to the customer",
		booking.MailReplyNotice:  "The customer's answer, to the artisan and staff",
		"sync_stopped":           "sync stopped",
	} {
		if got := booking.MailKindLabel(kind); got != want {
			t.Errorf("MailKindLabel(%q) = %q, want %q", kind, got, want)
		}
	}
}
