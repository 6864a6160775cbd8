package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// console is the one writer every phase and every parallel command prints to; it writes whole
// lines, so the output of two stacks applying at once never interleaves within a line.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) printf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, format, a...)
}

// lineWriter cuts a stream into lines, prints each with a prefix (unless quiet) and keeps the
// last non-empty one for error messages.
type lineWriter struct {
	c      *console
	prefix string
	quiet  bool
	buf    []byte
	last   string
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.line(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *lineWriter) line(s string) {
	s = strings.TrimRight(s, "\r")
	if strings.TrimSpace(s) != "" {
		l.last = strings.TrimSpace(s)
	}
	if !l.quiet {
		l.c.printf("%s%s\n", l.prefix, s)
	}
}

func (l *lineWriter) flush() {
	if len(l.buf) > 0 {
		l.line(string(l.buf))
		l.buf = nil
	}
}

// command is one program run by the deploy.
type command struct {
	name string
	args []string
	env  []string // added to the base environment
	// label names the command in errors and prefixes its streamed output ("[dev-network] ").
	label string
	// capture: stdout is returned and not printed (queries, and the registry password, which
	// must never reach the output); stderr is printed only through the error.
	capture bool
	// combined: with capture, stderr is returned too (`aws --version` v1 writes to stderr).
	combined bool
	// showStderr: with capture, stderr is still printed (progress of a long command).
	showStderr bool
}

func (c command) String() string {
	s := c.name
	for _, a := range c.args {
		s += " " + a
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// runner starts every program of a deploy: in the repository, each in its own process group,
// so that Ctrl-C in the terminal reaches only the deploy, which then interrupts each child
// exactly once (Terraform stops gracefully on the first SIGINT and aborts on a second: "Two
// interrupts received. Exiting immediately", the double delivery terragrunt PR #2559 fixed) and
// kills the whole group, grandchildren included, if it does not exit within the grace period.
type runner struct {
	dir   string
	env   []string
	out   *console
	grace time.Duration
}

// command prepares c: found on the PATH of the run's environment (not this process's), run in
// the repository, as the leader of a new process group.
func (r *runner) command(c command) (*exec.Cmd, error) {
	path, err := r.lookPath(c.name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.labelOrName(), err)
	}
	cmd := exec.Command(path, c.args...)
	cmd.Args[0] = c.name
	cmd.Dir = r.dir
	cmd.Env = append(append([]string{}, r.env...), c.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd, nil
}

// lookPath finds a program on the PATH of the run's environment; a name with a slash is a
// path relative to the repository.
func (r *runner) lookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		if filepath.IsAbs(name) {
			return name, nil
		}
		return filepath.Join(r.dir, name), nil
	}
	path := ""
	for _, kv := range r.env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v // the last one wins, as in the child
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s is not on PATH", exec.ErrNotFound, name)
}

// run runs a command to its end. On a cancelled context the group gets SIGINT, then SIGKILL
// after the grace period.
func (r *runner) run(ctx context.Context, c command) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: not started: %w", c.labelOrName(), err)
	}
	cmd, err := r.command(c)
	if err != nil {
		return nil, err
	}
	cmd.WaitDelay = r.grace
	var stdout bytes.Buffer
	stderr := &lineWriter{c: r.out, prefix: c.prefix(), quiet: c.capture && !c.showStderr}
	switch {
	case c.capture && c.combined:
		cmd.Stdout, cmd.Stderr = &stdout, &stdout
	case c.capture:
		cmd.Stdout = &stdout
	default:
		cmd.Stdout = &lineWriter{c: r.out, prefix: c.prefix()}
	}
	if cmd.Stderr == nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.labelOrName(), err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			signalGroup(cmd.Process.Pid, syscall.SIGINT)
			select {
			case <-done:
			case <-time.After(r.grace):
				signalGroup(cmd.Process.Pid, syscall.SIGKILL)
			}
		case <-done:
		}
	}()
	err = cmd.Wait()
	close(done)
	if w, ok := cmd.Stdout.(*lineWriter); ok {
		w.flush()
	}
	stderr.flush()
	if ctx.Err() != nil {
		return stdout.Bytes(), fmt.Errorf("%s: interrupted (%w)", c.labelOrName(), context.Cause(ctx))
	}
	if err != nil {
		detail := stderr.last
		if w, ok := cmd.Stdout.(*lineWriter); ok && detail == "" {
			detail = w.last
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("exited with status %d", exit.ExitCode())
		}
		msg := fmt.Sprintf("%s %v", c, err)
		if c.label != "" {
			msg = c.label + ": " + msg
		}
		if detail != "" {
			msg += ": " + detail
		}
		return stdout.Bytes(), errors.New(msg)
	}
	return stdout.Bytes(), nil
}

func (c command) labelOrName() string {
	if c.label != "" {
		return c.label
	}
	return c.name
}

func (c command) prefix() string {
	if c.label == "" {
		return "  "
	}
	return "[" + c.label + "] "
}

// process is a long-running command (the tunnel), stopped by stop.
type process struct {
	cmd   *exec.Cmd
	out   *lineWriter
	exit  chan struct{} // closed when the process has exited
	err   error
	grace time.Duration
	once  sync.Once
}

// start starts a command in its own process group and returns at once.
func (r *runner) start(c command, grace time.Duration) (*process, error) {
	cmd, err := r.command(c)
	if err != nil {
		return nil, err
	}
	cmd.WaitDelay = grace
	out := &lineWriter{c: r.out, prefix: c.prefix()}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %v", c.labelOrName(), err)
	}
	p := &process{cmd: cmd, out: out, exit: make(chan struct{}), grace: grace}
	go func() {
		p.err = cmd.Wait()
		out.flush()
		close(p.exit)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.exit:
		return true
	default:
		return false
	}
}

// stop ends the whole process group (SIGTERM, then SIGKILL after the grace period) and waits
// for the process; safe to call more than once.
func (p *process) stop() {
	p.once.Do(func() {
		pid := p.cmd.Process.Pid
		signalGroup(pid, syscall.SIGTERM)
		select {
		case <-p.exit:
		case <-time.After(p.grace):
		}
		// Children (the session-manager-plugin) may outlive their parent: the group goes anyway.
		signalGroup(pid, syscall.SIGKILL)
		<-p.exit
	})
}

// signalGroup signals the process group led by pid (every child was started as its leader).
func signalGroup(pid int, sig syscall.Signal) {
	_ = syscall.Kill(-pid, sig)
}
