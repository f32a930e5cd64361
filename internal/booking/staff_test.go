package booking_test

import (
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// Accounts of the role rule tables.
var (
	admin    = &booking.User{ID: "u1", Role: booking.RoleAdmin}
	mei      = &booking.User{ID: "u2", Role: booking.RoleArtisan, ArtisanID: "mei"}
	disabled = &booking.User{ID: "u3", Role: booking.RoleAdmin, Disabled: true}
	// noArtisan is an artisan account that names no artisan: it must not
	// read as "every artisan".
	noArtisan = &booking.User{ID: "u4", Role: booking.RoleArtisan}
	unknown   = &booking.User{ID: "u5", Role: "owner"}
	nobody    *booking.User
)

func TestUserIsStaffAndIsAdmin(t *testing.T) {
	tests := []struct {
		name           string
		u              *booking.User
		staff, isAdmin bool
	}{
		{"Admin", admin, true, true},
		{"Artisan", mei, true, false},
		{"Disabled", disabled, false, false},
		{"ArtisanWithoutArtisan", noArtisan, false, false},
		{"UnknownRole", unknown, false, false},
		{"Nil", nobody, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.IsStaff(); got != tt.staff {
				t.Errorf("IsStaff() = %v, want %v", got, tt.staff)
			}
			if got := tt.u.IsAdmin(); got != tt.isAdmin {
				t.Errorf("IsAdmin() = %v, want %v", got, tt.isAdmin)
			}
		})
	}
}

func TestUserMayManage(t *testing.T) {
	tests := []struct {
		name    string
		u       *booking.User
		artisan string
		want    bool
	}{
		{"AdminAnyArtisan", admin, "arjun", true},
		{"AdminNoArtisan", admin, "", true},
		{"ArtisanOwn", mei, "mei", true},
		{"ArtisanOther", mei, "arjun", false},
		{"ArtisanNone", mei, "", false},
		{"ArtisanCase", mei, "Mei", false},
		{"Disabled", disabled, "mei", false},
		{"ArtisanWithoutArtisan", noArtisan, "", false},
		{"UnknownRole", unknown, "mei", false},
		{"Nil", nobody, "mei", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.MayManage(tt.artisan); got != tt.want {
				t.Errorf("MayManage(%q) = %v, want %v", tt.artisan, got, tt.want)
			}
		})
	}
}

func TestUserMaySee(t *testing.T) {
	meis := &booking.Booking{ID: "bk_1", ArtisanID: "mei"}
	arjuns := &booking.Booking{ID: "bk_2", ArtisanID: "arjun"}
	tests := []struct {
		name string
		u    *booking.User
		b    *booking.Booking
		want bool
	}{
		{"AdminAny", admin, arjuns, true},
		{"ArtisanOwn", mei, meis, true},
		{"ArtisanOther", mei, arjuns, false},
		{"ArtisanWithoutArtisan", noArtisan, &booking.Booking{ID: "bk_3"}, false},
		{"Disabled", disabled, meis, false},
		{"NilBooking", admin, nil, false},
		{"NilUser", nobody, meis, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.MaySee(tt.b); got != tt.want {
				t.Errorf("MaySee() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUserScope(t *testing.T) {
	tests := []struct {
		name   string
		u      *booking.User
		asked  string
		want   string
		wantOK bool
	}{
		{"AdminEveryone", admin, "", "", true},
		{"AdminOne", admin, "arjun", "arjun", true},
		{"AdminAny", admin, "any", "any", true},
		{"ArtisanDefault", mei, "", "mei", true},
		{"ArtisanOwn", mei, "mei", "mei", true},
		{"ArtisanOther", mei, "arjun", "", false},
		{"ArtisanAny", mei, "any", "", false},
		{"ArtisanWithoutArtisan", noArtisan, "", "", false},
		{"Disabled", disabled, "", "", false},
		{"UnknownRole", unknown, "", "", false},
		{"Nil", nobody, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.u.Scope(tt.asked)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Scope(%q) = %q, %v, want %q, %v", tt.asked, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
