package main

import (
	"context"
	"io"
	"runtime"

	"github.com/cityops/cityops/cmd/cityops/role"
)

// runDev runs every role in one process (role.Dev), with the embedded
// broker unless --kafka names brokers, and the secrets it was not given
// kept under its data dir.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c role.Config
	fs := newFlags("dev", stderr, &c, "clickhouse", "http", "pack", "run")
	registerPublicMinCount(fs, &c)
	var dev role.DevConfig
	fs.StringVar(&dev.DataDir, "data-dir", "./.cityops", "directory for the broker's data, the tokens and the secrets cityops dev keeps")
	registerClusterSecret(fs, &c)
	kafkaListen := fs.String("kafka-listen", "127.0.0.1:9092", "address of the embedded broker")
	external := fs.String("kafka", "", "use these Kafka brokers instead of the embedded one")
	c.Kafka.Partitions = devPartitions(runtime.NumCPU())
	settingVar(fs, &c, "kafka.partitions", "partitions of the pipeline's topics (default: the machine's cores, 2 to 4)")
	noSim := fs.Bool("no-sim", false, "do not run the simulator")
	fs.StringVar(&dev.Webhooks, "webhooks", "", "departments' webhooks, a JSON file (see cityops dispatch -h)")
	fs.Float64Var(&dev.SimRate, "sim-rate", 5, "events per second from the simulator")
	registerMQTT(fs, &dev.MQTT, " of device readings, used when it answers; empty for none")
	if err := parseFlags(fs, &c, args); err != nil {
		return err
	}
	// Without configured secrets, dev keeps its own under the data dir.
	if err := devSecrets(dev.DataDir, map[string]*string{
		"intake.caller_key": &c.Intake.CallerKey, "dispatch.cluster_secret": &c.Dispatch.ClusterSecret,
	}); err != nil {
		return err
	}
	if *external == "" { // else parseFlags set kafka.brokers to it
		dev.Broker = *kafkaListen
	}
	dev.Sim = !*noSim
	log := c.Logger(stderr)
	tuneDevGC(log)
	return role.Dev(ctx, c, dev, stdout, log)
}

// devPartitions is the partitions of the pipeline's topics that `cityops dev`
// creates on a machine with cores cores: one per core, at least 2 and at most
// 4. One process runs every stage there, so partitions beyond the cores buy
// no parallelism, and each one splits the traffic into smaller batches, each
// with its own produce, commit and fetch: at 5k events/s on two cores, 2
// partitions instead of 4 took the p99 from intake to the live map from about
// 115 to about 95 ms (measured with cityops load when this was made). Topics
// that exist keep their partitions.
func devPartitions(cores int) int { return min(4, max(2, cores)) }
