// errno-like socket errors shared by every transport and the socket API.
// One enumerator per errno name, so conformance scripts can compare names.
#pragma once

#include <cstdint>
#include <string_view>

namespace synack {

enum class SockError : std::uint8_t {
  Again,         // EAGAIN / EWOULDBLOCK
  InProgress,    // EINPROGRESS
  Already,       // EALREADY
  IsConn,        // EISCONN
  NotConn,       // ENOTCONN
  ConnRefused,   // ECONNREFUSED
  ConnReset,     // ECONNRESET
  ConnAborted,   // ECONNABORTED
  TimedOut,      // ETIMEDOUT
  Pipe,          // EPIPE
  AddrInUse,     // EADDRINUSE
  AddrNotAvail,  // EADDRNOTAVAIL
  Inval,         // EINVAL
  HostUnreach,   // EHOSTUNREACH
  NetUnreach,    // ENETUNREACH
  ProtoUnreach,  // EPROTO (ICMP protocol unreachable)
  MsgSize,       // EMSGSIZE
  NoBufs,        // ENOBUFS
  BadF,          // EBADF
  MFile,         // EMFILE
  NotSock,       // ENOTSOCK
  OpNotSupp,     // EOPNOTSUPP
  NoProtoOpt,    // ENOPROTOOPT
  Acces,         // EACCES (e.g. broadcast without SO_BROADCAST)
  DestAddrReq,   // EDESTADDRREQ
  AfNoSupport,   // EAFNOSUPPORT
  ProtoNoSupport,  // EPROTONOSUPPORT
};

constexpr std::string_view errno_name(SockError e) noexcept {
  switch (e) {
    case SockError::Again: return "EAGAIN";
    case SockError::InProgress: return "EINPROGRESS";
    case SockError::Already: return "EALREADY";
    case SockError::IsConn: return "EISCONN";
    case SockError::NotConn: return "ENOTCONN";
    case SockError::ConnRefused: return "ECONNREFUSED";
    case SockError::ConnReset: return "ECONNRESET";
    case SockError::ConnAborted: return "ECONNABORTED";
    case SockError::TimedOut: return "ETIMEDOUT";
    case SockError::Pipe: return "EPIPE";
    case SockError::AddrInUse: return "EADDRINUSE";
    case SockError::AddrNotAvail: return "EADDRNOTAVAIL";
    case SockError::Inval: return "EINVAL";
    case SockError::HostUnreach: return "EHOSTUNREACH";
    case SockError::NetUnreach: return "ENETUNREACH";
    case SockError::ProtoUnreach: return "EPROTO";
    case SockError::MsgSize: return "EMSGSIZE";
    case SockError::NoBufs: return "ENOBUFS";
    case SockError::BadF: return "EBADF";
    case SockError::MFile: return "EMFILE";
    case SockError::NotSock: return "ENOTSOCK";
    case SockError::OpNotSupp: return "EOPNOTSUPP";
    case SockError::NoProtoOpt: return "ENOPROTOOPT";
    case SockError::Acces: return "EACCES";
    case SockError::DestAddrReq: return "EDESTADDRREQ";
    case SockError::AfNoSupport: return "EAFNOSUPPORT";
    case SockError::ProtoNoSupport: return "EPROTONOSUPPORT";
  }
  return "E?";
}

}  // namespace synack
