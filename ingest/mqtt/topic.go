package mqtt

import (
	"strings"

	"github.com/cityops/cityops"
)

// The topic layout of readings.
const (
	// TopicPrefix is followed by the device id: cityops/readings/{device_id}.
	TopicPrefix = "cityops/readings/"
	// TopicFilter matches the readings of every device.
	TopicFilter = TopicPrefix + "+"
	// ShareGroup is the shared subscription group of the intake's replicas.
	ShareGroup = "cityops"
	// SharedFilter is what the intake subscribes to: the broker hands each
	// message to one member of ShareGroup.
	SharedFilter = "$share/" + ShareGroup + "/" + TopicFilter
	// QoS is the quality of service of readings: at least once.
	QoS = 1
)

// HeaderTopic is the header of a dead letter that holds the MQTT topic the
// message came on.
const HeaderTopic = "cityops-mqtt-topic"

// DeviceOf returns the device id of a readings topic.
func DeviceOf(topic string) (string, error) {
	id, ok := strings.CutPrefix(topic, TopicPrefix)
	if !ok || id == "" || strings.ContainsAny(id, "/+#") {
		return "", cityops.Invalid("topic", "want %s{device_id}, not %q", TopicPrefix, topic)
	}
	return id, nil
}
