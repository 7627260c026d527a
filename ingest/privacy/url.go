package privacy

import (
	"net/url"
	"strings"
)

// MaskURL masks the personal data in a URL, such as an Open311 media_url:
// in the user information, each path segment, each query key and value and
// the fragment, each read with its percent-escapes (and, in the query, +)
// decoded. A part that MaskText changes is written back escaped, with its
// stars left as *; a part it leaves alone stays byte for byte, so MaskURL
// is idempotent. The scheme and host are kept: a host name or address is
// not a caller's.
func MaskURL(raw string) string {
	if !mayHold(raw) {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw) + 16)
	rest, frag, hasFrag := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	path := rest
	if i := strings.Index(rest, "://"); i >= 0 {
		auth := rest[i+3:]
		j := strings.IndexByte(auth, '/')
		if j < 0 {
			j = len(auth)
		}
		path = auth[j:]
		auth = auth[:j]
		b.WriteString(rest[:i+3])
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			user, pass, colon := strings.Cut(auth[:at], ":")
			b.WriteString(maskPart(user, pathUnescape, userEscape))
			if colon {
				b.WriteByte(':')
				b.WriteString(maskPart(pass, pathUnescape, userEscape))
			}
			auth = auth[at:]
		}
		b.WriteString(auth)
	}
	for k, seg := range strings.Split(path, "/") {
		if k > 0 {
			b.WriteByte('/')
		}
		b.WriteString(maskPart(seg, pathUnescape, url.PathEscape))
	}
	if hasQuery {
		b.WriteByte('?')
		for k, kv := range strings.Split(query, "&") {
			if k > 0 {
				b.WriteByte('&')
			}
			key, val, eq := strings.Cut(kv, "=")
			b.WriteString(maskPart(key, url.QueryUnescape, url.QueryEscape))
			if eq {
				b.WriteByte('=')
				b.WriteString(maskPart(val, url.QueryUnescape, url.QueryEscape))
			}
		}
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(maskPart(frag, pathUnescape, url.PathEscape))
	}
	return b.String()
}

// mayHold reports whether s has a digit, an @ or an escape: without one,
// nothing in it is masked.
func mayHold(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || c == '@' || c == '%' || c == 0xEF {
			return true
		}
	}
	return false
}

// maskPart masks one part of a URL as decoded; a part that does not decode
// is masked as written.
func maskPart(p string, unescape func(string) (string, error), escape func(string) string) string {
	if !mayHold(p) {
		return p
	}
	dec, err := unescape(p)
	if err != nil {
		return MaskText(p)
	}
	m := MaskText(dec)
	if m == dec {
		return p
	}
	return strings.ReplaceAll(escape(m), "%2A", "*")
}

func pathUnescape(s string) (string, error) { return url.PathUnescape(s) }

// userEscape escapes a user name or password, where : has meaning.
func userEscape(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}
