// Package replay feeds recorded hotline requests from CSV files (a city's
// open 311 data, say) through the intake's validation onto the raw events
// topic. A mapping names the columns that hold each field, so any city's
// layout can be replayed; NYC311 is the layout of NYC's 311 service
// requests. Every row ends accepted or rejected with a reason that names
// the column at fault.
package replay
