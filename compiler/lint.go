package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// severities are the values a finding's severity may take (src/core/model.ts SEVERITIES); the engine compares them
// case-insensitively.
var severities = []string{"critical", "high", "medium", "low", "info"}

// resultRule matches the rules whose results become findings.
var resultRule = regexp.MustCompile(`^(deny|violation|warn|info)(_[A-Za-z0-9_]+)?$`)

// resultContract checks the constants a policy puts in its results: a "field" that is not a column of the report
// would place the finding on the row's first cell, a "severity" that is not one of the documented values would drop
// the finding at run time. Both are caught here, at the constant.
func resultContract(modules []*ast.Module, sources map[string]string) []Problem {
	var problems []Problem
	for _, module := range modules {
		for _, rule := range module.Rules {
			if len(rule.Head.Args) > 0 || !resultRule.MatchString(ruleName(rule)) {
				continue
			}
			for _, result := range []*ast.Term{rule.Head.Key, rule.Head.Value} {
				object, ok := resultObject(result)
				if !ok {
					continue
				}
				object.Foreach(func(key, value *ast.Term) {
					name, ok := key.Value.(ast.String)
					if !ok {
						return
					}
					text, constant := value.Value.(ast.String)
					if !constant {
						return
					}
					switch string(name) {
					case "field":
						if len(reportColumns) > 0 && !slices.Contains(reportColumns, string(text)) {
							problems = append(problems, constantProblem(value, sources, "rego_result_error",
								fmt.Sprintf("field %q is not a column of the credential report", string(text)),
								closestNames(string(text), reportColumns)))
						}
					case "severity":
						if !slices.Contains(severities, strings.ToLower(string(text))) {
							problems = append(problems, constantProblem(value, sources, "rego_result_error",
								fmt.Sprintf("severity %q is not one of %s", string(text), strings.Join(severities, ", ")),
								closestNames(strings.ToLower(string(text)), severities)))
						}
					}
				})
			}
		}
		problems = append(problems, metadataSeverities(module, sources)...)
	}
	return problems
}

func resultObject(term *ast.Term) (ast.Object, bool) {
	if term == nil {
		return nil, false
	}
	object, ok := term.Value.(ast.Object)
	return object, ok
}

// metadataSeverities checks `custom: severity:` in METADATA blocks, reported on the comment line that sets it.
func metadataSeverities(module *ast.Module, sources map[string]string) []Problem {
	var problems []Problem
	for _, annotation := range module.Annotations {
		value, ok := annotation.Custom["severity"]
		if !ok {
			continue
		}
		text, isString := value.(string)
		if isString && slices.Contains(severities, strings.ToLower(text)) {
			continue
		}
		problem := Problem{Code: "rego_metadata_error", Severity: "error",
			Message: fmt.Sprintf("METADATA severity %v is not one of %s", value, strings.Join(severities, ", "))}
		if isString {
			problem.Suggestions = closestNames(strings.ToLower(text), severities)
			if len(problem.Suggestions) > 0 {
				problem.Message += "; did you mean " + strings.Join(problem.Suggestions, " or ") + "?"
			}
		}
		location := annotation.Location
		for _, comment := range module.Comments {
			// The block's comments follow its "# METADATA" line without a gap.
			if location == nil || comment.Location == nil || comment.Location.File != location.File || comment.Location.Row < location.Row {
				continue
			}
			if column := strings.Index(string(comment.Text), "severity"); column >= 0 {
				location = comment.Location
				problem.File, problem.Line = location.File, location.Row
				// The comment's text starts after '#'.
				problem.Column = utf16Column(sources[location.File], location.Row, location.Col+1+column, -1)
				problem.EndLine, problem.EndColumn = location.Row, problem.Column+utf16Length(strings.TrimRight(string(comment.Text)[column:], " \t"))
				break
			}
		}
		if problem.Line == 0 && location != nil {
			problem.File, problem.Line, problem.Column = location.File, location.Row, 1
		}
		problems = append(problems, problem)
	}
	return problems
}

func constantProblem(term *ast.Term, sources map[string]string, code, message string, suggestions []string) Problem {
	if len(suggestions) > 0 {
		message += "; did you mean " + strings.Join(suggestions, " or ") + "?"
	}
	problem := Problem{Code: code, Severity: "error", Message: message, Suggestions: suggestions}
	locate(&problem, term.Location, sources)
	return problem
}

// locate sets the problem's range to the location's text.
func locate(problem *Problem, location *ast.Location, sources map[string]string) {
	if location == nil {
		return
	}
	problem.File, problem.Line = location.File, location.Row
	problem.Column = utf16Column(sources[location.File], location.Row, location.Col, location.Offset)
	text := string(location.Text)
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		problem.EndLine, problem.EndColumn = location.Row, problem.Column+utf16Length(text)
	} else {
		problem.EndLine = location.Row + len(lines) - 1
		problem.EndColumn = utf16Length(lines[len(lines)-1]) + 1
	}
}

// lint finds mistakes that compile but give wrong results: a sprintf whose verbs and arguments disagree, an
// assignment nothing reads, `=` where `:=` was meant, a print left behind.
func lint(modules []*ast.Module, sources map[string]string) []Problem {
	var problems []Problem
	warn := func(location *ast.Location, code, message string) {
		problem := Problem{Code: code, Severity: "warning", Message: message}
		locate(&problem, location, sources)
		problems = append(problems, problem)
	}
	for _, module := range modules {
		ast.WalkTerms(module, func(term *ast.Term) bool {
			if call, ok := term.Value.(ast.Call); ok {
				lintCall(call, term.Location, warn)
			}
			return false
		})
		ast.WalkExprs(module, func(expr *ast.Expr) bool {
			if terms, ok := expr.Terms.([]*ast.Term); ok && expr.IsCall() {
				lintCall(ast.Call(terms), expr.Location, warn)
			}
			return false
		})
		for _, rule := range module.Rules {
			for current := rule; current != nil; current = current.Else {
				lintBodies(current, warn)
			}
		}
	}
	return problems
}

func lintCall(call ast.Call, location *ast.Location, warn func(*ast.Location, string, string)) {
	if len(call) == 0 {
		return
	}
	operator := call[0].String()
	switch operator {
	case ast.Print.Name:
		// In a test, print is how a test shows what it saw: only a policy's print is a leftover.
		if location != nil && strings.HasSuffix(location.File, "_test.rego") {
			return
		}
		warn(location, "print-call", "print() left in the policy: its output only shows in tests and the policy output channel")
	case ast.Sprintf.Name:
		if len(call) < 3 {
			return
		}
		format, ok := call[1].Value.(ast.String)
		if !ok {
			return
		}
		values, ok := call[2].Value.(*ast.Array)
		if !ok {
			return
		}
		verbs, countable := countVerbs(string(format))
		if countable && verbs != values.Len() {
			warn(location, "sprintf-arguments-mismatch", fmt.Sprintf(
				"sprintf: the format has %d verb%s but %d value%s: the result will contain %s",
				verbs, plural(verbs), values.Len(), plural(values.Len()), missingOrExtra(verbs, values.Len())))
		}
	}
}

func missingOrExtra(verbs, values int) string {
	if verbs > values {
		return "%!v(MISSING)"
	}
	return "%!(EXTRA ...)"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// countVerbs counts the values a Go format string consumes. Explicit argument indexes (%[2]d) make the count
// unknowable here, so they are not counted; a `*` width or precision consumes a value of its own.
func countVerbs(format string) (int, bool) {
	count := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) {
			c := format[i]
			if c == '[' {
				return 0, false
			}
			if c == '*' {
				count++
				i++
				continue
			}
			if strings.IndexByte("+-# 0123456789.", c) >= 0 {
				i++
				continue
			}
			count++
			break
		}
	}
	return count, true
}

// lintBodies looks at one rule's bodies for assignments nothing reads and `=` that binds a fresh variable.
func lintBodies(rule *ast.Rule, warn func(*ast.Location, string, string)) {
	uses := map[ast.Var]int{}
	count := func(node any) {
		ast.WalkVars(node, func(v ast.Var) bool {
			uses[v]++
			return false
		})
	}
	count(rule.Head)
	count(rule.Body)

	declared := map[ast.Var]bool{}
	for _, arg := range rule.Head.Args {
		ast.WalkVars(arg, func(v ast.Var) bool {
			declared[v] = true
			return false
		})
	}
	var walkBody func(body ast.Body)
	walkBody = func(body ast.Body) {
		for _, expr := range body {
			if terms, ok := expr.Terms.([]*ast.Term); ok && len(terms) == 3 && !expr.Negated {
				if v, ok := terms[1].Value.(ast.Var); ok && !v.IsWildcard() && !v.IsGenerated() {
					switch {
					case ast.Assign.Ref().Equal(terms[0].Value):
						if uses[v] == 1 && !strings.HasPrefix(string(v), "_") {
							warn(terms[1].Location, "unused-assignment", fmt.Sprintf("%s is assigned but never used", v))
						}
					case ast.Equality.Ref().Equal(terms[0].Value):
						_, rightIsVar := terms[2].Value.(ast.Var)
						if !declared[v] && !rightIsVar && ast.IsConstant(terms[2].Value) || !declared[v] && !rightIsVar && isCallOrRef(terms[2]) {
							warn(expr.Location, "use-assignment-operator", fmt.Sprintf("%s = ... binds a new variable: write %s := ... (`=` unifies, and silently compares when %s is already bound)", v, v, v))
						}
					}
				}
			}
			ast.WalkClosures(expr, func(closure any) bool {
				switch c := closure.(type) {
				case *ast.ArrayComprehension:
					walkBody(c.Body)
				case *ast.SetComprehension:
					walkBody(c.Body)
				case *ast.ObjectComprehension:
					walkBody(c.Body)
				case *ast.Every:
					walkBody(c.Body)
				}
				return true
			})
			ast.WalkVars(expr, func(v ast.Var) bool {
				declared[v] = true
				return false
			})
		}
	}
	walkBody(rule.Body)
}

func isCallOrRef(term *ast.Term) bool {
	switch term.Value.(type) {
	case ast.Call, ast.Ref:
		return true
	}
	return false
}
