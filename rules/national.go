package rules

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/cityops/cityops"
)

// NationalCategory is one entry of the national classification of city
// parts (部件) and events (事件): GB/T 47678.5-2026, which replaces GB/T
// 30428.2, and the older CJ/T 214 codes, as the shared catalogue lists them.
type NationalCategory struct {
	Kind       cityops.CategoryKind
	MajorCode  string
	MajorName  string // with the standard or city it comes from
	Code       string
	Name       string
	Department string // the department the source names, often a local default
	Deadline   string // as the source words it, often empty
}

// nationalColumns are the columns ReadNational needs.
var nationalColumns = []string{"kind", "major_code", "major_name", "sub_code", "sub_name", "department", "deadline"}

// ReadNational reads the national catalogue from CSV with a header row
// naming at least nationalColumns' columns. Rows that name a major class
// only (no sub_code) are skipped.
func ReadNational(r io.Reader) ([]NationalCategory, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the catalogue header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range nationalColumns {
		if _, ok := col[c]; !ok {
			return nil, cityops.Invalid(c, "no such column in the catalogue header")
		}
	}
	var out []NationalCategory
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the catalogue: %w", err)
		}
		get := func(c string) string { return strings.TrimSpace(row[col[c]]) }
		n := NationalCategory{Kind: cityops.CategoryKind(get("kind")), MajorCode: get("major_code"), MajorName: get("major_name"),
			Code: get("sub_code"), Name: get("sub_name"), Department: get("department"), Deadline: get("deadline")}
		switch {
		case n.Code == "" && n.MajorCode != "":
			continue // a row naming a major class only
		case n.Kind != cityops.KindPart && n.Kind != cityops.KindEvent:
			return nil, fmt.Errorf("catalogue line %d: %w", line, cityops.Invalid("kind", "must be part or event, not %q", n.Kind))
		case n.Code == "":
			return nil, fmt.Errorf("catalogue line %d: %w", line, cityops.Invalid("sub_code", "required"))
		case n.Name == "":
			return nil, fmt.Errorf("catalogue line %d: %w", line, cityops.Invalid("sub_name", "required"))
		}
		out = append(out, n)
	}
}

// CheckNational checks the category catalogue of the pack in fsys against
// the national catalogue: every category's kind and code must be listed,
// and its name must be the national name of that code (a code can be
// listed more than once, by different sources). Each problem comes with
// the catalogue file and line.
func CheckNational(fsys fs.FS, national []NationalCategory) error {
	var pf packFile
	if err := decodeFile(fsys, "pack.yaml", &pf); err != nil {
		return err
	}
	var cats []cityops.Category
	if err := decodeFile(fsys, pf.Categories, &cats); err != nil {
		return err
	}
	names := map[[2]string][]string{}
	for _, n := range national {
		k := [2]string{string(n.Kind), n.Code}
		names[k] = append(names[k], n.Name)
	}
	c := &checker{fsys: fsys}
	for i, cat := range cats {
		line := c.itemLine(pf.Categories, "", i)
		where := fmt.Sprintf("categories[%d]", i)
		ns, ok := names[[2]string{string(cat.Kind), cat.Code}]
		switch {
		case !ok:
			c.add(pf.Categories, line, cityops.Invalid(where+".code", "%s %s is not in the national catalogue", cat.Kind, cat.Code))
		case !slices.Contains(ns, cat.Name):
			c.add(pf.Categories, line, cityops.Invalid(where+".name", "%s %s is %s in the national catalogue, not %s",
				cat.Kind, cat.Code, strings.Join(ns, " / "), cat.Name))
		}
	}
	return c.err()
}
