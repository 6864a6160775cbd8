// Command treepeak runs a command and reports its wall time and the peak of the summed
// resident memory of its whole process tree (Go, Node, terraform...), sampled every 50 ms.
//
//	treepeak [-label NAME] [-o results.tsv] -- command args...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	label := flag.String("label", "", "name of the measurement (default: the command)")
	out := flag.String("o", "", "append a tab-separated result line to this file")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: treepeak [-label NAME] [-o FILE] -- command args...")
		os.Exit(2)
	}
	if *label == "" {
		*label = strings.Join(args, " ")
	}

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "treepeak:", err)
		os.Exit(2)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var peak int64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var err error
loop:
	for {
		select {
		case err = <-done:
			break loop
		case <-tick.C:
			peak = max(peak, treeRSS(cmd.Process.Pid))
		}
	}
	wall := time.Since(start)
	status := "ok"
	if err != nil {
		status = "FAILED"
	}
	line := fmt.Sprintf("%s\t%.1f s\t%.0f MiB\t%s", *label, wall.Seconds(), float64(peak)/(1<<20), status)
	fmt.Fprintln(os.Stderr, "treepeak:", strings.ReplaceAll(line, "\t", " | "))
	if *out != "" {
		if f, ferr := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); ferr == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
	if exit, ok := err.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	} else if err != nil {
		os.Exit(1)
	}
}

// treeRSS sums VmRSS of root and all its descendants.
func treeRSS(root int) int64 {
	children := map[int][]int{}
	rss := map[int]int64{}
	procs, _ := filepath.Glob("/proc/[0-9]*/status")
	for _, p := range procs {
		pid, ppid, kb := readStatus(p)
		if pid > 0 {
			children[ppid] = append(children[ppid], pid)
			rss[pid] = kb * 1024
		}
	}
	var total int64
	stack := []int{root}
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		total += rss[pid]
		stack = append(stack, children[pid]...)
	}
	return total
}

func readStatus(path string) (pid, ppid int, rssKB int64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "Pid":
			pid, _ = strconv.Atoi(fields[0])
		case "PPid":
			ppid, _ = strconv.Atoi(fields[0])
		case "VmRSS":
			rssKB, _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return pid, ppid, rssKB
}
