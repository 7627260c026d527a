package rules

import "strings"

// ServiceTypePrefix begins the type of an event made from an Open311
// request: "open311:" and the request's service_code.
const ServiceTypePrefix = "open311:"

// ServiceRule is the id that explains a category taken from an Open311
// service code: it leads Decision.Matched.
const ServiceRule = "open311.service_code"

// Classify classifies in as the pack does: an Open311 request's service
// code names its category (the category whose service_code it is, or whose
// code it is), whatever the text says, in every pack, learned or written;
// the rules still run for severity, deadline class and tags, and decide the
// category of every other event.
func (p *Pack) Classify(in *Input) Decision {
	var d Decision
	if p.Engine != nil {
		d = p.Engine.Classify(in)
	}
	code, ok := strings.CutPrefix(in.Type, ServiceTypePrefix)
	if !ok || code == "" {
		return d
	}
	cat, ok := p.serviceCategory(code)
	if !ok {
		return d
	}
	d.Category = cat
	d.Matched = append([]string{ServiceRule}, d.Matched...)
	return d
}

// serviceCategory returns the category code the Open311 service code names:
// the category offered as that service_code, else the category of that code
// (the Open311 endpoint offers each category under its own code).
func (p *Pack) serviceCategory(code string) (string, bool) {
	if p.services != nil {
		c, ok := p.services[code]
		return c, ok
	}
	byCode := ""
	for _, c := range p.Categories {
		if c.ServiceCode == code {
			return c.Code, true
		}
		if c.Code == code && byCode == "" {
			byCode = c.Code
		}
	}
	return byCode, byCode != ""
}

// indexServices makes the service code index of p's categories.
func (p *Pack) indexServices() {
	m := make(map[string]string, 2*len(p.Categories))
	for _, c := range p.Categories {
		if _, ok := m[c.Code]; !ok {
			m[c.Code] = c.Code
		}
	}
	for _, c := range p.Categories {
		if c.ServiceCode != "" {
			m[c.ServiceCode] = c.Code // a declared service code wins over a category code
		}
	}
	p.services = m
}
