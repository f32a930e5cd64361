package i18n

import "strings"

// Problem is the words of an error a customer reads (a page's notice, the
// API's problem detail) in l. The domain's own message (english) is
// English and names the particulars ("the atelier is closed at 20:30 on
// Saturday 12 December"); another language says the same in its own words
// by the error's code and, for a time that cannot be booked, its reason
// (booking.Reason*), falling back to the code's general words.
func (l *Lang) Problem(code, reason, english string) string {
	if l.name == Default {
		return english
	}
	if reason != "" {
		if s := l.lookup("problem.reason." + reason); s != "" {
			return s
		}
	}
	if s := l.lookup("problem.code." + code); s != "" {
		return s
	}
	return l.T("problem.code.other")
}

// Field is a field error's words in l: the domain's English message, or
// the field's general words in another language.
func (l *Lang) Field(field, english string) string {
	if l.name == Default {
		return english
	}
	if s := l.lookup("problem.field." + strings.ReplaceAll(field, ".", "_")); s != "" {
		return s
	}
	return l.T("problem.field.other")
}

// lookup is the message id, or "" when the catalogue has none.
func (l *Lang) lookup(id string) string {
	if s := l.T(id); !strings.HasPrefix(s, "[") {
		return s
	}
	return ""
}
