package ingest

import "strings"

// HasPersonalData reports whether s, an id or a type (fields that are
// public and never masked), looks like it carries a phone number, an ID
// card number or an e-mail address: a Chinese mobile number (11 digits
// from 13 to 19, with or without 86 or +86 in front), an 18-character
// resident ID number, or an '@' between two words. Digits may be
// full-width and separated by spaces, dashes or dots. It is deliberately
// narrow so that ordinary ids (counters, timestamps, hex) pass; the
// privacy package masks free text with a wider net.
//
// Every reading's id passes through it, so it reads s once and allocates
// nothing.
func HasPersonalData(s string) bool {
	if at := strings.IndexByte(s, '@'); at > 0 && at < len(s)-1 {
		return true
	}
	var d digitRuns
	for _, r := range s {
		if d.next(r) {
			return true
		}
	}
	return d.end()
}

// digitRuns follows the runs of digits in a string, full-width ones as
// ASCII. One space, dash, dot or plus between two groups of at least two
// digits does not end a run (138-1234-5678, +86 138 1234 5678), but a
// single digit after one is a run of its own, so counters after a
// timestamp (ts-1733212345-7) do not make a phone number. A trailing X of
// an ID number counts as a digit. Only a run's length and its first four
// digits decide whether it is personal, so that is all it keeps.
type digitRuns struct {
	cur, run digitRun // the group being read; the run it may join
}

// digitRun is a run's length and its first four digits.
type digitRun struct {
	n    int
	head [4]byte
}

func (g *digitRun) digit(b byte) {
	if g.n < len(g.head) {
		g.head[g.n] = b
	}
	g.n++
}

// join appends group g to run r.
func (r *digitRun) join(g digitRun) {
	for i := 0; i < min(g.n, len(g.head)) && r.n+i < len(r.head); i++ {
		r.head[r.n+i] = g.head[i]
	}
	r.n += g.n
}

// personal reports whether the run is a mobile number, with or without 86,
// or an ID card number.
func (r digitRun) personal() bool {
	mobile := func(a, b byte) bool { return a == '1' && b >= '3' && b <= '9' }
	switch r.n {
	case 11:
		return mobile(r.head[0], r.head[1])
	case 13:
		return r.head[0] == '8' && r.head[1] == '6' && mobile(r.head[2], r.head[3])
	case 18:
		return r.head[0] >= '1' && r.head[0] <= '9'
	}
	return false
}

// next reads one rune and reports whether a run it ended is personal.
func (d *digitRuns) next(r rune) bool {
	if r >= '０' && r <= '９' {
		r = '0' + (r - '０')
	}
	switch {
	case r >= '0' && r <= '9':
		d.cur.digit(byte(r))
		return false
	case (r == 'X' || r == 'x') && d.cur.n > 0:
		d.cur.digit('0')
		return d.group() || d.brk()
	case (r == ' ' || r == '-' || r == '.' || r == '+') && d.cur.n > 0:
		return d.group()
	default:
		return d.group() || d.brk()
	}
}

// end ends the string and reports whether its last run is personal.
func (d *digitRuns) end() bool { return d.group() || d.brk() }

// group ends the current group: it joins the run or starts a new one.
func (d *digitRuns) group() bool {
	g := d.cur
	d.cur = digitRun{}
	if g.n == 0 {
		return false
	}
	if g.n < 2 || (d.run.n > 0 && d.run.n < 2) {
		p := d.run.personal()
		d.run = g
		return p
	}
	d.run.join(g)
	return false
}

// brk ends the run: what follows is not a single separator.
func (d *digitRuns) brk() bool {
	p := d.run.personal()
	d.run = digitRun{}
	return p
}
