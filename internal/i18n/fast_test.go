package i18n

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

var placeholder = regexp.MustCompile(`\{\{\.([A-Za-z_][A-Za-z0-9_]*)\}\}`)

// TestFastMessagesMatchGoI18n fills every message of every shipped
// language through T and through go-i18n alone, with random values for
// its placeholders (markup, braces, "<no value>", other scripts), with
// one left out, with a number, with a name given twice and with none, and
// requires the same words each time.
func TestFastMessagesMatchGoI18n(t *testing.T) {
	c, err := New(Shipped(), Clock24)
	if err != nil {
		t.Fatal(err)
	}
	values := []string{"", "Mei", "林美玲", "{{.X}}", "<b>&amp;</b>", "<no value>", "a\nb", "%s %d", "😀"}
	r := rand.New(rand.NewPCG(18, 1))
	fast := 0
	for _, name := range Shipped() {
		l := c.Lang(name)
		msgs, err := ids(name)
		if err != nil {
			t.Fatal(err)
		}
		for id, m := range msgs {
			if _, ok := l.simple[id]; ok {
				fast++
			}
			var fields []string
			for _, s := range []string{m.Other, m.One} {
				for _, f := range placeholder.FindAllStringSubmatch(s, -1) {
					fields = append(fields, f[1])
				}
			}
			random := func() []any {
				var kv []any
				for _, f := range fields {
					kv = append(kv, f, values[r.IntN(len(values))])
				}
				return kv
			}
			cases := map[string][]any{"none": nil, "all": random(), "all again": random(), "extra": append(random(), "Unused", "x")}
			if len(fields) > 0 {
				cases["one left out"] = random()[2:]
				cases["a number"] = append(random(), fields[0], 42)
				cases["given twice"] = append(random(), fields[0], "second")
			}
			for what, kv := range cases {
				if got, want := l.T(id, kv...), l.localizeSlow(id, nil, kv); got != want {
					t.Errorf("%s %s, %s %q: T wrote %q, go-i18n %q", name, id, what, kv, got, want)
				}
			}
		}
	}
	if fast < 300 {
		t.Errorf("only %d messages filled without go-i18n", fast)
	}
}

// TestCompile splits messages into pieces and refuses what is not a
// plain placeholder.
func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		s  string
		ok bool
		n  int
	}{
		{"plain", true, 1}, {"", true, 0}, {"{{.A}} and {{.B_2}}", true, 3}, {"{{.A}}{{.B}}", true, 2},
		{"{{.A | upper}}", false, 0}, {"{{if .A}}x{{end}}", false, 0}, {"{{.}}", false, 0}, {"{{.1A}}", false, 0},
		{"a }} b", false, 0}, {"{{.A}", false, 0}, {"{{ .A }}", false, 0}, {"{{.A.B}}", false, 0},
	} {
		ps, ok := compile(tc.s)
		if ok != tc.ok || len(ps) != tc.n {
			t.Errorf("compile(%q) = %d pieces, %t; want %d, %t", tc.s, len(ps), ok, tc.n, tc.ok)
		}
	}
}
