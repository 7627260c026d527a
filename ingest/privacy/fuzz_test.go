package privacy

import (
	"bufio"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// detected returns what the scanner finds in s: the digits of each number
// and the text of each e-mail.
func detected(s string) map[string]bool {
	var sc scanner
	m := map[string]bool{}
	sc.scan(s, false)
	for sp, ok := sc.next(); ok; sp, ok = sc.next() {
		if sp.masked {
			continue
		}
		t := s[sp.start:sp.end]
		if sp.at <= sp.start {
			var d [64]byte
			n := 0
			for i := 0; i < len(t) && n < len(d); {
				if v, w := digitAt(t, i); w > 0 {
					d[n] = '0' + v
					n++
					i += w
					continue
				}
				if t[i] == 'X' || t[i] == 'x' {
					d[n] = 'X'
					n++
				}
				i++
			}
			t = string(d[:n])
		}
		m[t] = true
	}
	return m
}

// checkMasked fails t if out is not a proper masking of in: valid UTF-8
// stays valid, nothing detected in in is detected in out, and masking out
// again changes nothing.
func checkMasked(t *testing.T, in, out, again string) {
	t.Helper()
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Fatalf("%q: output %q is not valid UTF-8", in, out)
	}
	if again != out {
		t.Fatalf("%q: masked %q, masked again %q", in, out, again)
	}
}

func seedCorpus(f *testing.F, kind string) {
	file, err := os.Open(corpusFile)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		k, rest, _ := strings.Cut(sc.Text(), "\t")
		in, _, _ := strings.Cut(rest, "\t")
		if k == kind || kind == "text" && k == "url" {
			f.Add(in)
		}
	}
}

// FuzzMaskText checks that MaskText leaves nothing it finds, is idempotent,
// keeps UTF-8 valid, and agrees with HasPersonalData.
func FuzzMaskText(f *testing.F) {
	seedCorpus(f, "text")
	for _, s := range []string{
		"13800001381 2345678", "138 0000 1381 2345678", "12 4111 1111 1111 1111",
		"a@13812345678.com", "0086 138 1234 5678 2345678", "4111111111111111 13812345678",
		"+86 (138) 1234 5678", "x***@y.cn 13812345678", "1-212-555-0123-4567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkText(t, s)
		checkText(t, dense(s))
	})
}

// dense maps each byte of s to a character numbers are written with, so
// that the fuzzer's bytes make candidates more often than noise.
func dense(s string) string {
	const alphabet = "0123456789012345678913801381 - ..+()X*@a,/"
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = alphabet[int(s[i])%len(alphabet)]
	}
	return string(b)
}

func checkText(t *testing.T, s string) {
	t.Helper()
	{
		out := MaskText(s)
		checkMasked(t, s, out, MaskText(out))
		had := detected(s)
		for v := range detected(out) {
			if had[v] {
				t.Fatalf("%q: %q is still in the output %q", s, v, out)
			}
		}
		if HasPersonalData(s) != (len(had) > 0) {
			t.Fatalf("%q: HasPersonalData = %v, found %v", s, !(len(had) > 0), had)
		}
		if len(had) == 0 && out != s {
			t.Fatalf("%q: nothing found, but masked to %q", s, out)
		}
	}
}

// urlTexts returns the decoded parts of a URL as MaskURL reads them.
func urlTexts(u string) []string {
	rest, frag, _ := strings.Cut(u, "#")
	rest, query, _ := strings.Cut(rest, "?")
	var out []string
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			rest = rest[j:]
		} else {
			rest = ""
		}
	}
	for _, seg := range append(strings.Split(rest, "/"), frag) {
		if d, err := url.PathUnescape(seg); err == nil {
			out = append(out, d)
		}
	}
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if d, err := url.QueryUnescape(k); err == nil {
			out = append(out, d)
		}
		if d, err := url.QueryUnescape(v); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// FuzzMaskURL checks MaskURL on the fuzzer's URL as written, and on one
// carrying the fuzzer's text in a path segment, a query value and the
// fragment: idempotent, UTF-8 kept, and nothing found in the text is found
// in the decoded parts of the output.
func FuzzMaskURL(f *testing.F) {
	seedCorpus(f, "url")
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskURL(s)
		checkMasked(t, s, out, MaskURL(out))
		u := "https://media.example.test/p/" + url.PathEscape(s) + "?a=1&q=" + url.QueryEscape(s) + "#" + url.PathEscape(s)
		out = MaskURL(u)
		checkMasked(t, u, out, MaskURL(out))
		had := detected(s)
		for _, part := range urlTexts(out) {
			for v := range detected(part) {
				if had[v] {
					t.Fatalf("%q: %q is still in the output %q", s, v, out)
				}
			}
		}
	})
}

// TestMaskDense runs the FuzzMaskText checks on strings drawn from a fixed
// seed, dense in digits and separators, so every test run covers many
// candidates the fuzzer would take long to find.
func TestMaskDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 311))
	b := make([]byte, 40)
	for range 20000 {
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		checkText(t, dense(string(b[:1+rng.IntN(len(b))])))
		checkText(t, denseWide(string(b[:1+rng.IntN(len(b))])))
	}
}

// denseWide is dense with full-width digits and punctuation among the
// ASCII ones.
func denseWide(s string) string {
	tokens := [...]string{"1", "3", "8", "0", "5", "9", "１", "３", "８", "０", "５", "９",
		" ", "-", "－", "\u3000", "\u00a0", "＋", "+", "（", "）", "(", ")", "*", "X", "＠", "@", "a", "。"}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString(tokens[int(s[i])%len(tokens)])
	}
	return b.String()
}
