package learn

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/cityops/cityops"
)

// Rules for request types never seen in training. A city adds request
// types over the years; without these rules a new type falls back to the
// city-wide department. The nearest evidence is usually in the type's name:
// its code prefix ("PW-104" after "PW-101"), its leading words ("Noise -
// Park" after "Noise - Residential"), a word it shares with seen types
// ("Illegal Tree Damage" after "Dead Tree"), or the way it is written: a
// department that names its types in capitals (NYC's housing department:
// "HEAT/HOT WATER", "PLUMBING") names its new ones so too ("APPLIANCE").
//
// Each becomes a near.* rule with no type, below every type's own rule, so
// that it only decides for a type no rule names. A longer shared prefix
// wins over a shorter one, and any prefix over a shared word.
const (
	nearPrefixPriority = -1000 // + 10 per shared word, + characters of a shared code prefix (at most 9)
	nearWordPriority   = -2000 // + the word's (or the style's) share of its majority department, in percent
	minWordShare       = 0.6   // the least share of its majority department a word rule needs
	minWordLen         = 3
	minStyleTypes      = 3 // the least number of seen types written in a style for it to count
)

// stopWords carry no evidence of a department.
var stopWords = map[string]bool{"the": true, "and": true, "for": true, "other": true, "non": true, "not": true,
	"with": true, "from": true, "general": true, "request": true, "complaint": true, "condition": true, "issue": true}

// words splits a type into lower-case runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

const sep = `[^\pL\pN]`

type nearKey struct {
	kind  string // "prefix", "code" or "word"
	value string // the words joined by a space, the code prefix or the word
	n     int    // words of a prefix, characters of a code prefix
}

// near adds the near.* rules, each with a category of its own whose lead
// department is the majority department of the seen types it stands for.
func (l *Learned) near(recs []Record, byType map[string]tally) {
	evidence := map[nearKey]tally{}
	types := map[nearKey]int{} // how many seen types give each piece of evidence
	add := func(k nearKey, t tally) {
		types[k]++
		if evidence[k] == nil {
			evidence[k] = tally{}
		}
		for a, n := range t {
			evidence[k][a] += n
		}
	}
	for typ, t := range byType {
		ws := words(typ)
		for k := 1; k <= len(ws); k++ {
			add(nearKey{"prefix", strings.Join(ws[:k], " "), k}, t)
		}
		if len(ws) > 0 && strings.ContainsFunc(ws[0], unicode.IsDigit) {
			code := []rune(ws[0])
			for c := 2; c < len(code); c++ {
				add(nearKey{"code", string(code[:c]), c}, t)
			}
		}
		if capitals(typ) {
			add(nearKey{"style", "capitals", 1}, t)
		}
		seen := map[string]bool{}
		for _, w := range ws {
			if len([]rune(w)) >= minWordLen && !stopWords[w] && !seen[w] && !strings.ContainsFunc(w, unicode.IsDigit) {
				seen[w] = true
				add(nearKey{"word", w, 1}, t)
			}
		}
	}
	keys := slices.SortedFunc(maps.Keys(evidence), func(a, b nearKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.value, b.value))
	})
	i := 0
	for _, k := range keys {
		dept, n := evidence[k].top()
		total := 0
		for _, c := range evidence[k] {
			total += c
		}
		var when, name string
		var prio int
		switch k.kind {
		case "prefix":
			// A prefix that says no more than its shorter one is left to it.
			if k.n > 1 {
				parent, _ := evidence[nearKey{"prefix", strings.Join(strings.Fields(k.value)[:k.n-1], " "), k.n - 1}].top()
				if parent == dept {
					continue
				}
			}
			var parts []string
			for _, w := range strings.Fields(k.value) {
				parts = append(parts, regexp.QuoteMeta(w))
			}
			when = fmt.Sprintf("type matches %s", strconv.Quote(`(?i)^`+sep+`*`+strings.Join(parts, sep+`+`)+`(`+sep+`|$)`))
			name = fmt.Sprintf("a type beginning %q", k.value)
			prio = nearPrefixPriority + 10*k.n
		case "code":
			if parent, _ := evidence[nearKey{"code", string([]rune(k.value)[:k.n-1]), k.n - 1}].top(); k.n > 2 && parent == dept {
				continue
			}
			when = fmt.Sprintf("type matches %s", strconv.Quote(`(?i)^`+sep+`*`+regexp.QuoteMeta(k.value)))
			name = fmt.Sprintf("a type whose code begins %q", k.value)
			prio = nearPrefixPriority + min(k.n, 9)
		case "style":
			// A style is a department's habit only when it names several types so.
			share := float64(n) / float64(total)
			if share < minWordShare || dept == l.Default || types[k] < minStyleTypes {
				continue
			}
			when = fmt.Sprintf("type matches %s", strconv.Quote(capitalsRE))
			name = "a type written in capitals"
			prio = nearWordPriority + int(100*share)
		case "word":
			share := float64(n) / float64(total)
			if share < minWordShare || dept == l.Default {
				continue
			}
			when = fmt.Sprintf("type matches %s", strconv.Quote(`(?i)(^|`+sep+`)`+regexp.QuoteMeta(k.value)+`(`+sep+`|$)`))
			name = fmt.Sprintf("a type with the word %q", k.value)
			prio = nearWordPriority + int(100*share)
		}
		i++
		code := fmt.Sprintf("N%04d", i)
		l.Rules = append(l.Rules, learnedRule{ID: "near." + code, Category: code, Priority: prio, When: when})
		l.Categories = append(l.Categories, cityops.Category{Code: code, Kind: cityops.KindEvent, Name: "unseen type: " + name,
			NameEN: "unseen type: " + name, Severity: 2})
		l.Matrix = append(l.Matrix, [3]string{code, "", dept})
	}
}

// capitalsRE matches a type with letters, none of them lower case.
const capitalsRE = `^[^\p{Ll}]*\p{Lu}[^\p{Ll}]*$`

var capitalsPattern = regexp.MustCompile(capitalsRE)

// capitals says whether typ is written in capitals, as a style: at least
// two letters, none of them lower case.
func capitals(typ string) bool {
	letters := 0
	for _, r := range typ {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2 && capitalsPattern.MatchString(typ)
}
