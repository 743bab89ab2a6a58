package main

import (
	"os"
	"strings"
	"testing"
)

// The CSV columns of a credential report (src/core/report/columns.ts CURRENT_COLUMNS), which the host hands over.
var testColumns = strings.Fields(`user arn user_creation_time password_enabled password_last_used password_last_changed
password_next_rotation mfa_active access_key_1_active access_key_1_last_rotated access_key_1_last_used_date
access_key_1_last_used_region access_key_1_last_used_service access_key_2_active access_key_2_last_rotated
access_key_2_last_used_date access_key_2_last_used_region access_key_2_last_used_service cert_1_active
cert_1_last_rotated cert_2_active cert_2_last_rotated`)

func TestMain(m *testing.M) {
	schema, err := os.ReadFile("../schema/policy-input.schema.json")
	if err != nil {
		panic(err)
	}
	if err := configure(Configuration{Schema: schema, Columns: testColumns}); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func TestMisspelledFieldIsLocatedWithSuggestion(t *testing.T) {
	source := "package custom.typo\n\ndeny contains msg if {\n\tsome u in input.users\n\tu.mfa_actve == false\n\tmsg := u.user\n}\n"
	response := compilePolicy(Request{Modules: []Module{{File: "typo.rego", Source: source}}})
	if response.OK || len(response.Errors) != 1 {
		t.Fatalf("want one error, got %+v", response)
	}
	e := response.Errors[0]
	if e.Line != 5 || e.Column != 4 || e.EndLine != 5 || e.EndColumn != 13 || e.Code != "rego_type_error" {
		t.Fatalf("wrong range or code: %+v", e)
	}
	if len(e.Suggestions) == 0 || e.Suggestions[0] != "mfa_active" || !strings.Contains(e.Message, "did you mean mfa_active") {
		t.Fatalf("no suggestion: %+v", e)
	}
	off := false
	if response := compilePolicy(Request{Modules: []Module{{File: "typo.rego", Source: source}}, Schema: &off}); !response.OK {
		t.Fatalf("without the schema the typo compiles (that is the old, silent behaviour): %+v", response.Errors)
	}
}

func TestEditDistanceCountsATranspositionOnce(t *testing.T) {
	if d := editDistance("mfa_actvie", "mfa_active"); d != 1 {
		t.Fatalf("got %d", d)
	}
	if got := closestNames("pasword_enabled", []string{"password_enabled", "password_enabled_status", "mfa_active"}); len(got) == 0 || got[0] != "password_enabled" {
		t.Fatalf("got %v", got)
	}
}

func TestResultContract(t *testing.T) {
	source := `package custom.contract

# METADATA
# custom:
#   severity: urgent
deny contains {"msg": "x", "field": "mfa_actve", "severity": "hgh"} if {
	some u in input.users
	u.mfa_active == false
}
`
	response := compilePolicy(Request{Modules: []Module{{File: "c.rego", Source: source}}})
	if response.OK || len(response.Errors) != 3 {
		t.Fatalf("want 3 errors, got %+v", response.Errors)
	}
	var messages []string
	for _, e := range response.Errors {
		messages = append(messages, e.Message)
	}
	all := strings.Join(messages, "\n")
	for _, want := range []string{`field "mfa_actve" is not a column`, "did you mean mfa_active", `severity "hgh"`, "did you mean high", "METADATA severity urgent"} {
		if !strings.Contains(all, want) {
			t.Fatalf("missing %q in %s", want, all)
		}
	}
	for _, e := range response.Errors {
		if strings.Contains(e.Message, "mfa_actve") && (e.Line != 6 || e.Column != 37 || e.EndColumn != 48) {
			t.Fatalf("field range: %+v", e)
		}
		if strings.Contains(e.Message, "METADATA") && (e.Line != 5 || e.Column != 5) {
			t.Fatalf("metadata location: %+v", e)
		}
	}
}

func TestLints(t *testing.T) {
	source := `package custom.lints

deny contains msg if {
	some u in input.users
	unused := u.arn
	name = u.user
	print(name)
	msg := sprintf("user %s %d", [name])
}
`
	diagnostics := checkModules(CheckRequest{Modules: []Module{{File: "l.rego", Source: source}}}).Diagnostics
	codes := map[string]Problem{}
	for _, d := range diagnostics {
		codes[d.Code] = d
		if d.Severity != "warning" {
			t.Fatalf("lints are warnings: %+v", d)
		}
	}
	for code, line := range map[string]int{"unused-assignment": 5, "use-assignment-operator": 6, "print-call": 7, "sprintf-arguments-mismatch": 8} {
		if d, ok := codes[code]; !ok || d.Line != line {
			t.Fatalf("%s: want line %d, got %+v (all: %+v)", code, line, d, diagnostics)
		}
	}
	if len(diagnostics) != 4 {
		t.Fatalf("want exactly 4 lints, got %+v", diagnostics)
	}
}

func TestCountVerbs(t *testing.T) {
	for format, want := range map[string]int{"%s %d": 2, "100%% %v": 1, "%-5.2f|%*d": 3, "none": 0} {
		if got, ok := countVerbs(format); !ok || got != want {
			t.Fatalf("%q: got %d", format, got)
		}
	}
	if _, ok := countVerbs("%[2]d %[1]s"); ok {
		t.Fatal("explicit indexes are not countable")
	}
}

func TestFormatAndBuiltins(t *testing.T) {
	got := formatModule(Module{File: "f.rego", Source: "package p\nallow if {input.x==1}\n"})
	if !got.OK || got.Formatted != "package p\n\nallow if input.x == 1\n" {
		t.Fatalf("got %+v", got)
	}
	docs := builtinDocs()
	found := false
	for _, doc := range docs {
		if doc.Name == "sprintf" {
			found = doc.Signature == "sprintf(format: string, values: array[any]) => string" && doc.Description != ""
		}
		if doc.Name == "http.send" || doc.Name == "credcheck.sprintf" {
			t.Fatalf("%s is not callable", doc.Name)
		}
	}
	if !found {
		t.Fatal("sprintf is documented with its signature")
	}
}

func TestTests(t *testing.T) {
	policy := "package custom.p\n\nallow if input.x == 1\n"
	tests := "package custom.p_test\n\nimport data.custom.p\n\ntest_pass if {\n\tprint(\"hello\")\n\tp.allow with input as {\"x\": 1}\n}\n\ntest_fail if {\n\tp.allow with input as {\"x\": 2}\n}\n"
	response := runTests(TestRequest{Modules: []Module{{File: "p.rego", Source: policy}, {File: "p_test.rego", Source: tests}}}, nil)
	if len(response.Errors) > 0 || len(response.Results) != 2 {
		t.Fatalf("got %+v", response)
	}
	for _, r := range response.Results {
		switch r.Name {
		case "test_pass":
			if r.Status != "pass" || len(r.Output) != 1 || r.Output[0] != "hello" {
				t.Fatalf("pass: %+v", r)
			}
		case "test_fail":
			if r.Status != "fail" || r.Failure == nil || r.Failure.Line != 11 || r.Failure.Column != 2 {
				t.Fatalf("fail: %+v %+v", r, r.Failure)
			}
		}
	}
	if !strings.Contains(response.Report, "data.custom.p_test.test_fail: FAIL") || !strings.Contains(response.Report, "FAIL: 1/2") {
		t.Fatalf("report: %s", response.Report)
	}
}

// schemaOff compiles without the input schema, for tests about other things that use a made-up input.
func schemaOff() *bool {
	off := false
	return &off
}

func TestPrintInATestIsNotALeftover(t *testing.T) {
	source := "package p_test\n\ntest_x if {\n\tprint(\"seen\")\n}\n"
	if d := checkModules(CheckRequest{Modules: []Module{{File: "p_test.rego", Source: source}}}).Diagnostics; len(d) != 0 {
		t.Fatalf("got %+v", d)
	}
	if d := checkModules(CheckRequest{Modules: []Module{{File: "p.rego", Source: source}}}).Diagnostics; len(d) != 1 || d[0].Code != "print-call" {
		t.Fatalf("got %+v", d)
	}
}
