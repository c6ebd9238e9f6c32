// Command peerinit is PID 1 of the network namespace in which the tests run upstream's CLI (peer.ts starts it as
// `setpriv --pdeathsig SIGKILL unshare -n -p --fork --kill-child peerinit ...`). It brings up `lo` (the namespace's
// only interface, so nothing the CLI tries can leave the machine), listens on the loopback addresses the CLI's
// kubeconfig names and bridges each connection to a unix socket that the host side connects to the real address,
// runs the command with the environment it was given, and exits with its exit code. When it exits, the kernel kills
// whatever the command left behind in the PID namespace.
//
// It is written in Go rather than Node so that it adds a few milliseconds, not a Node start-up, to what the
// benchmark measures; it also reports the command's own wall time and peak RSS (-stats FILE, JSON).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type bridges []string

func (b *bridges) String() string     { return strings.Join(*b, ",") }
func (b *bridges) Set(v string) error { *b = append(*b, v); return nil }

type stats struct {
	ElapsedMs float64 `json:"elapsedMs"`
	MaxRSSKiB int64   `json:"maxRssKiB"`
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[peerinit] "+format+"\n", args...)
	os.Exit(code)
}

// serve accepts on addr (inside) and dials the unix socket (the host half) for each connection.
func serve(addr, socket string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			go pipe(in, socket)
		}
	}()
	return nil
}

func pipe(in net.Conn, socket string) {
	defer in.Close()
	out, err := net.Dial("unix", socket)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[peerinit] bridge to %s: %v\n", socket, err)
		return
	}
	defer out.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(out, in); done <- struct{}{} }()
	go func() { _, _ = io.Copy(in, out); done <- struct{}{} }()
	<-done
}

func main() {
	var bs bridges
	flag.Var(&bs, "bridge", "127.0.0.1:PORT=/path/to.sock (repeatable): listen inside, forward to the socket")
	statsFile := flag.String("stats", "", "write the command's wall time and peak RSS here (JSON)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fail(125, "usage: peerinit [-bridge ADDR=SOCKET]... [-stats FILE] -- COMMAND [ARG]...")
	}
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		fail(125, "ip link set lo up: %v: %s", err, out)
	}
	for _, b := range bs {
		addr, socket, ok := strings.Cut(b, "=")
		if !ok {
			fail(125, "bad -bridge %q (want ADDR=SOCKET)", b)
		}
		if err := serve(addr, socket); err != nil {
			fail(125, "listen on %s: %v", addr, err)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fail(127, "%v", err)
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	elapsed := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fail(125, "waiting for %s: %v", args[0], err)
	}
	if *statsFile != "" {
		s := stats{ElapsedMs: float64(elapsed.Microseconds()) / 1000}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.MaxRSSKiB = ru.Maxrss
		}
		data, _ := json.Marshal(s)
		_ = os.WriteFile(*statsFile, data, 0o600)
	}
	status := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if status.Signaled() {
		os.Exit(128 + int(status.Signal()))
	}
	os.Exit(status.ExitStatus())
}
