package open311

import (
	"encoding/xml"

	"github.com/cityops/cityops"
)

// Service is one entry of GET services: a kind of request the city takes.
type Service struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	Code        string   `xml:"service_code" json:"service_code"`
	Name        string   `xml:"service_name" json:"service_name"`
	Description string   `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    string   `xml:"keywords" json:"keywords"`
	Group       string   `xml:"group" json:"group"`
}

// Definition is a service's extra attributes, GET services/{code}.
type Definition struct {
	XMLName    xml.Name    `xml:"service_definition" json:"-"`
	Code       string      `xml:"service_code" json:"service_code"`
	Attributes []Attribute `xml:"attributes>attribute" json:"attributes"`
}

// Attribute is one question a service asks beyond the standard fields.
type Attribute struct {
	Variable            bool    `xml:"variable" json:"variable"`
	Code                string  `xml:"code" json:"code"`
	Datatype            string  `xml:"datatype" json:"datatype"` // string, number, datetime, text, singlevaluelist, multivaluelist
	Required            bool    `xml:"required" json:"required"`
	DatatypeDescription string  `xml:"datatype_description" json:"datatype_description"`
	Order               int     `xml:"order" json:"order"`
	Description         string  `xml:"description" json:"description"`
	Values              []Value `xml:"values>value,omitempty" json:"values,omitempty"`
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// catalogue is the services of the city, by code.
type catalogue struct {
	list []Service
	byID map[string]Service
	defs map[string]Definition
}

// newCatalogue makes the service list from the city's categories: the
// category code is the service code, and a category's declared
// service_code is accepted for it. A category with attributes in defs has
// metadata=true and a definition.
func newCatalogue(cats []cityops.Category, defs map[string][]Attribute) *catalogue {
	c := &catalogue{byID: map[string]Service{}, defs: map[string]Definition{}}
	for _, cat := range cats {
		s := Service{Code: cat.Code, Name: cat.Name, Description: cat.NameEN, Type: "realtime", Group: string(cat.Kind)}
		if cat.NameEN != "" {
			s.Keywords = cat.NameEN
		}
		if attrs, ok := defs[cat.Code]; ok {
			s.Metadata = true
			c.defs[cat.Code] = Definition{Code: cat.Code, Attributes: attrs}
		}
		c.list = append(c.list, s)
		c.byID[cat.Code] = s
	}
	// A category's declared service_code (categories.yaml) names it too,
	// unless a category has that code.
	for _, cat := range cats {
		if sc := cat.ServiceCode; sc != "" && sc != cat.Code {
			if _, taken := c.byID[sc]; !taken {
				c.byID[sc] = c.byID[cat.Code]
				if d, ok := c.defs[cat.Code]; ok {
					c.defs[sc] = d
				}
			}
		}
	}
	return c
}
