package mail

// appendQP appends src in quoted-printable (RFC 2045) to dst, exactly as
// mime/quotedprintable's Writer (not in binary mode) writes it in one
// Write and its Close: lines of at most 76 characters with soft breaks,
// CR, LF and CRLF as line ends written CRLF, '=' and bytes outside
// printable ASCII as =XX, and a space or tab at a line's end encoded.
// The Writer's byte-at-a-time buffering into its own line, flushed
// through go-message's writers, was a sixth of the CPU of composing a
// booking's messages (issue 18); TestAppendQPMatchesStdlib compares the
// two on random text.
func appendQP(dst []byte, src string) []byte {
	line := len(dst) // where the current line starts
	cr := false
	for i := 0; i < len(src); {
		b := src[i]
		switch {
		case qpPlain[b]:
			// A run of bytes written as they are, cut by soft breaks.
			j := i + 1
			for j < len(src) && qpPlain[src[j]] {
				j++
			}
			for i < j {
				room := qpMaxLen - 1 - (len(dst) - line)
				if room == 0 {
					dst = append(dst, '=', '\r', '\n')
					line, room = len(dst), qpMaxLen-1
				}
				n := min(room, j-i)
				dst = append(dst, src[i:i+n]...)
				i += n
			}
			cr = false
			continue
		case b == '\n' || b == '\r':
			if !cr || b != '\n' { // else the CRLF is written
				cr = b == '\r'
				dst, line = qpEndLine(dst, line)
			} else {
				cr = false
			}
		default:
			dst, line = qpEncode(dst, line, b) // leaves cr as it was, like the Writer
		}
		i++
	}
	if n := len(dst); n > line && (dst[n-1] == ' ' || dst[n-1] == '\t') {
		dst, _ = qpEncode(dst[:n-1], line, dst[n-1])
	}
	return dst
}

const qpMaxLen = 76

// qpPlain are the bytes written as they are (unless a space or tab ends
// a line).
var qpPlain = func() (t [256]bool) {
	for b := '!'; b <= '~'; b++ {
		t[b] = b != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()

// qpEncode appends b as =XX to the line starting at line, after a soft
// break if it would not fit.
func qpEncode(dst []byte, line int, b byte) ([]byte, int) {
	const hex = "0123456789ABCDEF"
	if qpMaxLen-1-(len(dst)-line) < 3 {
		dst = append(dst, '=', '\r', '\n')
		line = len(dst)
	}
	return append(dst, '=', hex[b>>4], hex[b&0x0f]), line
}

// qpEndLine ends the line starting at line: a space or tab at its end is
// encoded, then CRLF.
func qpEndLine(dst []byte, line int) ([]byte, int) {
	if n := len(dst); n > line && (dst[n-1] == ' ' || dst[n-1] == '\t') {
		dst, _ = qpEncode(dst[:n-1], line, dst[n-1])
	}
	dst = append(dst, '\r', '\n')
	return dst, len(dst)
}
