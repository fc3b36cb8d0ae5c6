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

class Node {
 public:
  virtual ~Node() = default;
  virtual void receive(Instant now, std::size_t port, ConstBytes frame) = 0;
  // The next instant at which poll() has work; nullopt when idle.
  virtual std::optional<Instant> poll_at() const { return std::nullopt; }
  virtual void poll(Instant now) { (void)now; }
  // Virtual time moved to `now` (before any event at that instant runs), so
  // application calls made from events see the right time.
  virtual void on_time(Instant now) { (void)now; }
  virtual std::string name() const = 0;
};

}  // namespace synack::harness
