package privacy

import (
	"bufio"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected column of testdata/masking.txt")

const corpusFile = "testdata/masking.txt"

// TestCorpus checks MaskText and MaskURL against testdata/masking.txt, and
// HasPersonalData against what the corpus says is masked.
func TestCorpus(t *testing.T) {
	f, err := os.Open(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	cases := 0
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			out = append(out, line)
			continue
		}
		kind, rest, ok1 := strings.Cut(line, "\t")
		in, want, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 || (kind != "text" && kind != "url") {
			t.Fatalf("%s:%d: want kind<TAB>input<TAB>expected, got %q", corpusFile, ln, line)
		}
		cases++
		if want == "=" {
			want = in
		}
		mask := MaskText
		if kind == "url" {
			mask = MaskURL
		}
		got := mask(in)
		if *update {
			exp := got
			if got == in {
				exp = "="
			}
			out = append(out, kind+"\t"+in+"\t"+exp)
			continue
		}
		if got != want {
			t.Errorf("%s:%d: %s(%q)\n got %q\nwant %q", corpusFile, ln, kind, in, got, want)
		}
		if again := mask(got); again != got {
			t.Errorf("%s:%d: masking again gives %q", corpusFile, ln, again)
		}
		if kind == "text" && want != in && !HasPersonalData(in) {
			t.Errorf("%s:%d: HasPersonalData(%q) = false, but it is masked", corpusFile, ln, in)
		}
		if kind == "text" && want == in && HasPersonalData(in) {
			t.Errorf("%s:%d: HasPersonalData(%q) = true, but nothing is masked", corpusFile, ln, in)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(corpusFile, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if cases < 100 {
		t.Errorf("the corpus has %d cases, want at least 100", cases)
	}
}
