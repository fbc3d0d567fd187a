// Command aisexec is the goais cluster executive: it joins the Totem ring
// described by its configuration file and serves local clients.
//
//	aisexec [-c FILE] [-f] [-p]
//
//	-c FILE  configuration file. Without it: $OPENAIS_MAIN_CONFIG_FILE,
//	         $COROSYNC_MAIN_CONFIG_FILE, /etc/ais/openais.conf,
//	         /etc/corosync/corosync.conf, else the built-in default (one node,
//	         udpu on 127.0.0.1), which also keeps it in the foreground.
//	-f       stay in the foreground (and log to stderr if to_stderr is on)
//	-p       accepted for compatibility: goais never changes its scheduling
//	         priority
//	-t       check the configuration, print the result and exit
//
// Signals: SIGTERM, SIGINT and SIGQUIT leave the ring cleanly and exit;
// SIGUSR2 writes the executive's state to the log; SIGHUP reopens the log
// file. Exit codes are corosync's (8: configuration error, 15: fatal
// error, 18: already running).
package main

import (
	"context"

	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"goais/config"
	"goais/executive"
	"goais/logging"
	"goais/totem"
)

// Version is the release shown in the banner.
const Version = "0.3.0"

// Exit codes, corosync's COROSYNC_DONE_*.
const (
	exitOK         = 0
	exitConfig     = 8
	exitLogSetup   = 9
	exitFatal      = 15
	exitRunning    = 18
	exitUsage      = 2
	exitDaemonFail = 4 // COROSYNC_DONE_FORK
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("aisexec", flag.ContinueOnError)
	confPath := fs.String("c", "", "configuration `file`")
	foreground := fs.Bool("f", false, "stay in the foreground")
	fs.Bool("p", false, "do not change scheduling priority (goais never does)")
	check := fs.Bool("t", false, "check the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "aisexec: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}

	path, builtin := config.Locate(*confPath, nil, nil)
	var (
		c        *config.Config
		warnings []config.Warning
		err      error
	)
	if builtin {
		c = config.Default()
		*foreground = true
	} else if c, warnings, err = config.Load(path); err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: %v\n", err)
		return exitConfig
	}
	if *check {
		for _, w := range warnings {
			fmt.Fprintln(os.Stderr, w.String())
		}
		fmt.Printf("%s: configuration OK (transport %s, %d nodes)\n", c.Source, c.Totem.Transport, len(c.Nodes))
		return exitOK
	}

	if !*foreground && os.Getenv(daemonEnv) == "" {
		return daemonize(args)
	}

	opts, err := loggingOptions(c, *foreground)
	if err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: logging: %v\n", err)
		return exitLogSetup
	}
	handler, err := logging.New(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: %v\n", err)
		return exitLogSetup
	}
	defer handler.Close()
	log := slog.New(handler)
	mainLog := logging.Subsys(log, "MAIN")
	notice := func(msg string) { mainLog.Log(context.Background(), logging.LevelNotice, msg) }

	notice(fmt.Sprintf("AIS Executive Service RELEASE 'goais %s'", Version))
	if builtin {
		notice("No configuration file found (-c, $OPENAIS_MAIN_CONFIG_FILE, /etc/ais/openais.conf, /etc/corosync/corosync.conf): using the built-in default, one node on udpu at 127.0.0.1")
	} else {
		notice("Using configuration file " + c.Source)
	}
	for _, w := range warnings {
		mainLog.Warn(w.String())
	}
	tuneGC(mainLog)

	settings, nd, err := setup(c, log)
	if err != nil {
		mainLog.Error(err.Error())
		if strings.Contains(err.Error(), "another executive") {
			return exitRunning
		}
		return exitConfig
	}
	notice(fmt.Sprintf("Local node id %d, ring 0 address %s, transport %s, %d configured nodes; clients connect to %s",
		nd.local.NodeID, nd.local.Ring0, c.Totem.Transport, len(nd.members), socketPathFor(c)))
	if settings.Ring1 != nil {
		notice(fmt.Sprintf("Redundant ring protocol %s: ring 1 address %s", settings.RRP.Mode, nd.local.Ring1))
	}
	if settings.Secauth != "" {
		notice("secauth " + settings.Secauth)
	}

	ex, err := executive.New(settings)
	if err != nil {
		settings.IPC.Close()
		settings.Transport.Close()
		if settings.Ring1 != nil {
			settings.Ring1.Close()
		}
		mainLog.Error(err.Error())
		return exitFatal
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR2, syscall.SIGHUP)
	go func() {
		for sig := range sigs {
			switch sig {
			case syscall.SIGUSR2:
				ex.Dump()
			case syscall.SIGHUP:
				if err := handler.Reopen(); err != nil {
					mainLog.Error("cannot reopen the log file", "err", err)
				} else {
					notice("Log file reopened")
				}
			default:
				notice(fmt.Sprintf("Received %v, leaving the ring and exiting", sig))
				stop()
			}
		}
	}()

	notifyReady()
	notice("AIS Executive Service: started and ready to provide service.")
	if err := ex.Run(ctx); err != nil {
		mainLog.Error(err.Error())
		return exitFatal
	}
	return exitOK
}

// tuneGC sets the runtime up for the executive. The collector keeps Go's
// default target (GOGC 100): the token path allocates nothing per
// message, so collections are rare anyway, and GOGC 200 cost a third more
// resident memory after a 64 KB flood (36 MB against 26 MB in bench/)
// for no measurable throughput.
func tuneGC(log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft ceiling well above normal use: it only makes the
		// collector work harder if something grows without bound.
		debug.SetMemoryLimit(1 << 30)
	}
	// One event-loop goroutine owns the protocol; the socket and IPC
	// readers only hand it work. With more than one P every hand-off can
	// wake another thread (a futex and often an IPI), which costs more than
	// the work: in bench/'s lab one P turned the token around faster (8 KB
	// throughput +30 %, p50 latency -25 %). GOMAXPROCS in the
	// environment overrides it.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	log.Debug("runtime tuned", "gogc", os.Getenv("GOGC"), "gomemlimit", os.Getenv("GOMEMLIMIT"), "gomaxprocs", runtime.GOMAXPROCS(0))
}

func toNodeID(id uint32) totem.NodeID { return totem.NodeID(id) }
