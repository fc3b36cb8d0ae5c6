// Test fixture for the kernel-peer tests: a fresh network namespace per
// test, a TAP inside it with the kernel at 10.201.0.1/24 and synack at
// 10.201.0.2/24, synack's runtime on its own thread, and a document root
// with test files. Skips (with the reason) when not root or without
// /dev/net/tun. Everything created is removed in TearDown, also on failure.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "harness/runtime/apps.h"
#include "harness/runtime/netns.h"
#include "harness/runtime/session.h"

namespace synack::harness {

inline constexpr const char* kSynackIp = "10.201.0.2";
inline constexpr const char* kKernelIp = "10.201.0.1";

class KernelPeerTest : public ::testing::Test {
 protected:
  // The session's flags: a fresh TAP in the fixture's namespace, synack at
  // kSynackIp and the kernel at kKernelIp.
  NetArgs net_args() const {
    NetArgs args;
    args.tap = unique_name("skt");
    args.ip = std::string(kSynackIp) + "/24";
    args.kernel_ip = std::string(kKernelIp) + "/24";
    args.netns = ns_;
    args.seed = 0x5eed0000 + static_cast<std::uint64_t>(::getpid());
    return args;
  }
  void SetUp() override {
    if (auto why = driver::tap_unavailable_reason()) GTEST_SKIP() << "kernel test skipped: " << *why;
    if (!have_program("ip")) GTEST_SKIP() << "kernel test skipped: iproute2's `ip` is not installed";
    ns_ = unique_name("skn");
    auto s = NetSession::open(net_args());
    ASSERT_TRUE(s) << s.error();
    session_ = std::move(*s);
    www_ = std::filesystem::temp_directory_path() / unique_name("skwww");
    std::filesystem::create_directories(www_);
  }
  void TearDown() override {
    stop();
    session_.reset();  // deletes the namespace (and with it the TAP)
    if (!www_.empty()) std::filesystem::remove_all(www_);
    if (!ns_.empty()) {
      EXPECT_FALSE(netns_exists(ns_)) << "namespace " << ns_ << " left behind";
    }
  }
  // Starts the standard servers and the runtime thread.
  void start(bool servers = true) {
    auto& rt = session_->runtime();
    auto& h = session_->host();
    if (servers) {
      rt.run_app<EchoServer>(h, 7);
      rt.run_app<UdpEchoServer>(h, 7);
      rt.run_app<DiscardServer>(h, 9);
      rt.run_app<ChargenServer>(h, 19);
      rt.run_app<HttpServer>(h, 80, std::make_unique<http::FsDocumentRoot>(www_.string()));
    }
    thread_ = std::thread([this] { session_->runtime().run(); });
  }
  void stop() {
    if (thread_.joinable()) {
      session_->runtime().stop();
      thread_.join();
    }
  }
  CommandResult in_ns(const std::vector<std::string>& argv) { return run_in_netns(ns_, argv); }

  std::string ns_;
  std::unique_ptr<NetSession> session_;
  std::filesystem::path www_;
  std::thread thread_;
};

}  // namespace synack::harness
