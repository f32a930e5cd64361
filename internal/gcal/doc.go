// Package gcal keeps artisans' Google Calendars and atelier bookings in step.
//
// Outbound, every booking change enqueues a job on the "gcal" queue in the
// same transaction as the change (see [Jobs]); an outbox.Runner claims those
// jobs and [Syncer.Handle] makes Google match the booking's current state. Each job is
// idempotent: it reads the booking as it is now, so jobs may run twice, late
// or out of order and Google still ends with exactly one event per confirmed
// booking, at the booking's time.
//
// Inbound, [Syncer.SyncArtisan] reads each artisan's calendar incrementally
// with a sync token and stores the artisan's own busy times, which the
// availability engine treats like time off. [Syncer.FreeBusy] is a last check
// of one slot just before a booking is confirmed.
//
// # Two copies of one appointment
//
// A customer receives our own iTIP invitation (UID "<booking id>@host") by
// mail. If the Google event listed the customer as an attendee, Google would
// send a second invitation with its own iCalUID, and the customer's calendar
// would hold two copies that drift apart on every reschedule. So the Google
// event is the artisan's private copy only: it has no attendees, every call
// uses sendUpdates=none, and it carries only what the artisan needs (service,
// customer name, mode, meeting link, a link to the booking in the staff
// area). The booking id sits in the event's private extended properties
// ([BookingIDProperty]); inbound sync recognises our own events by it and
// never turns them into busy time.
//
// # Failures
//
// Rate limits (429, 403 rateLimitExceeded/userRateLimitExceeded) and server
// errors are retried with exponential backoff and jitter, honouring
// Retry-After, first briefly in process and then through the job queue,
// whose runner gives a job up after its last attempt (the booking's sync is
// then marked failed, with the error).
// Daily quota exhaustion and authorisation failures (401, invalid_grant,
// revoked access) stop that artisan's sync only: its state becomes
// "disconnected" or "error" with the message, [Options.OnSyncStopped] is
// called once, its jobs are parked (never dropped), and [Syncer.Reconnect]
// resumes it with nothing lost.
package gcal
