// Package replay feeds recorded hotline requests from CSV files (a city's
// open 311 data, say) through the intake's validation onto the raw events
// topic. A mapping names the columns that hold each field, so any city's
// layout can be replayed; NYC311 is the layout of NYC's 311 service
// requests. The same mapping file drives `cityops pack learn` and `pack
// eval` (rules/learn), so it also names the department and recorded area
// columns replay does not use. Every row ends accepted or rejected with a
// reason that names the column at fault; a row whose data is faulty but
// real (closed before it was created) is accepted with a warning.
package replay
