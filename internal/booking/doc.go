// Package booking is the domain of atelier: the values every other package
// speaks in, the rules that belong to them, and the interfaces the
// application needs from its adapters. It imports nothing but the standard
// library and does no I/O beyond loading time zones, so a newcomer can read
// it first and alone.
//
// # What it holds
//
//   - The catalogue ([Catalog]): the [Atelier] (its zone, rooms ([Room]),
//     opening hours ([WeekHours]), closures ([Closure]) and booking
//     [Rules]), the services customers book ([Service]: duration, each
//     [Mode] offered, a [Buffer] per mode) and the artisans who offer them
//     ([Artisan]: working hours, [TimeOff], daily cap).
//   - Appointments: a [Booking] of a [Customer] with an artisan, in person
//     or by video call, and the [Schedule] (catalogue, confirmed bookings,
//     [Busy] times from calendars) that the availability engine reads.
//   - Wall-clock time: [Clock] and [Span] (a time of day and a range of
//     them), [WeekHours], [Date], and the one rule for turning a local date
//     and time into instants on days when the clocks change ([Date.At],
//     [Date.Exact], [Date.Occurrences]).
//   - Staff: [User] with its [Role] and what it may see and manage
//     ([User.MayManage], [User.Scope]), [Session], [AuditEntry], [Actor].
//   - Errors: the one [Error] type, with a [Kind] that the HTTP edge maps
//     to a status and a machine-readable code; [FieldErrors] for invalid
//     fields.
//   - Side effects as data: an [Event] (created, rescheduled, cancelled)
//     becomes jobs ([Job]: an e-mail, a calendar write) through a [JobsFunc],
//     written in the same transaction as the change (an outbox).
//   - Replies to invitations: [InboundReply], [ReplyAction], [ReplyStore].
//
// # One source for each rule
//
// A rule that more than one package needs lives here, once:
// [LoadZone] for every zone name (the empty name and "Local" are never a
// zone), [Customer.ZoneOr] and [Atelier.Zone] for where a booking is
// shown, [CheckDay] and [WeekHoursFromMap] for opening and working hours
// (the file, the API and the pages say the same), [NewID] for ids,
// [MailKindLabel] for the names of the e-mails about a booking.
//
// # How the other packages use it
//
// internal/availability computes free slots as a pure function of a
// [Schedule] and the current instant. internal/app implements the use
// cases on a [Store] (and [JobQueue], [ReplyStore]), taking the acting
// [User] or customer and returning domain values and errors (*[Error]).
// internal/sqlite implements those interfaces; internal/config builds the
// [Catalog] from the configuration file; internal/mail, internal/invite and
// internal/gcal turn each [Event] into e-mails, invitations and calendar
// writes; internal/httpx, internal/httpapi and internal/web show domain
// values and answer each [Kind] of error with its one status.
package booking
