// Package availability decides which appointment slots are free. It is pure:
// every function takes the schedule (catalogue, confirmed bookings, busy
// times) and the current instant, does no I/O and never reads the clock.
//
// # The rules
//
// A slot [start, start+duration) of service S in mode M with artisan A is
// offered only if all of these hold:
//
//   - start lies on the grid, which is wall-clock: the atelier's clock
//     reads a whole multiple of Rules.SlotInterval after 00:00 of its local
//     day (00:00, 01:30, 03:00, ... on a 90-minute grid). Every day offers
//     the same local times, a day when the clocks change included (with
//     elapsed time a 120-minute grid would move from 10:00 to 11:00 on a
//     23-hour day). A grid time the clocks skip does not exist that day and
//     is not offered; a grid time in a repeated hour is offered at both of
//     its instants, each only where it is free (OnGrid);
//   - start is at least Rules.MinNotice after now and before local midnight
//     at the end of today + Rules.HorizonDays (staff requests skip both but
//     never start in the past);
//   - the date is not in a closure and [start, end) lies inside the
//     atelier's opening hours of that day;
//   - the blocked interval [start-Before, end+After], with the buffers of
//     S for mode M, lies inside A's working hours of that day and overlaps
//     none of A's time off, busy times or other confirmed bookings' blocked
//     intervals (all half-open: back-to-back is fine);
//   - A offers S and S lists A, and S is offered in mode M;
//   - A has fewer confirmed bookings starting that local day than A's
//     daily cap (0 means no cap);
//   - in person, some consultation room has no confirmed in-person booking
//     whose blocked interval overlaps the slot's. Rooms are tried in
//     catalogue order and the first free one is used.
//
// # Services that need several artisans
//
// A service with ArtisansNeeded N > 1 is offered at a start only when at
// least N of its artisans each pass every rule above for the whole block
// (their own hours, time off, busy times, bookings and daily caps; a
// booking of such a service blocks each artisan it holds and counts
// towards each one's cap), and, for a visit, one room is free. The slot
// lists every free artisan; with Query.ArtisanID that artisan must be
// among them. Place holds N: the artisans the request chose (ArtisanID
// first, then Request.Artisans), each of whom must be free, then the free
// others with the fewest bookings starting that local day, ties in
// catalogue order. The first is the booking's artisan (team.go).
//
// # Wall-clock hours and daylight saving time
//
// Opening and working hours are wall-clock spans of a local date. A span
// [from, to) is the instants from the first moment the clock reads from on
// that date up to the first moment it reads to ("24:00" is the next
// midnight). So on a 23-hour day "10:00-19:00" is still 10:00 to 19:00
// local; a bound in a skipped hour is the moment of the jump; a bound in a
// repeated hour is its first occurrence. Spans that touch merge, so
// "10:00-13:00, 13:00-19:00" is one span. The day of an instant is the date
// from whose first instant to the next date's it lies: the date of its wall
// clock, except for the second pass of a repeated hour that crosses
// midnight, which belongs to no day's grid. The conversion of local times
// is booking.Date.At, the rule the pages follow as well.
//
// # Why a start cannot be booked
//
// Place says why, in the atelier's local time, with a *booking.Error
// ECONFLICT slot_unavailable. Its Reason is booking.ReasonTaken only when
// the time was free and has been taken (another booking of the artisan,
// the last consultation room, the artisan's daily cap, a busy time from
// the artisan's own calendar): the message is then "that time is no longer
// available: ...". A time that never was bookable says what rules it out
// instead: "the atelier is closed at 20:30 on Tuesday 2 June (open
// 10:00-19:00 that day)", "that is a closure day: Christmas (Friday 25
// December)", the artisan's working hours or time away (never its reason),
// the minimum notice, the horizon or the grid.
//
// # Fairness
//
// When a booking names no artisan, Place picks, among the artisans free for
// the slot, the one with the fewest confirmed bookings starting that local
// day; ties go to the artisan who comes first in the catalogue. The rule is
// deterministic, so the same schedule always gives the same artisan.
//
// # Cost
//
// Each call scans the schedule's bookings once, keeping only those near the
// window, and builds sorted, merged interval lists per artisan and per room;
// each grid slot is then checked with binary searches. Schedules may hold
// bookings far outside the window.
package availability
