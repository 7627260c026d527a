// Package open311 serves the hotline's intake as an Open311 GeoReport v2
// endpoint under /open311/v2/: the service list and definitions from the
// city's category catalogue, request creation (form-encoded, with an api key),
// request queries and token lookups, each in XML (the format the
// specification requires) and JSON.
//
// A created request is validated like every other event, its caller's
// personal data is masked, and it is published to the raw events topic
// before the caller gets its id. The status and the agency responsible that
// GET requests reports come from the pipeline through a StatusFunc.
package open311
