// One network stack instance: interfaces, ARP, routing, IPv4 (fragmentation,
// reassembly, optional forwarding), ICMP, and the transport sockets, with
// demultiplexing between them. Sans-I/O: frames come in through receive(),
// everything else happens in poll(now); poll_at() names the next deadline.
// No clock, no OS randomness, no globals: all randomness comes from the
// configured seed, so the same inputs give the same frames.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stack/base/deep_ptr.h"
#include "stack/base/result.h"
#include "stack/base/rng.h"
#include "stack/base/sock_error.h"
#include "stack/driver/device.h"
#include "stack/iface/arp_cache.h"
#include "stack/iface/deadline_index.h"
#include "stack/iface/ping.h"
#include "stack/iface/reassembly.h"
#include "stack/iface/route.h"
#include "stack/iface/slot_map.h"
#include "stack/iface/stats.h"
#include "stack/storage/buffer_pool.h"
#include "stack/iface/tuple_map.h"
#include "stack/transport/tcp/config.h"
#include "stack/transport/tcp/isn.h"
#include "stack/transport/tcp/listener.h"
#include "stack/transport/tcp/socket.h"
#include "stack/transport/tcp/syn_cookies.h"
#include "stack/transport/udp/udp_socket.h"
#include "stack/wire/address.h"

namespace synack::iface {

struct IcmpConfig {
  // Token bucket for ICMP errors (Linux icmp_msgs_per_sec / icmp_msgs_burst).
  std::uint32_t errors_per_sec = 1000;
  std::uint32_t burst = 50;
};

struct StackConfig {
  std::string name = "host";
  std::uint64_t seed = 0;
  bool forwarding = false;  // RFC 1812 router behaviour between interfaces
  std::uint8_t default_ttl = 64;
  std::uint16_t ephemeral_low = 32768;  // Linux ip_local_port_range
  std::uint16_t ephemeral_high = 60999;
  ArpConfig arp;
  ReassemblyConfig reassembly;
  IcmpConfig icmp;
  tcp::TcpConfig tcp;
};

struct Interface {
  std::string name;
  driver::Device* device = nullptr;
  wire::MacAddress mac;
  wire::Ipv4Cidr address;
  std::uint16_t mtu = 1500;
  bool up = true;
  bool announce = true;  // gratuitous ARP due (RFC 5227 §3 announcement)

  // The subnet's directed broadcast address, when the prefix has one (/31
  // and /32 have none, RFC 3021).
  std::optional<wire::Ipv4Address> directed_broadcast() const noexcept {
    if (address.prefix_len >= 31) return std::nullopt;
    return address.directed_broadcast();
  }
};

// Room for the Ethernet and (option-less) IPv4 headers in front of an
// upper-layer segment built where its frame will be.
inline constexpr std::size_t kEthHeaderLen = 14;
inline constexpr std::size_t kFrameHeadroom = kEthHeaderLen + 20;
inline constexpr std::size_t kMinFrameLen = 60;  // Ethernet minimum without FCS

// A datagram for IPv4 output: the upper-layer bytes are complete (checksum
// filled using `src`).
struct OutDatagram {
  wire::Ipv4Address src;
  wire::Ipv4Address dst;
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 0;  // 0: the stack's default
  std::uint8_t tos = 0;
  bool dont_frag = false;
  ConstBytes l4;
  // Optional: a writable buffer holding `l4` at offset kFrameHeadroom, at
  // least kMinFrameLen bytes long. An unfragmented datagram to a resolved
  // neighbour then gets its headers written in front of `l4` and leaves
  // with no copy.
  MutBytes frame = {};
};

class Stack {
 public:
  explicit Stack(StackConfig cfg);
  // A copy is the same stack in the same state (every socket, queue, timer,
  // cache and the random generator), transmitting through the same devices
  // until set_device() gives it its own. Explicit: never copied by accident.
  explicit Stack(const Stack&) = default;
  Stack& operator=(const Stack&) = delete;

  // Interfaces and routes.
  std::size_t add_interface(driver::Device& dev, wire::MacAddress mac, wire::Ipv4Cidr addr, std::string name = "");
  // The device interface `iface` transmits through from now on (same MTU
  // expected: the interface keeps its own).
  void set_device(std::size_t iface, driver::Device& dev) {
    if (iface < ifaces_.size()) ifaces_[iface].device = &dev;
  }
  const std::vector<Interface>& interfaces() const noexcept { return ifaces_; }
  void set_interface_up(std::size_t iface, bool up);
  bool add_default_gateway(wire::Ipv4Address gw);
  RouteTable& routes() noexcept { return routes_; }
  ArpCache& arp() noexcept { return arp_; }
  const Reassembler& reassembler() const noexcept { return reassembly_; }
  const StackStats& stats() const noexcept { return stats_; }
  const StackConfig& config() const noexcept { return cfg_; }
  Rng& rng() noexcept { return rng_; }

  // The sans-I/O drive.
  // `meta`: what the device vouches for (driver::RxMeta): a TCP or UDP
  // checksum it vouches for is not verified again.
  void receive(Instant now, std::size_t iface, ConstBytes frame, driver::RxMeta meta = {});
  void poll(Instant now);
  std::optional<Instant> poll_at() const;

  // Addresses.
  bool is_local_address(wire::Ipv4Address a) const noexcept;
  bool is_broadcast_for_us(wire::Ipv4Address a) const noexcept;
  std::optional<wire::Ipv4Address> source_for(wire::Ipv4Address dst) const;

  // UDP sockets (RFC 768).
  Handle udp_open();
  void udp_close(Handle h);
  udp::UdpSocket* udp(Handle h) { return udp_.get(h); }
  Result<void, SockError> udp_bind(Handle h, udp::Endpoint local);
  Result<void, SockError> udp_connect(Handle h, udp::Endpoint remote);
  Result<void, SockError> udp_send(Handle h, std::optional<udp::Endpoint> to, ConstBytes payload);
  template <class F>
  void for_each_udp(F&& f) const { udp_.for_each(f); }

  // ICMP echo sockets.
  Handle ping_open();
  // Gives the ping socket the identifier `ident`, as bind() does on a Linux
  // ping socket (the identifier is its "port"); false when another open
  // ping socket has it.
  bool ping_bind(Handle h, std::uint16_t ident);
  void ping_close(Handle h) { ping_.erase(h); }
  PingSocket* ping(Handle h) { return ping_.get(h); }
  template <class F>
  void for_each_ping(F&& f) const { ping_.for_each(f); }

  // TCP (RFC 9293): connections live in a 4-tuple table, listeners in a
  // (local address, port) table. A closed descriptor leaves its connection
  // to the stack ("orphan"), which finishes the close and then frees it.
  Handle tcp_open();
  tcp::Socket* tcp(Handle h);
  Result<void, SockError> tcp_bind(Handle h, tcp::Endpoint local, bool reuse_addr);
  std::optional<tcp::Endpoint> tcp_bound(Handle h) const;
  Result<void, SockError> tcp_connect(Instant now, Handle h, tcp::Endpoint remote);
  // Turns the (bound) socket `h` into a listener; returns the listener's handle.
  Result<Handle, SockError> tcp_listen(Instant now, Handle h, std::uint32_t backlog);
  tcp::Listener* listener(Handle h);
  std::optional<Handle> tcp_accept(Handle listener);
  void tcp_close(Instant now, Handle h);
  // Recomputes the socket's next deadline after an application call changed
  // it (send, recv, shutdown, options). The stack keeps connections in a
  // deadline index, so a poll touches only the sockets that are due.
  void touch_tcp(Handle h);
  // After a send() that queued data or a recv() that made a window update
  // due (tcp::Socket::take_deadline_moved): the socket is due now, without
  // planning its next segment here only for flush to plan it again. If the
  // data is held (Nagle, the peer's window, cwnd) poll_output returns
  // nothing and flush re-indexes the socket at its real deadline.
  void tcp_due_now(Handle h);
  void tcp_abort(Instant now, Handle h);
  void listener_close(Instant now, Handle h);
  // Inline: built on every segment, poll and socket call.
  tcp::Context tcp_context(Instant now) { return tcp::Context{now, rng_, cfg_.tcp, tcp_stats_, isn_, cookies_}; }
  const tcp::TcpStats& tcp_stats() const noexcept { return tcp_stats_; }
  std::size_t tcp_connection_count() const noexcept { return conns_.size(); }
  template <class F>
  void for_each_tcp(F&& f) const {
    tcp_.for_each([&](Handle h, const TcpEntry& e) { f(h, *e.sock, e.orphan); });
  }
  template <class F>
  void for_each_listener(F&& f) const {
    listeners_.for_each([&](Handle h, const ListenEntry& e) { f(h, *e.listener, e.orphan); });
  }

  // Readiness events, epoll-style (edge-triggered), for TCP sockets and
  // listeners that still have a descriptor (not orphans). The stack notes a
  // socket when a segment arrived for it, or when a timer, an output pass or
  // an ICMP error changed its readiness; a listener when a connection joined
  // its accept queue. ready_generation() counts every note: a runtime
  // compares it around poll() to learn whether applications must look again
  // in the same instant (a timer fired). With the ready list enabled, the
  // tags (set_*_tag: the socket layer uses descriptors) of the noted sockets
  // are also listed, each once, until take_ready(); the list is off by
  // default so that a stack nobody drains keeps nothing.
  // A TCP socket's tag is forgotten when the socket is freed.
  void set_tcp_tag(Handle h, int tag);
  void set_listener_tag(Handle h, int tag);
  void enable_ready_list() noexcept { ready_list_on_ = true; }
  // Replaces `tags` with the tags noted since the last call.
  void take_ready(std::vector<int>& tags);
  std::uint64_t ready_generation() const noexcept { return ready_gen_; }

  // IPv4 output for transports: routes, fragments, resolves. Errors are for
  // the local sender (no route, EMSGSIZE with DF, ARP queue full).
  Result<void, SockError> send_ipv4(Instant now, const OutDatagram& d);

 private:
  // stack.cc: false when every part of poll(now) would find nothing to do.
  bool poll_needed(const tcp::Context& ctx);
  void poll_arp(Instant now);  // requests due, resolutions given up
  // ethernet_in.cc
  void receive_arp(Instant now, std::size_t iface, ConstBytes payload);
  void send_arp(Instant now, std::size_t iface, std::uint16_t op, wire::MacAddress dst_mac,
                wire::Ipv4Address target_ip, wire::MacAddress target_mac);
  // `room`, when given, holds `payload` at offset kEthHeaderLen: the header
  // (and padding) is written around it in place instead of copying.
  void send_frame(Instant now, std::size_t iface, wire::MacAddress dst, std::uint16_t ethertype, ConstBytes payload,
                  MutBytes room = {});
  // ipv4_in.cc
  void receive_ipv4(Instant now, std::size_t iface, ConstBytes packet, bool link_broadcast);
  // `broadcast`: is_broadcast_for_us(dst), which receive_ipv4 already knows.
  void deliver_local(Instant now, std::uint8_t protocol, wire::Ipv4Address src, wire::Ipv4Address dst,
                     ConstBytes payload, ConstBytes whole_packet, std::uint8_t ttl, bool broadcast);
  void forward(Instant now, ConstBytes packet);
  // ipv4_out.cc
  Result<void, SockError> output_fragments(Instant now, std::size_t iface, wire::Ipv4Address next_hop,
                                           const OutDatagram& d, std::uint16_t ident);
  void link_output(Instant now, std::size_t iface, wire::Ipv4Address next_hop, ConstBytes ip_packet,
                   MutBytes room = {});
  // icmp.cc
  void receive_icmp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload, std::uint8_t ttl);
  void receive_icmp_error(Instant now, std::uint8_t type, std::uint8_t code, std::uint16_t mtu, ConstBytes quoted);
  void send_icmp_error(Instant now, std::uint8_t type, std::uint8_t code, std::uint32_t rest, ConstBytes offending);
  bool take_icmp_token(Instant now);
  // Tells the transport socket that sent `ip_packet` (ours) about an ICMP
  // error (or a local failure expressed as one, like ARP giving up).
  void notify_sender(ConstBytes ip_packet, std::uint8_t type, std::uint8_t code, std::uint16_t mtu);
  void report_unreachable(ConstBytes ip_packet) { notify_sender(ip_packet, 3, 1, 0); }
  std::uint16_t path_mtu(Instant now, std::size_t iface, wire::Ipv4Address dst) const;
  // tcp glue (tcp_in.cc)
  void receive_tcp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload, bool broadcast);
  void notify_tcp(wire::Ipv4Address local, std::uint16_t lport, wire::Ipv4Address remote, std::uint16_t rport,
                  tcp::IcmpError e);
  void flush_tcp(tcp::Context& ctx);
  void emit_tcp(Instant now, const tcp::SegmentOut& seg, tcp::Socket* owner);
  bool tcp_port_in_use(std::uint16_t port, bool reuse) const;
  std::uint16_t tcp_ephemeral_port(const tcp::Endpoint& local_addr, const tcp::Endpoint& remote);
  std::uint16_t mss_for(wire::Ipv4Address remote) const;
  void unlink_tcp(Handle h);
  void erase_tcp(Handle h);
  // The deadline index: (next poll_at, handle) of every TCP socket that has one.
  // `output_done`: poll_output just returned nothing (flush_tcp), so the
  // socket's cheaper poll_at_after_output applies.
  void reindex_tcp(Handle h, bool output_done = false);
  // udp glue (udp_in.cc)
  void receive_udp(Instant now, wire::Ipv4Address src, wire::Ipv4Address dst, ConstBytes payload,
                   ConstBytes whole_packet, bool broadcast);
  void flush_udp(Instant now);
  void flush_ping(Instant now);
  udp::UdpSocket* find_udp(wire::Ipv4Address dst, std::uint16_t dport, wire::Ipv4Address src, std::uint16_t sport,
                           Handle* out = nullptr);
  bool udp_port_in_use(std::uint16_t port, wire::Ipv4Address addr, bool reuse) const;
  std::uint16_t udp_ephemeral_port();

  StackConfig cfg_;
  Rng rng_;
  std::vector<Interface> ifaces_;
  RouteTable routes_;
  ArpCache arp_;
  Reassembler reassembly_;
  StackStats stats_;
  std::uint16_t next_ident_;
  Instant icmp_tokens_at_;
  std::uint64_t icmp_tokens_milli_;  // tokens x 1000, for integer refill
  struct PmtuEntry {
    std::uint16_t mtu;
    Instant expires;  // RFC 1191 §6.3: estimates age out (10 minutes)
  };
  std::map<wire::Ipv4Address, PmtuEntry> pmtu_;
  // 1 KiB ring-buffer blocks reused across connections (bounded; declared
  // before the sockets so it outlives them). A copied stack starts empty.
  storage::BufferPool tcp_buffers_;
  SlotMap<udp::UdpSocket> udp_;
  struct TcpEntry {
    DeepPtr<tcp::Socket> sock;
    std::optional<tcp::Endpoint> bound;  // bind() before connect/listen
    bool reuse_addr = false;
    bool orphan = false;  // no descriptor any more
    bool ready_listed = false;  // in ready_ (listed once until take_ready)
    // The tag (set_tcp_tag) lives in tcp_tags_, not here: this entry is
    // per connection, and 4 more bytes would round it up by 8.
  };
  struct ListenEntry {
    DeepPtr<tcp::Listener> listener;
    bool orphan = false;
    bool ready_listed = false;
    int tag = -1;
  };
  // A readiness event for a socket or listener (see take_ready): inline,
  // since one is noted for every segment a connection receives; listing it
  // (ready.cc) happens only when someone takes the list.
  template <class Entry>
  void note_ready(Handle h, Entry& e) {
    if (e.orphan) return;  // nobody can look any more
    ++ready_gen_;
    if (ready_list_on_ && !e.ready_listed) list_ready(h, e);
  }
  void list_ready(Handle h, TcpEntry& e);
  void list_ready(Handle h, ListenEntry& e);
  SlotMap<TcpEntry> tcp_;
  SlotMap<ListenEntry> listeners_;
  TupleMap conns_;  // 4-tuple demultiplexing (hash keyed from cfg_.seed)
  DeadlineIndex tcp_due_;  // (next poll_at, handle) of every socket that has one
  std::vector<Handle> tcp_flush_scratch_;  // flush_tcp's due list (reused: no per-poll allocation)
  std::map<tcp::Endpoint, Handle> listen_table_;
  std::map<std::uint16_t, std::uint32_t> tcp_reserved_ports_;  // bound or listening: count
  tcp::TcpStats tcp_stats_;
  tcp::IsnGenerator isn_;
  tcp::SynCookies cookies_;
  SlotMap<PingSocket> ping_;
  Bytes scratch_;  // frame under construction (reused: no per-frame allocation)
  Bytes tcp_tx_;   // emit_tcp's frame, the segment at kFrameHeadroom (reused)
  bool tcp_tx_busy_ = false;  // emit_tcp re-entered (loopback): use a local buffer
  bool work_pending_ = false;  // something to flush at the next poll
  struct ReadyNote {
    Handle h;
    bool listener;
  };
  std::vector<ReadyNote> ready_;  // readiness events not yet taken
  std::vector<int> tcp_tags_;     // by TCP handle index; grown only by set_tcp_tag
  std::uint64_t ready_gen_ = 0;   // events noted, listed or not
  bool ready_list_on_ = false;
  // During receive(): the frame's TCP/UDP checksum is vouched for
  // (driver::RxMeta); false otherwise, and for a reassembled datagram.
  bool rx_l4_trusted_ = false;
};

// Inline: the socket API resolves a handle on every call (poll() per
// descriptor per step in a busy application).
inline tcp::Socket* Stack::tcp(Handle h) {
  auto* e = tcp_.get(h);
  return e ? e->sock.get() : nullptr;
}

}  // namespace synack::iface
