package privacy

// classify says whether the digits d (ASCII, an ID's last may be X), in
// groups of the lengths g, are a number this package masks, and how many
// digits the mask keeps at the head and at the tail. plus is a + before the
// first group, paren brackets around it.
func classify(d []byte, g []int, plus, paren bool) (head, tail int, ok bool) {
	n := len(d)
	if d[n-1] == 'X' {
		return 6, 4, !plus && !paren && idCard(d, g)
	}
	if plus {
		return international(d, g, paren)
	}
	if n == 18 && !paren && idCard(d, g) {
		return 6, 4, true
	}
	if n == 11 && !paren && mobile(d, g) {
		return 3, 4, true
	}
	if h, ok := landline(d, g, paren); ok {
		return h, 4, true
	}
	if h, ok := nanp(d, g, paren); ok {
		return h, 4, true
	}
	switch {
	case hasPrefix(d, "0086"):
		if r, ok := drop(g, 4, paren); ok {
			if h, ok := national86(d[4:], r); ok {
				return 4 + h, 4, true
			}
		}
	case hasPrefix(d, "86"):
		if r, ok := drop(g, 2, paren); ok {
			if h, ok := national86(d[2:], r); ok {
				return 2 + h, 4, true
			}
		}
	case hasPrefix(d, "00") && len(g) > 1 && !paren:
		// 00 44 20 7946 0958: an international prefix, then E.164.
		if h, ok := e164(d[2:], g); ok {
			switch {
			case g[0] == 2 && len(g) > 2 && g[1] <= 3:
				h = 2 + g[1] // 00 44 20…
			case g[0] >= 3 && g[0] <= 5:
				h = g[0] // 0044 20…
			default:
				h = 2
			}
			return h, 4, true
		}
	}
	if !paren && card(d, g) {
		return 0, 4, true
	}
	return 0, 0, false
}

// international classifies what follows a +: a Chinese or North American
// number after its country code, or any E.164 number.
func international(d []byte, g []int, paren bool) (head, tail int, ok bool) {
	if paren && (len(g) < 2 || g[0] > 3) {
		return 0, 0, false // (+86) 138…: only the country code in brackets
	}
	if hasPrefix(d, "86") {
		if r, ok := drop(g, 2, paren); ok {
			if h, ok := national86(d[2:], r); ok {
				return 2 + h, 4, true
			}
		}
	}
	if d[0] == '1' {
		if r, ok := drop(g, 1, paren); ok {
			if h, ok := nanp(d[1:], r, false); ok {
				return 1 + h, 4, true
			}
		}
	}
	if h, ok := e164(d, g); ok {
		return h, 4, true
	}
	return 0, 0, false
}

// e164 accepts 8 to 15 digits not starting with 0; the head kept is the
// country code when it is a group of its own.
func e164(d []byte, g []int) (head int, ok bool) {
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return 0, false
	}
	if len(g) > 1 && g[0] <= 3 {
		return g[0], true
	}
	return 0, true
}

// national86 classifies a Chinese number written after 86: a mobile, or a
// landline whose area code dropped its 0 (10, 21, 755), or kept it.
func national86(d []byte, g []int) (head int, ok bool) {
	n := len(d)
	if n == 11 && mobile(d, g) {
		return 3, true
	}
	if n > 0 && d[0] == '0' {
		return landline(d, g, false)
	}
	if n < 9 || d[0] == '0' {
		return 0, false
	}
	area := 3
	if d[0] == '1' || d[0] == '2' {
		area = 2
	}
	if sub := n - area; sub != 8 && (area == 2 || sub != 7) {
		return 0, false
	}
	if len(g) > 1 && g[0] != area || !groupsAtLeast(g[1:], 3) {
		return 0, false
	}
	return area, true
}

// mobile: 11 digits, 1[3-9], in one run or groups of three or more.
func mobile(d []byte, g []int) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && groupsAtLeast(g, 3)
}

// landline: a Chinese number with its area code, 0 then 2 or 3 digits
// (010, 021, 0755), then 7 or 8 digits; the area code is a group of its own
// (maybe in brackets) or the number is one run. The head kept is the area
// code.
func landline(d []byte, g []int, paren bool) (head int, ok bool) {
	n := len(d)
	if n < 10 || n > 12 || d[0] != '0' || d[1] == '0' {
		return 0, false
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
	}
	if sub := n - area; sub != 8 && (area == 3 || sub != 7) {
		return 0, false
	}
	if len(g) == 1 {
		return area, !paren
	}
	return area, g[0] == area && groupsAtLeast(g[1:], 3)
}

// nanp: a North American number, NXX NXX XXXX, maybe after a 1, written
// 2125550123, 212 555 0123, (212) 555-0123, 212 5550123 or 1-212-555-0123.
func nanp(d []byte, g []int, paren bool) (head int, ok bool) {
	if len(d) == 11 && d[0] == '1' && len(g) > 1 && g[0] == 1 && !paren {
		h, ok := nanp(d[1:], g[1:], false)
		return 1 + h, ok
	}
	if len(d) != 10 || d[0] < '2' || d[3] < '2' {
		return 0, false
	}
	switch {
	case len(g) == 1:
		return 3, !paren
	case len(g) == 3 && g[0] == 3 && g[1] == 3, len(g) == 2 && g[0] == 3:
		return 3, true
	}
	return 0, false
}

// idCard: a resident ID, 17 digits and a check digit or X, whose birth
// date is plausible (19xx or 20xx, month 01–12, day 01–31); one run, or
// groups of three or more. The check digit is not verified: a mistyped
// number is still personal.
func idCard(d []byte, g []int) bool {
	if len(d) != 18 || d[0] == '0' || !groupsAtLeast(g, 3) {
		return false
	}
	for _, c := range d[:17] {
		if c == 'X' {
			return false
		}
	}
	y, m, day := string(d[6:8]), num2(d[10:12]), num2(d[12:14])
	return (y == "19" || y == "20") && m >= 1 && m <= 12 && day >= 1 && day <= 31
}

// card: a payment card, 13 to 19 digits passing the Luhn check, in one run
// or the groups cards are printed in (4 4 4 4 …, 4 6 5, 4 6 4, 6 13).
func card(d []byte, g []int) bool {
	n := len(d)
	if n < 13 || n > 19 || d[0] == '0' || !luhn(d) {
		return false
	}
	switch {
	case len(g) == 1:
		return true
	case len(g) == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4):
		return true
	case len(g) == 2 && g[0] == 6 && g[1] == n-6:
		return true
	}
	for _, l := range g[:len(g)-1] {
		if l != 4 {
			return false
		}
	}
	return len(g) >= 3 && g[len(g)-1] <= 4
}

func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

func num2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

func hasPrefix(d []byte, p string) bool { return len(d) >= len(p) && string(d[:len(p)]) == p }

// groupsAtLeast reports whether the number is one run or every group has
// at least k digits.
func groupsAtLeast(g []int, k int) bool {
	if len(g) <= 1 {
		return true
	}
	for _, l := range g {
		if l < k {
			return false
		}
	}
	return true
}

// drop returns the group lengths after the first k digits, which must be
// the first group or its start; a bracketed first group must be exactly
// them.
func drop(g []int, k int, paren bool) ([]int, bool) {
	switch {
	case len(g) == 0 || g[0] < k:
		return nil, false
	case g[0] == k:
		return g[1:], len(g) > 1
	case paren:
		return nil, false
	}
	r := make([]int, len(g))
	copy(r, g)
	r[0] -= k
	return r, true
}
