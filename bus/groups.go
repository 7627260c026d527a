package bus

// The consumer groups of the roles, named once here so that shutdown,
// autoscalers, alert rules and tests wait on and watch the groups the
// roles really commit as. Replicas of one role share a group and so share
// the partitions.
const (
	GroupReadings = "cityops-readings" // the readings path (rules/readings), on TopicReadingsRaw
	// GroupProcess is the processor's prefix: its stateful stages commit as
	// GroupClassify and GroupMerge, never as GroupProcess itself.
	GroupProcess          = "cityops-process"
	GroupClassify         = GroupProcess + ".classify"  // the processor's first stage, on TopicEventsRaw
	GroupMerge            = GroupProcess + ".merge"     // the processor's second stage, on its signals topic
	GroupDispatch         = "cityops-dispatch"          // the dispatchers, on TopicIncidentsFound
	GroupStore            = "cityops-store"             // the ClickHouse sink of changes
	GroupStoreFound       = "cityops-store-found"       // the ClickHouse sink of the events of merged signals, on TopicIncidentsFound
	GroupStoreTransitions = "cityops-store-transitions" // the ClickHouse sink of task transitions
	GroupWebhooks         = "cityops-webhooks"          // the webhooks' delivery, on the departments' topics
)

// StageGroup is the group a stage of the processor commits as, given the
// prefix it runs with (GroupProcess in production).
func StageGroup(prefix, stage string) string { return prefix + "." + stage }

// Groups lists every consumer group a role commits as.
var Groups = []string{GroupReadings, GroupClassify, GroupMerge, GroupDispatch, GroupStore, GroupStoreFound, GroupStoreTransitions, GroupWebhooks}
