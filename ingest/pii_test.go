package ingest

import (
	"strings"
	"testing"
)

// FuzzHasPersonalData checks HasPersonalData against personalReference, the
// same rules written plainly: split into digit groups, join them into runs,
// test each run.
func FuzzHasPersonalData(f *testing.F) {
	for _, s := range []string{
		"13812345678", "call-138-1234-5678", "+8613812345678", "８６１３８１２３４５６７８",
		"11010519491231002X", "110105 19491231 002X", "ts-1733212345-7", "1-3812345678",
		"12 345 678 901", "86-13812345678", "1733212345678901234", "rd-water-001-1733212345678",
		"x13812345678x", "138--1234-5678", "138 1234 5678 9", "1381234567x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := HasPersonalData(s), personalReference(s); got != want {
			t.Fatalf("HasPersonalData(%q) = %v, the plain rules say %v", s, got, want)
		}
	})
}

func personalReference(s string) bool {
	if at := strings.IndexByte(s, '@'); at > 0 && at < len(s)-1 {
		return true
	}
	var groups []string // "" marks a break that is not a single separator
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
			groups = append(groups, string(cur)+"0", "")
		case (r == ' ' || r == '-' || r == '.' || r == '+') && len(cur) > 0:
			groups = append(groups, string(cur))
		default:
			if len(cur) > 0 {
				groups = append(groups, string(cur))
			}
			groups = append(groups, "")
		}
		cur = nil
	}
	groups = append(groups, string(cur), "")
	mobile := func(d string) bool { return d[0] == '1' && d[1] >= '3' && d[1] <= '9' }
	personal := func(run string) bool {
		switch n := len(run); {
		case n == 11:
			return mobile(run)
		case n == 13:
			return strings.HasPrefix(run, "86") && mobile(run[2:])
		case n == 18:
			return run[0] >= '1' && run[0] <= '9'
		}
		return false
	}
	run := ""
	for _, g := range groups {
		switch {
		case g == "":
			if personal(run) {
				return true
			}
			run = ""
		case len(g) < 2 || (run != "" && len(run) < 2):
			if personal(run) {
				return true
			}
			run = g
		default:
			run += g
		}
	}
	return false
}

func BenchmarkHasPersonalData(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		HasPersonalData("ld-mx7elsjc-water-0042-1733212345678")
	}
}
