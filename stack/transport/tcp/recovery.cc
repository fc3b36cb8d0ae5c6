// Loss recovery. Connections that negotiated SACK (RFC 2018) use RFC 6675
// over the SackScoreboard; the others keep NewReno (RFC 6582: dup-ACK
// counting and partial ACKs in input.cc). Both enter recovery here.
//
// RFC 6675 §5, step by step, and where each step lives:
//  - Update(): sack_update, on every acceptable ACK before its cumulative
//    part is processed (process_ack).
//  - DupAcks: an ACK that does not advance SND.UNA but SACKs new data (§2
//    definition) counts (input.cc dup_ack). sack_check_loss enters recovery
//    on DupThresh of them or when IsLost(SND.UNA) (step 4), as Linux's
//    tcp_time_to_recover does with tcp_recovery=0.
//  - (4.1)-(4.4) enter_recovery: RecoveryPoint = HighData, the congestion
//    controller sets ssthresh and cwnd (NewReno FlightSize/2, CUBIC 0.7),
//    HighRxt = SND.UNA, and the first segment is retransmitted regardless of
//    cwnd (rtx_una_).
//  - (C) plan_recovery (pulled by output.cc): while cwnd - pipe >= 1 SMSS,
//    NextSeg() rule 1 (the first lost hole above HighRxt), else rule 2 (new
//    data within the receive window). Rules 3 and 4 (holes not yet deemed
//    lost, the rescue retransmission) are deliberately not used: Linux does
//    neither and leaves those tails to the RTO (and RACK/TLP, not here).
//  - (A) exit on a cumulative ACK at or above RecoveryPoint (ack_advance).
//  - §5.1 an RTO ends recovery and clears the scoreboard (timers.cc on_rto);
//    a new recovery waits until SND.UNA reaches the new RecoveryPoint.
// Outside recovery the bytes in flight not SACKed replace SND.NXT - SND.UNA
// in the send test, which is limited transmit (RFC 3042, RFC 6675 step 2) as
// Linux does it; the go-back-N after an RTO skips ranges SACKed meanwhile.
#include <algorithm>
#include <array>

#include "stack/transport/tcp/socket.h"

namespace synack::tcp {

// RFC 6675 Update(): merge the ACK's SACK blocks. True when they SACKed
// octets not SACKed before (the §2 "duplicate acknowledgment" test).
bool Socket::sack_update(SeqNumber ack, const wire::TcpRepr& seg) {
  if (!opt_.sack) return false;
  SeqNumber una = ack.gt(snd_.una) ? ack : snd_.una;
  std::array<SackBlock, wire::TcpSackBlocks::kMaxBlocks> blocks{};
  std::size_t n = 0;
  if (auto b = seg.options.sack_blocks()) {
    for (const wire::SackBlock& w : b->view()) blocks[n++] = SackBlock{w.left, w.right};
  }
  sb_.on_ack(una, snd_.max, {});  // forget what is now cumulatively ACKed
  std::uint32_t before = sb_.get().sacked_bytes();
  // Blocks beyond SND.MAX acknowledge data never sent: ignored (RFC 6675 §5.1).
  sb_.on_ack(una, snd_.max, std::span<const SackBlock>(blocks.data(), n));
  return sb_.get().sacked_bytes() > before;
}

// RFC 6582 §3.2 step 2 ("covers more than recover") for NewReno; RFC 6675
// §5.1 for SACK: "a new recovery phase ... MUST NOT be initiated until
// HighACK is greater than or equal to the new value of RecoveryPoint".
bool Socket::may_enter_recovery() const noexcept {
  if (opt_.sack) return snd_.una.ge(recover_);
  return (snd_.una - 1).ge(recover_);
}

// RFC 6675 §5 step 4 / RFC 6582 §3.2 step 2.
void Socket::enter_recovery(Context& ctx) {
  ++ctx.stats.fast_retransmits;
  if (opt_.sack) ++ctx.stats.sack_recoveries;
  else ++ctx.stats.reno_recoveries;
  recover_ = snd_.max;  // (4.1) RecoveryPoint = HighData
  cc_.on_congestion_event(ctx.now, seq_span(snd_.una, snd_.max));  // (4.2)
  in_recovery_ = true;
  rtx_una_ = true;  // (4.3) retransmit the segment at HighACK + 1
  extra_send_ = 0;
  high_rxt_ = snd_.una;
}

// After an ACK on a SACK connection: start recovery when DupThresh duplicate
// ACKs arrived or the scoreboard deems SND.UNA lost.
void Socket::sack_check_loss(Context& ctx) {
  if (!opt_.sack) return;
  skip_sacked();
  if (in_recovery_ || snd_.una == snd_.max || !is_synchronized(state_)) return;
  auto smss = static_cast<std::uint32_t>(max_payload());
  if (static_cast<std::uint32_t>(dupacks_) < SackScoreboard::kDupThresh && !sb_.get().is_lost(snd_.una, smss)) {
    return;
  }
  if (may_enter_recovery()) enter_recovery(ctx);
}

// A retransmission of [seq, seq + hole) cut to one SMSS and to the data; it
// carries our FIN when the hole reaches the FIN's sequence number.
// Never below the first data byte: the SYN's slot is resent only as a SYN.
Socket::DataPlan Socket::plan_retransmit(SeqNumber seq, std::uint32_t hole) const {
  if (SeqNumber first = tx_base(); seq.lt(first)) {
    std::uint32_t skip = seq_span(seq, first);
    if (hole <= skip) return {};
    hole -= skip;
    seq = first;
  }
  hole = std::min(hole, static_cast<std::uint32_t>(max_payload()));
  SeqNumber end = data_end();
  std::uint32_t data = seq.lt(end) ? std::min(hole, seq_span(seq, end)) : 0;
  DataPlan p{seq, data, fin_sent() && seq + data == end && hole > data};
  if (p.len == 0 && !p.fin) return {};
  return p;
}

// RFC 6675 §5 (C): the next segment to send during SACK recovery.
Socket::DataPlan Socket::plan_recovery() const {
  auto smss = static_cast<std::uint32_t>(max_payload());
  if (rtx_una_) {
    // (4.3): the first hole, whatever cwnd says; it ends at the first SACKed range.
    // A peer may SACK a block that starts at (or straddles) SND.UNA without
    // advancing its ACK; then there is no hole at SND.UNA and NextSeg applies.
    SeqNumber hole_end = sb_.get().empty() ? snd_.max : sb_.get().ranges().front().left;
    if (hole_end.gt(tx_base())) return plan_retransmit(tx_base(), seq_span(tx_base(), hole_end));
  }
  std::uint32_t pipe = sb_.pipe(snd_.una, snd_.max, high_rxt_, smss);
  if (cc_.cwnd() < pipe || cc_.cwnd() - pipe < smss) return {};
  // Rule 1: the first unSACKed octet above HighRxt that IsLost.
  if (auto seg = sb_.get().next_seg(snd_.una, snd_.max, high_rxt_, smss)) {
    return plan_retransmit(seg->first, seg->second);
  }
  // Rule 2: new data, within the peer's window.
  std::uint32_t flight = seq_span(snd_.una, snd_.nxt);
  std::uint32_t rwnd_room = snd_.wnd > flight ? snd_.wnd - flight : 0;
  return plan_new_data(std::min(cc_.cwnd() - pipe, rwnd_room));
}

// Bytes in flight for the congestion window outside recovery: sent and
// neither cumulatively ACKed nor SACKed (RFC 6675 pipe with nothing lost).
std::uint32_t Socket::sack_flight() const noexcept {
  return seq_span(snd_.una, snd_.nxt) - sb_.get().sacked_below(snd_.nxt);
}

// Go-back-N after an RTO: never resend a range the peer has SACKed since.
void Socket::skip_sacked() noexcept {
  while (snd_.nxt.lt(snd_.max)) {
    auto end = sb_.get().sacked_range_end(snd_.nxt);
    if (!end) return;
    snd_.nxt = *end;
  }
}

}  // namespace synack::tcp
