// Package open311 serves the hotline's intake as an Open311 GeoReport v2
// endpoint under /open311/v2/: the service list and definitions from the
// city's category catalogue, request creation (form-encoded, with an api key),
// request queries and token lookups, each in XML (the format the
// specification requires) and JSON.
//
// A created request is validated like every other event, its caller's
// personal data is masked, and it is published to the raw events topic
// before the caller gets its id.
//
// With Config.List, Find and Token every GET of requests and tokens answers
// from the store: the same on every replica and after a restart, with the
// status, agency and status_notes of the incident the request founded or
// was merged into, the notes in the request's language. Without them it
// answers from this process's records and a StatusFunc.
//
// Every error of a request is answered, each in the specification's
// {code, description} form; other methods get 405 with Allow. Beside the
// specification's methods it serves GET /open311/discovery.{xml,json} and
// an extension, POST requests/{id}/feedback.{xml,json}, through which a
// citizen rates how the request was handled; Config.Feedback hands the
// rating to the dispatcher.
package open311
