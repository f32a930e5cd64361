package booking

import "strings"

// Kinds of e-mail about a booking: the Job.Kind of the mail queue's jobs,
// shown as "kind" by the staff API. The mail adapter writes them
// (mail.KindConfirmation, ...); the staff pages name them (MailKindLabel).
const (
	MailConfirmation = "confirmation" // to the customer, with the invite
	MailUpdate       = "update"       // to the customer, on reschedule, with the invite
	MailCancellation = "cancellation" // to the customer, with METHOD:CANCEL
	MailReminder     = "reminder"     // to the customer, before the appointment
	MailStaffNotice  = "staff_notice" // to the artisan (and admins) on every change
	MailLinks        = "manage_links" // to a customer who asked for their links again
	MailReplyNotice  = "reply_notice" // to the artisan (and admins): the customer's answer to the invitation asks for them
	// Requests that staff approve (issue 13).
	MailRequestReceived = "request_received" // to the customer: the request arrived, no invite yet
	MailRequestDeclined = "request_declined" // to the customer: declined with the reason, or expired
)

var mailKindLabels = map[string]string{
	MailConfirmation:    "Confirmation to the customer",
	MailUpdate:          "Change notice to the customer",
	MailCancellation:    "Cancellation notice to the customer",
	MailReminder:        "Reminder to the customer",
	MailStaffNotice:     "Notice to the artisan and staff",
	MailLinks:           "Links sent again to the customer",
	MailReplyNotice:     "The customer's answer, to the artisan and staff",
	MailRequestReceived: "Request received, to the customer",
	MailRequestDeclined: "Request declined, to the customer",
}

// MailKindLabel names a kind of e-mail for staff: "Confirmation to the
// customer". A kind it does not know reads as its words ("some_kind" is
// "some kind").
func MailKindLabel(kind string) string {
	if l, ok := mailKindLabels[kind]; ok {
		return l
	}
	return strings.ReplaceAll(kind, "_", " ")
}
