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
func HasPersonalData(s string) bool {
	if at := strings.IndexByte(s, '@'); at > 0 && at < len(s)-1 {
		return true
	}
	for _, run := range digitRuns(s) {
		n := len(run)
		switch {
		case n == 11 && mobile(run):
			return true
		case n == 13 && strings.HasPrefix(run, "86") && mobile(run[2:]):
			return true
		case n == 18 && idCard(run):
			return true
		}
	}
	return false
}

func mobile(d string) bool { return d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

// idCard: 17 digits and a check digit or X, the first two a province code.
func idCard(d string) bool { return d[0] >= '1' && d[0] <= '9' }

// digitRuns returns the runs of digits in s, full-width ones as ASCII. One
// space, dash, dot or plus between two groups of at least two digits does
// not end a run (138-1234-5678, +86 138 1234 5678), but a single digit after
// one is a run of its own, so counters after a timestamp (ts-1733212345-7)
// do not make a phone number. A trailing X of an ID number counts as a
// digit.
func digitRuns(s string) []string {
	var groups []string // digit groups; "" marks a break that is not a single separator
	var cur []byte
	for _, r := range s {
		if r >= '０' && r <= '９' {
			r = '0' + (r - '０')
		}
		switch {
		case r >= '0' && r <= '9':
			cur = append(cur, byte(r))
			continue
		case (r == 'X' || r == 'x') && len(cur) > 0:
			cur = append(cur, '0')
			groups = append(groups, string(cur), "")
		case (r == ' ' || r == '-' || r == '.' || r == '+') && len(cur) > 0:
			groups = append(groups, string(cur))
		default:
			if len(cur) > 0 {
				groups = append(groups, string(cur))
			}
			groups = append(groups, "")
		}
		cur = cur[:0:0]
	}
	if len(cur) > 0 {
		groups = append(groups, string(cur))
	}
	var runs []string
	run := ""
	for _, g := range groups {
		switch {
		case g == "":
			if run != "" {
				runs = append(runs, run)
			}
			run = ""
		case len(g) < 2 || (run != "" && len(run) < 2):
			if run != "" {
				runs = append(runs, run)
			}
			run = g
		default:
			run += g
		}
	}
	if run != "" {
		runs = append(runs, run)
	}
	return runs
}
