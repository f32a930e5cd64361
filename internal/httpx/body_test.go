package httpx_test

import (
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
	}{
		{"Plain", "name=Ada&notes=" + url.QueryEscape("Zoë's ring, 金"), true},
		{"Empty", "", true},
		// A byte that is not UTF-8 would be stored as it is (url.ParseQuery
		// does not check): the whole form is refused.
		{"NotUTF8Value", "name=A%FFda", false},
		{"NotUTF8Key", "na%C3me=Ada", false},
		{"TruncatedRune", "notes=%E2%82", false},
		{"TooLarge", "notes=" + strings.Repeat("n", httpx.MaxBodyBytes+1), false},
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
			var be *booking.Error
			if !errors.As(err, &be) || be.Kind != booking.EMALFORMED {
				t.Fatalf("ParseForm = %v, want an EMALFORMED error", err)
			}
		})
	}
}
