package privacy

// The scanner reads a text once, left to right. It first marks the e-mail
// addresses (around each @), then reads every other run of digits as part
// of a candidate: digit groups joined by single separators, with an
// optional + or ( before the first. It then looks, from the left and
// longest first, for consecutive groups that make one of the numbers it
// knows (classify), and masks their middle digits.

// span is a piece of personal data in a text: bytes [start, end). An
// e-mail has at > start (the offset of its @); a number has digits digits
// (an ID's X included), of which the first head and the last tail stay.
type span struct {
	start, end int
	at         int
	digits     int
	head, tail int
	masked     bool // an e-mail masked already: z***@example.com
}

// maxGroups bounds the groups of one candidate, and maxRun the digits of
// one group: no number this package knows has a longer group.
const (
	maxGroups = 16
	maxRun    = 19
	maxKept   = 7 // the most digits a mask keeps together (0086 138)
	minDigits = 8 // the fewest digits of a number this package knows
)

type group struct {
	start, end int // bytes, from the first digit to after the last (or the X)
	n          int // digits, X included
	x          bool
}

// spans is a list of spans that lives on the stack while it is short.
type spans struct {
	arr  [6]span
	n    int
	more []span
}

func (l *spans) add(sp span) {
	if l.n < len(l.arr) {
		l.arr[l.n] = sp
	} else {
		l.more = append(l.more, sp)
	}
	l.n++
}

func (l *spans) at(i int) span {
	if i < len(l.arr) {
		return l.arr[i]
	}
	return l.more[i-len(l.arr)]
}

type scanner struct {
	s      string
	first  bool // stop at the first span
	emails spans
	nums   spans
	ei, ni int // the next of each, for next
}

// scan finds the spans of s; with first, it stops at the first that is
// not a masked e-mail.
func (sc *scanner) scan(s string, first bool) {
	sc.s, sc.first = s, first
	sc.findEmails()
	if first {
		for i := range sc.emails.n {
			if !sc.emails.at(i).masked {
				return
			}
		}
	}
	ei := 0
	for i := 0; i < len(s); {
		if c := s[i]; (c < '0' || c > '9') && c != 0xEF {
			i++
			continue
		}
		if ei < sc.emails.n && i >= sc.emails.at(ei).start {
			i = max(i, sc.emails.at(ei).end)
			ei++
			continue
		}
		if _, w := digitAt(s, i); w > 0 {
			limit := len(s)
			if ei < sc.emails.n {
				limit = sc.emails.at(ei).start
			}
			i = sc.number(i, limit)
			if first && sc.nums.n > 0 {
				return
			}
			continue
		}
		i++
	}
}

// next returns the spans scan found, in order.
func (sc *scanner) next() (span, bool) {
	switch {
	case sc.ei < sc.emails.n && (sc.ni == sc.nums.n || sc.emails.at(sc.ei).start < sc.nums.at(sc.ni).start):
		sc.ei++
		return sc.emails.at(sc.ei - 1), true
	case sc.ni < sc.nums.n:
		sc.ni++
		return sc.nums.at(sc.ni - 1), true
	}
	return span{}, false
}

// digitAt returns the value of the digit at s[i] (ASCII or full-width) and
// its width in bytes, or width 0.
func digitAt(s string, i int) (byte, int) {
	c := s[i]
	if c >= '0' && c <= '9' {
		return c - '0', 1
	}
	// U+FF10..U+FF19 is EF BC 90..99.
	if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99 {
		return s[i+2] - 0x90, 3
	}
	return 0, 0
}

func isDigit(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	_, w := digitAt(s, i)
	return w > 0
}

// sepAt returns the width of a group separator at s[i], or 0: space, -, .,
// no-break space, ideographic space, full-width hyphen.
func sepAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch c := s[i]; {
	case c == ' ' || c == '-' || c == '.':
		return 1
	case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0:
		return 2
	case c == 0xE3 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80:
		return 3
	case c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] == 0x8D:
		return 3
	}
	return 0
}

// fullWidth reports whether s[i:] starts with the full-width form of the
// ASCII punctuation c (+, ( or )), U+FF01..U+FF5E being EF BC 81..EF BD 9E.
func fullWidth(s string, i int, c byte) bool {
	return i+2 < len(s) && s[i] == 0xEF && s[i+1] == 0xBC && s[i+2] == 0x80+(c-0x20)
}

// punctAt returns the width of c or its full-width form at s[i], or 0.
func punctAt(s string, i int, c byte) int {
	switch {
	case i >= len(s) || i < 0:
		return 0
	case s[i] == c:
		return 1
	case fullWidth(s, i, c):
		return 3
	}
	return 0
}

// punctBefore returns the width of c or its full-width form ending at
// s[:i], or 0.
func punctBefore(s string, i int, c byte) int {
	if i >= 1 && s[i-1] == c {
		return 1
	}
	if i >= 3 && fullWidth(s, i-3, c) {
		return 3
	}
	return 0
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// starNear reports whether a * touches s at i, directly or across one
// separator; back looks before i, otherwise at and after i.
func starNear(s string, i int, back bool) bool {
	if back {
		if i >= 1 && s[i-1] == '*' {
			return true
		}
		for _, w := range [...]int{1, 2, 3} {
			if i-w >= 1 && sepAt(s, i-w) == w && s[i-w-1] == '*' {
				return true
			}
		}
		return false
	}
	if i < len(s) && s[i] == '*' {
		return true
	}
	w := sepAt(s, i)
	return w > 0 && i+w < len(s) && s[i+w] == '*'
}

// run reads the digits from i: the group, and whether it can be part of a
// number. A group cannot when it is glued to a letter, digit or _ (an
// identifier such as an H3 cell or a file name), longer than maxRun, or a
// short group touching a * (what a mask kept, so masking is idempotent).
func (sc *scanner) run(i int) (group, bool) {
	s := sc.s
	g := group{start: i}
	for i < len(s) {
		_, w := digitAt(s, i)
		if w == 0 {
			break
		}
		g.n++
		i += w
	}
	if i < len(s) && (s[i] == 'X' || s[i] == 'x') && (i+1 == len(s) || !isWord(s[i+1])) {
		g.x = true
		g.n++
		i++
	}
	g.end = i
	ok := g.n <= maxRun && (i == len(s) || !isWord(s[i]))
	if ok && g.n <= maxKept && (starNear(s, g.start, true) || starNear(s, g.end, false)) {
		ok = false
	}
	return g, ok
}

// number reads the candidate whose first digit is at p, records the
// numbers in it, and returns where scanning goes on. Groups start before
// limit, where an e-mail begins.
func (sc *scanner) number(p, limit int) int {
	s := sc.s
	start := p
	plus, paren := false, false
	if w := punctBefore(s, p, '+'); w > 0 {
		plus, start = true, p-w
		if w := punctBefore(s, start, '('); w > 0 {
			paren, start = true, start-w
		}
	} else if w := punctBefore(s, p, '('); w > 0 {
		paren, start = true, p-w
	}
	if start < p && start > 0 && s[start-1] >= '0' && s[start-1] <= '9' {
		plus, paren, start = false, false, p // 3+13812345678: a sum
	}
	if start == p && p > 0 && isWord(s[p-1]) {
		g, _ := sc.run(p)
		return g.end // glued to a word: part of an identifier
	}
	var gs [maxGroups]group
	n := 0
	i := p
	for {
		g, ok := sc.run(i)
		if !ok {
			if n == 0 {
				return g.end
			}
			break
		}
		gs[n] = g
		n++
		i = g.end
		if g.x || n == maxGroups {
			break
		}
		if paren && n == 1 {
			w := punctAt(s, i, ')')
			if w == 0 {
				paren = false
				start = p
				if plus {
					start = p - punctBefore(s, p, '+')
				}
			} else {
				i += w
				if i < limit && isDigit(s, i) {
					continue
				}
			}
		}
		w := sepAt(s, i)
		if w == 0 || i+w >= limit {
			break
		}
		if !isDigit(s, i+w) {
			break
		}
		i += w
	}
	if paren && n == 1 { // (13812345678): brackets around the whole
		paren, start = false, p
		if plus {
			start = p - punctBefore(s, p, '+')
		}
	}
	sc.match(gs[:n], start, plus, paren)
	return gs[n-1].end
}

// match records the numbers among the groups gs of one candidate: from the
// left, the longest run of groups that classify says is a number.
func (sc *scanner) match(gs []group, start int, plus, paren bool) {
	var d [maxGroups * maxRun]byte
	var lens [maxGroups]int
	for i := 0; i < len(gs); {
		found := false
		for j := len(gs); j > i; j-- {
			nd := 0
			for k := i; k < j; k++ {
				nd += gs[k].n
			}
			if nd > maxRun || nd < minDigits || gs[j-1].x && nd != 18 {
				continue
			}
			nd = 0
			for k := i; k < j; k++ {
				lens[k-i] = gs[k].n
				nd += sc.digits(gs[k], d[nd:])
			}
			head, tail, ok := classify(d[:nd], lens[:j-i], i == 0 && plus, i == 0 && paren)
			if !ok {
				continue
			}
			from := gs[i].start
			if i == 0 {
				from = start
			}
			sc.nums.add(span{start: from, end: gs[j-1].end, digits: nd, head: head, tail: tail})
			found = true
			i = j
			break
		}
		if sc.first && sc.nums.n > 0 {
			return
		}
		if !found {
			i++
		}
	}
}

// digits writes the ASCII digits of g (and its X) to d.
func (sc *scanner) digits(g group, d []byte) int {
	n := 0
	for i := g.start; i < g.end; {
		v, w := digitAt(sc.s, i)
		if w == 0 { // the X
			d[n] = 'X'
			n++
			break
		}
		d[n] = '0' + v
		n++
		i += w
	}
	return n
}

// findEmails marks the e-mail addresses: a local part of letters, digits
// and ._%+-* (a masked one has stars), an @ or ＠, and a domain of at least
// two labels whose last is two or more letters.
func (sc *scanner) findEmails() {
	s := sc.s
	for i := 0; i < len(s); i++ {
		aw := 0
		switch {
		case s[i] == '@':
			aw = 1
		case s[i] == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] == 0xA0:
			aw = 3
		default:
			continue
		}
		lo := i
		for lo > 0 && isLocal(s[lo-1]) {
			lo--
		}
		if sc.emails.n > 0 && lo < sc.emails.at(sc.emails.n-1).end {
			lo = sc.emails.at(sc.emails.n - 1).end
		}
		hi := i + aw
		for hi < len(s) && (isWord(s[hi]) && s[hi] != '_' || s[hi] == '.' || s[hi] == '-') {
			hi++
		}
		end := domainEnd(s[i+aw : hi])
		if lo == i || end == 0 {
			i = hi - 1
			continue
		}
		masked := i-lo == 4 && s[lo+1:i] == "***"
		sc.emails.add(span{start: lo, end: i + aw + end, at: i, masked: masked})
		if sc.first && !masked {
			return
		}
		i = i + aw + end - 1
	}
}

func isLocal(c byte) bool {
	return isWord(c) || c == '.' || c == '%' || c == '+' || c == '-' || c == '*'
}

// domainEnd returns the length of the longest prefix of d that is a domain
// of two or more labels ending in a label of two or more letters, or 0.
func domainEnd(d string) int {
	for len(d) > 0 {
		dot := -1
		for i := len(d) - 1; i >= 0; i-- {
			if d[i] == '.' {
				dot = i
				break
			}
		}
		if dot <= 0 {
			return 0
		}
		tld := d[dot+1:]
		ok := len(tld) >= 2
		for i := 0; i < len(tld) && ok; i++ {
			c := tld[i] | 0x20
			ok = c >= 'a' && c <= 'z'
		}
		if ok && d[dot-1] != '.' && d[0] != '.' && d[0] != '-' {
			return len(d)
		}
		d = d[:dot]
	}
	return 0
}
