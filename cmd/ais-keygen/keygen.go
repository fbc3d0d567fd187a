package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"goais/config"
)

// run is the whole command; main only binds it to the process. random is
// the key's source and geteuid the root check, so tests run it in-process.
// It returns the exit status: 0 done, 1 error, 2 usage.
func run(args []string, stdout, stderr io.Writer, random randomFunc, geteuid func() int) int {
	flags := flag.NewFlagSet("ais-keygen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	path := flags.String("k", config.DefaultKeyfile, "write the key to this `path`")
	force := flags.Bool("f", false, "replace an existing key (then copy it to every node again)")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: ais-keygen [-k path] [-f]\n")
		fmt.Fprintf(stderr, "Generates the cluster's shared authentication key (default %s).\n", config.DefaultKeyfile)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 || *path == "" {
		flags.Usage()
		return 2
	}
	if err := generate(*path, *force, stdout, stderr, random, geteuid); err != nil {
		// Messages are sentences; error strings end without the full stop.
		fmt.Fprintf(stderr, "Error: %v.\n", err)
		return 1
	}
	return 0
}

// generate does the work of run once the flags are parsed.
func generate(path string, force bool, stdout, stderr io.Writer, random randomFunc, geteuid func() int) error {
	fmt.Fprintln(stdout, "goais authentication key generator.")
	path = filepath.Clean(path)
	if path == config.DefaultKeyfile && geteuid() != 0 {
		return errors.New("the key must be generated as root (or choose another path with -k)")
	}
	// Refuse before gathering: getrandom may block on a fresh machine,
	// and there is no point waiting for a key that will not be written.
	if err := checkTarget(path, force); err != nil {
		return err
	}
	warning, err := prepareDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	if warning != "" {
		fmt.Fprintln(stderr, warning)
	}

	fmt.Fprintf(stdout, "Gathering %d bits for key from the kernel random source.\n", keyBytes*8)
	key := make([]byte, keyBytes)
	defer clear(key) // do not leave the key in memory longer than needed
	if err := gather(random, key); err != nil {
		return err
	}

	shown := path
	if abs, err := filepath.Abs(path); err == nil {
		shown = abs // the advice below is run on other machines, where a relative path means nothing
	}
	fmt.Fprintf(stdout, "Writing goais key to %s.\n", shown)
	if err := writeKeyFile(path, key, force); err != nil {
		if errors.Is(err, errExists) {
			return existsError(path)
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "Copy this file to every node of the cluster, to the same path "+
		"(or the one their totem { keyfile } or OPENAIS_TOTEM_AUTHKEY_FILE names), "+
		"owned by root with mode 0400, e.g.: install -D --group=0 --owner=0 --mode=0400 %s %s\n", shown, shown)
	fmt.Fprintln(stdout, `Nodes whose keys differ log "Invalid digest" and never join.`)
	return nil
}

// checkTarget refuses an existing key unless force, and a target that
// could never be replaced by a file. Lstat, so that a symlink counts as
// existing (and -f replaces the link, not the file it points to).
func checkTarget(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case !force:
		return existsError(path)
	}
	return nil
}

func existsError(path string) error {
	return fmt.Errorf("%s already exists: refusing to overwrite it. Every node of the cluster must have the same key: "+
		"use -f to replace it, then copy the new key to every node", path)
}
