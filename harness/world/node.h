// Anything in a World that receives frames on numbered ports and may have
// timers: a synack Host, a switch, a test's scripted peer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "stack/base/bytes.h"
#include "stack/base/instant.h"

namespace synack::harness {

using NodeId = std::size_t;

// What the World relies on to ask a node for poll_at() only after something
// could have changed it (it remembers the answer until then):
//  - receive() changes no other node's poll_at(), only (maybe) this one's;
//  - on_time() changes no node's poll_at(), this one's included;
//  - poll() changes this node's, and others' only when poll_reaches_others();
//  - anything else that may touch a node runs outside those calls (code
//    between runs, the run's done() predicate, scheduled actions), and the
//    World forgets every remembered answer after it.
class Node {
 public:
  virtual ~Node() = default;
  virtual void receive(Instant now, std::size_t port, ConstBytes frame) = 0;
  // The next instant at which poll() has work; nullopt when idle.
  virtual std::optional<Instant> poll_at() const { return std::nullopt; }
  virtual void poll(Instant now) { (void)now; }
  // Whether poll() may change another node's poll_at() (an application
  // polled here calling another host's socket API). Conservative default.
  virtual bool poll_reaches_others() const { return true; }
  // Virtual time moved to `now` (before any event at that instant runs), so
  // application calls made from events see the right time.
  virtual void on_time(Instant now) { (void)now; }
  virtual std::string name() const = 0;
};

}  // namespace synack::harness
