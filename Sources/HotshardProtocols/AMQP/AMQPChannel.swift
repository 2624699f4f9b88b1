import DequeModule

/// What one AMQP channel of a connection has in flight: publishes waiting for their confirms,
/// deliveries waiting for their acks (each in delivery-tag order, as the broker and the client
/// number them), the content being assembled in each direction, the synchronous request waiting
/// for its `-ok`, and the consumers started on it (consumer tags are local to a channel).
struct AMQPChannel {
    /// A publish or delivery, already the message it will be emitted as.
    struct Pending {
        /// Publish sequence number (confirm mode) or delivery tag.
        var tag: UInt64
        var message: Message
        /// When its last byte was seen: latency runs from here to the confirm or ack.
        var lastNanos: Int64
    }

    /// What content (header, then body frames) on this channel belongs to.
    enum ContentKind {
        case publish(confirmed: Bool)
        case delivery(acknowledged: Bool)
        /// basic.return: read and dropped.
        case ignored
    }

    /// A content-bearing method whose header and body are still arriving.
    struct Assembly {
        var pending: Pending
        var kind: ContentKind
        /// Nil until the content header gives the body size.
        var bodyRemaining: Int?
    }

    /// A synchronous request (queue.declare, queue.bind, basic.consume, confirm.select) and the
    /// method id of the `-ok` that answers it.
    struct Synchronous {
        var message: Message
        var replyClass: UInt16
        var replyMethod: UInt16
        /// basic.consume: the queue and whether it acknowledges, for the tag its consume-ok names.
        var consumer: Consumer?
    }

    /// A consumer's queue and whether its deliveries expect an ack.
    struct Consumer {
        var queue: Key
        var acknowledges: Bool
    }

    var confirmMode = false
    var nextPublishTag: UInt64 = 1
    var unconfirmed = Deque<Pending>()
    var unacknowledged = Deque<Pending>()
    var publishing: Assembly?
    var delivering: Assembly?
    var synchronous: Synchronous?
    var consumers: [Key: Consumer] = [:]
    /// basic.get waiting for get-ok or get-empty.
    var getting: Consumer?

    var pendingCount: Int { unconfirmed.count + unacknowledged.count }
}
