package mail

import "strings"

// The messages' two bodies are written here directly, not through
// text/template and html/template: executing the two templates (by
// reflection, with html/template's escapers called through it) was a
// quarter of the CPU of rendering a booking's e-mails, which runs for every
// booking (issue 18). The markup is what the templates in
// testdata/templates wrote, and TestViewMatchesTemplates runs those
// templates on thousands of random views, hostile text and URLs included,
// and requires the same bytes from these writers. To change the look of
// the e-mails, change both, or the test fails.

// text is the text/plain body of v.
func (v *view) text() string {
	var b strings.Builder
	b.Grow(v.size() + 256)
	b.WriteString(v.Heading)
	b.WriteByte('\n')
	for _, p := range v.Paragraphs {
		b.WriteByte('\n')
		b.WriteString(p)
		b.WriteByte('\n')
	}
	if len(v.Rows) > 0 {
		b.WriteByte('\n')
		for _, r := range v.Rows {
			b.WriteString(r.Label)
			b.WriteString(v.Colon)
			b.WriteString(r.Value)
			if r.Extra != "" {
				b.WriteString("\n    ")
				b.WriteString(r.Extra)
			}
			b.WriteByte('\n')
		}
	}
	if v.Button != nil {
		b.WriteByte('\n')
		b.WriteString(v.Button.Label)
		b.WriteString(v.Colon)
		b.WriteString(v.Button.URL)
		b.WriteByte('\n')
	}
	for _, n := range v.Notes {
		b.WriteByte('\n')
		b.WriteString(n)
		b.WriteByte('\n')
	}
	b.WriteString("\n--\n")
	b.WriteString(v.Signature)
	for _, c := range v.Contact {
		b.WriteByte('\n')
		b.WriteString(c)
	}
	b.WriteByte('\n')
	return b.String()
}

// size is the length of v's words, to size the bodies' buffers.
func (v *view) size() int {
	n := len(v.Lang) + len(v.Preheader) + 2*len(v.Heading) + 2*len(v.Signature)
	for _, p := range v.Paragraphs {
		n += len(p)
	}
	for _, r := range v.Rows {
		n += len(r.Label) + len(r.Value) + len(r.Extra) + len(r.URL)
	}
	if v.Button != nil {
		n += len(v.Button.Label) + len(v.Button.URL)
	}
	for _, s := range v.Notes {
		n += len(s)
	}
	for _, s := range v.Contact {
		n += len(s)
	}
	return n
}

// The HTML body's fixed markup, between the escaped values.
const (
	htmlHead      = "<!DOCTYPE html>\n<html lang=\""
	htmlMeta      = "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
	htmlBody      = "</title>\n</head>\n<body style=\"margin:0;padding:0;background:#f6f3ee;\">\n<div style=\"display:none;max-height:0;overflow:hidden;\">"
	htmlCard      = "</div>\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f6f3ee;\">\n<tr><td align=\"center\" style=\"padding:32px 16px;\">\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:560px;background:#ffffff;border:1px solid #e7e0d5;\">\n<tr><td style=\"padding:28px 36px 8px;font-family:Georgia,'Times New Roman',serif;font-size:13px;letter-spacing:3px;text-transform:uppercase;color:#9a7b4f;\">"
	htmlHeading   = "</td></tr>\n<tr><td style=\"padding:8px 36px 0;font-family:Georgia,'Times New Roman',serif;font-size:24px;line-height:1.3;color:#2b2620;\">"
	htmlCellEnd   = "</td></tr>"
	htmlParagraph = "\n<tr><td style=\"padding:16px 36px 0;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.6;color:#4a443c;\">"
	htmlRows      = "\n<tr><td style=\"padding:24px 36px 0;\">\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-top:1px solid #e7e0d5;\">"
	htmlRowLabel  = "\n<tr>\n<td valign=\"top\" style=\"padding:10px 12px 10px 0;width:120px;font-family:Helvetica,Arial,sans-serif;font-size:12px;letter-spacing:1px;text-transform:uppercase;color:#9a7b4f;border-bottom:1px solid #e7e0d5;\">"
	htmlRowValue  = "</td>\n<td valign=\"top\" style=\"padding:10px 0;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#2b2620;border-bottom:1px solid #e7e0d5;\">"
	htmlRowLink   = "<a href=\""
	htmlRowLinkTo = "\" style=\"color:#2b2620;\">"
	htmlLinkEnd   = "</a>"
	htmlRowExtra  = "<br><span style=\"font-size:13px;color:#7a7268;\">"
	htmlRowEnd    = "</span>"
	htmlRowClose  = "</td>\n</tr>"
	htmlRowsEnd   = "\n</table>\n</td></tr>"
	htmlButton    = "\n<tr><td style=\"padding:28px 36px 0;\">\n<a href=\""
	htmlButtonTo  = "\" style=\"display:inline-block;padding:12px 24px;background:#2b2620;color:#ffffff;font-family:Helvetica,Arial,sans-serif;font-size:14px;letter-spacing:1px;text-decoration:none;\">"
	htmlButtonEnd = "</a>\n</td></tr>"
	htmlNote      = "\n<tr><td style=\"padding:16px 36px 0;font-family:Helvetica,Arial,sans-serif;font-size:13px;line-height:1.6;color:#7a7268;\">"
	htmlFooter    = "\n<tr><td style=\"padding:28px 36px 28px;font-family:Helvetica,Arial,sans-serif;font-size:12px;line-height:1.6;color:#9a9186;\">\n"
	htmlBreak     = "<br>"
	htmlEnd       = "\n</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n"
)

// html is the text/html body of v, escaped as html/template escapes it:
// text and attribute values by escapeHTML, link targets by escapeURL.
func (v *view) html() string {
	var b strings.Builder
	b.Grow(v.size() + 4096)
	b.WriteString(htmlHead)
	if v.Lang != "" {
		escapeHTML(&b, v.Lang)
	} else {
		b.WriteString("en")
	}
	b.WriteString(htmlMeta)
	escapeHTML(&b, v.Heading)
	b.WriteString(htmlBody)
	escapeHTML(&b, v.Preheader)
	b.WriteString(htmlCard)
	escapeHTML(&b, v.Signature)
	b.WriteString(htmlHeading)
	escapeHTML(&b, v.Heading)
	b.WriteString(htmlCellEnd)
	for _, p := range v.Paragraphs {
		b.WriteString(htmlParagraph)
		escapeHTML(&b, p)
		b.WriteString(htmlCellEnd)
	}
	if len(v.Rows) > 0 {
		b.WriteString(htmlRows)
		for _, r := range v.Rows {
			b.WriteString(htmlRowLabel)
			escapeHTML(&b, r.Label)
			b.WriteString(htmlRowValue)
			if r.URL != "" {
				b.WriteString(htmlRowLink)
				escapeURL(&b, r.URL)
				b.WriteString(htmlRowLinkTo)
				escapeHTML(&b, r.Value)
				b.WriteString(htmlLinkEnd)
			} else {
				escapeHTML(&b, r.Value)
			}
			if r.Extra != "" {
				b.WriteString(htmlRowExtra)
				escapeHTML(&b, r.Extra)
				b.WriteString(htmlRowEnd)
			}
			b.WriteString(htmlRowClose)
		}
		b.WriteString(htmlRowsEnd)
	}
	if v.Button != nil {
		b.WriteString(htmlButton)
		escapeURL(&b, v.Button.URL)
		b.WriteString(htmlButtonTo)
		escapeHTML(&b, v.Button.Label)
		b.WriteString(htmlButtonEnd)
	}
	for _, n := range v.Notes {
		b.WriteString(htmlNote)
		escapeHTML(&b, n)
		b.WriteString(htmlCellEnd)
	}
	b.WriteString(htmlFooter)
	escapeHTML(&b, v.Signature)
	for _, c := range v.Contact {
		b.WriteString(htmlBreak)
		escapeHTML(&b, c)
	}
	b.WriteString(htmlEnd)
	return b.String()
}

// escapeHTML writes s as html/template writes a string in text, in
// RCDATA (the title) and in a quoted attribute: NUL as U+FFFD, and the
// five characters that could end or open markup, and '+', as references.
// Other bytes, invalid UTF-8 included, pass as they are.
func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// escapeURL writes s as html/template writes a whole href value: a URL
// with a scheme other than http, https or mailto becomes "#ZgotmplZ";
// otherwise every byte outside RFC 3986's unreserved and reserved sets is
// percent-encoded (a valid %xx kept), and the result escaped for the
// attribute.
func escapeURL(b *strings.Builder, s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		b.WriteString("#ZgotmplZ")
		return
	}
	const hex = "0123456789abcdef"
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$*,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		case c == '&':
			b.WriteString(s[last:i])
			b.WriteString("&amp;")
		case c == '+':
			b.WriteString(s[last:i])
			b.WriteString("&#43;")
		default:
			b.WriteString(s[last:i])
			b.Write([]byte{'%', hex[c>>4], hex[c&15]})
		}
		last = i + 1
	}
	b.WriteString(s[last:])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
