package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// inputSchema is schema/policy-input.schema.json, handed over once by the host ({"op":"configure"}) so the wasm does
// not carry a second copy that could drift. reportColumns are the CSV columns of a credential report (columns.ts),
// the only values a finding's "field" may name.
var (
	inputSchema   any
	reportColumns []string
)

type Configuration struct {
	Schema  json.RawMessage `json:"schema"`
	Columns []string        `json:"columns"`
}

func configure(config Configuration) error {
	if len(config.Schema) == 0 {
		return errors.New("configure: no input schema")
	}
	var schema any
	if err := json.Unmarshal(config.Schema, &schema); err != nil {
		return fmt.Errorf("configure: the input schema is not JSON: %w", err)
	}
	// Compile it once now: a broken schema must fail loudly at start, not as a puzzling error in every policy.
	set := ast.NewSchemaSet()
	set.Put(ast.SchemaRootRef, schema)
	probe := ast.NewCompiler().WithSchemas(set)
	probe.Compile(map[string]*ast.Module{"probe.rego": ast.MustParseModule("package probe\n\nx := input\n")})
	if probe.Failed() {
		return fmt.Errorf("configure: the input schema is unusable: %v", probe.Errors)
	}
	inputSchema, reportColumns = schema, slices.Clone(config.Columns)
	return nil
}

// typeCheck runs OPA's type checker with `input` typed by the input schema (what `opa check --schema` does) on copies
// of the modules, and turns "undefined ref" errors into a located problem on the misspelled name with the closest
// valid names.
func typeCheck(modules []*ast.Module, sources map[string]string) []Problem {
	problems, _ := compiledCopies(modules, sources, true)
	return problems
}

// compileCheck runs OPA's compiler (type checker included) on copies of the modules, with the schema or without.
func compileCheck(modules []*ast.Module, sources map[string]string, withSchema bool) []Problem {
	problems, _ := compiledCopies(modules, sources, withSchema)
	return problems
}

// compiledCopies compiles copies of the modules (print statements erased: their operands are not type-checked, so
// `print(input.missing)` prints <undefined> as in OPA) and returns the
// problems, or on success the compiled modules (for inputProjection).
func compiledCopies(modules []*ast.Module, sources map[string]string, withSchema bool) ([]Problem, map[string]*ast.Module) {
	if withSchema && inputSchema == nil {
		file, line := firstPackageLine(nil, modules)
		return []Problem{{File: file, Line: line, Column: 1, Code: "internal_error", Severity: "error",
			Message: "schema checking was asked for, but no input schema was loaded into the compiler"}}, nil
	}
	copies := make(map[string]*ast.Module, len(modules))
	for i, module := range modules {
		name := fmt.Sprintf("%06d", i)
		if module.Package != nil && module.Package.Location != nil {
			name += module.Package.Location.File
		}
		copies[name] = module.Copy()
	}
	compiler := ast.NewCompiler().WithCapabilities(capabilities()).WithUseTypeCheckAnnotations(true)
	if withSchema {
		set := ast.NewSchemaSet()
		set.Put(ast.SchemaRootRef, inputSchema)
		compiler = compiler.WithSchemas(set)
	}
	compiler.Compile(copies)
	if !compiler.Failed() {
		return nil, compiler.Modules
	}
	problems := make([]Problem, 0, len(compiler.Errors))
	for _, e := range compiler.Errors {
		problems = append(problems, typeProblem(e, sources, modules))
	}
	return problems, nil
}

func typeProblem(e *ast.Error, sources map[string]string, modules []*ast.Module) Problem {
	problem := fromASTError(e, nil, sources, modules)
	problem.Severity = "error"
	detail, ok := e.Details.(*ast.RefErrInvalidDetail)
	if !ok || detail.Pos < 0 || detail.Pos >= len(detail.Ref) {
		return problem
	}
	wrong := detail.Ref[detail.Pos]
	name, isString := wrong.Value.(ast.String)
	if !isString {
		return problem
	}
	var valid []string
	for _, value := range detail.OneOf {
		if s, ok := value.(ast.String); ok {
			valid = append(valid, string(s))
		}
	}
	problem.Suggestions = closestNames(string(name), valid)
	message := fmt.Sprintf("undefined ref: %v: %q is not a field of %v", detail.Ref, string(name), detail.Ref[:detail.Pos])
	if len(problem.Suggestions) > 0 {
		message += "; did you mean " + strings.Join(problem.Suggestions, " or ") + "?"
	}
	if len(problem.Suggestions) == 0 && slices.Contains(valid, "raw") && slices.Contains(valid, "mfa_active") {
		// A user row: columns AWS does not write are only known per report, so the schema cannot list them.
		message += fmt.Sprintf(" (a column AWS does not write is read as %v.raw[%q])", detail.Ref[:detail.Pos], string(name))
	}
	problem.Message = message
	if location := wrong.Location; location != nil && location.Row > 0 {
		source := sources[location.File]
		problem.File, problem.Line = location.File, location.Row
		problem.Column = utf16Column(source, location.Row, location.Col, location.Offset)
		text := string(location.Text)
		if text == "" || strings.ContainsAny(text, "\n") {
			text = string(name)
		}
		problem.EndLine = location.Row
		problem.EndColumn = problem.Column + utf16Length(text)
	}
	return problem
}

// closestNames returns the valid names within a small edit distance of the wrong one (optimal string alignment
// distance, so a swapped pair of letters counts once), best first: at most three.
func closestNames(wrong string, valid []string) []string {
	type candidate struct {
		name     string
		distance int
	}
	limit := max(1, min(3, len(wrong)/3))
	var candidates []candidate
	lowerWrong := strings.ToLower(wrong)
	for _, name := range valid {
		d := editDistance(lowerWrong, strings.ToLower(name))
		if d <= limit || (len(wrong) >= 4 && strings.Contains(name, wrong)) {
			candidates = append(candidates, candidate{name, d})
		}
	}
	sort.SliceStable(candidates, func(i, j int) bool {
		if candidates[i].distance != candidates[j].distance {
			return candidates[i].distance < candidates[j].distance
		}
		return candidates[i].name < candidates[j].name
	})
	var out []string
	for _, c := range candidates {
		if len(out) == 3 {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// editDistance is the optimal string alignment (restricted Damerau-Levenshtein) distance over runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	rows := make([][]int, len(ra)+1)
	for i := range rows {
		rows[i] = make([]int, len(rb)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			rows[i][j] = min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				rows[i][j] = min(rows[i][j], rows[i-2][j-2]+1)
			}
		}
	}
	return rows[len(ra)][len(rb)]
}
