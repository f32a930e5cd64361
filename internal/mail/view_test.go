package mail

import (
	"bytes"
	htmltemplate "html/template"
	"math/rand/v2"
	"strings"
	"testing"
	texttemplate "text/template"
)

// TestViewMatchesTemplates renders random views, with text and URLs meant
// to need escaping (markup, quotes, '+', NUL, invalid UTF-8, other schemes,
// percent signs), through view.text and view.html and through the
// reference templates, and requires the same bytes.
func TestViewMatchesTemplates(t *testing.T) {
	// The templates the messages were written with until issue 18: view.go
	// writes the same bytes without them.
	refHTML := htmltemplate.Must(htmltemplate.ParseFiles("testdata/templates/message.html.tmpl"))
	refText := texttemplate.Must(texttemplate.ParseFiles("testdata/templates/message.txt.tmpl"))
	r := rand.New(rand.NewPCG(18, 2026))
	for i := range 5000 {
		v := randomView(r)
		var tb, hb bytes.Buffer
		if err := refText.Execute(&tb, v); err != nil {
			t.Fatal(err)
		}
		if err := refHTML.Execute(&hb, v); err != nil {
			t.Fatal(err)
		}
		if got, want := v.text(), tb.String(); got != want {
			t.Fatalf("view %d: text\n got: %q\nwant: %q\nview: %#v", i, got, want, v)
		}
		if got, want := v.html(), hb.String(); got != want {
			t.Fatalf("view %d: html\n got: %q\nwant: %q\nview: %#v", i, got, want, v)
		}
	}
}

// pieces are what the random strings are made of.
var pieces = []string{
	"a", "Zoë", "中文", "😀", " ", "\n", "\t", "\x00", "\x01", "\x7f", "\xff", "\xe4\xb8",
	"<", ">", "&", "&amp;", "\"", "'", "+", "=", "%", "%2F", "%zz", "#", "?", "/", ":", ";", "@",
	"[", "]", "!", "$", "*", ",", "-", ".", "_", "~", "(", ")", "{", "}", "|", "\\", "^", "`",
	"javascript:", "JavaScript:alert(1)", "http://", "HTTPS://x.example/", "mailto:", "data:", "a/b:c",
	"<script>", "</td>", "{{.}}", "\u2028", "\uFFFD", "\ufdd0",
}

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func randomStrings(r *rand.Rand) []string {
	var s []string
	for range r.IntN(4) {
		s = append(s, randomString(r))
	}
	return s
}

func randomView(r *rand.Rand) *view {
	v := &view{Lang: randomString(r), Colon: randomString(r), Preheader: randomString(r), Heading: randomString(r),
		Paragraphs: randomStrings(r), Notes: randomStrings(r), Signature: randomString(r), Contact: randomStrings(r)}
	for range r.IntN(4) {
		v.Rows = append(v.Rows, row{Label: randomString(r), Value: randomString(r), Extra: randomString(r), URL: randomString(r)})
	}
	if r.IntN(2) == 0 {
		v.Button = &link{Label: randomString(r), URL: randomString(r)}
	}
	return v
}
