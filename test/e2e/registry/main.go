// Command registry serves an in-memory OCI registry on 127.0.0.1 (plain HTTP) and preloads
// Crossplane packages into it, so the e2e suite can install the function the way a user does:
// a `Function` whose spec.package names this registry.
//
// Usage: registry -push FILE.xpkg=REPO:TAG [-push ...]
// It listens on a free loopback port, pushes every package, then prints "ready 127.0.0.1:PORT"
// on stdout and serves until SIGTERM/SIGINT. Built by scripts/install-control-plane.sh.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type pushes []string

func (p *pushes) String() string     { return strings.Join(*p, ",") }
func (p *pushes) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var toPush pushes
	flag.Var(&toPush, "push", "FILE=REPO:TAG, a package tarball to serve (repeatable)")
	flag.Parse()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(nopLogger()))}
	go func() { _ = srv.Serve(ln) }()
	addr := ln.Addr().String()

	for _, p := range toPush {
		file, ref, ok := strings.Cut(p, "=")
		if !ok {
			fail("-push %q: want FILE=REPO:TAG", p)
		}
		img, err := tarball.ImageFromPath(file, nil)
		if err != nil {
			fail("reading %s: %v", file, err)
		}
		tag, err := name.NewTag(addr+"/"+ref, name.Insecure)
		if err != nil {
			fail("reference %s: %v", ref, err)
		}
		if err := remote.Write(tag, img); err != nil {
			fail("pushing %s to %s: %v", file, tag, err)
		}
	}
	fmt.Printf("ready %s\n", addr)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	_ = srv.Close()
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "registry: "+format+"\n", args...)
	os.Exit(1)
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
