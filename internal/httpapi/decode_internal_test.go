package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// errText is err's text, "<nil>" for none.
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// A name given twice among many members is found.
func TestCheckKeysManyMembers(t *testing.T) {
	var b strings.Builder
	b.WriteByte('{')
	for i := range 5000 {
		fmt.Fprintf(&b, `"q%d":%d,`, i, i)
	}
	b.WriteString(`"q17":1}`)
	raw := []byte(b.String())
	if got := errText(checkKeys(raw)); !strings.Contains(got, `the member "q17" is given twice`) {
		t.Fatalf("checkKeys %s, want q17 given twice", got)
	}
}

// BenchmarkDecodeJSON reads a booking's request body, as every POST
// /api/v1/bookings does.
func BenchmarkDecodeJSON(b *testing.B) {
	body := `{"service":"design","mode":"in_person","start":"2026-12-02T10:00:00+08:00","artisan":"mei",` +
		`"customer":{"name":"Ana Lim","email":"ana@example.com","phone":"+65 9123 4567"},"notes":"An engagement ring with a sapphire."}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(body))
		var v struct {
			Service, Mode, Start, Artisan string
			Customer                      struct{ Name, Email, Phone string }
			Notes                         string
		}
		if err := decodeJSON(httptest.NewRecorder(), r, &v); err != nil {
			b.Fatal(err)
		}
	}
}
