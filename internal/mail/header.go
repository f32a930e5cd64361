package mail

import (
	"encoding/base64"
	"net/mail"
	"strings"
	"unicode/utf8"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/mailaddr"
)

// Header fields with names and subjects are written here rather than by
// go-message, whose folding leaves a line as long as the field when its
// first encoded word does not fit after the field name (a long accented
// name made From lines of over 500 octets). RFC 5322 §2.1.1 asks for lines
// of at most 78 octets and RFC 2047 §2 for encoded words of at most 75
// characters; both hold for everything written here, except a single
// ASCII word longer than a line (a long address), which RFC 5322 lets run
// to 998.
const (
	lineLimit   = 78
	maxWordLen  = 75
	wordPrefix  = "=?UTF-8?X?" // X is Q or B
	wordSuffix  = "?="
	wordExtra   = len(wordPrefix) + len(wordSuffix)
	minWordRoom = wordExtra + 12 // fold rather than start a tiny encoded word
)

// field builds one folded header field.
type field struct {
	b     strings.Builder
	line  int // octets on the current line
	words int // words on the current line
}

func newField(name string) *field {
	f := &field{}
	f.b.WriteString(name)
	f.b.WriteByte(':')
	f.line = len(name) + 1
	return f
}

// room is how many octets fit after a space on the current line.
func (f *field) room() int { return lineLimit - f.line - 1 }

// fold starts a new line, unless the current one has no word yet.
func (f *field) fold() {
	if f.words == 0 {
		return
	}
	f.b.WriteString("\r\n")
	f.line, f.words = 0, 0
}

// word adds a space and w, on a new line if w does not fit.
func (f *field) word(w string) {
	if len(w) > f.room() {
		f.fold()
	}
	f.b.WriteByte(' ')
	f.b.WriteString(w)
	f.line += 1 + len(w)
	f.words++
}

// encoded adds text as encoded words, each as long as the line allows.
// Adjacent encoded words are joined without their separating space when
// decoded (RFC 2047 §6.2), so text may be split between any two
// characters; spaces inside it are encoded.
func (f *field) encoded(text string) {
	b := useBase64(text)
	for text != "" {
		room := min(maxWordLen, f.room())
		if room < minWordRoom || room < wordExtra+wordCost(b, text[:runeLen(text)]) {
			f.fold()
			room = min(maxWordLen, f.room())
		}
		n := fit(b, text, room-wordExtra)
		f.word(encodeWord(b, text[:n]))
		text = text[n:]
	}
}

func (f *field) bytes() []byte {
	f.b.WriteString("\r\n")
	return []byte(f.b.String())
}

// textField writes an unstructured field (Subject): printable ASCII words
// as they are, each run of other words as encoded words.
func textField(name, text string) []byte {
	f := newField(name)
	words := strings.Split(clean(text), " ")
	for i := 0; i < len(words); {
		if plainWord(words[i]) {
			f.word(words[i])
			i++
			continue
		}
		j := i + 1
		for j < len(words) && !plainWord(words[j]) {
			j++
		}
		f.encoded(strings.Join(words[i:j], " "))
		i = j
	}
	return f.bytes()
}

// addressField writes an address list field (From, To, Cc, Reply-To).
func addressField(name string, addrs []*gomail.Address) ([]byte, error) {
	f := newField(name)
	for i, a := range addrs {
		addr, err := headerAddress(a.Address)
		if err != nil {
			return nil, err
		}
		if i < len(addrs)-1 {
			addr += ","
		}
		display := strings.TrimSpace(clean(a.Name))
		switch {
		case display == "":
		case isASCII(display) && !strings.Contains(display, "=?"):
			// A name that holds "=?" is encoded whole, as the Subject's
			// words are (plainWord): readers decode what looks like an
			// encoded word even inside a quoted string, so a customer
			// could otherwise make their name read as anything.
			for _, w := range phraseWords(display) {
				f.word(w)
			}
		default:
			f.encoded(display)
		}
		f.word(addr)
	}
	return f.bytes(), nil
}

// headerAddress formats addr as an angle-addr with its domain in A-labels
// and its local part quoted where RFC 5322 needs it.
func headerAddress(addr string) (string, error) {
	a, err := mailaddr.ToASCII(strings.TrimSpace(addr))
	if err != nil {
		return "", err
	}
	return (&mail.Address{Address: a}).String(), nil
}

// phraseWords splits an ASCII display name into words: atoms as they
// are, or, when the name holds a special character, one quoted string
// split at its spaces (a quoted string may be folded there).
func phraseWords(name string) []string {
	words := strings.Split(name, " ")
	atoms := true
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if !isAtext(w[i]) {
				atoms = false
			}
		}
	}
	if atoms {
		return words
	}
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)
	words = strings.Split(q, " ")
	words[0] = `"` + words[0]
	words[len(words)-1] += `"`
	return words
}

func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// plainWord reports whether w can stand in an unstructured field as is:
// printable ASCII that a reader will not take for an encoded word.
func plainWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '!' || w[i] > '~' {
			return false
		}
	}
	return !strings.Contains(w, "=?")
}

// clean turns control characters (line breaks included) into spaces and
// drops invalid UTF-8.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return -1
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == '\u2028', r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// qSafe are the characters a Q-encoded word may hold as they are in any
// header, display names included (RFC 2047 §5 (3)).
func qSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!*+-/", c) >= 0
}

// useBase64 picks B for scripts where nearly every octet would be escaped
// (B is then a third shorter) and Q, which stays legible, for mostly Latin
// text unless B is much shorter.
func useBase64(s string) bool {
	return wordCost(true, s)*5 < wordCost(false, s)*4
}

// wordCost is the length of s once encoded (without prefix and suffix).
func wordCost(b bool, s string) int {
	if b {
		return (len(s) + 2) / 3 * 4
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if qSafe(s[i]) || s[i] == ' ' {
			n++
		} else {
			n += 3
		}
	}
	return n
}

// fit returns how many octets of s, whole characters only, encode into at
// most room characters; at least one character.
func fit(b bool, s string, room int) int {
	n := 0
	for n < len(s) {
		_, size := utf8.DecodeRuneInString(s[n:])
		if wordCost(b, s[:n+size]) > room && n > 0 {
			break
		}
		n += size
	}
	return n
}

func runeLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return n
}

func encodeWord(b bool, s string) string {
	var w strings.Builder
	if b {
		w.WriteString("=?UTF-8?B?")
		w.WriteString(base64.StdEncoding.EncodeToString([]byte(s)))
	} else {
		const hex = "0123456789ABCDEF"
		w.WriteString("=?UTF-8?Q?")
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == ' ':
				w.WriteByte('_')
			case qSafe(c):
				w.WriteByte(c)
			default:
				w.WriteByte('=')
				w.WriteByte(hex[c>>4])
				w.WriteByte(hex[c&15])
			}
		}
	}
	w.WriteString(wordSuffix)
	return w.String()
}
