//go:build !race

package pattern

const raceScale = 1
