// Package sla computes deadlines and escalation times. A city's calendar
// says which hours are working hours (working days, weekends, holidays,
// make-up working days, in the city's time zone); a category's deadline is
// one or more stages counted from dispatch in calendar hours, working hours
// or working days. The policy is read from the optional dispatch.yaml of a
// city pack.
package sla
