// Linux TAP device (see tap_linux.h). The only file under stack/ that
// includes OS headers (scripts/check-stack-purity excludes it by name).
#include "stack/driver/tap_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
// After <net/if.h>: <linux/if_tun.h> needs struct ifreq's flags only.
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <optional>

namespace synack::driver {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Closes a descriptor on scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

// Moves the calling thread into a named network namespace for its lifetime
// and back out afterwards (setns affects only the calling thread).
class NetnsSwitch {
 public:
  static Result<std::unique_ptr<NetnsSwitch>, TapError> enter(const std::string& ns) {
    auto sw = std::unique_ptr<NetnsSwitch>(new NetnsSwitch());
    if (ns.empty()) return sw;
    sw->orig_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (sw->orig_ < 0) return Err{TapError{"cannot open /proc/thread-self/ns/net: " + errno_text(errno)}};
    std::string path = "/var/run/netns/" + ns;
    int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (target < 0) {
      int e = errno;
      return Err{TapError{"network namespace '" + ns + "' cannot be opened (" + path + "): " + errno_text(e)}};
    }
    int rc = ::setns(target, CLONE_NEWNET);
    int e = errno;
    ::close(target);
    if (rc != 0) return Err{TapError{"cannot enter network namespace '" + ns + "': " + errno_text(e)}};
    return sw;
  }
  ~NetnsSwitch() {
    if (orig_ >= 0) {
      (void)::setns(orig_, CLONE_NEWNET);
      ::close(orig_);
    }
  }
  NetnsSwitch(const NetnsSwitch&) = delete;
  NetnsSwitch& operator=(const NetnsSwitch&) = delete;

 private:
  NetnsSwitch() = default;
  int orig_ = -1;
};

std::optional<TapError> set_mtu_and_up(const std::string& name, std::uint16_t mtu, bool up) {
  FdGuard s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return TapError{"cannot create a socket to configure '" + name + "': " + errno_text(errno)};
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  ifr.ifr_mtu = mtu;
  if (::ioctl(s.get(), SIOCSIFMTU, &ifr) != 0)
    return TapError{"cannot set MTU " + std::to_string(mtu) + " on '" + name + "': " + errno_text(errno)};
  if (!up) return std::nullopt;
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0)
    return TapError{"cannot read flags of '" + name + "': " + errno_text(errno)};
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0)
    return TapError{"cannot bring '" + name + "' up: " + errno_text(errno)};
  return std::nullopt;
}

}  // namespace

std::optional<std::string> tap_unavailable_reason() {
  if (::geteuid() != 0) return "not running as root (TAP devices and network namespaces need root)";
  if (::access("/dev/net/tun", F_OK) != 0) return "/dev/net/tun is missing (no TUN/TAP support)";
  return std::nullopt;
}

Result<std::unique_ptr<TapDevice>, TapError> TapDevice::open(const TapOptions& opt) {
  if (opt.name.empty() || opt.name.size() >= IFNAMSIZ)
    return Err{TapError{"TAP name '" + opt.name + "' must have 1 to 15 characters"}};
  if (opt.name.find_first_of("/ \t\n:") != std::string::npos)
    return Err{TapError{"TAP name '" + opt.name + "' contains a character not allowed in interface names"}};
  if (opt.mtu < 68) return Err{TapError{"MTU " + std::to_string(opt.mtu) + " is below the IPv4 minimum of 68"}};
  auto ns = NetnsSwitch::enter(opt.netns);
  if (!ns) return Err{ns.error()};
  // The TAP's network namespace is the one of the thread that opens
  // /dev/net/tun, hence the open happens inside the switch.
  FdGuard fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    int e = errno;
    std::string why = errno_text(e);
    if (e == EACCES || e == EPERM) why += " (need root)";
    return Err{TapError{"cannot open /dev/net/tun: " + why}};
  }
  bool existed = ::if_nametoindex(opt.name.c_str()) != 0;
  ifreq ifr{};
  ifr.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (opt.offload ? IFF_VNET_HDR : 0));
  std::memcpy(ifr.ifr_name, opt.name.c_str(), opt.name.size());
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) {
    int e = errno;
    if (e == EBUSY || (existed && e == EINVAL))
      return Err{TapError{"TAP name '" + opt.name + "' is taken"}};
    std::string why = errno_text(e);
    if (e == EPERM) why += " (need root)";
    return Err{TapError{"cannot create TAP '" + opt.name + "': " + why}};
  }
  if (opt.offload) {
    // The legacy 10-byte virtio_net_hdr; the kernel may then hand us
    // unchecksummed and TSO frames and take them from us (tap_offload.h).
    int len = static_cast<int>(VnetHeader::kLen);
    if (::ioctl(fd.get(), TUNSETVNETHDRSZ, &len) != 0)
      return Err{TapError{"cannot set the virtio header size on '" + opt.name + "': " + errno_text(errno)}};
    if (::ioctl(fd.get(), TUNSETOFFLOAD, static_cast<unsigned long>(TUN_F_CSUM | TUN_F_TSO4)) != 0)
      return Err{TapError{"cannot enable offloads on '" + opt.name + "': " + errno_text(errno)}};
  }
  if (auto err = set_mtu_and_up(opt.name, opt.mtu, opt.bring_up)) return Err{*err};
  auto dev = std::unique_ptr<TapDevice>(new TapDevice(fd.release(), opt.name, opt.mtu, opt.offload));
  if (opt.offload) dev->tso_ = std::make_unique<TsoCoalescer>();
  return dev;
}

TapDevice::~TapDevice() {
  if (fd_ >= 0) ::close(fd_);
}

bool TapDevice::write_raw(ConstBytes bytes, std::size_t frames) {
  ++stats_.tx_writes;
  ssize_t n = ::write(fd_, bytes.data(), bytes.size());
  if (n == static_cast<ssize_t>(bytes.size())) {
    stats_.tx_frames += frames;
    stats_.tx_bytes += bytes.size() - (offload_ ? VnetHeader::kLen : 0);
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) stats_.tx_refused += frames;
  else stats_.tx_errors += frames;
  return false;
}

bool TapDevice::transmit(Instant, ConstBytes frame) {
  if (!offload_) return write_raw(frame, 1);
  // Held back while it may still be joined; a frame that cannot join writes
  // out what is pending first, so frames leave in the order given.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (tso_->append(frame)) {
      if (tso_->closed()) flush();
      return true;
    }
    if (tso_->empty()) break;
    flush();
  }
  std::uint8_t hdr[VnetHeader::kLen] = {};  // no offload asked: our checksums stand
  iovec iov[2] = {{hdr, sizeof hdr}, {const_cast<std::uint8_t*>(frame.data()), frame.size()}};
  ++stats_.tx_writes;
  ssize_t n = ::writev(fd_, iov, 2);
  if (n == static_cast<ssize_t>(sizeof hdr + frame.size())) {
    ++stats_.tx_frames;
    stats_.tx_bytes += frame.size();
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) ++stats_.tx_refused;
  else ++stats_.tx_errors;
  return false;
}

void TapDevice::flush() {
  if (!tso_ || tso_->empty()) return;
  std::size_t segments = tso_->segments();
  // A refused GSO frame is lost like the segments would have been one by
  // one on a full queue: TCP retransmits them.
  if (write_raw(tso_->finish(), segments) && segments > 1) ++stats_.tx_gso_frames;
  tso_->clear();
}

std::size_t TapDevice::max_read_len() const noexcept {
  return offload_ ? VnetHeader::kLen + TsoCoalescer::kMaxFrame : std::size_t{mtu_} + 14;
}

MutBytes TapDevice::accept_read(MutBytes raw, RxMeta* meta) noexcept {
  ++stats_.rx_frames;
  if (meta) *meta = RxMeta{};
  if (!offload_) {
    stats_.rx_bytes += raw.size();
    return raw;
  }
  bool trusted = false;
  auto frame = accept_vnet_frame(raw, meta ? &trusted : nullptr);
  if (!frame) {
    ++stats_.rx_malformed;
    return {};
  }
  if (trusted) {
    meta->l4_checksum_valid = true;
    ++stats_.rx_csum_trusted;
  }
  if (VnetHeader::parse(raw).gso_type != VnetHeader::kGsoNone) ++stats_.rx_gso_frames;
  stats_.rx_bytes += frame->size();
  return *frame;
}

Result<MutBytes, TapError> TapDevice::read_frame(MutBytes buf, RxMeta* meta) {
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n > 0) {
      MutBytes frame = accept_read(buf.first(static_cast<std::size_t>(n)), meta);
      if (frame.empty()) continue;  // malformed (counted): try the next
      return frame;
    }
    if (n == 0) return MutBytes{};
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return MutBytes{};
    return Err{TapError{"reading from TAP '" + name_ + "': " + errno_text(errno)}};
  }
}

}  // namespace synack::driver
