package httpx_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// domainKinds reads the error kinds declared in internal/booking/error.go,
// so that a kind added there later is checked here without editing this
// test.
func domainKinds(tb testing.TB) []booking.Kind {
	tb.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../booking/error.go", nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var kinds []booking.Kind
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				lit := v.(*ast.BasicLit)
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					tb.Fatal(err)
				}
				kinds = append(kinds, booking.Kind(s))
			}
		}
	}
	if len(kinds) < 10 {
		tb.Fatalf("found only %d kinds in error.go: %v", len(kinds), kinds)
	}
	return kinds
}

// TestEveryKindHasAStatus: the one table answers every kind the domain
// declares; only an internal error is a 500, and only a passing refusal
// asks for a retry.
func TestEveryKindHasAStatus(t *testing.T) {
	want := map[booking.Kind]int{
		booking.EINVALID: 422, booking.EMALFORMED: 400, booking.ENOTFOUND: 404, booking.ECONFLICT: 409,
		booking.EUNAUTHORIZED: 401, booking.EFORBIDDEN: 403, booking.ETOOLARGE: 413, booking.ERATELIMIT: 429,
		booking.EUNAVAILABLE: 503, booking.EINTERNAL: 500,
	}
	for _, k := range domainKinds(t) {
		t.Run(string(k), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &booking.Error{Kind: k, Message: "m"})
			got := httpx.StatusOf(err)
			if w, ok := want[k]; ok && got != w {
				t.Errorf("status %d, want %d", got, w)
			}
			if got == http.StatusInternalServerError && k != booking.EINTERNAL {
				t.Errorf("kind %q has no status of its own: it would be a 500", k)
			}
			h := http.Header{}
			set := httpx.SetRetryAfter(h, err)
			if set != (got == http.StatusServiceUnavailable) {
				t.Errorf("Retry-After set %v (%q) for a %d", set, h.Get("Retry-After"), got)
			}
		})
	}
	if got := httpx.StatusOf(errors.New("disk on fire")); got != 500 {
		t.Errorf("a plain error: %d, want 500", got)
	}
	h := http.Header{"Retry-After": {"42"}}
	httpx.SetRetryAfter(h, &booking.Error{Kind: booking.EUNAVAILABLE})
	if got := h.Get("Retry-After"); got != "42" {
		t.Errorf("Retry-After already set was replaced by %q", got)
	}
}
