// Readiness events (stack.h, "Readiness events"): what epoll gives a Linux
// application, so that an event-driven application looks only at the
// sockets something happened to instead of polling every descriptor.
#include "stack/iface/stack.h"

namespace synack::iface {

void Stack::set_tcp_tag(Handle h, int tag) {
  if (!tcp_.get(h)) return;
  if (h.index >= tcp_tags_.size()) tcp_tags_.resize(h.index + 1, -1);
  tcp_tags_[h.index] = tag;
}

void Stack::set_listener_tag(Handle h, int tag) {
  if (auto* e = listeners_.get(h)) e->tag = tag;
}

void Stack::list_ready(Handle h, TcpEntry& e) {
  if (h.index >= tcp_tags_.size() || tcp_tags_[h.index] < 0) return;  // untagged
  e.ready_listed = true;
  ready_.push_back({h, false});
}

void Stack::list_ready(Handle h, ListenEntry& e) {
  if (e.tag < 0) return;
  e.ready_listed = true;
  ready_.push_back({h, true});
}

void Stack::take_ready(std::vector<int>& tags) {
  tags.clear();
  // An entry freed since it was noted is gone from its slot map (handles
  // carry a generation), so a reused slot is never reported by mistake.
  for (const ReadyNote& n : ready_) {
    if (n.listener) {
      if (auto* e = listeners_.get(n.h)) {
        e->ready_listed = false;
        if (!e->orphan) tags.push_back(e->tag);
      }
    } else if (auto* e = tcp_.get(n.h)) {
      e->ready_listed = false;
      if (!e->orphan) tags.push_back(tcp_tags_[n.h.index]);
    }
  }
  ready_.clear();
}

}  // namespace synack::iface
