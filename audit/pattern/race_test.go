//go:build race

package pattern

// raceScale shrinks the brute-force tests under the race detector, which
// slows them tenfold without making them find more.
const raceScale = 4
