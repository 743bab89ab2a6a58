package main

import (
	"bytes"
	"testing"
)

// A print survives compilation (it is not erased) and carries its file:line to the host.
func TestPrintIsKeptWithItsLocation(t *testing.T) {
	source := "package p\n\ndeny contains msg if {\n\tsome user in input.users\n\tprint(\"saw\", user.user)\n\tmsg := user.user\n}\n"
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "policies/p.rego", Source: source}}})
	if !response.OK {
		t.Fatalf("want wasm, got %+v", response.Errors)
	}
	if !bytes.Contains(response.Wasm, []byte("internal.print")) {
		t.Fatalf("the wasm does not import internal.print: print was erased")
	}
	if !bytes.Contains(response.Wasm, []byte(printLocationPrefix+"policies/p.rego:5")) {
		t.Fatalf("the wasm does not carry the print's location")
	}
}
