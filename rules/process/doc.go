// Package process turns each classified event into an incident change: it
// classifies with the city pack's rules, places the event in its H3 cells
// and areas, and names the lead and cooperating departments from the
// responsibility matrix, falling back from street to district to the whole
// city to the city's default owner. The stateful stages (rules/stateful) run
// it over the raw events topic.
package process
