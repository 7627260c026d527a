// Package broker runs an embedded Kafka-protocol broker for development, demos
// and tests: github.com/twmb/franz-go/pkg/kfake, which speaks the real wire
// protocol (consumer groups, offsets, persistence to a data directory). The
// pipeline talks to it over TCP exactly as it talks to a production cluster.
package broker

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is a running embedded broker.
type Broker struct {
	c *kfake.Cluster
}

// Start starts a broker listening on addr (host:port; port 0 picks a free one).
// With a non-empty dir, topics, records and committed offsets persist there
// and are reloaded at the next start.
func Start(addr, dir string, partitions int) (*Broker, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("starting broker: parsing address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("starting broker: parsing port %q: %w", portStr, err)
	}
	if partitions <= 0 {
		partitions = 4
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.DefaultNumPartitions(partitions),
		kfake.AllowAutoTopicCreation(),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		}),
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("starting broker: creating %s: %w", dir, err)
		}
		opts = append(opts, kfake.DataDir(dir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting broker on %s: %w", addr, err)
	}
	return &Broker{c: c}, nil
}

// Addr returns the address the broker listens on.
func (b *Broker) Addr() string { return b.c.ListenAddrs()[0] }

// Close stops the broker, flushing its data directory.
func (b *Broker) Close() { b.c.Close() }
