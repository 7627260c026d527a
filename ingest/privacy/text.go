package privacy

import (
	"strings"
	"unicode/utf8"

	"github.com/cityops/cityops"
)

// MaskText masks the personal data in free text, in the format of Mask: a
// phone number keeps its first three and last four digits (13812345678 ->
// 138****5678, 212-555-0143 -> 212-***-0143), after its country code and,
// for a landline, its whole area code (010-****5678); an ID number keeps its
// region and last four (110101********1234); a card number its last four;
// an e-mail its first character and domain (z***@example.com). Separators
// and full-width digits stay as written; each masked digit becomes one *.
// The package documentation lists what is found and what is not. Masking
// happens at intake, so no topic, table or screen downstream ever holds the
// original. Masking is idempotent: MaskText(MaskText(s)) == MaskText(s).
func MaskText(s string) string {
	var sc scanner
	sc.scan(s, false)
	sp, ok := sc.next()
	if !ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for ; ok; sp, ok = sc.next() {
		b.WriteString(s[last:sp.start])
		if sp.at > sp.start {
			_, w := utf8.DecodeRuneInString(s[sp.start:])
			b.WriteString(s[sp.start : sp.start+w])
			b.WriteString("***")
			b.WriteString(s[sp.at:sp.end])
		} else {
			maskDigits(&b, s[sp.start:sp.end], sp)
		}
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskDigits writes t with its digits but the first sp.head and last
// sp.tail replaced by *.
func maskDigits(b *strings.Builder, t string, sp span) {
	k := 0
	for i := 0; i < len(t); {
		_, w := digitAt(t, i)
		if w == 0 && (t[i] == 'X' || t[i] == 'x') && i == len(t)-1 {
			w = 1
		}
		if w == 0 {
			b.WriteByte(t[i])
			i++
			continue
		}
		if k < sp.head || k >= sp.digits-sp.tail {
			b.WriteString(t[i : i+w])
		} else {
			b.WriteByte('*')
		}
		k++
		i += w
	}
}

// HasPersonalData reports whether s holds anything MaskText would mask.
// Intake refuses ids and types that do, rather than change them.
func HasPersonalData(s string) bool {
	var sc scanner
	sc.scan(s, true)
	for sp, ok := sc.next(); ok; sp, ok = sc.next() {
		if !sp.masked {
			return true
		}
	}
	return false
}

// MaskEvent masks every free-text field of an event in place: the text, the
// reporter's type, the unit and the device id. The event's id is left alone:
// intake refuses ids that carry personal data rather than change them.
func MaskEvent(ev *cityops.Event) {
	ev.Text = MaskText(ev.Text)
	ev.Type = MaskText(ev.Type)
	ev.Unit = MaskText(ev.Unit)
	ev.DeviceID = MaskText(ev.DeviceID)
}
