package open311

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cityops/cityops"
)

// checkAttributes checks the attribute[...] values of a request against the
// service's definition: every code must be defined, required ones present,
// numbers numeric, datetimes ISO 8601 with a zone, list values among the
// listed keys, and only multivaluelist may carry several values.
func checkAttributes(def Definition, got map[string][]string) error {
	known := map[string]Attribute{}
	for _, a := range def.Attributes {
		known[a.Code] = a
	}
	codes := make([]string, 0, len(got))
	for c := range got {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var errs []error
	for _, c := range codes {
		a, ok := known[c]
		field := "attribute[" + c + "]"
		if !ok || !a.Variable {
			errs = append(errs, cityops.Invalid(field, "service %s has no such attribute", def.Code))
			continue
		}
		if err := checkValues(a, got[c]); err != nil {
			errs = append(errs, cityops.Invalid(field, "%v", err))
		}
	}
	for _, a := range def.Attributes {
		if a.Variable && a.Required && len(nonEmpty(got[a.Code])) == 0 {
			errs = append(errs, cityops.Invalid("attribute["+a.Code+"]", "required by service %s", def.Code))
		}
	}
	return errors.Join(errs...)
}

func checkValues(a Attribute, vals []string) error {
	vals = nonEmpty(vals)
	if len(vals) > 1 && a.Datatype != "multivaluelist" {
		return fmt.Errorf("takes one value, got %d", len(vals))
	}
	for _, v := range vals {
		if len(v) > maxAttrLen {
			return fmt.Errorf("longer than %d bytes", maxAttrLen)
		}
		switch a.Datatype {
		case "number":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return fmt.Errorf("%q is not a number", v)
			}
		case "datetime":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return fmt.Errorf("%q is not an ISO 8601 datetime with a time zone", v)
			}
		case "singlevaluelist", "multivaluelist":
			if !slices.ContainsFunc(a.Values, func(x Value) bool { return x.Key == v }) {
				return fmt.Errorf("%q is not one of the listed values", v)
			}
		}
	}
	return nil
}

// nonEmpty drops empty values: an optional argument sent empty counts as
// absent.
func nonEmpty(vs []string) []string {
	out := vs[:0:0]
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
