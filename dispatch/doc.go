// Package dispatch gives every incident one owner and a clock. The
// responsibility matrix names the lead department for a category in an area,
// falling back from street to district to the whole city to the city's
// default owner; the processor turns each classified, placed event into an
// incident change addressed to that department, with its deadline.
package dispatch
