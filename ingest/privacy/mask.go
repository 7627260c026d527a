package privacy

import (
	"strings"
	"unicode/utf8"
)

// Caller is who made a report.
type Caller struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Empty reports whether c holds nothing.
func (c Caller) Empty() bool { return c.Name == "" && c.Phone == "" && c.Email == "" }

// Mask returns c with each field masked: the name keeps its first
// character, the phone its first three and last four digits
// (13812341234 -> 138****1234), the e-mail its first letter and domain.
func Mask(c Caller) Caller {
	return Caller{Name: MaskName(c.Name), Phone: MaskPhone(c.Phone), Email: MaskEmail(c.Email)}
}

// MaskName keeps the first character of a name: 张三丰 -> 张**.
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(r) + strings.Repeat("*", max(1, utf8.RuneCountInString(s[size:])))
}

// MaskPhone keeps the first three and last four digits of a number and
// replaces the digits between with stars; separators stay. A number of
// fewer than eight digits keeps only its last two.
func MaskPhone(s string) string {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	keepHead, keepTail := 3, 4
	if digits < 8 {
		keepHead, keepTail = 0, 2
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			b.WriteRune(r)
			continue
		}
		if i < keepHead || i >= digits-keepTail {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// MaskEmail keeps the first letter and the domain: zhang@example.com ->
// z***@example.com.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		if s == "" {
			return ""
		}
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***" + s[at:]
}
