// Echo server on gorilla/websocket for the violation samples.
// usage: go run viol-gorilla-server.go PORT READYFILE
// (GOPATH mode with Debian's golang-github-gorilla-websocket-dev:
// GO111MODULE=off GOPATH=/usr/share/gocode)
package main

import (
	"log"
	"net"
	"net/http"
	"os"

	"github.com/gorilla/websocket"
)

func main() {
	port, ready := os.Args[1], os.Args[2]
	up := websocket.Upgrader{}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			log.Print("upgrade: ", err)
			return
		}
		defer c.Close()
		for {
			op, data, err := c.ReadMessage()
			if err != nil {
				log.Print("server read: ", err)
				break
			}
			if err := c.WriteMessage(op, data); err != nil {
				log.Print("server write: ", err)
				break
			}
		}
		go srv.Close()
	})
	if err := os.WriteFile(ready, []byte("ready\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	srv.Serve(ln)
}
