// Package datadriven runs golden-transcript test scripts: files of
// commands, each followed by "----" and the output it is expected to
// produce, ended by a blank line. Lines starting with # and blank lines
// between commands are comments. A command line is a word followed by
// arguments, bare words or key=value, where a value may be a
// comma-separated list in parentheses: "deliver n=3 nodes=(1,2)".
//
// Run the test binary with -rewrite to write the actual output back into
// the scripts instead of comparing; then read the diff.
package datadriven
