// synack on a TAP against the Linux kernel in a private namespace: ICMP
// echo (with fragmented 4000-byte payloads), HTTP downloads with curl,
// connection churn against the echo server, UDP echo both ways, `synack get`
// from python's http.server by address and by name (synack's resolver against
// a Boost.Asio DNS server in the namespace: found, NXDOMAIN, timeout, refused), an nmap SYN scan, and the `synack host` CLI.
// Needs root; skips with the reason otherwise.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <array>
#include <atomic>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "harness/runtime/clients.h"
#include "harness/runtime/kernel_fixture.h"
#include "stack/app/dns_message.h"

namespace synack::harness {
namespace {

sockaddr_in sin_of(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

void set_timeouts(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Bytes pattern(std::size_t n, std::uint32_t seed) {
  Bytes b(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& v : b) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v = static_cast<std::uint8_t>(x);
  }
  return b;
}

void write_file(const std::filesystem::path& p, const Bytes& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::string sha256(const std::string& path) {
  auto r = run_command({"sha256sum", path});
  return r.output.substr(0, 64);
}

std::uint16_t icmp_checksum(const Bytes& b) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.size() % 2) sum += b.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// One ICMP echo over a raw socket (the kernel's side); true when the reply
// came back with the same payload.
bool raw_ping(int fd, std::uint16_t id, std::uint16_t seq, std::size_t size) {
  Bytes pkt(8 + size);
  pkt[0] = 8;
  store_be16(pkt, 4, id);
  store_be16(pkt, 6, seq);
  Bytes payload = pattern(size, seq);
  std::copy(payload.begin(), payload.end(), pkt.begin() + 8);
  store_be16(pkt, 2, icmp_checksum(pkt));
  auto dst = sin_of(kSynackIp, 0);
  if (::sendto(fd, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0) return false;
  Bytes buf(70000);
  for (int tries = 0; tries < 20; ++tries) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return false;
    std::size_t ihl = (buf[0] & 0x0f) * 4u;
    if (static_cast<std::size_t>(n) < ihl + 8) continue;
    ConstBytes icmp(buf.data() + ihl, static_cast<std::size_t>(n) - ihl);
    if (icmp[0] != 0 || load_be16(icmp, 4) != id || load_be16(icmp, 6) != seq) continue;
    return Bytes(icmp.begin() + 8, icmp.end()) == payload;
  }
  return false;
}

TEST_F(KernelPeerTest, KernelPingsSynackIncludingFragmentedPayloads) {
  start();
  int ok_small = 0, ok_large = 0;
  auto r = run_thread_in_netns(ns_, [&] {
    int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    ASSERT_GE(fd, 0);
    set_timeouts(fd, 2000);
    for (std::uint16_t i = 1; i <= 3; ++i) ok_small += raw_ping(fd, 0x5a5a, i, 56);
    for (std::uint16_t i = 11; i <= 13; ++i) ok_large += raw_ping(fd, 0x5a5a, i, 4000);
    ::close(fd);
  });
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(ok_small, 3);
  EXPECT_EQ(ok_large, 3) << "4000-byte echoes (fragmented both ways)";
  if (have_program("ping")) {
    auto p = in_ns({"ping", "-c", "3", "-i", "0.2", "-s", "4000", "-W", "2", kSynackIp});
    EXPECT_EQ(p.exit_code, 0) << p.output;
    EXPECT_NE(p.output.find("3 received"), std::string::npos) << p.output;
  } else {
    std::cout << "[ note ] no ping binary: the raw-socket pings above stand in for `ping -c 3`\n";
  }
}

TEST_F(KernelPeerTest, CurlDownloadsHeadNotFoundAndKeepAlive) {
  if (!have_program("curl")) GTEST_SKIP() << "curl is not installed";
  write_file(www_ / "big.bin", pattern(10 << 20, 7));
  write_file(www_ / "small.txt", Bytes{'o', 'k', '\n'});
  start();
  std::string out = (www_ / "got.bin").string() + ".dl";
  auto dl = in_ns({"curl", "-sS", "--max-time", "30", "-o", out, "-w", "%{http_code} %{size_download}",
                   std::string("http://") + kSynackIp + "/big.bin"});
  EXPECT_EQ(dl.exit_code, 0) << dl.output;
  EXPECT_EQ(dl.output, "200 10485760");
  EXPECT_EQ(sha256(out), sha256((www_ / "big.bin").string()));
  auto head = in_ns({"curl", "-sS", "-I", "--max-time", "10", std::string("http://") + kSynackIp + "/big.bin"});
  EXPECT_EQ(head.exit_code, 0) << head.output;
  EXPECT_NE(head.output.find("HTTP/1.1 200 OK"), std::string::npos) << head.output;
  EXPECT_NE(head.output.find("Content-Length: 10485760"), std::string::npos) << head.output;
  auto nf = in_ns({"curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                   std::string("http://") + kSynackIp + "/nope"});
  EXPECT_EQ(nf.output, "404");
  auto trav = in_ns({"curl", "-sS", "--path-as-is", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                     std::string("http://") + kSynackIp + "/../etc/passwd"});
  EXPECT_EQ(trav.output, "403");
  auto ka = in_ns({"curl", "-sS", "-v", "--max-time", "10", "-o", "/dev/null", "-o", "/dev/null",
                   std::string("http://") + kSynackIp + "/small.txt", std::string("http://") + kSynackIp + "/big.bin"});
  EXPECT_EQ(ka.exit_code, 0) << ka.output;
  EXPECT_NE(ka.output.find("Re-using existing connection"), std::string::npos) << ka.output;
}

TEST_F(KernelPeerTest, ThousandEchoConnectionCycles) {
  start();
  int failures = 0, done = 0;
  std::string first_failure;
  auto r = run_thread_in_netns(ns_, [&] {
    auto dst = sin_of(kSynackIp, 7);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
    for (int i = 0; i < 1000 && std::chrono::steady_clock::now() < deadline; ++i, ++done) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      set_timeouts(fd, 3000);
      std::string msg = "cycle " + std::to_string(i) + " of a thousand";
      std::string got;
      bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0 &&
                ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(msg.size());
      char buf[256];
      while (ok && got.size() < msg.size()) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) ok = false;
        else got.append(buf, static_cast<std::size_t>(n));
      }
      ok = ok && got == msg;
      if (!ok && failures++ == 0) first_failure = "cycle " + std::to_string(i) + ": " + std::strerror(errno);
      ::close(fd);
    }
  });
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(done, 1000) << "did not finish 1000 cycles within 45 s";
  EXPECT_EQ(failures, 0) << first_failure;
}

TEST_F(KernelPeerTest, UdpEchoBothWays) {
  // synack -> kernel: a kernel echo server in the namespace answers synack's client.
  std::atomic<bool> bound{false}, quit{false};
  std::thread kernel_echo([&] {
    if (!enter_netns(ns_)) return;
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    auto any = sin_of("0.0.0.0", 7007);
    ::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any);
    set_timeouts(fd, 100);
    bound = true;
    char buf[65536];
    while (!quit) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) ::sendto(fd, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
    ::close(fd);
  });
  while (!bound) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto& client = session_->runtime().run_app<UdpEchoClient>(
      session_->host(), socket::SockAddr{*wire::Ipv4Address::parse(kKernelIp), 7007}, 50, 1200,
      Duration::from_millis(5));
  start();
  // kernel -> synack: datagrams to synack's UDP echo server.
  int echoed = 0;
  auto r = run_thread_in_netns(ns_, [&] {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    set_timeouts(fd, 2000);
    auto dst = sin_of(kSynackIp, 7);
    for (int i = 0; i < 50; ++i) {
      Bytes d = pattern(100 + static_cast<std::size_t>(i) * 30, static_cast<std::uint32_t>(i));
      ::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
      Bytes buf(65536);
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n == static_cast<ssize_t>(d.size()) && std::equal(d.begin(), d.end(), buf.begin())) ++echoed;
    }
    ::close(fd);
  });
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(echoed, 50);
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (client.echoed() == 50) break;  // read from another thread: a monotonic counter, checked again below
  }
  stop();
  quit = true;
  kernel_echo.join();
  EXPECT_EQ(client.sent(), 50u);
  EXPECT_EQ(client.echoed(), 50u);
  EXPECT_EQ(client.corrupted(), 0u);
}

TEST_F(KernelPeerTest, NmapSynScanFindsExactlyTheServedPorts) {
  if (!have_program("nmap")) GTEST_SKIP() << "nmap is not installed";
  start();
  auto scan = in_ns({"nmap", "-sS", "-n", "-Pn", "-T4", "-p", "1-1024", kSynackIp});
  ASSERT_EQ(scan.exit_code, 0) << scan.output;
  std::set<int> open;
  // Port lines look like "80/tcp open  http" (std::regex trips GCC 12's
  // -Wmaybe-uninitialized under the sanitizers, so parse by hand).
  std::istringstream lines(scan.output);
  for (std::string l; std::getline(lines, l);) {
    std::istringstream words(l);
    std::string port, state;
    words >> port >> state;
    auto slash = port.find("/tcp");
    if (slash != std::string::npos && slash > 0 && state == "open") open.insert(std::stoi(port.substr(0, slash)));
  }
  EXPECT_EQ(open, (std::set<int>{7, 9, 19, 80})) << scan.output;
  EXPECT_EQ(scan.output.find("filtered"), std::string::npos) << scan.output;
}

// The built binary (same preset as this test).
std::string synack_binary() { return std::string(SYNACK_BINARY_DIR) + "/bin/synack"; }

// A tiny DNS server on the kernel's side (Boost.Asio UDP inside the
// namespace): `kName` has an A record, `kSilent` is never answered, every
// other name is NXDOMAIN.
class KernelDnsServer {
 public:
  static constexpr const char* kName = "files.synack.test";
  static constexpr const char* kSilent = "silent.synack.test";
  KernelDnsServer(const std::string& ns, const char* answer) : answer_(*wire::Ipv4Address::parse(answer)) {
    std::atomic<bool> ready{false};
    thread_ = std::thread([this, ns, &ready] {
      if (!enter_netns(ns)) {
        ready = true;
        return;
      }
      boost::system::error_code ec;
      socket_.open(boost::asio::ip::udp::v4(), ec);
      socket_.bind({boost::asio::ip::address_v4::any(), 53}, ec);
      bound_ = !ec;
      ready = true;
      if (!bound_) return;
      receive();
      io_.run();
    });
    while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~KernelDnsServer() {
    io_.stop();
    thread_.join();
  }
  bool bound() const { return bound_; }
  int queries() const { return queries_; }

 private:
  void receive() {
    socket_.async_receive_from(boost::asio::buffer(buf_), from_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      ++queries_;
      auto q = app::DnsMessage::parse(ConstBytes(buf_.data(), n));
      if (q && q->questions.size() == 1 && !app::same_name(q->questions[0].name, *app::DnsName::from_text(kSilent))) {
        bool known = app::same_name(q->questions[0].name, *app::DnsName::from_text(kName));
        auto reply = app::make_response(*q, known ? 0 : 3);
        reply.header.aa = true;
        if (known) reply.answers.push_back(app::DnsRecord::a(q->questions[0].name, answer_, 60));
        if (auto bytes = reply.emit()) socket_.send_to(boost::asio::buffer(*bytes), from_, 0, ec);
      }
      receive();
    });
  }
  wire::Ipv4Address answer_;
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_{io_};
  boost::asio::ip::udp::endpoint from_;
  std::array<std::uint8_t, 1500> buf_{};
  std::thread thread_;
  std::atomic<bool> bound_{false};
  std::atomic<int> queries_{0};
};

TEST_F(KernelPeerTest, SynackGetResolvesTheNameAndDownloadsFromPythonHttpServer) {
  if (::access(synack_binary().c_str(), X_OK) != 0) GTEST_SKIP() << synack_binary() << " is not built";
  if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
  stop();  // this test uses the CLI's own TAP in the same namespace
  write_file(www_ / "data.bin", pattern(3 << 20, 11));
  auto py = ChildProcess::spawn(ns_, {"python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory",
                                      www_.string()});
  ASSERT_TRUE(py) << py.error();
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    ready = in_ns({"python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 1)"}).exit_code == 0;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "python3 -m http.server did not start";
  KernelDnsServer dns(ns_, "10.202.0.1");
  ASSERT_TRUE(dns.bound()) << "the test's DNS server could not bind UDP port 53 in " << ns_;
  std::string tap = unique_name("skg");
  auto get = [&](const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> argv{"timeout", "30", synack_binary(), "get", url, "--tap", tap, "--ip", "10.202.0.2/24",
                                  "--kernel-ip", "10.202.0.1/24", "--netns", ns_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
  };
  // By address, then by name through synack's resolver (--dns).
  std::string out = (www_ / "fetched.bin").string();
  auto by_addr = get("http://10.202.0.1:8000/data.bin", {"-o", out});
  EXPECT_EQ(by_addr.exit_code, 0) << by_addr.output;
  EXPECT_EQ(sha256(out), sha256((www_ / "data.bin").string()));
  std::string out2 = (www_ / "fetched2.bin").string();
  auto by_name = get(std::string("http://") + KernelDnsServer::kName + ":8000/data.bin", {"-o", out2, "--dns", "10.202.0.1"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.output;
  EXPECT_EQ(sha256(out2), sha256((www_ / "data.bin").string()));
  EXPECT_GE(dns.queries(), 1);
  // NXDOMAIN, asking the --gw router by default.
  auto nx = get("http://missing.synack.test:8000/data.bin", {"-o", "/dev/null", "--gw", "10.202.0.1"});
  EXPECT_EQ(nx.exit_code, 1) << nx.output;
  EXPECT_NE(nx.output.find("'missing.synack.test' does not exist (NXDOMAIN from 10.202.0.1:53)"), std::string::npos)
      << nx.output;
  // A server that never answers: three attempts, one second apart.
  auto silent = get(std::string("http://") + KernelDnsServer::kSilent + "/", {"--dns", "10.202.0.1"});
  EXPECT_EQ(silent.exit_code, 1) << silent.output;
  EXPECT_NE(silent.output.find("after 3 attempts (timed out)"), std::string::npos) << silent.output;
  // Nothing listening on the DNS port: ICMP port unreachable.
  auto refused = get(std::string("http://") + KernelDnsServer::kName + "/", {"--dns", "10.202.0.1:5353"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("refused"), std::string::npos) << refused.output;
  // A name and no resolver: a usage error before anything is set up.
  auto none = run_command({synack_binary(), "get", "http://example.test/", "--tap", tap, "--ip", "10.202.0.2/24"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.output.find("give a DNS server with --dns"), std::string::npos) << none.output;
}

TEST_F(KernelPeerTest, HostCommandServesPrintsNetstatAndStopsCleanly) {
  if (::access(synack_binary().c_str(), X_OK) != 0) GTEST_SKIP() << synack_binary() << " is not built";
  if (!have_program("curl")) GTEST_SKIP() << "curl is not installed";
  stop();
  write_file(www_ / "index.html", Bytes{'h', 'i', '\n'});
  std::string own_ns = unique_name("skh");  // created and removed by the command itself
  std::string log = (www_ / "host.log").string() + ".txt";
  auto host = ChildProcess::spawn("", {synack_binary(), "host", "--tap", unique_name("skc"), "--ip", "10.203.0.2/24",
                                       "--kernel-ip", "10.203.0.1/24", "--netns", own_ns, "--serve", "echo:7",
                                       "--serve", "http:80:" + www_.string()},
                                  log);
  ASSERT_TRUE(host) << host.error();
  std::string body;
  for (int i = 0; i < 100 && body != "hi\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (netns_exists(own_ns)) body = run_in_netns(own_ns, {"curl", "-s", "--max-time", "2", "http://10.203.0.2/"}).output;
  }
  EXPECT_EQ(body, "hi\n");
  ::kill(host->pid(), SIGUSR1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int code = host->stop(SIGTERM, 5000);
  EXPECT_EQ(code, 0);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("LISTEN"), std::string::npos) << text;
  EXPECT_FALSE(netns_exists(own_ns)) << "synack host left its namespace behind";
  if (netns_exists(own_ns)) (void)run_command({"ip", "netns", "del", own_ns});
  auto bad = run_command({synack_binary(), "host", "--tap", "x", "--ip", "nonsense"});
  EXPECT_EQ(bad.exit_code, 2);
  auto taken = run_command({synack_binary(), "host", "--tap", "lo", "--ip", "10.9.9.9/24", "--netns", ns_});
  EXPECT_EQ(taken.exit_code, 2);
  EXPECT_NE(taken.output.find("TAP name 'lo' is taken"), std::string::npos) << taken.output;
}

}  // namespace
}  // namespace synack::harness
