package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestNativeBuiltinsMatchOPA re-reads OPA's private list of builtins implemented inside policy.wasm, from the module
// cache, and fails when nativeBuiltins no longer mirrors it (after an OPA upgrade).
func TestNativeBuiltinsMatchOPA(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/open-policy-agent/opa").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	upstream := selectorNames(t, filepath.Join(strings.TrimSpace(string(out)), "internal/compiler/wasm/wasm.go"), "builtinsFunctions")
	ours := selectorNames(t, "capabilities.go", "nativeBuiltins")
	slices.Sort(upstream)
	slices.Sort(ours)
	if !slices.Equal(upstream, ours) {
		t.Fatalf("nativeBuiltins drifted from OPA's builtinsFunctions:\nupstream %v\nours     %v", upstream, ours)
	}
}

// selectorNames lists X in every ast.X.Name of the named variable's initializer.
func selectorNames(t *testing.T, file, variable string) []string {
	t.Helper()
	parsed, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(parsed, func(node ast.Node) bool {
		spec, ok := node.(*ast.ValueSpec)
		if !ok || len(spec.Names) != 1 || spec.Names[0].Name != variable {
			return true
		}
		ast.Inspect(spec, func(inner ast.Node) bool {
			if selector, ok := inner.(*ast.SelectorExpr); ok && selector.Sel.Name == "Name" {
				if builtin, ok := selector.X.(*ast.SelectorExpr); ok {
					names = append(names, builtin.Sel.Name)
				}
			}
			return true
		})
		return false
	})
	if len(names) == 0 {
		t.Fatalf("no %s in %s", variable, file)
	}
	return names
}

func TestUnsupportedBuiltinsFailAtTheCall(t *testing.T) {
	for _, call := range []string{`http.send({"method": "get", "url": "https://example.com"})`, `crypto.x509.parse_certificates("x")`, `opa.runtime()`} {
		source := "package p\n\ndeny contains msg if {\n\tx := " + call + "\n\tmsg := sprintf(\"%v\", [x])\n}\n"
		response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "p.rego", Source: source}}})
		name := call[:strings.IndexByte(call, '(')]
		if response.OK || len(response.Errors) != 1 {
			t.Fatalf("%s: want one error, got %+v", name, response)
		}
		e := response.Errors[0]
		if e.Line != 4 || e.Column != 7 || e.Message != "undefined function "+name {
			t.Fatalf("%s: got %+v", name, e)
		}
	}
}

func TestSupportedBuiltinsCompile(t *testing.T) {
	source := `package p

deny contains msg if {
	some user in input.users
	time.now_ns() - time.parse_rfc3339_ns(user.created) > 90 * 24 * 3600 * 1000000000
	regex.match("^a", user.user)
	print("debugging", user.user)
	msg := sprintf("%s is old", [user.user])
}
`
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "p.rego", Source: source}}})
	if !response.OK || len(response.Wasm) < 8 || string(response.Wasm[:4]) != "\x00asm" {
		t.Fatalf("want wasm, got %+v", response.Errors)
	}
	if !slices.Equal(response.Entrypoints, []string{"p/deny"}) {
		t.Fatalf("entrypoints %v", response.Entrypoints)
	}
}

// The compiler rewrites some constructs into builtin calls (every, some ... in, template strings): those must stay
// in the restricted capabilities or valid policies would fail with "undefined function".
func TestLanguageFeaturesCompile(t *testing.T) {
	source := `package p

deny contains msg if {
	some i, user in input.users
	every key in object.keys(user) { is_string(key) }
	names := {u.user | some u in input.users}
	"alice" in names
	not user.user in {"root"}
	count([n | some n in numbers.range(1, 3)]) == 3
	x := object.get(user, "age", 0) with input.flag as true
	msg := $"{user.user} {i} {x} {json.marshal(names)}"
	startswith(msg, "a")
	regex.split(",", "a,b")
	yaml.marshal(names)
	time.weekday(time.now_ns())
}
`
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "p.rego", Source: source}}})
	if !response.OK {
		t.Fatalf("want wasm, got %+v", response.Errors)
	}
}

// Entrypoints are the decision rules, not their packages (open-policy-agent/opa#4411): a function calling another
// function of the same package compiles, functions named like decision rules are not entrypoints, and every
// decision rule of every package (including exception) is one.
func TestDecisionRuleEntrypoints(t *testing.T) {
	policy := `package user.old_keys

age(u) := time.now_ns() - time.parse_rfc3339_ns(u.created)

is_old(u) if age(u) > 1

deny contains msg if {
	some u in input.users
	is_old(u)
	msg := sprintf("%s is old", [u.user])
}

warn_rotation contains "rotate" if input.rotate

exception contains ["rotation"] if input.skip

deny contains "again" if input.again
`
	other := `package user.other

violation contains "v" if input.v

helper := true

info(x) := x
`
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "old.rego", Source: policy}, {File: "other.rego", Source: other}}})
	if !response.OK {
		t.Fatalf("want wasm, got %+v", response.Errors)
	}
	want := []string{"user/old_keys/deny", "user/old_keys/warn_rotation", "user/old_keys/exception", "user/other/violation"}
	if !slices.Equal(response.Entrypoints, want) {
		t.Fatalf("entrypoints %v, want %v", response.Entrypoints, want)
	}
}

// Building rule entrypoints rewrites the parsed modules: the rule locations must be read before.
func TestRuleLocationsSurviveRuleEntrypoints(t *testing.T) {
	source := "package p\n\nhelper := 1\n\ndeny contains \"x\" if input.x\n\nwarn_y contains \"y\" if input.y\n"
	response := compilePolicy(Request{Schema: schemaOff(), Modules: []Module{{File: "p.rego", Source: source}}})
	if !response.OK {
		t.Fatalf("want wasm, got %+v", response.Errors)
	}
	want := []RuleLocation{{"p", "helper", "p.rego", 3}, {"p", "deny", "p.rego", 5}, {"p", "warn_y", "p.rego", 7}}
	if !slices.Equal(response.Rules, want) {
		t.Fatalf("rules %+v, want %+v", response.Rules, want)
	}
}
