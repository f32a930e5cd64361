package mail

import (
	"bytes"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// TestAppendQPMatchesStdlib encodes random text, with the line ends,
// trailing spaces, '=' signs, long lines and non-ASCII bytes that the
// encoding treats apart, through appendQP and mime/quotedprintable, and
// requires the same bytes.
func TestAppendQPMatchesStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 76))
	parts := []string{"a", "word ", " ", "\t", "\n", "\r", "\r\n", "=", "==", "é", "中", "\x00", "\x7f", "\xff", "~", "!",
		strings.Repeat("x", 70), strings.Repeat("y", 75), strings.Repeat("z", 76), strings.Repeat("é", 30), " \n", "\t\r\n", " =\n"}
	for i := range 20000 {
		var s strings.Builder
		for range r.IntN(40) {
			s.WriteString(parts[r.IntN(len(parts))])
		}
		var want bytes.Buffer
		w := quotedprintable.NewWriter(&want)
		w.Write([]byte(s.String()))
		w.Close()
		prefix := []byte("kept")
		got := appendQP(prefix, s.String())
		if !bytes.Equal(got[4:], want.Bytes()) || string(got[:4]) != "kept" {
			t.Fatalf("text %d %q:\n got: %q\nwant: %q", i, s.String(), got[4:], want.Bytes())
		}
	}
}

func BenchmarkQP(b *testing.B) {
	body := strings.Repeat(`<tr><td style="padding:16px 36px 0;font-family:Helvetica,Arial,sans-serif;font-size:15px;">Zoë's booking – 10:00</td></tr>`+"\n", 40)
	b.Run("stdlib", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			w := quotedprintable.NewWriter(&buf)
			w.Write([]byte(body))
			w.Close()
		}
	})
	b.Run("appendQP", func(b *testing.B) {
		var dst []byte
		for b.Loop() {
			dst = appendQP(dst[:0], body)
		}
	})
}
