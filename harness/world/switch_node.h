// A learning switch as a world node: wraps driver::VirtualSwitch and sends
// each frame out of the ports it chooses, through the world's port devices.
#pragma once

#include <string>

#include "harness/world/world.h"
#include "stack/driver/virtual_switch.h"

namespace synack::harness {

class SwitchNode final : public Node {
 public:
  SwitchNode(World& world, std::string name, std::size_t ports)
      : world_(world), name_(std::move(name)), switch_(ports) {}
  void set_id(NodeId id) { id_ = id; }
  void receive(Instant now, std::size_t port, ConstBytes frame) override {
    for (std::size_t out : switch_.forward(port, frame)) world_.port_device(id_, out).transmit(now, frame);
  }
  std::string name() const override { return name_; }
  const driver::VirtualSwitch& fabric() const noexcept { return switch_; }

 private:
  World& world_;
  std::string name_;
  NodeId id_ = 0;
  driver::VirtualSwitch switch_;
};

// Adds a switch with `ports` ports to the world.
inline std::pair<NodeId, SwitchNode*> add_switch(World& world, std::string name, std::size_t ports) {
  auto [id, sw] = world.emplace<SwitchNode>(world, std::move(name), ports);
  sw->set_id(id);
  return {id, sw};
}

}  // namespace synack::harness
