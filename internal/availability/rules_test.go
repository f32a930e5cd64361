package availability

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func TestPlace(t *testing.T) {
	in, virt := booking.InPerson, booking.Virtual
	// Wednesday 3 June 2026, Singapore time.
	at := func(tb testing.TB, s *booking.Schedule, clock string) time.Time {
		tb.Helper()
		return mustTime(tb, s.Atelier.Location, "2026-06-03 "+clock)
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, s *booking.Schedule)
		now     string // local "2006-01-02 15:04"; default the fixture's
		req     Request
		clock   string // start on 2026-06-03 unless req.Start is set
		want    booking.Placement
		wantErr string // substring of the message; "" means success
		reason  string // the error's Reason: booking.ReasonTaken only for a time that was free and is taken
		code    string // error code, default slot_unavailable
	}{
		{name: "AnyArtisanTieGoesToCatalogueOrder", clock: "14:00",
			req: Request{ServiceID: "design", Mode: in}, want: booking.Placement{ArtisanID: "ana", RoomID: "r1"}},
		{name: "AnyArtisanOnlyOneWorking", clock: "10:30",
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "FairnessFewestBookingsThatDay", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ana", "", at(t, s, "10:00"))
			},
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ben"}},
		{name: "FairnessIgnoresOtherDays", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ana", "", mustTime(t, s.Atelier.Location, "2026-06-02 10:00"))
				addBooking(t, s, "b2", "design", virt, "ana", "", mustTime(t, s.Atelier.Location, "2026-06-04 10:00"))
			},
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "NamedArtisan", clock: "14:00",
			req: Request{ServiceID: "design", Mode: in, ArtisanID: "ben"}, want: booking.Placement{ArtisanID: "ben", RoomID: "r1"}},
		{name: "InPersonBufferClashesWithBookingBefore", clock: "13:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "ana", "r2", at(t, s, "12:30")) // 12:30-13:00
			},
			req: Request{ServiceID: "design", Mode: in, ArtisanID: "ana"}, wantErr: "Ana is booked then", reason: booking.ReasonTaken},
		{name: "VirtualHasNoBufferSoBackToBackFits", clock: "13:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "ana", "r2", at(t, s, "12:30"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "BackToBackBeforeAnExistingBlock", clock: "12:30",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", in, "ana", "r1", at(t, s, "14:30")) // block 14:00-16:00
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "OverlapByHalfAnHour", clock: "13:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", in, "ana", "r1", at(t, s, "14:30"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, wantErr: "Ana is booked then", reason: booking.ReasonTaken},
		{name: "BufferMustFitWorkingHours", clock: "10:00",
			req: Request{ServiceID: "design", Mode: in, ArtisanID: "ana"}, wantErr: "the appointment at 10:00 on Wednesday 3 June needs Ana from 09:30 to 11:30, outside the working hours that day (10:00-19:00)", reason: booking.ReasonNotWorking},
		{name: "SameTimeVirtualFitsWorkingHours", clock: "10:00",
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "ArtisanNotWorkingThatWeekday",
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ben",
				Start: time.Date(2026, 6, 8, 6, 0, 0, 0, time.UTC)}, // Monday 14:00 local
			wantErr: "Ben does not work on Monday 8 June", reason: booking.ReasonNotWorking},
		{name: "Closure", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Atelier.Closures = []booking.Closure{{From: booking.Date{Year: 2026, Month: 6, Day: 2}, To: booking.Date{Year: 2026, Month: 6, Day: 3}}}
			},
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "Wednesday 3 June is a closure day", reason: booking.ReasonClosure},
		{name: "ClosureEndedTheDayBefore", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Atelier.Closures = []booking.Closure{{From: booking.Date{Year: 2026, Month: 6, Day: 1}, To: booking.Date{Year: 2026, Month: 6, Day: 2}}}
			},
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "ClosedWeekday",
			req:     Request{ServiceID: "design", Mode: virt, Start: time.Date(2026, 6, 7, 6, 0, 0, 0, time.UTC)}, // Sunday
			wantErr: "the atelier is closed all day on Sunday 7 June", reason: booking.ReasonClosed},
		{name: "EndsAfterClosing", clock: "18:00",
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "a 90-minute appointment at 18:00 on Wednesday 3 June would end after the atelier closes at 19:00", reason: booking.ReasonClosed},
		{name: "EndsAtClosing", clock: "17:30",
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "TimeOff", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[0].TimeOff = []booking.TimeOff{{Start: at(t, s, "15:00"), End: at(t, s, "16:00")}}
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, wantErr: "Ana is away from 15:00, before a 90-minute appointment at 14:00 on Wednesday 3 June would end", reason: booking.ReasonAway},
		{name: "TimeOffEndingAtStart", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[0].TimeOff = []booking.TimeOff{{Start: at(t, s, "12:00"), End: at(t, s, "14:00")}}
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "BusyTime", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Busy = []booking.Busy{{ArtisanID: "ana", Start: at(t, s, "15:15"), End: at(t, s, "15:20")}}
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, wantErr: "that time is no longer available: Ana is not free then", reason: booking.ReasonTaken},
		{name: "BusyTimeOfAnotherArtisan", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Busy = []booking.Busy{{ArtisanID: "ben", Start: at(t, s, "14:00"), End: at(t, s, "16:00")}}
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "DailyCapReached", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ben", "", at(t, s, "12:00"))
				addBooking(t, s, "b2", "design", virt, "ben", "", at(t, s, "17:00"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ben"}, wantErr: "that time is no longer available: Ben is fully booked on Wednesday 3 June", reason: booking.ReasonTaken},
		{name: "DailyCapReachedAnyArtisanFallsBackToOther", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ben", "", at(t, s, "12:00"))
				addBooking(t, s, "b2", "design", virt, "ben", "", at(t, s, "17:00"))
				addBooking(t, s, "b3", "design", virt, "ana", "", at(t, s, "10:00"))
				addBooking(t, s, "b4", "design", virt, "ana", "", at(t, s, "11:30"))
				addBooking(t, s, "b5", "design", virt, "ana", "", at(t, s, "16:00"))
			},
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "DailyCapRescheduleWithinSameDay", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ben", "", at(t, s, "12:00"))
				addBooking(t, s, "b2", "design", virt, "ben", "", at(t, s, "17:00"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ben", IgnoreBookingID: "b2"}, want: booking.Placement{ArtisanID: "ben"}},
		{name: "DailyCapOtherDayDoesNotCount", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ben", "", mustTime(t, s.Atelier.Location, "2026-06-04 12:00"))
				addBooking(t, s, "b2", "design", virt, "ben", "", mustTime(t, s.Atelier.Location, "2026-06-04 17:00"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ben"}, want: booking.Placement{ArtisanID: "ben"}},
		{name: "RoomsAllTaken", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "cleo", "r1", at(t, s, "14:00"))
				addBooking(t, s, "b2", "sizing", in, "cleo", "r2", at(t, s, "15:00"))
			},
			req: Request{ServiceID: "design", Mode: in}, wantErr: "that time is no longer available: no consultation room is free then", reason: booking.ReasonTaken},
		{name: "RoomsTakenOneEachButNoRoomFreeThroughout", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				// r1 busy early in the visit, r2 late: at no moment are both busy,
				// but the visitor keeps one room for the whole visit.
				addBooking(t, s, "b1", "sizing", in, "cleo", "r1", at(t, s, "13:30"))
				addBooking(t, s, "b2", "sizing", in, "cleo", "r2", at(t, s, "15:00"))
			},
			req: Request{ServiceID: "design", Mode: in}, wantErr: "that time is no longer available: no consultation room is free then", reason: booking.ReasonTaken},
		{name: "VirtualNeedsNoRoom", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "cleo", "r1", at(t, s, "14:00"))
				addBooking(t, s, "b2", "sizing", in, "cleo", "r2", at(t, s, "15:00"))
			},
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "FirstFreeRoom", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "cleo", "r1", at(t, s, "15:00"))
			},
			req: Request{ServiceID: "design", Mode: in}, want: booking.Placement{ArtisanID: "ana", RoomID: "r2"}},
		{name: "RoomFreeBackToBack", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "cleo", "r1", at(t, s, "13:00")) // 13:00-13:30; visit block from 13:30
			},
			req: Request{ServiceID: "design", Mode: in}, want: booking.Placement{ArtisanID: "ana", RoomID: "r1"}},
		{name: "NoRooms", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) { s.Atelier.Rooms = nil },
			req:   Request{ServiceID: "design", Mode: in}, wantErr: "the atelier has no consultation room for visits", reason: booking.ReasonUnstaffed},
		{name: "MinimumNotice", clock: "10:30", now: "2026-06-02 11:00",
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "bookings need at least 24 hours' notice, so 10:30 on Wednesday 3 June is too soon", reason: booking.ReasonNotice},
		{name: "MinimumNoticeExactlyMet", clock: "11:00", now: "2026-06-02 11:00",
			req: Request{ServiceID: "design", Mode: virt}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "StaffIgnoreMinimumNotice", clock: "10:30", now: "2026-06-02 11:00",
			req: Request{ServiceID: "design", Mode: virt, Staff: true}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "StaffNeverInThePast", clock: "10:30", now: "2026-06-03 11:00",
			req: Request{ServiceID: "design", Mode: virt, Staff: true}, wantErr: "that time has passed", code: booking.CodeBookingInPast},
		{name: "StaffNeverAClash", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ana", "", at(t, s, "14:00"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana", Staff: true}, wantErr: "that time is no longer available: Ana is booked then", reason: booking.ReasonTaken},
		{name: "HorizonLastDay",
			req:  Request{ServiceID: "design", Mode: virt, Start: time.Date(2026, 8, 29, 9, 30, 0, 0, time.UTC)}, // Sat 30 Aug 17:30 local = today+90
			want: booking.Placement{ArtisanID: "ana"}},
		{name: "BeyondHorizon",
			req:     Request{ServiceID: "design", Mode: virt, Start: time.Date(2026, 8, 31, 2, 0, 0, 0, time.UTC)}, // Mon 31 Aug 10:00 local
			wantErr: "bookings can be made at most 90 days ahead, up to Sunday 30 August, so Monday 31 August is too far", reason: booking.ReasonHorizon},
		{name: "StaffBeyondHorizon",
			req:  Request{ServiceID: "design", Mode: virt, Start: time.Date(2026, 8, 31, 2, 0, 0, 0, time.UTC), Staff: true},
			want: booking.Placement{ArtisanID: "ana"}},
		{name: "OffGrid", clock: "14:15",
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "not on the 30-minute grid", reason: booking.ReasonOffGrid},
		{name: "OffGridBySeconds",
			req:     Request{ServiceID: "design", Mode: virt, Start: time.Date(2026, 6, 3, 6, 0, 1, 0, time.UTC)},
			wantErr: "not on the 30-minute grid", reason: booking.ReasonOffGrid},
		{name: "RescheduleIgnoresOwnBooking", clock: "14:30",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ana", "", at(t, s, "14:00"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana", IgnoreBookingID: "b1"}, want: booking.Placement{ArtisanID: "ana"}},
		{name: "RescheduleStillBlockedByOthers", clock: "14:30",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ana", "", at(t, s, "14:00"))
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana", IgnoreBookingID: "b2"}, wantErr: "that time is no longer available: Ana is booked then", reason: booking.ReasonTaken},
		{name: "RescheduleFreesOwnRoom", clock: "14:30",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "sizing", in, "cleo", "r1", at(t, s, "14:00"))
				addBooking(t, s, "b2", "design", in, "ana", "r2", at(t, s, "14:00"))
			},
			req: Request{ServiceID: "design", Mode: in, ArtisanID: "ana", IgnoreBookingID: "b2"}, want: booking.Placement{ArtisanID: "ana", RoomID: "r2"}},
		{name: "NoArtisanFree", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				addBooking(t, s, "b1", "design", virt, "ana", "", at(t, s, "14:00"))
				addBooking(t, s, "b2", "design", virt, "ben", "", at(t, s, "15:00"))
			},
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "that time is no longer available: no artisan is free then", reason: booking.ReasonTaken},

		// Times that never were bookable say why, in the atelier's time.
		{name: "AfterClosing", clock: "20:30",
			req:     Request{ServiceID: "design", Mode: virt},
			wantErr: "the atelier is closed at 20:30 on Wednesday 3 June (open 10:00-19:00 that day)", reason: booking.ReasonClosed},
		{name: "BeforeOpeningSplitHours", clock: "09:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Atelier.Hours[time.Wednesday] = []booking.Span{mustSpan(t, "10:00-13:00"), mustSpan(t, "14:00-19:00")}
			},
			req:     Request{ServiceID: "design", Mode: virt},
			wantErr: "the atelier is closed at 09:00 on Wednesday 3 June (open 10:00-13:00 and 14:00-19:00 that day)", reason: booking.ReasonClosed},
		{name: "RunsIntoLunch", clock: "12:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Atelier.Hours[time.Wednesday] = []booking.Span{mustSpan(t, "10:00-13:00"), mustSpan(t, "14:00-19:00")}
			},
			req:     Request{ServiceID: "design", Mode: virt},
			wantErr: "a 90-minute appointment at 12:00 on Wednesday 3 June would end after the atelier closes at 13:00", reason: booking.ReasonClosed},
		{name: "ClosureWithReason", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Atelier.Closures = []booking.Closure{{From: booking.Date{Year: 2026, Month: 6, Day: 3}, To: booking.Date{Year: 2026, Month: 6, Day: 3}, Reason: "Stock-take"}}
			},
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "that is a closure day: Stock-take (Wednesday 3 June)", reason: booking.ReasonClosure},
		{name: "ArtisanStartsLater", clock: "10:00",
			req:     Request{ServiceID: "design", Mode: virt, ArtisanID: "ben"},
			wantErr: "Ben does not work at 10:00 on Wednesday 3 June (working hours that day: 12:00-19:00)", reason: booking.ReasonNotWorking},
		{name: "ArtisanStopsBeforeTheEnd", clock: "16:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[1].Hours[time.Wednesday] = []booking.Span{mustSpan(t, "12:00-17:00")}
			},
			req:     Request{ServiceID: "design", Mode: virt, ArtisanID: "ben"},
			wantErr: "a 90-minute appointment at 16:00 on Wednesday 3 June would end after Ben stops work at 17:00", reason: booking.ReasonNotWorking},
		{name: "NoArtisanWorking", clock: "10:00",
			req:     Request{ServiceID: "design", Mode: in},
			wantErr: "no artisan who offers this service is working at 10:00 on Wednesday 3 June", reason: booking.ReasonNotWorking},
		{name: "TimeOffCoversStart", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[0].TimeOff = []booking.TimeOff{{Start: at(t, s, "13:00"), End: at(t, s, "15:00"), Reason: "dentist"}}
			},
			req: Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"}, wantErr: "Ana is away at 14:00 on Wednesday 3 June", reason: booking.ReasonAway},
		{name: "TimeOffDuringPreparation", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[0].TimeOff = []booking.TimeOff{{Start: at(t, s, "13:00"), End: at(t, s, "13:45")}}
			},
			req:     Request{ServiceID: "design", Mode: in, ArtisanID: "ana"},
			wantErr: "Ana is away until 13:45 on Wednesday 3 June, and an appointment at 14:00 needs Ana from 13:30", reason: booking.ReasonAway},
		{name: "EveryArtisanAway", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[0].TimeOff = []booking.TimeOff{{Start: at(t, s, "13:00"), End: at(t, s, "15:00")}}
				s.Artisans[1].TimeOff = []booking.TimeOff{{Start: at(t, s, "12:00"), End: at(t, s, "19:00")}}
			},
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "every artisan who offers this service is away at 14:00 on Wednesday 3 June", reason: booking.ReasonAway},
		{name: "OneAwayOneBookedIsTaken", clock: "14:00",
			setup: func(t *testing.T, s *booking.Schedule) {
				s.Artisans[0].TimeOff = []booking.TimeOff{{Start: at(t, s, "13:00"), End: at(t, s, "15:00")}}
				addBooking(t, s, "b1", "design", virt, "ben", "", at(t, s, "14:30"))
			},
			req: Request{ServiceID: "design", Mode: virt}, wantErr: "that time is no longer available: no artisan is free then", reason: booking.ReasonTaken},
		{name: "BeyondHorizonNextYear",
			now:     "2026-12-01 09:00",
			req:     Request{ServiceID: "design", Mode: virt, Start: time.Date(2027, 3, 2, 2, 0, 0, 0, time.UTC)}, // Tue 2 Mar 2027 10:00 local
			wantErr: "bookings can be made at most 90 days ahead, up to Monday 1 March 2027, so Tuesday 2 March 2027 is too far", reason: booking.ReasonHorizon},
		{name: "NoticeGivesTheRule", clock: "10:00", now: "2026-06-02 11:00",
			req:     Request{ServiceID: "design", Mode: virt, ArtisanID: "ana"},
			wantErr: "bookings need at least 24 hours' notice, so 10:00 on Wednesday 3 June is too soon", reason: booking.ReasonNotice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, now := fixture(t)
			if tt.setup != nil {
				tt.setup(t, s)
			}
			if tt.now != "" {
				now = mustTime(t, s.Atelier.Location, tt.now)
			}
			req := tt.req
			if req.Start.IsZero() {
				req.Start = at(t, s, tt.clock)
			}
			got, err := Place(s, req, now)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Place: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("placement = %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Place = %+v, want error %q", got, tt.wantErr)
			}
			e := errInfo(t, err)
			code := tt.code
			if code == "" {
				code = booking.CodeSlotUnavailable
			}
			if e.Kind != booking.ECONFLICT || e.Code != code || !strings.Contains(e.Message, tt.wantErr) {
				t.Errorf("error = %s/%s %q, want conflict/%s containing %q", e.Kind, e.Code, e.Message, code, tt.wantErr)
			}
			if e.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", e.Reason, tt.reason)
			}
			if taken := strings.Contains(e.Message, "no longer available"); taken != (tt.reason == booking.ReasonTaken) {
				t.Errorf("message %q: \"no longer available\" is only for a time that was free and is taken (reason %q)", e.Message, tt.reason)
			}
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	tests := []struct {
		name                 string
		service, artisan     string
		mode                 booking.Mode
		wantField, wantWords string
	}{
		{"UnknownService", "polishing", "", booking.Virtual, "service", "unknown service"},
		{"UnknownMode", "design", "", "carrier_pigeon", "mode", "mode must be"},
		{"ModeNotOffered", "sizing", "", booking.Virtual, "mode", "not offered"},
		{"UnknownArtisan", "design", "zed", booking.Virtual, "artisan", "unknown artisan"},
		{"ArtisanNotOfferingService", "design", "cleo", booking.Virtual, "artisan", "does not offer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, now := fixture(t)
			start := mustTime(t, s.Atelier.Location, "2026-06-03 14:00")
			_, errPlace := Place(s, Request{ServiceID: tt.service, Mode: tt.mode, ArtisanID: tt.artisan, Start: start}, now)
			_, errSlots := Slots(s, Query{ServiceID: tt.service, Mode: tt.mode, ArtisanID: tt.artisan, From: start, To: start.Add(24 * time.Hour)}, now)
			for name, err := range map[string]error{"Place": errPlace, "Slots": errSlots} {
				if err == nil {
					t.Fatalf("%s: no error", name)
				}
				e := errInfo(t, err)
				if e.Kind != booking.EINVALID || !strings.Contains(e.Fields[tt.wantField], tt.wantWords) {
					t.Errorf("%s: error %v, want EINVALID with %s: %q", name, err, tt.wantField, tt.wantWords)
				}
			}
		})
	}
}

func TestArtisanMustBeListedByService(t *testing.T) {
	s, now := fixture(t)
	// ben claims sizing but the service does not list him.
	s.Artisans[1].Services = append(s.Artisans[1].Services, "sizing")
	start := mustTime(t, s.Atelier.Location, "2026-06-03 14:00")
	if _, err := Place(s, Request{ServiceID: "sizing", Mode: booking.InPerson, ArtisanID: "ben", Start: start}, now); errInfo(t, err).Fields["artisan"] == "" {
		t.Errorf("Place with an unlisted artisan: %v, want an artisan field error", err)
	}
	slots, err := Slots(s, Query{ServiceID: "sizing", Mode: booking.InPerson, From: start, To: start.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range slots {
		if sl.Artisans.Contains("ben") {
			t.Errorf("slot %v lists ben", sl.Start)
		}
	}
}

func TestSlotsDay(t *testing.T) {
	s, now := fixture(t)
	loc := s.Atelier.Location
	addBooking(t, s, "b1", "design", booking.Virtual, "ben", "", mustTime(t, loc, "2026-06-03 15:00")) // ben 15:00-16:30
	from := mustTime(t, loc, "2026-06-03 00:00")
	to := from.Add(24 * time.Hour)
	type want struct {
		clock    string
		artisans []string
	}
	tests := []struct {
		name    string
		mode    booking.Mode
		artisan string
		moving  string
		want    []want
	}{
		{name: "VirtualAnyArtisan", mode: booking.Virtual, want: []want{
			{"10:00", []string{"ana"}}, {"10:30", []string{"ana"}}, {"11:00", []string{"ana"}}, {"11:30", []string{"ana"}},
			{"12:00", []string{"ana", "ben"}}, {"12:30", []string{"ana", "ben"}}, {"13:00", []string{"ana", "ben"}},
			{"13:30", []string{"ana", "ben"}}, {"14:00", []string{"ana"}}, {"14:30", []string{"ana"}}, {"15:00", []string{"ana"}},
			{"15:30", []string{"ana"}}, {"16:00", []string{"ana"}},
			{"16:30", []string{"ana", "ben"}}, {"17:00", []string{"ana", "ben"}}, {"17:30", []string{"ana", "ben"}},
		}},
		{name: "InPersonAnyArtisanNeedsPreparation", mode: booking.InPerson, want: []want{
			{"10:30", []string{"ana"}}, {"11:00", []string{"ana"}}, {"11:30", []string{"ana"}},
			{"12:00", []string{"ana"}}, {"12:30", []string{"ana", "ben"}}, {"13:00", []string{"ana", "ben"}},
			{"13:30", []string{"ana", "ben"}}, {"14:00", []string{"ana"}}, {"14:30", []string{"ana"}}, {"15:00", []string{"ana"}},
			{"15:30", []string{"ana"}}, {"16:00", []string{"ana"}}, {"16:30", []string{"ana"}},
			{"17:00", []string{"ana", "ben"}}, {"17:30", []string{"ana", "ben"}},
		}},
		{name: "OneArtisan", mode: booking.Virtual, artisan: "ben", want: []want{
			{"12:00", []string{"ben"}}, {"12:30", []string{"ben"}}, {"13:00", []string{"ben"}}, {"13:30", []string{"ben"}}, // back-to-back with the 15:00 booking
			{"16:30", []string{"ben"}}, {"17:00", []string{"ben"}}, {"17:30", []string{"ben"}},
		}},
		{name: "OneArtisanMovingTheBooking", mode: booking.Virtual, artisan: "ben", moving: "b1", want: []want{
			// b1's own time does not block its move.
			{"12:00", []string{"ben"}}, {"12:30", []string{"ben"}}, {"13:00", []string{"ben"}}, {"13:30", []string{"ben"}},
			{"14:00", []string{"ben"}}, {"14:30", []string{"ben"}}, {"15:00", []string{"ben"}}, {"15:30", []string{"ben"}},
			{"16:00", []string{"ben"}}, {"16:30", []string{"ben"}}, {"17:00", []string{"ben"}}, {"17:30", []string{"ben"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots, err := Slots(s, Query{ServiceID: "design", Mode: tt.mode, ArtisanID: tt.artisan, From: from, To: to, IgnoreBookingID: tt.moving}, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, sl := range slots {
				if d := sl.End.Sub(sl.Start); d != 90*time.Minute {
					t.Errorf("slot at %v lasts %v, want 90m", sl.Start, d)
				}
				got = append(got, want{sl.Start.In(loc).Format("15:04"), sl.Artisans.IDs()})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d slots %v, want %d %v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i].clock != tt.want[i].clock || !slices.Equal(got[i].artisans, tt.want[i].artisans) {
					t.Errorf("slot %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSlotsWindow(t *testing.T) {
	s, now := fixture(t)
	loc := s.Atelier.Location
	q := func(from, to string) Query {
		return Query{ServiceID: "design", Mode: booking.Virtual, ArtisanID: "ana",
			From: mustTime(t, loc, from), To: mustTime(t, loc, to)}
	}
	tests := []struct {
		name        string
		q           Query
		now         time.Time
		first, last string
		n           int
	}{
		{"StartInsideWindowOnly", q("2026-06-03 11:00", "2026-06-03 12:00"), now, "2026-06-03 11:00", "2026-06-03 11:30", 2},
		{"WindowNotOnGrid", q("2026-06-03 11:10", "2026-06-03 12:01"), now, "2026-06-03 11:30", "2026-06-03 12:00", 2},
		{"MinNoticeCutsFirstDay", q("2026-06-01 00:00", "2026-06-03 00:00"), mustTime(t, loc, "2026-06-01 13:10"), "2026-06-02 13:30", "2026-06-02 17:30", 9},
		{"HorizonCutsLastDays", q("2026-08-29 00:00", "2026-09-05 00:00"), now, "2026-08-29 10:00", "2026-08-29 17:30", 16}, // 30 Aug is a Sunday
		{"EmptyWindow", q("2026-06-03 12:00", "2026-06-03 12:00"), now, "", "", 0},
		{"AllInThePast", q("2026-05-01 00:00", "2026-05-30 00:00"), now, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots, err := Slots(s, tt.q, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(slots) != tt.n {
				t.Fatalf("got %d slots, want %d: %v", len(slots), tt.n, clocks(slots, loc))
			}
			if tt.n == 0 {
				return
			}
			const f = "2006-01-02 15:04"
			if got := slots[0].Start.In(loc).Format(f); got != tt.first {
				t.Errorf("first = %s, want %s", got, tt.first)
			}
			if got := slots[len(slots)-1].Start.In(loc).Format(f); got != tt.last {
				t.Errorf("last = %s, want %s", got, tt.last)
			}
		})
	}
}

func TestTimes(t *testing.T) {
	s, _ := fixture(t)
	start := time.Date(2026, 6, 3, 6, 0, 0, 0, time.UTC)
	svc := s.Service("design")
	end, bs, be := Times(svc, booking.InPerson, start)
	if !end.Equal(start.Add(90*time.Minute)) || !bs.Equal(start.Add(-30*time.Minute)) || !be.Equal(end) {
		t.Errorf("in person: %v %v %v", end, bs, be)
	}
	end, bs, be = Times(svc, booking.Virtual, start)
	if !bs.Equal(start) || !be.Equal(end) {
		t.Errorf("virtual (no buffer listed): %v %v %v", end, bs, be)
	}
}
