package main

import "testing"

func TestDevPartitions(t *testing.T) {
	for cores, want := range map[int]int{1: 2, 2: 2, 3: 3, 4: 4, 64: 4} {
		if got := devPartitions(cores); got != want {
			t.Errorf("devPartitions(%d) = %d, want %d", cores, got, want)
		}
	}
}
