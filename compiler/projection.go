package main

// Input projection: which columns of `input.users` rows a compiled policy can read, so the host hands it only those
// (a 5,000-user report is ~14 MB of JSON, most of it columns a given policy never looks at, and OPA's wasm parses all
// of it on every evaluation).
//
// Sound first: the analysis runs on the modules as OPA's compiler leaves them (locals renamed, `some u in xs` turned
// into `u = xs[i]`, every reference and call operand hoisted into its own `__localN__ = ...` expression), and it gives
// up (Whole) whenever a row, the users array or `input` itself could be used as a value rather than through a
// constant field: passed to a function or a builtin, output, compared, iterated by key, indexed by a computed key,
// replaced by `with`, or reached through an expression shape the analysis does not know. Only then is a row's field
// set smaller than the whole row, and a policy that reads rows only through constant fields cannot tell the
// difference.

import (
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// InputProjection is what the host may leave out of the input: with Whole false, each users row needs only Fields
// (other top-level keys are always kept whole).
type InputProjection struct {
	Whole  bool     `json:"whole"`
	Fields []string `json:"fields,omitempty"`
	// Reason says why the whole input is needed (the first use that defeated the analysis), for tests and benchmarks.
	Reason string `json:"reason,omitempty"`
}

type valueKind int

const (
	notTracked valueKind = iota
	inputKind            // the whole input document
	usersKind            // input.users, the array of rows
	rowKind              // one element of input.users
)

type projectionAnalysis struct {
	fields map[string]bool
	whole  string
	// functions are the compiled user functions by path (data.pkg.f), for rows passed as arguments.
	functions map[string][]*ast.Rule
	// analysed are the (function, argument position, kind) already analysed or being analysed.
	analysed map[string]bool
}

func (a *projectionAnalysis) giveUp(reason string, location *ast.Location) {
	if a.whole != "" {
		return
	}
	if location != nil {
		reason += " at " + location.String()
	}
	a.whole = reason
}

// inputProjection analyses modules compiled by OPA (compiler.Modules after Compile).
func inputProjection(modules map[string]*ast.Module) InputProjection {
	analysis := &projectionAnalysis{fields: map[string]bool{}, functions: map[string][]*ast.Rule{}, analysed: map[string]bool{}}
	names := make([]string, 0, len(modules))
	for name := range modules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, rule := range modules[name].Rules {
			if len(rule.Head.Args) > 0 {
				path := rule.Path().String()
				analysis.functions[path] = append(analysis.functions[path], rule)
			}
		}
	}
	for _, name := range names {
		for _, rule := range modules[name].Rules {
			for r := rule; r != nil; r = r.Else {
				analysis.rule(r, nil)
			}
		}
	}
	if analysis.whole != "" {
		return InputProjection{Whole: true, Reason: analysis.whole}
	}
	fields := make([]string, 0, len(analysis.fields))
	for field := range analysis.fields {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	return InputProjection{Fields: fields}
}

// ruleScope is one rule's variables (compiled locals are unique within a rule, comprehensions and every included).
type ruleScope struct {
	analysis *projectionAnalysis
	kinds    map[ast.Var]valueKind
	// bindings are the equality expressions that give a tracked variable its value (the only bare use allowed).
	bindings map[*ast.Expr]ast.Var
}

// rule analyses one rule; params gives the kinds of a function's arguments when a caller passes it tracked values
// (each argument's occurrence in the head is its binding).
func (a *projectionAnalysis) rule(whole *ast.Rule, params map[ast.Var]valueKind) {
	// One definition at a time: the walkers below would otherwise descend into the else chain, analysed on its own.
	shallow := *whole
	shallow.Else = nil
	rule := &shallow
	scope := &ruleScope{analysis: a, kinds: map[ast.Var]valueKind{}, bindings: map[*ast.Expr]ast.Var{}}
	for v, kind := range params {
		scope.kinds[v] = kind
	}
	var exprs []*ast.Expr
	ast.WalkExprs(rule, func(expr *ast.Expr) bool {
		exprs = append(exprs, expr)
		return false
	})
	// Variables occurring bare (not as the head of a reference) anywhere in the rule, head and arguments included:
	// a tracked variable's binding must be its only bare occurrence besides the allowed consumers.
	bare := map[ast.Var]int{}
	countBare(rule, bare)
	// Kinds flow through `v = <tracked>` until nothing changes.
	for changed := true; changed; {
		changed = false
		for _, expr := range exprs {
			if _, done := scope.bindings[expr]; done {
				continue
			}
			// `every k, v in users { ... }`: v is a row, bound there.
			if every, ok := expr.Terms.(*ast.Every); ok && !expr.Negated && len(expr.With) == 0 && scope.kindOf(every.Domain) == usersKind {
				if value, ok := every.Value.Value.(ast.Var); ok && scope.kinds[value] == notTracked {
					scope.kinds[value] = rowKind
					scope.bindings[expr] = value
					changed = true
				}
				continue
			}
			if !expr.IsEquality() || len(expr.With) > 0 || expr.Negated {
				continue
			}
			left, right := expr.Operand(0), expr.Operand(1)
			for _, pair := range [][2]*ast.Term{{left, right}, {right, left}} {
				sink, ok := pair[0].Value.(ast.Var)
				if !ok || scope.kinds[sink] != notTracked {
					continue
				}
				kind := scope.kindOf(pair[1])
				if kind == notTracked {
					continue
				}
				scope.kinds[sink] = kind
				scope.bindings[expr] = sink
				changed = true
				break
			}
		}
	}
	for v, kind := range scope.kinds {
		allowed := 1 // its binding
		if kind == usersKind {
			allowed += scope.usersConsumers(exprs, v)
		}
		allowed += scope.aliasSources(v)
		allowed += scope.functionArguments(exprs, v, rule.Location)
		if bare[v] > allowed {
			a.giveUp("a row, the users or the input used as a value ("+string(v)+")", rule.Location)
		}
	}
	// Every reference into a tracked value or into `input` must be a field read the projection keeps.
	ast.WalkTerms(rule, func(term *ast.Term) bool {
		if ref, ok := term.Value.(ast.Ref); ok {
			scope.reference(ref, term.Location)
		}
		return false
	})
	for _, expr := range exprs {
		for _, with := range expr.With {
			if ref, ok := with.Target.Value.(ast.Ref); ok && ref.HasPrefix(ast.InputRootRef) {
				a.giveUp("`with input`", expr.Location)
			}
		}
	}
}

// kindOf is the kind of value a term evaluates to, if it is one the analysis tracks.
func (s *ruleScope) kindOf(term *ast.Term) valueKind {
	switch value := term.Value.(type) {
	case ast.Var:
		if value.Equal(ast.InputRootDocument.Value) {
			return inputKind
		}
		return s.kinds[value]
	case ast.Ref:
		kind := s.kindOf(value[0])
		for _, part := range value[1:] {
			kind = step(kind, part)
			if kind == notTracked {
				return notTracked
			}
		}
		return kind
	}
	return notTracked
}

// step is the kind of `x[part]` for x of the given kind.
func step(kind valueKind, part *ast.Term) valueKind {
	switch kind {
	case inputKind:
		if key, ok := part.Value.(ast.String); ok && key == "users" {
			return usersKind
		}
	case usersKind:
		return rowKind
	}
	return notTracked
}

// reference checks one reference: a path into input, the users or a row must end in constant field names.
func (s *ruleScope) reference(ref ast.Ref, location *ast.Location) {
	kind := s.kindOf(ref[0])
	if kind == notTracked {
		return
	}
	for _, part := range ref[1:] {
		switch kind {
		case inputKind:
			key, ok := part.Value.(ast.String)
			if !ok {
				s.analysis.giveUp("input indexed by a computed key", location)
				return
			}
			if key != "users" {
				return // other top-level keys are passed whole
			}
			kind = usersKind
		case usersKind:
			kind = rowKind
		case rowKind:
			key, ok := part.Value.(ast.String)
			if !ok {
				s.analysis.giveUp("a row indexed by a computed key", location)
				return
			}
			s.analysis.fields[string(key)] = true
			return // the column's value (a scalar, or `raw`, kept whole) is not tracked further
		}
	}
	// The reference ends at a tracked value (`input.users[i]`, `input`): only a binding or an allowed consumer may
	// hold it, which the bare-occurrence count and the hoisting of references into `v = ref` expressions ensure.
	if !s.isBindingSource(ref) {
		s.analysis.giveUp("a row, the users or the input used as a value", location)
	}
}

// isBindingSource: the compiled form hoists every reference that is not a field read into a binding `v = ref`.
func (s *ruleScope) isBindingSource(ref ast.Ref) bool {
	for expr := range s.bindings {
		if !expr.IsEquality() {
			continue
		}
		for _, operand := range expr.Operands() {
			if other, ok := operand.Value.(ast.Ref); ok && other.Equal(ref) {
				return true
			}
		}
	}
	return false
}

// usersConsumers counts the bare uses of a users variable that keep each row whole: `count(users)` and the domain of
// `every` (whose value variable is then a row).
func (s *ruleScope) usersConsumers(exprs []*ast.Expr, v ast.Var) int {
	n := 0
	for _, expr := range exprs {
		if expr.IsCall() && expr.Operator().Equal(ast.Count.Ref()) && len(expr.Operands()) >= 1 && expr.Operand(0).Value.Compare(v) == 0 {
			n++
		}
		if every, ok := expr.Terms.(*ast.Every); ok && every.Domain.Value.Compare(v) == 0 {
			n++
		}
	}
	return n
}

// functionArguments counts the calls that pass v to a user function (analysed with that argument tracked) or read a
// constant field of a row through object.get.
func (s *ruleScope) functionArguments(exprs []*ast.Expr, v ast.Var, location *ast.Location) int {
	n := 0
	kind := s.kinds[v]
	for _, expr := range exprs {
		if !expr.IsCall() {
			continue
		}
		operator := expr.Operator()
		operands := expr.Operands()
		for position, operand := range operands {
			if operand.Value.Compare(v) != 0 {
				continue
			}
			if kind == rowKind && operator.Equal(ast.ObjectGet.Ref()) && position == 0 && len(operands) >= 3 {
				if field, ok := constantField(operands[1]); ok {
					s.analysis.fields[field] = true
					n++
				}
				continue
			}
			rules, ok := s.analysis.functions[operator.String()]
			if !ok || position >= len(rules[0].Head.Args) {
				continue // a builtin, or the output operand: a use as a value
			}
			if s.analysis.function(operator.String(), rules, position, kind, location) {
				n++
			}
		}
	}
	return n
}

// function analyses every definition of a user function with argument `position` of the given kind; false when an
// argument there is not a plain variable (the call is then a use as a value).
func (a *projectionAnalysis) function(path string, rules []*ast.Rule, position int, kind valueKind, location *ast.Location) bool {
	key := fmt.Sprintf("%s/%d/%d", path, position, kind)
	if a.analysed[key] {
		return true
	}
	a.analysed[key] = true
	for _, rule := range rules {
		for r := rule; r != nil; r = r.Else {
			if position >= len(r.Head.Args) {
				a.giveUp("a row passed to "+path+", whose definitions differ in arity", location)
				return false
			}
			param, ok := r.Head.Args[position].Value.(ast.Var)
			if !ok {
				a.giveUp("a row passed to "+path+", whose argument is a pattern", location)
				return false
			}
			a.rule(r, map[ast.Var]valueKind{param: kind})
		}
	}
	return true
}

// constantField is the column an object.get key names: "col" or ["col", ...].
func constantField(key *ast.Term) (string, bool) {
	switch value := key.Value.(type) {
	case ast.String:
		return string(value), true
	case *ast.Array:
		if value.Len() > 0 {
			if first, ok := value.Elem(0).Value.(ast.String); ok {
				return string(first), true
			}
		}
	}
	return "", false
}

// aliasSources counts the bindings `w = v` that copy v (each is a bare occurrence of v, and w is tracked in its turn).
func (s *ruleScope) aliasSources(v ast.Var) int {
	n := 0
	for expr, sink := range s.bindings {
		if sink == v || !expr.IsEquality() {
			continue
		}
		for _, operand := range expr.Operands() {
			if operand.Value.Compare(v) == 0 {
				n++
			}
		}
	}
	return n
}

// countBare counts each variable's occurrences that are not the head of a reference.
func countBare(node any, counts map[ast.Var]int) {
	ast.WalkTerms(node, func(term *ast.Term) bool {
		switch value := term.Value.(type) {
		case ast.Var:
			counts[value]++
		case ast.Ref:
			// The head is a use through the reference; the other parts (indexes) are terms of their own.
			for _, part := range value[1:] {
				countBare(part, counts)
			}
			return true
		}
		return false
	})
}
