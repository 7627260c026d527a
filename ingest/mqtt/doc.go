// Package mqtt takes sensor readings from devices over MQTT, the protocol
// city sensor networks speak, and puts them on the readings topic that the
// rest of intake reads (bus.TopicReadingsRaw).
//
// Devices and gateways publish one JSON reading per message, the same JSON
// as a line of POST /api/v1/readings, to cityops/readings/{device_id} at QoS
// 1. The intake subscribes to the shared subscription
// $share/cityops/cityops/readings/+, so the broker splits the messages
// between the replicas of the `cityops mqtt` role. Each reading is checked
// as the other intakes check it (ingest.Validator.DecodeReading), and more:
// the device named by the topic must be registered, and a device_id in the
// payload must be the topic's. A reading that fails goes to the dead-letter
// topic with the reason, which names the field, and its original bytes.
//
// Messages are acknowledged to the MQTT broker (manual PUBACK) only after the
// batch they came in is durable on Kafka, readings and dead letters alike.
// While Kafka cannot take a batch, the batch is retried and nothing in it is
// acknowledged; a replica that stops before its batch is durable leaves the
// messages unacknowledged in its persistent session, and the broker sends
// them again when it comes back (at-least-once; a reading's id comes from
// its device and time, so a resent reading is the same event downstream).
package mqtt
