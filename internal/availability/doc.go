// Package availability decides which appointment slots are free. It is pure:
// every function takes the schedule (catalogue, confirmed bookings, busy
// times) and the current instant, does no I/O and never reads the clock.
//
// # The rules
//
// A slot [start, start+duration) of service S in mode M with artisan A is
// offered only if all of these hold:
//
//   - start lies on the grid: the local midnight of its day in the atelier's
//     zone plus a whole multiple of Rules.SlotInterval, counted as elapsed
//     time, so a 23- or 25-hour day still has one start per interval and no
//     start repeats in a repeated hour;
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
// # Wall-clock hours and daylight saving time
//
// Opening and working hours are wall-clock spans of a local date. A span
// [from, to) is the instants from the first moment the clock reads from on
// that date up to the first moment it reads to ("24:00" is the next
// midnight). So on a 23-hour day "10:00-19:00" is still 10:00 to 19:00
// local; a bound in a skipped hour is the moment of the jump; a bound in a
// repeated hour is its first occurrence. Spans that touch merge, so
// "10:00-13:00, 13:00-19:00" is one span. The day of an instant is the date
// whose grid contains it.
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
