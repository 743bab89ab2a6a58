package main

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Column converts an OPA column into the 1-based UTF-16 column editors use (VS Code ranges count UTF-16 code
// units). OPA 1.22's scanner counts columns in code points (not bytes, as older notes said), so "é" needs no
// correction but every astral character (an emoji) before the error adds one UTF-16 unit. When the location also
// carries a byte offset into the file, that offset is exact and wins.
func utf16Column(source string, row, column, byteOffset int) int {
	if row < 1 || column < 1 {
		return column
	}
	lineStart := 0
	for current := 1; current < row; current++ {
		next := strings.IndexByte(source[lineStart:], '\n')
		if next < 0 {
			return column
		}
		lineStart += next + 1
	}
	line := source[lineStart:]
	if end := strings.IndexByte(line, '\n'); end >= 0 {
		line = line[:end]
	}
	if byteOffset > lineStart && byteOffset <= lineStart+len(line) && utf8.RuneCountInString(source[lineStart:byteOffset]) == column-1 {
		return utf16Length(source[lineStart:byteOffset]) + 1
	}
	units, runes := 0, 0
	for _, r := range line {
		if runes == column-1 {
			return units + 1
		}
		units += utf16Width(r)
		runes++
	}
	// Columns past the end of the line (OPA sometimes points one past it) keep their distance from the end.
	return units + 1 + (column - 1 - runes)
}

func utf16Length(text string) int {
	units := 0
	for _, r := range text {
		units += utf16Width(r)
	}
	return units
}

func utf16Width(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}
