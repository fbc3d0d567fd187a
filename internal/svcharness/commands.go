package svcharness

import "goais/service"

// Do runs one script command, the service's own (Config.Commands) or one
// of those every service's scripts share (Command), then Config.Check,
// and returns the command's transcript.
func (c *Cluster[S]) Do(d *Case) string {
	if c.cfg.Commands == nil || !c.cfg.Commands(d) {
		c.Command(d)
	}
	out := c.Flush()
	if c.cfg.Check != nil {
		c.cfg.Check(d.Pos)
	}
	return out
}

// Command runs one of the commands every service's scripts share, and
// fails the test on any other:
//
//	ring nodes=a,b,… [phase=init|process] [empty-trans]
//	    form a ring and run its sync round (see Ring and ParsePhase)
//	activate
//	    activate every node whose round waits
//	deliver
//	    deliver what is on the bus
//	log [level=L]
//	    make the records from level L on transcript lines (default: the
//	    Config's LogLevel)
//	busy node=N script=ok,fail,…
//	    the outcomes of node N's next Mcasts
//	foreign ids=a,b,…
//	    make ids ring members without an instance
//	raw from=N [be] [via=M] …
//	    queue the exec message Config.Raw builds from the other
//	    arguments, as node N sends it in its ring (or node M's),
//	    big-endian with be
func (c *Cluster[S]) Command(d *Case) {
	switch d.Cmd {
	case "ring":
		c.Ring(d.IDs("nodes"), ParsePhase(d.Str("phase", "")), d.Has("empty-trans"))
	case "activate":
		c.Activate(nil)
	case "deliver":
		c.Deliver()
	case "log":
		l, err := c.parseLevel(d.Str("level", ""))
		if err != nil {
			d.Failf("%v", err)
		}
		c.LogLevel = l
	case "busy":
		n := c.NodeArg(d)
		a, _ := d.Arg("script")
		for _, s := range a.Vals {
			n.Refuse = append(n.Refuse, s == "fail")
		}
	case "foreign":
		c.AddForeign(d.IDs("ids")...)
	case "raw":
		if c.cfg.Raw == nil {
			d.Failf("unknown command")
		}
		from := service.NodeID(d.Need("from"))
		be := d.Has("be")
		fn, msg := c.cfg.Raw(d, from, Order(be))
		c.inject(d, from, fn, msg, be)
	default:
		d.Failf("unknown command")
	}
}
