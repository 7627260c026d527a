// Package learn bootstraps a city pack from the city's own history of
// requests, and measures a pack against that history.
//
// Learn takes request records (read from CSV through a Mapping, the same
// file replay reads, built in for NYC 311) and the city's area boundaries, and writes a pack: a category per
// request type (and per type and descriptor where the departments that
// handled them differ), the responsibility matrix from the departments that
// actually handled each category, per area where an area's practice differs,
// and deadlines from observed closure times, and the boundary tie-breaks
// (rules.Tiebreaks): the requests that lie near a boundary between areas,
// with the area the city recorded, which say how the city places points
// where areas meet, and the conventions by which the city placed
// street-only locations on boundaries (rules.Boundaries), and near.* rules
// that route request types never seen in training by the seen types they
// resemble (code prefix, leading words, a shared word, the style of the
// name) rather than to one city-wide department. Without boundaries the
// pack routes by department alone. Eval replays records through a pack's classification
// (rules), placement (geo, then the tie-breaks near boundaries) and
// responsibility matrix (dispatch) and reports how often the pack agrees
// with what the city did, with geometry alone beside the whole placement.
// CrossValidate does both over k folds, so a pack is never judged on the
// records it learned from.
package learn
