package main

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func projectionOf(t *testing.T, body string) InputProjection {
	t.Helper()
	source := "package p\n\n" + body + "\n"
	module, err := ast.ParseModuleWithOpts("p.rego", source, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	compiler := ast.NewCompiler().WithCapabilities(capabilities())
	compiler.Compile(map[string]*ast.Module{"p.rego": module})
	if compiler.Failed() {
		t.Fatalf("compile: %v", compiler.Errors)
	}
	return inputProjection(compiler.Modules)
}

// expectFields checks that each policy is projected to exactly the comma-separated fields given.
func expectFields(t *testing.T, cases map[string]string) {
	t.Helper()
	for policy, want := range cases {
		got := projectionOf(t, policy)
		if got.Whole {
			t.Errorf("%s\n  whole input (%s), want fields %q", policy, got.Reason, want)
			continue
		}
		if strings.Join(got.Fields, ",") != want {
			t.Errorf("%s\n  fields %q, want %q", policy, strings.Join(got.Fields, ","), want)
		}
	}
}

func TestProjectionKeepsOnlyConstantFields(t *testing.T) {
	cases := map[string]string{
		`deny contains msg if { some u in input.users; u.mfa_active == false; msg := sprintf("%s", [u.user]) }`: "mfa_active,user",
		`deny contains u.user if { u := input.users[_]; u.password_enabled }`:                                   "password_enabled,user",
		`deny contains x if { x := input.users[_].arn }`:                                                        "arn",
		`deny contains "x" if { every u in input.users { u.line > 0 } }`:                                        "line",
		`deny contains n if { n := count(input.users) }`:                                                        "",
		`deny contains names if { names := [v.user | v := input.users[_]]; input.evaluation_time }`:             "user",
		`deny contains u.user if { some i, u in input.users; i > 0; u["mfa_active"] == false }`:                 "mfa_active,user",
		`deny contains u.user if { some u in input.users; u.raw["x-custom"] == "y" }`:                           "raw,user",
		`deny contains u.user if { some u in input.users; v := u; v.is_root }`:                                  "is_root,user",
		`deny contains x if { some u in input.users; x := {"user": u.user, "field": "mfa_active"} }`:            "user",
	}
	expectFields(t, cases)
}

func TestProjectionGivesUpOnWholeRows(t *testing.T) {
	cases := []string{
		`deny contains u if { some u in input.users }`,
		`deny contains x if { some u in input.users; x := json.marshal(u) }`,
		`deny contains k if { some u in input.users; some k, _ in u }`,
		`deny contains k if { some u in input.users; k := "mfa_active"; u[k] == false }`,
		`deny contains k if { some u in input.users; k := object.keys(u) }`,
		`deny contains "x" if { some u in input.users; some w in input.users; u == w; u.user != "" }`,
		`deny contains "x" if { some u in input.users; some w in input.users; u = w }`,
		`deny contains x if { x := input }`,
		`deny contains x if { x := input.users }`,
		`deny contains x if { walk(input, x) }`,
		`deny contains k if { some k, _ in input }`,
		`users := input.users
deny contains u.user if { some u in users }`,
		`deny contains "x" if { some u in input.users; u in input.users }`,
		`deny contains x if { x := [u | u := input.users[_]] }`,
		`deny contains x if { x := {u.user: u | u := input.users[_]} }`,
		`deny contains x if { some u in input.users; x := concat(",", [u.user, u[concat("_", ["mfa", "active"])]]) }`,
		`rows contains u if { some u in input.users }
deny contains r.user if { some r in rows }`,
		`deny contains x if { x := count(input.users) with input as {"users": []} }`,
	}
	for _, policy := range cases {
		got := projectionOf(t, policy)
		if !got.Whole {
			t.Errorf("%s\n  projected to %q: must keep the whole input", policy, strings.Join(got.Fields, ","))
		}
	}
}

func TestProjectionFollowsRowsIntoFunctions(t *testing.T) {
	cases := map[string]string{
		"label(u) := \"root\" if u.is_root\nlabel(u) := \"person\" if { not u.is_root; u.user != \"\" }\ninfo contains label(u) if { some u in input.users }": "is_root,user",
		"iam(u) if not u.is_root\nf(x) := x.user if iam(x)\ndeny contains f(u) if { some u in input.users; u.mfa_active == false }":                           "is_root,mfa_active,user",
		`deny contains object.get(u, "account_id", "unknown") if { some u in input.users }`:                                                                   "account_id",
		"age(u) := d if { d := u.user_creation_time_days } else := -1\ndeny contains u.user if { some u in input.users; age(u) > 3 }":                         "user,user_creation_time_days",
	}
	expectFields(t, cases)
	whole := []string{
		"id(u) := u\ndeny contains id(u).user if { some u in input.users }",
		"keys(u) := object.keys(u)\ndeny contains keys(u) if { some u in input.users }",
		"g(u, k) := u[k]\ndeny contains g(u, \"user\") if { some u in input.users }",
		"deny contains x if { some u in input.users; k := \"user\"; x := object.get(u, k, \"\") }",
	}
	for _, policy := range whole {
		if got := projectionOf(t, policy); !got.Whole {
			t.Errorf("%s\n  projected to %q: must keep the whole input", policy, strings.Join(got.Fields, ","))
		}
	}
}

func TestPrintMakesTheWholeInput(t *testing.T) {
	source := "package p\n\ndeny contains u.user if {\n\tsome u in input.users\n\tprint(u)\n}\n"
	response := compilePolicy(Request{Modules: []Module{{File: "p.rego", Source: source}}, Schema: new(bool)})
	if !response.OK || response.Projection == nil || !response.Projection.Whole {
		t.Fatalf("a policy that prints a row must get the whole input: %+v %+v", response.Projection, response.Errors)
	}
}
