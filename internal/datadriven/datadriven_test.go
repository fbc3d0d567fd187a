package datadriven

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseScript(t *testing.T) {
	script := "# comment\n\ncmd a b=1 c=(2, 3) d=\"x y\" e=()\ninput line\n----\nout 1\nout 2\n\nempty\n----\n\n# trailer\n"
	cases, trailer, err := ParseScript("s.txt", script)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("got %d cases, want 2", len(cases))
	}
	c := cases[0]
	want := []Arg{{Key: "a"}, {Key: "b", Vals: []string{"1"}}, {Key: "c", Vals: []string{"2", "3"}},
		{Key: "d", Vals: []string{"x y"}}, {Key: "e", Vals: []string{}}}
	if c.Cmd != "cmd" || !reflect.DeepEqual(c.Args, want) {
		t.Errorf("command = %q %#v, want cmd %#v", c.Cmd, c.Args, want)
	}
	if c.Pos != "s.txt:3" || c.Input != "input line" || c.Expected != "out 1\nout 2\n" {
		t.Errorf("case 0 = pos %q input %q expected %q", c.Pos, c.Input, c.Expected)
	}
	if v, ok := c.Value("c"); !ok || v != "2,3" {
		t.Errorf("Value(c) = %q, %v", v, ok)
	}
	if !c.Has("a") || c.Has("z") {
		t.Error("Has is wrong")
	}
	if cases[1].Cmd != "empty" || cases[1].Expected != "" {
		t.Errorf("case 1 = %q expected %q", cases[1].Cmd, cases[1].Expected)
	}
	if trailer != "# trailer\n" {
		t.Errorf("trailer = %q", trailer)
	}
	// Reassembling headers, outputs and trailer reproduces the script,
	// which is what -rewrite relies on.
	var b strings.Builder
	for i, c := range cases {
		b.WriteString(c.header + c.Expected)
		if i < len(cases)-1 || trailer != "" {
			b.WriteString("\n")
		}
	}
	b.WriteString(trailer)
	if b.String() != script {
		t.Errorf("reassembled script differs:\n%q\nwant\n%q", b.String(), script)
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, s := range []string{"cmd\nno separator\n", "cmd a=(1\n----\n", "cmd \"open\n----\n", "cmd a)\n----\n"} {
		if _, _, err := ParseScript("bad.txt", s); err == nil {
			t.Errorf("ParseScript(%q) succeeded, want an error", s)
		} else if !strings.Contains(err.Error(), "bad.txt:1") {
			t.Errorf("error %q does not name the position", err)
		}
	}
}

func FuzzParseScript(f *testing.F) {
	f.Add("cmd a b=1 c=(2,3)\n----\nout\n\nnext\n----\n")
	f.Add("# only a comment\n")
	f.Add("x \"q (\" y=(\n----\n")
	f.Fuzz(func(t *testing.T, s string) {
		cases, _, err := ParseScript("fuzz.txt", s)
		if err != nil {
			return
		}
		for _, c := range cases {
			if c.Cmd == "" {
				t.Fatalf("empty command from %q", s)
			}
		}
	})
}
