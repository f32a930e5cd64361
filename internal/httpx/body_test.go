package httpx_test

import (
	"cmp"
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

func TestParseForm(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
		kind booking.Kind // of the refusal: EMALFORMED when not given
	}{
		{"Plain", "name=Ada&notes=" + url.QueryEscape("Zoë's ring, 金"), true, ""},
		{"Empty", "", true, ""},
		// A byte that is not UTF-8 would be stored as it is (url.ParseQuery
		// does not check): the whole form is refused.
		{"NotUTF8Value", "name=A%FFda", false, ""},
		{"NotUTF8Key", "na%C3me=Ada", false, ""},
		{"TruncatedRune", "notes=%E2%82", false, ""},
		{"TooLarge", "notes=" + strings.Repeat("n", httpx.MaxBodyBytes+1), false, booking.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/book/details", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			err := httpx.ParseForm(httptest.NewRecorder(), r)
			if tt.ok {
				if err != nil {
					t.Fatalf("ParseForm: %v", err)
				}
				return
			}
			want := cmp.Or(tt.kind, booking.EMALFORMED)
			var be *booking.Error
			if !errors.As(err, &be) || be.Kind != want {
				t.Fatalf("ParseForm = %v, want a %s error", err, want)
			}
		})
	}
}
