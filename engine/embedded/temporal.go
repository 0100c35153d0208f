package embedded

import (
	"fmt"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

// clusterName names the single local cluster. It is persisted in the database on
// the first start and must never change.
const clusterName = "active"

// sqlConfig is the persistence configuration of the Temporal SQLite plugin. The
// plugin turns every attribute that is not a URI parameter into a pragma.
func sqlConfig(dbPath string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"busy_timeout": "10000",
			// With WAL, NORMAL stays consistent after a crash and drops the fsync
			// of every commit (the last commits may be lost on power failure).
			"synchronous": "normal",
		},
		// One connection: SQLite has a single writer, and the plugin shares the
		// connection between the services.
		MaxConns:     1,
		MaxIdleConns: 1,
	}
}

// dynamicConfig holds the dynamic config values of the embedded server.
func dynamicConfig() dynamicconfig.StaticClient {
	dc := dynamicconfig.StaticClient{}
	set := func(key string, v any) { dc[dynamicconfig.MakeKey(key)] = v }
	// The history task processors read new tasks at most MaxPollRPS times a second
	// (20 by default): a workflow or activity task waits up to ~50 ms before it
	// reaches matching. Lift the limit so tasks are dispatched at once.
	for _, q := range []string{"transfer", "timer", "visibility", "outbound"} {
		set("history."+q+"ProcessorMaxPollRPS", 10000)
	}
	// Timers may fire up to MaxTimeShift late (1s by default): a 10 ms sleep,
	// a retry backoff or a deadline would overshoot by up to a second.
	set("history.timerProcessorMaxTimeShift", 50*time.Millisecond)
	// One partition per task queue: with several, a task and the poller that could
	// take it may sit on different partitions and wait for forwarding.
	set("matching.numTaskqueueReadPartitions", 1)
	set("matching.numTaskqueueWritePartitions", 1)
	// Search attributes added at start are usable at once.
	set("system.forceSearchAttributesCacheRefreshOnRead", true)
	// The SQLite store is local: don't throttle the services' own queries.
	set("frontend.persistenceMaxQPS", 10000)
	set("history.persistenceMaxQPS", 45000)
	set("matching.persistenceMaxQPS", 10000)

	// Size the history task schedulers for one process on one SQLite connection:
	// the defaults (512 goroutines each, 2,200 in all) are for a cluster node.
	set("history.transferProcessorSchedulerWorkerCount", 32)
	set("history.timerProcessorSchedulerWorkerCount", 32)
	set("history.visibilityProcessorSchedulerWorkerCount", 16)
	set("history.archivalProcessorSchedulerWorkerCount", 4)
	set("history.memoryTimerProcessorSchedulerWorkerCount", 8)
	set("history.ReplicationProcessorSchedulerWorkerCount", 4)
	set("history.ReplicationLowPriorityProcessorSchedulerWorkerCount", 4)

	// The system workers below are never stopped by the server's Stop: their
	// pollers would outlive it. Children are closed by the history service itself
	// (the worker only takes over above a threshold), and the scanners only tidy
	// up leftovers of a large cluster.
	set("system.enableParentClosePolicyWorker", false)
	set("worker.taskQueueScannerEnabled", false)
	set("worker.historyScannerEnabled", false)
	return dc
}

// ports holds the gRPC ports of the four services, and the IP the
// frontend binds to (the others bind to loopback).
type ports struct {
	ip                                  string
	frontend, history, matching, worker int
}

// frontendAddr is where this process dials the frontend: its IP, or
// loopback when it binds to every interface.
func (p ports) frontendAddr() string {
	return net.JoinHostPort(dialIP(p.ip), strconv.Itoa(p.frontend))
}

// dialIP is where to dial a listener bound to ip.
func dialIP(ip string) string {
	if a := net.ParseIP(ip); a == nil || a.IsUnspecified() {
		return loopback
	}
	return ip
}

func hostPort(port int) string { return net.JoinHostPort(loopback, strconv.Itoa(port)) }

// allocatePorts picks free ports on 127.0.0.1 for the internal services, and for
// the frontend on ip unless frontend is set, in which case it checks that it is free.
func allocatePorts(ip string, frontend int) (ports, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	listen := func(ip string, port int) (int, error) {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			return 0, err
		}
		lns = append(lns, ln) // held until all are picked, so they differ
		return ln.Addr().(*net.TCPAddr).Port, nil
	}
	p := ports{ip: ip}
	var err error
	if p.frontend, err = listen(ip, frontend); err != nil {
		return p, fmt.Errorf("frontend port: %w", err)
	}
	for _, port := range []*int{&p.history, &p.matching, &p.worker} {
		if *port, err = listen(loopback, 0); err != nil {
			return p, fmt.Errorf("pick a free port: %w", err)
		}
	}
	return p, nil
}

// newTemporal builds (without starting) the Temporal server.
func newTemporal(p ports, sqlCfg *config.SQL, logger log.Logger) (temporal.Server, error) {
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = loopback
	// No metrics (Global.Metrics nil) and no pprof (port 0): nothing else listens.
	conf.Persistence = config.Persistence{
		DefaultStore:     "sqlite",
		VisibilityStore:  "sqlite",
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{"sqlite": {SQL: sqlCfg}},
	}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             p.frontendAddr(),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: loopback}}
	}
	frontend := service(p.frontend)
	frontend.RPC.BindOnIP = p.ip
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): frontend,
		string(primitives.HistoryService):  service(p.history),
		string(primitives.MatchingService): service(p.matching),
		string(primitives.WorkerService):   service(p.worker),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = p.frontendAddr()

	// Static membership: every service is this process, no gossip ring to join.
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(p.frontendAddr()),
		primitives.HistoryService:  static.SingleLocalHost(hostPort(p.history)),
		primitives.MatchingService: static.SingleLocalHost(hostPort(p.matching)),
		primitives.WorkerService:   static.SingleLocalHost(hostPort(p.worker)),
	}
	setBinaryChecksum()
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	return srv, nil
}

var setChecksum sync.Once

// setBinaryChecksum names this build for the SDK workers that have no BuildID,
// the server's own system workers among them. Otherwise the SDK hashes the whole
// executable (200 MB, a third of a second) when the first such worker starts. The
// name comes from the build info: module, version and VCS revision.
func setBinaryChecksum() {
	setChecksum.Do(func() {
		id := "runbook"
		if bi, ok := debug.ReadBuildInfo(); ok {
			id = bi.Main.Path + "@" + bi.Main.Version
			for _, s := range bi.Settings {
				switch {
				case s.Key == "vcs.revision":
					id += "+" + s.Value
				case s.Key == "vcs.modified" && s.Value == "true":
					id += "-dirty"
				}
			}
		}
		worker.SetBinaryChecksum(id)
	})
}
