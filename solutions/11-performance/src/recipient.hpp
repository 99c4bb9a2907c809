// Recipient: what Db::publish delivers a channel's messages to.
//
// For each channel the Db keeps its recipients: in the server, the Outbox of each subscribed
// connection (outbox.hpp). The Db sees them only through this interface, so it stays free of
// sockets and of the protocol, and a test can stand in a fake that records what it receives.
// Book: chapter 06, "Channels in the Db".
#pragma once

#include <string_view>

namespace mini_redis {

/// Something that receives published messages. Db::publish calls deliver() on every recipient of
/// the channel.
class Recipient {
public:
    virtual ~Recipient() = default;

    /// Takes one message: the bytes its client receives, encoded by PUBLISH (see message_push()
    /// in frame.hpp). Called by Db::publish with the channels' lock held, so it must be
    /// quick and must not call back into the Db. Returns false if the message was refused (the
    /// recipient is closing); it then does not count as received.
    virtual bool deliver(std::string_view push) = 0;
};

}  // namespace mini_redis
