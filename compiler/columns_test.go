package main

import "testing"

func TestUTF16Column(t *testing.T) {
	source := "package x\n\np := \"é😀\" + }\n"
	// OPA counts code points: "}" is the 13th code point of line 3 and the 14th UTF-16 unit (the emoji takes two).
	if got := utf16Column(source, 3, 13, 0); got != 14 {
		t.Fatalf("code point column: got %d, want 14", got)
	}
	offset := len("package x\n\np := \"é😀\" + ")
	if got := utf16Column(source, 3, 13, offset); got != 14 {
		t.Fatalf("byte offset: got %d, want 14", got)
	}
	if got := utf16Column(source, 3, 1, 0); got != 1 {
		t.Fatalf("first column: got %d", got)
	}
	if got := utf16Column(source, 3, 16, 0); got != 17 {
		t.Fatalf("past the end: got %d, want 17", got)
	}
}

func TestCompileErrorColumns(t *testing.T) {
	cases := map[string]struct {
		source string
		line   int
		column int
	}{
		"parse error after emoji": {"package x\n\np := \"é😀\" + }\n", 3, 14},
		"type error after emoji":  {"package x\n\np := \"😀\"\nq if {\n\t\"😀\" == \"a\"; x := \"😀😀\" + 1\n}\n", 5, 20},
	}
	for name, c := range cases {
		response := compilePolicy(Request{Modules: []Module{{File: "a.rego", Source: c.source}}, Entrypoints: []string{"x"}})
		if response.OK || len(response.Errors) == 0 {
			t.Fatalf("%s: expected an error, got %+v", name, response)
		}
		e := response.Errors[0]
		t.Logf("%s: %+v", name, e)
		if e.Line != c.line || (c.column != 0 && e.Column != c.column) {
			t.Fatalf("%s: got %d:%d, want %d:%d", name, e.Line, e.Column, c.line, c.column)
		}
	}
}
