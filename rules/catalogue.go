package rules

import (
	"fmt"
	"strings"

	"github.com/cityops/cityops"
)

// checkServiceCodes checks the categories' optional Open311 service codes:
// no spaces, each offered by one category only.
func (c *checker) checkServiceCodes(file string, cats []cityops.Category) {
	seen := map[string]string{}
	for i, cat := range cats {
		sc := cat.ServiceCode
		if sc == "" {
			continue
		}
		where := fmt.Sprintf("categories[%d].service_code", i)
		if strings.ContainsAny(sc, " \t\n/?&#") {
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where, "%q: must not contain spaces or URL delimiters", sc))
		}
		if prev, dup := seen[sc]; dup {
			c.add(file, c.itemLine(file, "", i), cityops.Invalid(where, "service code %q also names category %s", sc, prev))
		}
		seen[sc] = cat.Code
	}
}

// ServiceCategory returns the category an Open311 service_code names: how
// the hotline's Open311 requests map onto the national catalogue.
func (p *Pack) ServiceCategory(serviceCode string) (cityops.Category, bool) {
	for _, c := range p.Categories {
		if c.ServiceCode != "" && c.ServiceCode == serviceCode {
			return c, true
		}
	}
	return cityops.Category{}, false
}
